"""What a battle refuses, each a DomainError the API maps to a status (409; NotOwner 403)."""

from __future__ import annotations

from arena.domain.errors import DomainError, NotAllowed


class BattleError(DomainError):
    pass


class WrongBattleState(BattleError):
    pass


class ProblemAlreadyAttached(BattleError):
    pass


class ProblemNotInBattle(BattleError):
    pass


class NoProblems(BattleError):
    pass


class AlreadyJoined(BattleError):
    pass


class BattleFull(BattleError):
    pass


class LanguageNotAllowed(BattleError):
    pass


class NotOwner(BattleError, NotAllowed):
    """An admin command from an admin who does not run this battle (403)."""


class NotJoined(BattleError):
    """Only players who joined may submit (409)."""
