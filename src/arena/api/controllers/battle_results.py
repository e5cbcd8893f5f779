"""A battle's final results as CSV, for admins and auditors (reading changes nothing: no
ownership rule, as for settlements, docs/adr/0016)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get

from arena.api.auth import auditor_or_admin
from arena.api.error_responses import errors
from arena.battle_export import final_results, results_csv
from arena.bootstrap import Arena


@get("/battles/{battle_id:uuid}/results.csv", tags=["battles"], guards=[auditor_or_admin], sync_to_thread=True,
     media_type="text/csv", responses=errors(403, 404))
def results(battle_id: UUID, arena: Arena) -> Response[str]:
    """rank, user_id, solved, penalty, points, last_accepted_at in rank order (ties by user id),
    ranked from every event of the battle; final once it has ended and every verdict is in."""
    battle = arena.app.get_battle(battle_id)
    body = results_csv(final_results(battle, arena.engine, arena.app.recorder))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="battle-{battle_id}-results.csv"'})
