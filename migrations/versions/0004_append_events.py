"""arena_append_events(): check a command's reads, lock and insert its events in one round trip.

eventsourcing's recorder takes the same EXCLUSIVE lock (so notification ids commit in the order
they were issued, which every log reader relies on) but spends about eight client round trips per
append on it. Called in autocommit, this function is one statement: its implicit transaction
holds the lock from LOCK TABLE to the commit right after the INSERT. Like eventsourcing's, it
NOTIFYs the table's channel, delivered at that commit: the relay LISTENs (bus.log_watch).

The reads are the (aggregate, version) pairs the command decided on. Under the lock nobody else
can append, so "no newer event of any of them" holds until commit: a command that read an
aggregate it does not write (a submission reads its battle) is as safe as one that writes it. A
stale read raises unique_violation, the same error as a version taken by someone else, and the
application re-runs the command on fresh state.

The event table itself belongs to eventsourcing (it creates `arena_events`); plpgsql resolves the
name when the function runs, so the order in which the two are created does not matter.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"

# The read check probes the primary key once per read (a loop, not a join: a join's plan turns
# into a scan of the whole table once it is big, and an append must not grow with the table).
CREATE = """
CREATE OR REPLACE FUNCTION arena_append_events(
    ids uuid[], versions bigint[], topics text[], states bytea[],
    read_ids uuid[], read_versions bigint[])
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE arena_events IN EXCLUSIVE MODE;
    FOR i IN 1 .. coalesce(array_length(read_ids, 1), 0) LOOP
        IF EXISTS (SELECT FROM arena_events
                   WHERE originator_id = read_ids[i] AND originator_version > read_versions[i])
        THEN
            RAISE EXCEPTION 'stale read: aggregate % changed after the command read it', read_ids[i]
                USING ERRCODE = 'unique_violation';
        END IF;
    END LOOP;
    PERFORM pg_notify('arena_events', '');  -- delivered at commit: wakes the relay
    RETURN QUERY
        INSERT INTO arena_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(ids, versions, topics, states)
        RETURNING notification_id;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # the embedded SQLite store has no such lock
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS arena_append_events(uuid[], bigint[], text[], bytea[], uuid[], bigint[])")
