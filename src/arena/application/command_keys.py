"""Commands run under an Idempotency-Key: the key travels with the request to the command, whose
answer is appended in the same statement as its events (docs/adr/0018).

The API sets `running_key` around the handler of a keyed request; the first command the
request runs claims it (`CommandKey.claim`), so that a command started later from another thread
that copied the context (an embedded judge recording a verdict) never takes the key for itself.
A command's answer is the verb's result, given to `save(..., answer=...)`; kept as JSON, it is
read back as the same type (UUID or str) so that a replayed verb returns what the first one did.
"""

from __future__ import annotations

import json
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from arena.db.command_keys import KeptCommand
from arena.domain.errors import InvalidInput


@dataclass
class CommandKey:
    principal: str
    key: str
    request_hash: str
    # The key was claimed before by a request that never answered (its placeholder was taken
    # over): its command may have committed, so look for a kept answer before running it again.
    may_be_kept: bool = False
    _claimed: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def claim(self) -> bool:
        """True for the first command of the request only."""
        with self._lock:
            claimed, self._claimed = self._claimed, True
            return not claimed


running_key: ContextVar[CommandKey | None] = ContextVar("arena_command_key", default=None)


class KeyUsedForAnotherRequest(InvalidInput):
    """The key's kept command was a different request: the client reused a key (422)."""

    def __init__(self) -> None:
        super().__init__("Idempotency-Key", "this key was used with a different request")


def encode_answer(answer: Any) -> str:
    if answer is None or isinstance(answer, str):
        return json.dumps(answer)
    if isinstance(answer, UUID):
        return json.dumps({"uuid": str(answer)})
    raise TypeError(f"a command's answer is an id (str or UUID), not {type(answer).__name__}")


def decode_answer(kept: str) -> Any:
    value = json.loads(kept)
    return UUID(value["uuid"]) if isinstance(value, dict) else value


def kept_answer_for(key: CommandKey, kept: KeptCommand | None) -> tuple[bool, Any]:
    """(True, answer) when `kept` answers this request; (False, None) when nothing was kept."""
    if kept is None:
        return False, None
    if kept.request_hash != key.request_hash:
        raise KeyUsedForAnotherRequest()
    return True, decode_answer(kept.answer)
