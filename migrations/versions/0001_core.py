"""Core tables outside the event store: problems catalog, idempotency keys, tracking, first read models.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "problems",
        sa.Column("slug", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),  # NULL while the first request runs
        sa.Column("content_type", sa.String(200), nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    # Where a reader of the notification log (local bus, relay) has got to.
    op.create_table(
        "bus_positions",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    # Per projection and aggregate: the last applied version (idempotency key = id:version).
    op.create_table(
        "projection_tracking",
        sa.Column("projection", sa.String(100), primary_key=True),
        sa.Column("originator_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "battles",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("admin_id", sa.String(200), nullable=False),
        sa.Column("scoring", sa.String(20), nullable=False),
        sa.Column("players", sa.Integer, nullable=False),
        sa.Column("max_players", sa.Integer, nullable=False),
        sa.Column("start_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("battles_by_status", "battles", ["status"])
    op.create_table(
        "battle_problems",
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("slug", sa.String(64), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("battle_problems_by_slug", "battle_problems", ["slug"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("battle_id", sa.String(36), nullable=False),
        sa.Column("room_player_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("problem", sa.String(64), nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(4), nullable=True),
        sa.Column("points", sa.Integer, nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("judged_at", TS, nullable=True),
    )
    op.create_index("submissions_by_battle", "submissions", ["battle_id", "user_id"])


def downgrade() -> None:
    for table in ("submissions", "battle_problems", "battles", "projection_tracking",
                  "bus_positions", "idempotency_keys", "problems"):
        op.drop_table(table)
