"""Languages this judge can compile and run here, with their versions."""

from __future__ import annotations

from typing import Any

from litestar import get

from arena.judge.languages import available_languages


@get("/languages", tags=["languages"], sync_to_thread=True)
def list_languages() -> list[dict[str, Any]]:
    """Each language whose toolchain answered its version command on this machine."""
    return [language.model_dump() for language in available_languages()]
