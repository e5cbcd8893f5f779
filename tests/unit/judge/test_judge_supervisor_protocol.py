"""The judge's half of the supervisor protocol: the job record and the report headers."""

import asyncio

import pytest

from arena.judge.protocol import HEADER, JOB_TAG, decode_header, encode_job, read_reports, record
from arena.judge.sandbox import Job, SandboxError, Step

STEP = Step(argv=("./main", "--fast"), time_limit_ms=1500, wall_limit_ms=4000, memory_mb=64,
            address_space_limit=True, output_cap_bytes=1 << 20)


def fields(chunk: bytes) -> list[bytes]:
    assert int(chunk[:8]) == len(chunk) - 8 and chunk.endswith(b"\0")
    return chunk[8:-1].split(b"\0")


def test_the_job_record_lists_fields_in_the_supervisors_order():
    job = Job(language="c", source_name="main.c", source=b"int main(){}", compile=None,
              run=STEP, inputs=(b"1 2\n", b""))
    chunks = encode_job(job, uid=61001, gid=61002)
    assert chunks[1:] == [b"int main(){}", b"1 2\n", b""]
    values = fields(chunks[0])
    assert values[:8] == [JOB_TAG, b"main.c", b"12", b"1", b"2", b"4", b"0", b"0"]
    step = values[8:]
    assert step[:9] == [b"61001", b"61002", b"4000", b"1500", b"65536", b"1048576", b"1048576",
                        b"8192", b"0"]
    assert step[9:12] == [b"2", b"./main", b"--fast"]
    assert step[12:15] == [b"2", b"PATH=/usr/local/bin:/usr/bin:/bin", b"LANG=C.UTF-8"]
    limits = step[16:]
    assert int(step[15]) * 3 == len(limits)
    assert limits[:3] == [b"CPU", b"3", b"4"]  # SIGKILL one second after SIGXCPU
    assert b"AS" in limits and b"NPROC" in limits


def test_a_field_with_a_nul_byte_is_refused():
    with pytest.raises(ValueError):
        record([b"main\0.c"])


def header(kind: int, flags: int, exit_code=0, signal=0, out=b"", err=b"") -> bytes:
    packed = HEADER.pack(kind, flags, exit_code, signal, 1500, 2500, 900, len(out), len(err))
    return packed + out + err


def test_headers_decode_to_step_reports():
    kind, report = decode_header(HEADER.unpack(header(1, 1 | 8, exit_code=3)[:HEADER.size]))
    assert kind == "test"
    assert report == {"exit_code": 3, "signal": None, "cpu_ms": 1.5, "wall_ms": 2.5,
                      "maxrss_kb": 900, "timed_out": False, "output_limit": True}
    kind, report = decode_header(HEADER.unpack(header(0, 2 | 4, signal=9)[:HEADER.size]))
    assert kind == "compile" and report["signal"] == 9 and report["exit_code"] is None
    assert report["timed_out"]


@pytest.mark.parametrize("bad", [header(7, 1), header(1, 1 | 2), header(1, 32)])
def test_a_malformed_header_is_a_sandbox_error(bad):
    with pytest.raises(SandboxError):
        decode_header(HEADER.unpack(bad[:HEADER.size]))


def reader(data: bytes) -> asyncio.StreamReader:
    stream = asyncio.StreamReader()
    stream.feed_data(data)
    stream.feed_eof()
    return stream


async def test_reports_carry_their_output_until_done():
    data = header(0, 1, out=b"warning") + header(1, 1, out=b"3\n", err=b"oops") + header(2, 0)
    compiled, tests = await read_reports(reader(data))
    assert compiled.stdout == b"warning"
    assert [(t.stdout, t.stderr) for t in tests] == [(b"3\n", b"oops")]


async def test_a_stream_that_ends_before_done_is_a_sandbox_error():
    with pytest.raises(SandboxError, match="without a 'done'"):
        await read_reports(reader(header(1, 1, out=b"3\n")[:-1]))
