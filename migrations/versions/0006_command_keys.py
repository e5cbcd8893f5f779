"""arena_command_keys: the answer of a command run under an Idempotency-Key, appended with its
events in the same statement, so a command either happened with its answer kept or not at all.

`arena_append_events` gains four arrays (a new overload; migration 0004's stays as it was): the
keys of the commands in the append (principal, key, request hash) and their answers. It appends
the events as before, then inserts one row per key. A key already kept raises unique_violation,
like a version taken by someone else: nothing of the append is written, and the application
re-runs the command, which then finds the kept answer (docs/adr/0018).

The table lives in both dialects so that the schema is one; only PostgreSQL's recorder writes it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

CREATE = """
CREATE OR REPLACE FUNCTION arena_append_events(
    ids uuid[], versions bigint[], topics text[], states bytea[],
    read_ids uuid[], read_versions bigint[],
    key_principals text[], key_names text[], key_requests text[], key_answers text[])
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT arena_append_events(ids, versions, topics, states, read_ids, read_versions);
    INSERT INTO arena_command_keys (principal, key, request_hash, answer, recorded_at)
    SELECT principal, name, request, answer, now()
    FROM unnest(key_principals, key_names, key_requests, key_answers) AS k(principal, name, request, answer);
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "arena_command_keys",
        sa.Column("principal", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("answer", sa.Text, nullable=True),  # the verb's result, JSON (application/command_keys.py)
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS arena_append_events(uuid[], bigint[], text[], bytea[], uuid[], bigint[], "
                   "text[], text[], text[], text[])")
    op.drop_table("arena_command_keys")
