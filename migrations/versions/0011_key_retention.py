"""Idempotency keys are forgotten after ARENA_IDEMPOTENCY_KEEP_S (db/key_retention.py): an index
on when each key was claimed or recorded, so the sweep finds the old ones without a scan.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_index("idempotency_keys_by_created_at", "idempotency_keys", ["created_at"])
    op.create_index("arena_command_keys_by_recorded_at", "arena_command_keys", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("arena_command_keys_by_recorded_at", table_name="arena_command_keys")
    op.drop_index("idempotency_keys_by_created_at", table_name="idempotency_keys")
