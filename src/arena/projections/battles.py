"""Battle catalog: one row per battle (GET /battles) and which problems each uses."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from sqlalchemy import Engine, select

from arena.bus.envelope import EventEnvelope
from arena.db.tables import battle_problems, battles
from arena.domain.battle import Battle
from arena.projections.folding import FoldingProjection, suffixed
from arena.projections.writer import TableWriter

FINISHED = ("ended", "cancelled")
STATUS_AFTER = {"LobbyOpened": "lobby", "Started": "running", "Ended": "ended", "Cancelled": "cancelled"}
SHOWN_SETTINGS = ("title", "scoring", "max_players", "start_at")


class BattleCatalog(FoldingProjection):
    version = 1

    def __init__(self, name: str = "battles", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed((battles, battle_problems), suffix)
        self.topics = tuple(get_topic(cls) for cls in vars(Battle).values()
                            if isinstance(cls, type) and issubclass(cls, Aggregate.Event))

    def fold(self, writers: dict[str, TableWriter], event: EventEnvelope) -> None:
        if not event.routing_key.startswith("battle."):
            return
        rows, problems = writers["battles"], writers["battle_problems"]
        battle_id, data, name = str(event.originator_id), event.data, event.event_name
        key = (battle_id,)
        match name:
            case "Created":
                settings = data["settings"]
                rows.insert({"id": battle_id, "title": settings["title"], "status": "draft",
                             "admin_id": data["admin_id"], "scoring": settings["scoring"], "players": 0,
                             "max_players": settings["max_players"], "start_at": settings.get("start_at"),
                             "created_at": data["at"], "updated_at": event.timestamp})
                return
            case "Configured":
                rows.set(key, **{k: v for k, v in data["changes"].items() if k in SHOWN_SETTINGS})
            case "ProblemAttached":
                problems.insert({"battle_id": battle_id, "slug": data["slug"], "sha256": data["sha256"]})
            case "ProblemDetached":
                problems.delete((battle_id, data["slug"]))
            case "PlayerAdmitted":
                rows.add(key, players=1)
            case _ if name in STATUS_AFTER:
                rows.set(key, status=STATUS_AFTER[name])
        rows.set(key, updated_at=event.timestamp)


def list_battles(engine: Engine, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    query = select(battles).order_by(battles.c.created_at.desc(), battles.c.id).limit(limit).offset(offset)
    if status:
        query = query.where(battles.c.status == status)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def battles_using_problem(engine: Engine, slug: str) -> list[str]:
    """Ids of battles that use the problem and are not over: its slug may not be deleted."""
    query = (select(battles.c.id).join(battle_problems, battle_problems.c.battle_id == battles.c.id)
             .where((battle_problems.c.slug == slug) & battles.c.status.not_in(FINISHED)))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
