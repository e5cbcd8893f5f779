"""Read models of issue 4: the scoreboard's facts and the room state.

The scoreboard stores facts (a battle's scoring and times, who joined, every judged attempt)
and ranks at read time, so deliveries may arrive in any order across aggregates.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scoreboard_battles",
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("scoring", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
    )
    op.create_table(
        "scoreboard_problems",
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("slug", sa.String(64), primary_key=True),
        sa.Column("points", sa.Integer, nullable=False),
    )
    # One per (battle, user) from RoomPlayer.Joined, so players with no submission appear.
    op.create_table(
        "scoreboard_entries",
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("joined_at", TS, nullable=False),
    )
    op.create_table(
        "scoreboard_attempts",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("battle_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("problem", sa.String(64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("verdict", sa.String(4), nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
    )
    op.create_index("scoreboard_attempts_by_battle", "scoreboard_attempts", ["battle_id"])
    op.create_table(
        "room_players",
        sa.Column("room_player_id", sa.String(36), primary_key=True),
        sa.Column("battle_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("joined_at", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("submissions", sa.Integer, nullable=False),
    )
    op.create_index("room_players_by_battle", "room_players", ["battle_id"])


def downgrade() -> None:
    for table in ("room_players", "scoreboard_attempts", "scoreboard_entries",
                  "scoreboard_problems", "scoreboard_battles"):
        op.drop_table(table)
