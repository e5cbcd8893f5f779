"""Battle catalog: one row per battle (GET /battles) and which problems each uses."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, select, update

from arena.bus.envelope import EventEnvelope
from arena.db.tables import battle_problems, battles

FINISHED = ("ended", "cancelled")


class BattleCatalog:
    name = "battles"
    version = 1

    def apply(self, conn: Connection, event: EventEnvelope) -> None:
        if not event.routing_key.startswith("battle."):
            return
        battle_id, data = str(event.originator_id), event.data
        row = battles.c.id == battle_id
        match event.event_name:
            case "Created":
                settings = data["settings"]
                conn.execute(insert(battles).values(
                    id=battle_id, title=settings["title"], status="draft", admin_id=data["admin_id"],
                    scoring=settings["scoring"], players=0, max_players=settings["max_players"],
                    start_at=settings.get("start_at"), created_at=data["at"], updated_at=event.timestamp))
                return
            case "Configured":
                changes = {k: v for k, v in data["changes"].items()
                           if k in ("title", "scoring", "max_players", "start_at")}
                if changes:  # duration or languages alone: nothing this view shows
                    conn.execute(update(battles).where(row).values(**changes))
            case "ProblemAttached":
                conn.execute(insert(battle_problems).values(
                    battle_id=battle_id, slug=data["slug"], sha256=data["sha256"]))
            case "ProblemDetached":
                conn.execute(delete(battle_problems).where(
                    (battle_problems.c.battle_id == battle_id) & (battle_problems.c.slug == data["slug"])))
            case "LobbyOpened":
                conn.execute(update(battles).where(row).values(status="lobby"))
            case "PlayerAdmitted":
                conn.execute(update(battles).where(row).values(players=battles.c.players + 1))
            case "Started":
                conn.execute(update(battles).where(row).values(status="running"))
            case "Ended":
                conn.execute(update(battles).where(row).values(status="ended"))
            case "Cancelled":
                conn.execute(update(battles).where(row).values(status="cancelled"))
        conn.execute(update(battles).where(row).values(updated_at=event.timestamp))


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
