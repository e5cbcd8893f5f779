"""What a room player refuses, each a DomainError the API maps to a status (409)."""

from __future__ import annotations

from arena.domain.errors import DomainError


class RoomPlayerError(DomainError):
    pass


class WrongPlayerState(RoomPlayerError):
    pass


class DuplicateSubmission(RoomPlayerError):
    pass


class UnknownSubmission(RoomPlayerError):
    pass


class UnknownVerdict(RoomPlayerError):
    pass


class NotJudgedYet(RoomPlayerError):
    """A rejudge of a submission still waiting for its first verdict."""


class UnknownRejudge(RoomPlayerError):
    """A verdict for a rejudge nobody asked for."""


class SupersededRejudge(RoomPlayerError):
    """A rejudge's verdict that comes after a newer rejudge of the same submission was asked for."""
