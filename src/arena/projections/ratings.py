"""Ratings and their history, from the first revision of each settlement, in log order.

Elo-MMR's update depends on the order of battles, so ratings are applied strictly in the order
of the notification log — never in delivery order, which two battles settling at once may
swap. `catch_up` is the live path: under a lock on its position it reads every Settled event
after that position from the log and rates the first revision of each settlement not rated yet
(per-settlement tracking, like every projection: a replay changes nothing). A rebuild folds
the same events in the same order (`fold_rows`) with the ratings kept in memory. Same inputs,
same floats: the rebuilt ratings equal the live ones. Later revisions do not re-rate (docs/ratings.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, insert, select, update

from arena.db.pg_arrays import text_array
from arena.db.settlement_tables import rating_history, ratings
from arena.db.tables import projection_tracking
from arena.domain.settlement import Settlement
from arena.projections.append import AppendWriter
from arena.projections.fields import FieldDecoder
from arena.projections.folding import Writers, flush, suffixed
from arena.projections.log_reader import Row, read_pages
from arena.projections.upsert import UpsertWriter
from arena.ratings import INITIAL_RATING, Factors, Rating, displayed_rating, rate_battle

TABLES = (ratings, rating_history)
SETTLED = get_topic(Settlement.Settled)
POSITION_KEY = "~log"  # the tracking row that holds how far in the log ratings have got
Priors = Callable[[list[str]], dict[str, Rating]]


class Ratings:
    version = 1

    def __init__(self, name: str = "ratings", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed(TABLES, suffix)
        self.topics = (SETTLED,)
        self._decode = FieldDecoder(Settlement.Settled, ("battle_id", "revision", "standings"))
        self._memory: dict[str, Rating] = {}  # a rebuild's ratings so far (its shadow starts empty)

    def fold_rows(self, rows: Iterable[Row]) -> Writers:
        """A rebuild's page (log order): rate each first revision from the ratings so far."""
        writers = self._writers()
        for _, _, _, _, state in rows:
            rated = self._rate(writers, state, lambda users: {u: self._memory[u] for u in users if u in self._memory})
            self._memory.update(rated)
        return writers

    def apply_rows(self, conn: Connection, rows: Iterable[Row]) -> None:
        flush(conn, self.fold_rows(rows))

    def rate_live(self, conn: Connection, state: bytes) -> None:
        """One Settled event, live: priors from the table, written in the caller's transaction."""
        writers = self._writers()
        self._rate(writers, state, lambda users: read_ratings(conn, users, self.tables[0]))
        flush(conn, writers)

    def _rate(self, writers: Writers, state: bytes, priors: Priors) -> dict[str, Rating]:
        timestamp, data = self._decode(state)
        if data["revision"] != 1:
            return {}
        battle_id, columns = str(data["battle_id"]), data["standings"]
        standings = list(zip(columns["users"], columns["ranks"]))
        before = priors([user for user, _ in standings])
        after = rate_battle(battle_id, standings, before, at_seconds=int(timestamp.timestamp()))
        table, history, newcomer = writers["ratings"], writers["rating_history"], displayed_rating(INITIAL_RATING)
        for user, rating in after.items():  # tuples in the tables' column order (upsert.py, append.py)
            shown, old = displayed_rating(rating), before.get(user)
            table.put((user, shown, rating.mu, rating.sigma, rating.contests, _dump(rating.factors), battle_id))
            history.append((user, battle_id, newcomer if old is None else displayed_rating(old), shown, timestamp))
        return after

    def _writers(self) -> Writers:
        table, history = self.tables
        return {"ratings": UpsertWriter(table), "rating_history": AppendWriter(history)}  # type: ignore[dict-item]


