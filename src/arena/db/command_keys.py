"""A row of arena_command_keys (migration 0006): a command run under an Idempotency-Key, kept
with its events by the recorder's append; the application reads it back (ADR 18)."""

from __future__ import annotations

from typing import NamedTuple


class KeptCommand(NamedTuple):
    principal: str
    key: str
    request_hash: str
    answer: str  # the verb's result as JSON (arena.application.command_keys)
