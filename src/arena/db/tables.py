"""The current shape of the tables, for typed queries. The DDL lives in migrations/ only;
tests/integration/test_migrations.py checks that the two agree. The settlement's tables are
in arena.db.settlement_tables, on this same `metadata`."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()


class UTCDateTime(TypeDecorator):
    """SQLite forgets time zones; every timestamp we store is UTC, so give it back as such."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


problems = sa.Table(
    "problems", metadata,
    sa.Column("slug", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("points", sa.Integer, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("uploaded_at", UTCDateTime, nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("principal", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("content_type", sa.String(200)),
    sa.Column("body", sa.LargeBinary),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("idempotency_keys_by_created_at", "created_at"),  # 0011: forgotten after a day
)

bus_positions = sa.Table(
    "bus_positions", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)

projection_tracking = sa.Table(
    "projection_tracking", metadata,
    sa.Column("projection", sa.String(100), primary_key=True),
    sa.Column("originator_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

battles = sa.Table(
    "battles", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("admin_id", sa.String(200), nullable=False),
    sa.Column("scoring", sa.String(20), nullable=False),
    sa.Column("players", sa.Integer, nullable=False),
    sa.Column("max_players", sa.Integer, nullable=False),
    sa.Column("start_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("battles_by_status", "status"),
)

battle_problems = sa.Table(
    "battle_problems", metadata,
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("slug", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Index("battle_problems_by_slug", "slug"),
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("battle_id", sa.String(36), nullable=False),
    sa.Column("room_player_id", sa.String(36), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("problem", sa.String(64), nullable=False),
    sa.Column("language", sa.String(20), nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("verdict", sa.String(4)),
    sa.Column("points", sa.Integer),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("judged_at", UTCDateTime),
    sa.Index("submissions_by_battle", "battle_id", "user_id"),
    # --- 0007: what the verdict says in detail
    sa.Column("problem_sha256", sa.String(64)),
    sa.Column("compile_output", sa.Text),
    sa.Column("tests", sa.JSON),
    sa.Column("time_ms", sa.Integer),
    sa.Column("memory_kb", sa.Integer),
    sa.Index("submissions_by_battle_time", "battle_id", "received_at", "id"),
    # --- 0009: a scoring problem's score and its per-group breakdown (null: pass-fail)
    sa.Column("score", sa.Float),
    sa.Column("max_score", sa.Float),
    sa.Column("groups", sa.JSON),
)

# --- 0003: scoreboard facts (ranked at read time) and room state ---------------------------

scoreboard_battles = sa.Table(
    "scoreboard_battles", metadata,
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("scoring", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_at", UTCDateTime),
    sa.Column("ended_at", UTCDateTime),
)

scoreboard_problems = sa.Table(
    "scoreboard_problems", metadata,
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("slug", sa.String(64), primary_key=True),
    sa.Column("points", sa.Integer, nullable=False),
)

scoreboard_entries = sa.Table(
    "scoreboard_entries", metadata,
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("joined_at", UTCDateTime, nullable=False),
)

scoreboard_attempts = sa.Table(
    "scoreboard_attempts", metadata,
    sa.Column("submission_id", sa.String(36), primary_key=True),
    sa.Column("battle_id", sa.String(36), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("problem", sa.String(64), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("verdict", sa.String(4), nullable=False),
    sa.Column("points", sa.Integer, nullable=False),
    sa.Index("scoreboard_attempts_by_battle", "battle_id"),
)

room_players = sa.Table(
    "room_players", metadata,
    sa.Column("room_player_id", sa.String(36), primary_key=True),
    sa.Column("battle_id", sa.String(36), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("submissions", sa.Integer, nullable=False),
    sa.Index("room_players_by_battle", "battle_id"),
    sa.Index("room_players_by_user", "user_id"),  # 0007
)

# --- 0006: the answers of commands run under an Idempotency-Key, kept with their events -------

command_keys = sa.Table(
    "arena_command_keys", metadata,
    sa.Column("principal", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("answer", sa.Text),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Index("arena_command_keys_by_recorded_at", "recorded_at"),  # 0011
)

# --- 0008: live sockets, so that presence follows them across API instances -------------------

live_instances = sa.Table(
    "live_instances", metadata,
    sa.Column("instance_id", sa.String(100), primary_key=True),
    sa.Column("heartbeat_at", UTCDateTime, nullable=False),
)

live_sockets = sa.Table(
    "live_sockets", metadata,
    sa.Column("instance_id", sa.String(100), primary_key=True),
    sa.Column("battle_id", sa.String(36), primary_key=True),
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("sockets", sa.Integer, nullable=False),
    sa.Index("live_sockets_by_player", "battle_id", "user_id"),
)

# One row per uploaded problem version: the judge tier's durable request and its report (ADR 27).
problem_verifications = sa.Table(
    "problem_verifications", metadata,
    sa.Column("problem_sha256", sa.String(64), primary_key=True),
    sa.Column("slug", sa.String(64), nullable=False),
    sa.Column("package_sha256", sa.String(64), nullable=False),
    sa.Column("force", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("verified_sha256", sa.String(64)), sa.Column("time_limit_ms", sa.Integer),
    sa.Column("report", sa.Text),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("claimed_at", UTCDateTime), sa.Column("finished_at", UTCDateTime),
    sa.Index("problem_verifications_by_slug", "slug", "requested_at"),
    sa.Index("problem_verifications_pending", "status", "requested_at"),
)