def catch_up(engine: Engine, app: Any, projection: Ratings | None = None) -> int:
    """Rates, in log order, every settled battle not rated yet; returns how many. Safe to call
    from any number of processes at once: they queue on the position's row lock."""
    projection = projection or Ratings()
    rated = 0
    with engine.begin() as conn:
        position = _lock_position(conn, projection.name)
        tracked = dict(conn.execute(select(projection_tracking.c.originator_id, projection_tracking.c.version)
                                    .where(projection_tracking.c.projection == projection.name)).all())
        for rows, last in read_pages(app, engine, position, 1000, projection.topics):
            for _, originator_id, version, _, state in rows:
                if version <= tracked.get(originator_id, 0):
                    continue  # rated already (a replay, or before a rebuild's swap)
                projection.rate_live(conn, state)
                _track(conn, projection.name, originator_id, version, tracked)
                rated += 1
            position = last
        conn.execute(update(projection_tracking).values(version=position).where(
            (projection_tracking.c.projection == projection.name) & (projection_tracking.c.originator_id == POSITION_KEY)))
    return rated


def read_ratings(conn: Connection, users: list[str], table=ratings) -> dict[str, Rating]:
    """The current ratings of these users (those never rated are absent), in one statement."""
    if conn.dialect.name == "postgresql":
        # One array literal, typed as a parameter (so the planner probes the primary key once per
        # user): psycopg would adapt a list element by element.
        cursor = conn.connection.driver_connection.cursor()
        rows = cursor.execute(f'SELECT user_id, mu, sigma, contests, factors FROM "{table.name}" '
                              "WHERE user_id = ANY(%s::text[])", (text_array(users),)).fetchall()
    else:  # SQLite caps the variables of one statement
        query = select(table.c.user_id, table.c.mu, table.c.sigma, table.c.contests, table.c.factors)
        rows = [row for i in range(0, len(users), 10_000)
                for row in conn.execute(query.where(table.c.user_id.in_(users[i:i + 10_000])))]
    return {user: Rating(mu, sigma, contests, _load(factors)) for user, mu, sigma, contests, factors in rows}


def read_rating(engine: Engine, user: str) -> dict[str, Any] | None:
    """A user's current rating and its history, newest first; None if never rated."""
    with engine.connect() as conn:
        current = conn.execute(select(ratings.c.rating, ratings.c.mu, ratings.c.sigma, ratings.c.contests)
                               .where(ratings.c.user_id == user)).one_or_none()
        if current is None:
            return None
        history = conn.execute(select(rating_history.c.battle_id, rating_history.c.before,
                                      rating_history.c.after, rating_history.c.rated_at)
                               .where(rating_history.c.user_id == user)
                               .order_by(rating_history.c.rated_at.desc(), rating_history.c.battle_id))
        return {"user_id": user, **current._mapping, "history": [dict(r._mapping) for r in history]}


def _lock_position(conn: Connection, name: str) -> int:
    key = (projection_tracking.c.projection == name) & (projection_tracking.c.originator_id == POSITION_KEY)
    query = select(projection_tracking.c.version).where(key).with_for_update()
    position = conn.execute(query).scalar()
    if position is None:
        # First run (or just after a rebuild's swap): start from the log's beginning; the
        # per-settlement tracking skips what is rated already. Racing inserts: one waits.
        conn.execute(insert(projection_tracking).values(projection=name, originator_id=POSITION_KEY, version=0))
        position = conn.execute(query).scalar()
    return position


def _track(conn: Connection, name: str, originator_id: str, version: int, tracked: dict[str, int]) -> None:
    key = (projection_tracking.c.projection == name) & (projection_tracking.c.originator_id == originator_id)
    if originator_id in tracked:
        conn.execute(update(projection_tracking).where(key).values(version=version))
    else:
        conn.execute(insert(projection_tracking).values(projection=name, originator_id=originator_id, version=version))
    tracked[originator_id] = version


def _dump(factors: Factors | None) -> str | None:
    if factors is None:
        return None
    return orjson.dumps([factors.normal_mu, factors.normal_sigma, factors.logistic]).decode()


def _load(text: str | None) -> Factors | None:
    if text is None:
        return None
    normal_mu, normal_sigma, logistic = orjson.loads(text)
    return Factors(normal_mu, normal_sigma, tuple(tuple(f) for f in logistic))

