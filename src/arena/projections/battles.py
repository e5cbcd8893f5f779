"""Battle catalog: one row per battle (GET /battles) and which problems each uses."""

from __future__ import annotations

from sqlalchemy import Engine, select

from arena.db.tables import battle_problems, battles
from arena.domain.battle import Battle
from arena.projections.folding import Folded, FoldingProjection, Writers, folds, suffixed

FINISHED = ("ended", "cancelled")
SHOWN_SETTINGS = ("title", "scoring", "max_players", "start_at")


class BattleCatalog(FoldingProjection):
    """Every event of a battle but its creation moves `updated_at` to the event's time."""

    version = 1

    def __init__(self, name: str = "battles", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed((battles, battle_problems), suffix)

    @folds(Battle.Created, "admin_id", "settings", "at")
    def created(self, writers: Writers, event: Folded) -> None:
        data, settings = event.data, event.data["settings"]
        writers["battles"].insert({
            "id": str(event.originator_id), "title": settings["title"], "status": "draft",
            "admin_id": data["admin_id"], "scoring": settings["scoring"], "players": 0,
            "max_players": settings["max_players"], "start_at": settings.get("start_at"),
            "created_at": data["at"], "updated_at": event.timestamp})

    @folds(Battle.Configured, "changes")
    def configured(self, writers: Writers, event: Folded) -> None:
        shown = {k: v for k, v in event.data["changes"].items() if k in SHOWN_SETTINGS}
        writers["battles"].set((str(event.originator_id),), **shown, updated_at=event.timestamp)

    @folds(Battle.ProblemAttached, "slug", "sha256")
    def problem_attached(self, writers: Writers, event: Folded) -> None:
        writers["battle_problems"].insert(
            {"battle_id": str(event.originator_id), "slug": event.data["slug"], "sha256": event.data["sha256"]})
        self._touch(writers, event)

    @folds(Battle.ProblemDetached, "slug")
    def problem_detached(self, writers: Writers, event: Folded) -> None:
        writers["battle_problems"].delete((str(event.originator_id), event.data["slug"]))
        self._touch(writers, event)

    @folds(Battle.PlayerAdmitted)
    def player_admitted(self, writers: Writers, event: Folded) -> None:
        writers["battles"].add((str(event.originator_id),), players=1)
        self._touch(writers, event)

    @folds(Battle.LobbyOpened)
    def lobby_opened(self, writers: Writers, event: Folded) -> None:
        writers["battles"].set((str(event.originator_id),), status="lobby", updated_at=event.timestamp)

    @folds(Battle.Started)
    def started(self, writers: Writers, event: Folded) -> None:
        writers["battles"].set((str(event.originator_id),), status="running", updated_at=event.timestamp)

    @folds(Battle.Ended)
    def ended(self, writers: Writers, event: Folded) -> None:
        writers["battles"].set((str(event.originator_id),), status="ended", updated_at=event.timestamp)

    @folds(Battle.Cancelled)
    def cancelled(self, writers: Writers, event: Folded) -> None:
        writers["battles"].set((str(event.originator_id),), status="cancelled", updated_at=event.timestamp)

    @folds(Battle.Scheduled)
    def scheduled(self, writers: Writers, event: Folded) -> None:
        self._touch(writers, event)

    @folds(Battle.Extended)
    def extended(self, writers: Writers, event: Folded) -> None:
        self._touch(writers, event)

    @folds(Battle.CoAdminAdded)
    def co_admin_added(self, writers: Writers, event: Folded) -> None:
        self._touch(writers, event)

    @staticmethod
    def _touch(writers: Writers, event: Folded) -> None:
        writers["battles"].set((str(event.originator_id),), updated_at=event.timestamp)


STARTED = ("running", "ended")


def list_battles(engine: Engine, status: str | None = None, limit: int = 100, offset: int = 0,
                 drafts: bool = True) -> list[dict]:
    """Newest first; `drafts=False` leaves out drafts (a player's list, Battle.shown_to_players)."""
    query = select(battles).order_by(battles.c.created_at.desc(), battles.c.id).limit(limit).offset(offset)
    if status:
        query = query.where(battles.c.status == status)
    if not drafts:
        query = query.where(battles.c.status != "draft")
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def battle_ids(engine: Engine, status: str) -> list[str]:
    """Ids only, for background sweeps: a row with one unreadable column cannot fail the list."""
    with engine.connect() as conn:
        return list(conn.execute(select(battles.c.id).where(battles.c.status == status)
                                 .order_by(battles.c.created_at)).scalars())


def problem_has_started(engine: Engine, slug: str) -> bool:
    """Whether a battle that uses the problem is running or has ended: its statement is out.
    (A battle cancelled while running no longer counts; the catalog keeps no start time.)"""
    query = (select(battles.c.id).join(battle_problems, battle_problems.c.battle_id == battles.c.id)
             .where((battle_problems.c.slug == slug) & battles.c.status.in_(STARTED)).limit(1))
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def battles_using_problem(engine: Engine, slug: str) -> list[str]:
    """Ids of battles that use the problem and are not over: its slug may not be deleted."""
    query = (select(battles.c.id).join(battle_problems, battle_problems.c.battle_id == battles.c.id)
             .where((battle_problems.c.slug == slug) & battles.c.status.not_in(FINISHED)))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
