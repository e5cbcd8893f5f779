"""The docker backend's pool logic, against a fake engine (no Docker here: unit tests only)."""

import asyncio

import pytest

from arena.judge.docker_pool import ContainerPool, DoubleRelease


class FakeEngine:
    def __init__(self, fail_clean_for: set[str] = frozenset()):
        self.created: list[str] = []
        self.removed: list[str] = []
        self.fail_clean_for = set(fail_clean_for)

    async def create(self, language):
        await asyncio.sleep(0)
        name = f"{language}-{len(self.created)}"
        self.created.append(name)
        return name

    async def clean(self, container):
        await asyncio.sleep(0)
        if container in self.fail_clean_for:
            raise RuntimeError("container is wedged")

    async def remove(self, container):
        self.removed.append(container)


async def test_an_idle_container_is_reused_rather_than_a_new_one_created():
    engine = FakeEngine()
    pool = ContainerPool(engine, max_workers=2)
    async with pool.lease("c") as first:
        pass
    async with pool.lease("c") as second:
        pass
    assert first.container == second.container and engine.created == ["c-0"]


async def test_never_more_containers_than_max_workers_even_under_a_burst():
    engine = FakeEngine()
    pool = ContainerPool(engine, max_workers=3)
    in_use, peak = set(), 0

    async def run(i):
        nonlocal peak
        async with pool.lease("python") as lease:
            assert lease.container not in in_use, "one container leased twice at once"
            in_use.add(lease.container)
            peak = max(peak, len(in_use))
            await asyncio.sleep(0.001 * (i % 3))
            in_use.discard(lease.container)

    await asyncio.gather(*(run(i) for i in range(200)))
    assert peak <= 3 and len(engine.created) <= 3
    assert pool.stats("python") == {"idle": len(engine.created), "total": len(engine.created)}


async def test_a_container_whose_run_raised_is_replaced_not_reused():
    engine = FakeEngine()
    pool = ContainerPool(engine, max_workers=1)
    with pytest.raises(RuntimeError):
        async with pool.lease("c"):
            raise RuntimeError("exec failed")
    async with pool.lease("c") as lease:
        pass
    assert engine.removed == ["c-0"] and lease.container == "c-1"


async def test_a_container_marked_broken_is_removed_and_its_place_freed():
    engine = FakeEngine()
    pool = ContainerPool(engine, max_workers=1)
    async with pool.lease("c") as lease:
        lease.broken = True
    assert engine.removed == ["c-0"] and pool.stats("c") == {"idle": 0, "total": 0}


async def test_a_container_that_fails_its_clean_up_is_replaced():
    engine = FakeEngine(fail_clean_for={"c-0"})
    pool = ContainerPool(engine, max_workers=1)
    async with pool.lease("c"):
        pass
    async with pool.lease("c") as lease:
        pass
    assert engine.removed == ["c-0"] and lease.container == "c-1"


async def test_releasing_the_same_lease_twice_is_refused():
    pool = ContainerPool(FakeEngine(), max_workers=1)
    lease = await pool._acquire("c")
    await pool._release("c", lease)
    with pytest.raises(DoubleRelease):
        await pool._release("c", lease)
    assert pool.stats("c") == {"idle": 1, "total": 1}


async def test_a_failed_create_frees_its_reserved_place():
    class Failing(FakeEngine):
        async def create(self, language):
            raise OSError("engine unreachable")

    pool = ContainerPool(Failing(), max_workers=1)
    with pytest.raises(OSError):
        async with pool.lease("c"):
            pass
    assert pool.stats("c") == {"idle": 0, "total": 0}


async def test_languages_have_separate_pools():
    engine = FakeEngine()
    pool = ContainerPool(engine, max_workers=1)
    async with pool.lease("c") as c, pool.lease("python") as py:
        assert c.container != py.container


async def test_warming_starts_idle_containers_and_close_removes_them():
    engine = FakeEngine()
    pool = ContainerPool(engine, max_workers=4)
    await pool.warm("rust", 2)
    assert pool.stats("rust") == {"idle": 2, "total": 2}
    await pool.close()
    assert sorted(engine.removed) == ["rust-0", "rust-1"]
