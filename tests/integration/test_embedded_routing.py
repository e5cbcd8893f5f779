"""The embedded default's bus is wired from the routing table: a handler for every consumer."""

from __future__ import annotations

from pathlib import Path

from arena.bootstrap import bootstrap
from arena.handlers.routing import PROJECTIONS, ROUTES
from arena.settings import ArenaSettings


def test_the_embedded_default_serves_every_routed_consumer(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path))
    try:
        served = {consumer.name for consumer, _ in arena.bus.handlers}
        routed = {consumer.name for consumers in ROUTES.values() for consumer in consumers}
        assert routed - {PROJECTIONS.name} <= served
        assert arena.bus.projections, "the read models are fed page by page"
    finally:
        arena.close()
