"""Lua script calls made in one turn of the event loop go to Redis as one pipeline.

A limit check is one short script; what it costs the API is mostly the client's work around the
round trip (a pooled connection, a write, a read, a reply parsed), about 55 µs of CPU each. The
requests an API process serves at once all check in the same few turns of its event loop, so
their calls are gathered (`call_soon`: after every task already made ready has run) and sent as
one pipeline of EVALSHA: about 15 µs each for 32 (bench/limits_cost.py, docs/benchmarks.md). A
lone request waits for nobody: its batch is itself, sent in the same turn.

Scripts are called by their SHA-1, computed here as Redis computes it. A Redis that does not
know a script (restarted, flushed) answers NOSCRIPT: the scripts are loaded and the calls that
failed so are sent once more.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, ResponseError

Call = tuple[str, list[str], list[Any], asyncio.Future]


class ScriptBatcher:
    def __init__(self, client: aioredis.Redis, scripts: dict[str, str]) -> None:
        self.client = client
        self.sources = scripts
        self.shas = {name: hashlib.sha1(source.encode()).hexdigest() for name, source in scripts.items()}
        self._pending: list[Call] = []
        self._sending: set[asyncio.Task] = set()  # the event loop keeps only weak references

    async def call(self, name: str, keys: list[str], args: list[Any]) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((name, keys, args, future))
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._send_pending)
        return await future

    def _send_pending(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.ensure_future(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[Call]) -> None:
        try:
            results = await self._pipeline(batch)
            unknown = [index for index, result in enumerate(results) if isinstance(result, NoScriptError)]
            if unknown:
                for name, source in self.sources.items():
                    await self.client.script_load(source)
                again = await self._pipeline([batch[index] for index in unknown])
                for index, result in zip(unknown, again):
                    results[index] = result
        except BaseException as exc:  # the whole round trip failed: every caller hears it
            for *_, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (*_, future), result in zip(batch, results):
            if future.done():  # its caller was cancelled
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _pipeline(self, calls: list[Call]) -> list[Any]:
        if len(calls) == 1:  # a pipeline of one costs half as much again as the call itself
            name, keys, args, _ = calls[0]
            try:
                return [await self.client.evalsha(self.shas[name], len(keys), *keys, *args)]
            except ResponseError as exc:  # as a pipeline returns it (NOSCRIPT, a failed script)
                return [exc]
        pipe = self.client.pipeline(transaction=False)
        for name, keys, args, _ in calls:
            pipe.evalsha(self.shas[name], len(keys), *keys, *args)
        return await pipe.execute(raise_on_error=False)
