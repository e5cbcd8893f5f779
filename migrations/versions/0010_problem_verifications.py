"""Verification of uploaded packages (issue 15, item 2): one row per uploaded problem version,
the durable request the judge tier picks up and, once judged, its report
(docs/adr/0027-uploaded-packages-verified-by-the-judge-tier.md).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "problem_verifications",
        sa.Column("problem_sha256", sa.String(64), primary_key=True),  # the version uploaded
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("force", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # pending, passed, failed, skipped
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("verified_sha256", sa.String(64)),  # the version verified (derived time limit)
        sa.Column("time_limit_ms", sa.Integer),
        sa.Column("report", sa.Text),  # JSON: rows, warnings, error
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("claimed_at", TS),
        sa.Column("finished_at", TS),
    )
    op.create_index("problem_verifications_by_slug", "problem_verifications", ["slug", "requested_at"])
    op.create_index("problem_verifications_pending", "problem_verifications", ["status", "requested_at"])


def downgrade() -> None:
    op.drop_index("problem_verifications_pending", table_name="problem_verifications")
    op.drop_index("problem_verifications_by_slug", table_name="problem_verifications")
    op.drop_table("problem_verifications")
