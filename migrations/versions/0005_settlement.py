"""Read models of the settlement: the ledger, the season leaderboard, ratings and their history.

The ledger is append-only: one row per (battle, revision, user), written once with the revision
that made it (revision 1: the standings; later revisions: the differences), so its sum per
(battle, user) is the current standing. Nothing updates or deletes a ledger row.

Indexes are few on purpose: a 50,000-player settlement writes 50,000 rows to each table in one
transaction, and every index is paid per row. The idempotency key ("<settlement id>:<revision>:
<user>") is unique because the primary key is: the settlement id is uuid5 of the battle id.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "settlement_ledger",
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("season", sa.String(40), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("result_hash", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(300), nullable=False),  # unique through the primary key
        sa.Column("applied_at", TS, nullable=False),
    )
    op.create_index("settlement_ledger_by_user", "settlement_ledger", ["user_id", "battle_id"])
    op.create_table(
        "season_leaderboard",
        sa.Column("season", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("battles", sa.Integer, nullable=False),
    )
    op.create_table(
        "ratings",
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("mu", sa.Float, nullable=False),
        sa.Column("sigma", sa.Float, nullable=False),
        sa.Column("contests", sa.Integer, nullable=False),
        sa.Column("factors", sa.Text, nullable=True),  # Elo-MMR's full state, JSON (ratings.py)
        sa.Column("last_battle_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "rating_history",
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("before", sa.Integer, nullable=False),
        sa.Column("after", sa.Integer, nullable=False),
        sa.Column("rated_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("rating_history", "ratings", "season_leaderboard", "settlement_ledger"):
        op.drop_table(table)
