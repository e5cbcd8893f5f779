"""Languages this judge can compile and run here, with their versions."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar, get
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State

from arena.api.deadline import NEEDS
from arena.judge.languages import LanguageInfo, available_languages


def _dumped() -> list[dict[str, Any]]:
    return [language.model_dump() for language in available_languages()]


def detect_languages(app: Litestar) -> None:
    """An on_startup hook: the version commands run once, in a thread, while the server starts;
    requests that come before they finish wait for that one detection instead of each running
    its own (under load, 32 concurrent detections were a p99 of seconds)."""
    app.state.languages = asyncio.ensure_future(sync_to_thread(_dumped))


@get("/languages", tags=["languages"], opt={NEEDS: ()})  # no database: answers during an outage
async def list_languages(state: State) -> list[LanguageInfo]:
    """Each language whose toolchain answered its version command on this machine."""
    # Async: once detected this is the same list every time, and a thread hop per request cost
    # more than the answer.
    detecting = state.get("languages")  # None where the app runs without its startup hooks
    return await (asyncio.shield(detecting) if detecting is not None else sync_to_thread(_dumped))
