"""Ratings: Elo-MMR (Ebtekar & Liu, WWW 2021) over a battle's final standings.

The math is the reference Rust code through `elo-mmr-py`, which releases the GIL. Elo-MMR keeps
more per player than (mu, sigma): a Gaussian factor plus one logistic factor per remembered
performance, and the next update reads them all. The binding cannot be handed that state except
as a checkpoint file, so `rate_battle` writes the players' prior state as a checkpoint in a
private temporary directory, loads it, rates the one battle and reads the result back: rating
battle 2 from battle 1's output gives the same floats as the library rating both in one run.
See docs/ratings.md.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence

import elo_mmr_py
import msgspec
import orjson  # the C-speed JSON: json.dump took 5.5 s of 8 for 50,000 players

EXACT_MAX_PLAYERS = 2_000  # exact `mmr` up to here (~0.4 s); `mmr-fast` above (1.3 s at 50,000)
WEIGHT_LIMIT = 0.2  # the library's defaults, pinned so an upgrade cannot move ratings silently
SIG_LIMIT = 80.0
DISPLAY_STDEVS = 3  # the reference code's conservative display: mu - 3 * (sigma - SIG_LIMIT)
_MODES = {  # mode -> (subsample_size, subsample_bucket), the library's own presets
    "mmr": (None, 1e-5),
    "mmr-fast": (100, 2.0),  # 100 nearest opponents; also keeps at most 100 logistic factors
}


class Factors(msgspec.Struct, frozen=True):  # a Struct: built in C, 50,000 at a time
    """Elo-MMR's posterior as the library keeps it: its Gaussian factor (mu, sigma) and one
    logistic factor (mu, w_arg, w_out) per remembered performance, oldest first."""

    normal_mu: float
    normal_sigma: float
    logistic: tuple[tuple[float, float, float], ...] = ()


class Rating(msgspec.Struct, frozen=True):
    """A player's rating: mean skill, its uncertainty, and how many rated battles made it.

    `factors` is the full state that makes the next update exact; None means a Gaussian prior
    with no history (a newcomer, or a rating brought in from elsewhere)."""

    mu: float
    sigma: float
    contests: int = 0
    factors: Factors | None = None


# The library's own newcomer parameters (mu_noob, sig_noob), passed to it explicitly.
INITIAL_RATING = Rating(mu=1500.0, sigma=350.0, contests=0)


def mode_for(players: int) -> str:
    """The Elo-MMR mode for a battle of this many players: exact up to EXACT_MAX_PLAYERS."""
    return "mmr" if players <= EXACT_MAX_PLAYERS else "mmr-fast"


def displayed_rating(rating: Rating) -> int:
    """The number players see: conservative while uncertain, tending to mu as sigma reaches
    its floor SIG_LIMIT (a newcomer shows 690, a settled player about mu)."""
    return round(rating.mu - DISPLAY_STDEVS * (rating.sigma - SIG_LIMIT))


def rate_battle(
    battle_key: str,
    standings: Sequence[tuple[str, int]],
    prior: Mapping[str, Rating],
    *,
    at_seconds: int,
) -> dict[str, Rating]:
    """New ratings for every user in `standings` ((user_id, rank), competition ranks 1, 2, 2, 4).

    Users absent from `prior` start at INITIAL_RATING. A battle with no outcome (fewer than
    two players, or everyone tied) rates nobody: each rating comes back as it was, as the
    library does. Same inputs, same floats, whatever the order of `standings`."""
    intervals = _intervals(standings)
    if at_seconds < 0:
        raise ValueError(f"at_seconds must be >= 0, got {at_seconds}")
    if len(intervals) < 2 or intervals[0][2] == len(intervals) - 1:
        return {user: prior.get(user, INITIAL_RATING) for user, _ in standings}
    mode = mode_for(len(intervals))
    seeded = [user for user, _, _ in intervals if user in prior]
    players = {user: _to_checkpoint(prior[user], at_seconds) for user in seeded}
    with tempfile.TemporaryDirectory(prefix="arena-ratings-") as scratch:
        before, after = os.path.join(scratch, "before.json"), os.path.join(scratch, "after.json")
        with open(before, "wb") as out:
            out.write(orjson.dumps(_checkpoint(mode, players, at_seconds)))
        rater = elo_mmr_py.Rater.load(before)
        rater.add(elo_mmr_py.Contest(intervals, name=battle_key, time_seconds=at_seconds))
        rater.save(after)
        with open(after, "rb") as saved:
            rated = _SAVED.decode(saved.read()).players
    # Everyone in a battle with an outcome gains one rated battle. (The checkpoint's event
    # history would say the same, but for the placeholder that stands in for a seeded player
    # without events: the library refuses a stored player with none.)
    return {user: _from_checkpoint(rated[user], prior.get(user, INITIAL_RATING).contests + 1)
            for user, _ in standings}


def _intervals(standings: Sequence[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """Competition ranks to the library's zero-based inclusive intervals, sorted by rank then
    user: k users tied at rank r occupy [r - 1, r - 1 + k - 1]."""
    ordered = sorted(standings, key=lambda standing: (standing[1], standing[0]))
    if len({user for user, _ in ordered}) != len(ordered):
        raise ValueError("a user appears twice in the standings")
    intervals, start = [], 0
    while start < len(ordered):
        rank = ordered[start][1]
        end = start
        while end < len(ordered) and ordered[end][1] == rank:
            end += 1
        if rank != start + 1:
            raise ValueError(f"rank {rank} where competition ranking gives {start + 1}")
        intervals += [(user, start, end - 1) for user, _ in ordered[start:end]]
        start = end
    return intervals


def _checkpoint(mode: str, players: dict[str, dict], at_seconds: int) -> dict:
    subsample_size, subsample_bucket = _MODES[mode]
    return {
        "format_version": elo_mmr_py.CHECKPOINT_FORMAT_VERSION,
        "package_version": elo_mmr_py.__version__,
        "system": mode,
        "system_config": {
            "weight_limit": WEIGHT_LIMIT, "noob_delay": [], "sig_limit": SIG_LIMIT,
            "drift_per_day": 0.0,  # so a player's last battle time does not matter
            "split_ties": False, "subsample_size": subsample_size,
            "subsample_bucket": subsample_bucket,
        },
        "mu_noob": INITIAL_RATING.mu,
        "sig_noob": INITIAL_RATING.sigma,
        "contests_processed": 1,  # the library only checks that history indexes fall below it
        "last_time_seconds": at_seconds,
        "players": players,
    }


def _to_checkpoint(rating: Rating, at_seconds: int) -> dict:
    factors = rating.factors or Factors(rating.mu, rating.sigma)
    # Only the number of past events matters to the math (noob_delay is empty).
    event = {"contest_index": 0, "rating_mu": 0, "rating_sig": 0, "perf_score": 0, "place": 0}
    return {
        "normal_factor": {"mu": factors.normal_mu, "sig": factors.normal_sigma},
        "logistic_factors": [{"mu": m, "w_arg": a, "w_out": o} for m, a, o in factors.logistic],
        "event_history": [event] * max(rating.contests, 1),
        "approx_posterior": {"mu": rating.mu, "sig": rating.sigma},
        "update_time": at_seconds,
        "delta_time": 0,
    }


# The saved checkpoint, decoded by msgspec into just what a Rating needs (it skips the event
# histories unread): 50,000 players took 0.19 s here against 1.4 s for orjson and dicts.
class _Gaussian(msgspec.Struct):
    mu: float
    sig: float


class _Logistic(msgspec.Struct):
    mu: float
    w_arg: float
    w_out: float


class _SavedPlayer(msgspec.Struct):
    normal_factor: _Gaussian
    logistic_factors: list[_Logistic]
    approx_posterior: _Gaussian


class _Saved(msgspec.Struct):
    players: dict[str, _SavedPlayer]


_SAVED = msgspec.json.Decoder(_Saved)


def _from_checkpoint(player: _SavedPlayer, contests: int) -> Rating:
    normal, posterior = player.normal_factor, player.approx_posterior
    logistic = tuple((f.mu, f.w_arg, f.w_out) for f in player.logistic_factors)
    return Rating(mu=posterior.mu, sigma=posterior.sig, contests=contests,
                  factors=Factors(normal.mu, normal.sig, logistic))
