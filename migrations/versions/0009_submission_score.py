"""A scored submission's score (issue 15): a scoring problem's verdict carries the score, the
problem's maximum and each test group's score; the submission history keeps them so the API
shows them. Null for a pass-fail problem's submissions, and for rows judged before this
revision until `arena projections rebuild submissions` (the projection's version is 3).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("submissions", sa.Column("score", sa.Float, nullable=True))
    op.add_column("submissions", sa.Column("max_score", sa.Float, nullable=True))
    op.add_column("submissions", sa.Column("groups", sa.JSON, nullable=True))


def downgrade() -> None:
    for column in ("groups", "max_score", "score"):
        op.drop_column("submissions", column)
