"""The write side: ArenaApplication, its command machinery and its verbs, one module per aggregate."""

from arena.application.app import ArenaApplication
from arena.application.battles import ProblemCatalog
from arena.application.machinery import utc_now
from arena.domain.battle import BattleStatus, NotJoined

__all__ = ["ArenaApplication", "BattleStatus", "NotJoined", "ProblemCatalog", "utc_now"]
