"""Submission details (issue 13): what a verdict says per test, the compiler's message, and the
indexes the new reads need.

- submissions gains the problem's hash (a sample test's input and answer are read from the
  problem document it names), the compiler's message (capped by the projection), the result of
  each test (a JSON list) and the submission's time and memory. Rows judged before this revision
  have none of it until `arena projections rebuild submissions`.
- submissions_by_battle_time: a battle's submissions paged in arrival order (keyset on
  received_at, id); room_players_by_user: the battles a user joined (GET /me).

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("submissions", sa.Column("problem_sha256", sa.String(64), nullable=True))
    op.add_column("submissions", sa.Column("compile_output", sa.Text, nullable=True))
    op.add_column("submissions", sa.Column("tests", sa.JSON, nullable=True))
    op.add_column("submissions", sa.Column("time_ms", sa.Integer, nullable=True))
    op.add_column("submissions", sa.Column("memory_kb", sa.Integer, nullable=True))
    op.create_index("submissions_by_battle_time", "submissions", ["battle_id", "received_at", "id"])
    op.create_index("room_players_by_user", "room_players", ["user_id"])


def downgrade() -> None:
    op.drop_index("room_players_by_user", table_name="room_players")
    op.drop_index("submissions_by_battle_time", table_name="submissions")
    for column in ("memory_kb", "time_ms", "tests", "compile_output", "problem_sha256"):
        op.drop_column("submissions", column)
