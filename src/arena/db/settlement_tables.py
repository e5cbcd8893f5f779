"""The settlement's read models (migration 0005): its append-only ledger, the season
leaderboard summed from it, and the ratings with their history. On the shared `metadata` of
arena.db.tables, so that tests/integration/test_migrations.py checks them with the rest."""

from __future__ import annotations

import sqlalchemy as sa

from arena.db.tables import UTCDateTime, metadata


settlement_ledger = sa.Table(
    "settlement_ledger", metadata,
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("season", sa.String(40), nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("points", sa.Integer, nullable=False),
    sa.Column("result_hash", sa.String(64), nullable=False),
    sa.Column("idempotency_key", sa.String(300), nullable=False),  # unique through the primary key
    sa.Column("applied_at", UTCDateTime, nullable=False),
    sa.Index("settlement_ledger_by_user", "user_id", "battle_id"),
)

season_leaderboard = sa.Table(
    "season_leaderboard", metadata,
    sa.Column("season", sa.String(40), primary_key=True),
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("points", sa.Integer, nullable=False),
    sa.Column("battles", sa.Integer, nullable=False),
)

ratings = sa.Table(
    "ratings", metadata,
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("mu", sa.Float, nullable=False),
    sa.Column("sigma", sa.Float, nullable=False),
    sa.Column("contests", sa.Integer, nullable=False),
    sa.Column("factors", sa.Text),
    sa.Column("last_battle_id", sa.String(36), nullable=False),
)

rating_history = sa.Table(
    "rating_history", metadata,
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("before", sa.Integer, nullable=False),
    sa.Column("after", sa.Integer, nullable=False),
    sa.Column("rated_at", UTCDateTime, nullable=False),
)
