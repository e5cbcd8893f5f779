"""Languages this judge can compile and run here, with their versions."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.concurrency import sync_to_thread

from arena.judge.languages import available_languages, cached_languages


@get("/languages", tags=["languages"])
async def list_languages() -> list[dict[str, Any]]:
    """Each language whose toolchain answered its version command on this machine."""
    # Async: after the first call this is a lookup in memory, and a thread hop per request cost
    # more than the answer. The first call runs the version commands, so off the loop.
    if not cached_languages.cache_info().currsize:
        await sync_to_thread(cached_languages)
    return [language.model_dump() for language in available_languages()]
