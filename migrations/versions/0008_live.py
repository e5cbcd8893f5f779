"""Live sockets (issue 14): which API instance holds how many sockets of a player in a battle,
and each instance's heartbeat, so that presence follows sockets across instances and the
sockets of an instance that died are swept (docs/adr/0024-live-battles.md).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "live_instances",
        sa.Column("instance_id", sa.String(100), primary_key=True),
        sa.Column("heartbeat_at", TS, nullable=False),
    )
    op.create_table(
        "live_sockets",
        sa.Column("instance_id", sa.String(100), primary_key=True),
        sa.Column("battle_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("sockets", sa.Integer, nullable=False),
    )
    op.create_index("live_sockets_by_player", "live_sockets", ["battle_id", "user_id"])


def downgrade() -> None:
    op.drop_index("live_sockets_by_player", table_name="live_sockets")
    op.drop_table("live_sockets")
    op.drop_table("live_instances")
