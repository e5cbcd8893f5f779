"""Tables of the RabbitMQ bus (reserved: the relay's position lives in bus_positions from 0001).

Revision ID: 0002
Revises: 0001
"""

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
