"""A failing consumer on the embedded bus neither fails the command that saved the event nor
starves the consumers after it (its log line once crashed with a TypeError: structlog's own
`event` argument was passed twice)."""

from __future__ import annotations

from pathlib import Path

from arena.bootstrap import bootstrap
from arena.domain.settings import BattleSettings
from arena.handlers.routing import PROJECTIONS
from arena.settings import ArenaSettings


def test_a_failing_handler_is_logged_and_the_save_and_the_next_handlers_go_on(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False, timers=False)
    seen: list[str] = []

    def broken(event) -> None:
        raise RuntimeError("this consumer is broken")

    arena.bus.handlers[:0] = [(PROJECTIONS, broken)]
    arena.bus.handlers.append((PROJECTIONS, lambda event: seen.append(event.routing_key)))
    try:
        battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))  # does not raise
        assert arena.app.get_battle(battle_id).settings.title == "t"
        assert "battle.created" in seen
    finally:
        arena.close()
