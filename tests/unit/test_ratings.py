"""Elo-MMR ratings of battle standings: worked values, the paper's properties, and agreement
with the library's own batch run (which proves the prior-state seeding is exact)."""

from __future__ import annotations

import math
import random

import elo_mmr_py
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arena.ratings import (
    EXACT_MAX_PLAYERS,
    INITIAL_RATING,
    SIG_LIMIT,
    WEIGHT_LIMIT,
    Rating,
    _intervals,
    displayed_rating,
    mode_for,
    rate_battle,
)

T0 = 1_800_000_000


def library_config(mode: str) -> elo_mmr_py.EloMmrConfig:
    fast = mode == "mmr-fast"
    return elo_mmr_py.EloMmrConfig(
        mode, weight_limit=WEIGHT_LIMIT, noob_delay=[], sig_limit=SIG_LIMIT, drift_per_day=0.0,
        split_ties=False, subsample_size=100 if fast else None,
        subsample_bucket=2.0 if fast else 1e-5,
    )


def library_contest(standings: list[tuple[str, int]], at: int) -> elo_mmr_py.Contest:
    return elo_mmr_py.Contest(_intervals(standings), time_seconds=at)


def solve_increasing(f, lo: float = -6000.0, hi: float = 9000.0) -> float:
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


def newcomer_duel_by_hand() -> tuple[float, float]:
    """Winner's (mu, sigma) when two newcomers meet, from the paper's equations as the
    reference code states them (logistic performance model, TANH_MULTIPLIER = pi / sqrt 3)."""
    tanh_multiplier = math.pi / math.sqrt(3)
    sig_perf = SIG_LIMIT * math.sqrt(1 + 1 / WEIGHT_LIMIT)  # performance noise, beta
    prior_sig = math.hypot(INITIAL_RATING.sigma, SIG_LIMIT * math.sqrt(WEIGHT_LIMIT))  # + drift
    # Performance: own term counts twice (a tie with oneself), the beaten opponent once more:
    # 3 * tanh((p - 1500) * w_arg) = 1, with w_arg = tanh_multiplier / (2 * sqrt(prior^2 + beta^2)).
    w_arg = tanh_multiplier / (2 * math.hypot(prior_sig, sig_perf))
    perf = INITIAL_RATING.mu + math.atanh(1 / 3) / w_arg
    # Posterior mode: the Gaussian prior factor plus one logistic factor for that performance.
    w = tanh_multiplier / sig_perf
    mu = solve_increasing(
        lambda x: (x - INITIAL_RATING.mu) / prior_sig**2 + w * math.tanh((x - perf) * w / 2)
    )
    return mu, (prior_sig**-2 + sig_perf**-2) ** -0.5


def test_two_newcomers_move_by_the_hand_worked_amount_and_symmetrically():
    new = rate_battle("b1", [("ada", 1), ("bob", 2)], {}, at_seconds=T0)
    mu, sigma = newcomer_duel_by_hand()
    assert new["ada"].mu == pytest.approx(mu, abs=1e-6)  # about 1629.4
    assert new["ada"].sigma == pytest.approx(sigma, abs=1e-9)  # about 171.2
    assert new["bob"].sigma == new["ada"].sigma
    # Equal priors: the loser drops by exactly what the winner gains.
    assert new["ada"].mu - 1500 == pytest.approx(1500 - new["bob"].mu, abs=1e-9)
    assert new["ada"].contests == new["bob"].contests == 1


def test_elo_mmr_is_not_zero_sum_when_uncertainties_differ():
    veteran = {"vet": rate_many_battles("vet", 8)}
    new = rate_battle("b1", [("rookie", 1), ("vet", 2)], veteran, at_seconds=T0 + 100)
    rookie_gain = new["rookie"].mu - INITIAL_RATING.mu
    veteran_loss = veteran["vet"].mu - new["vet"].mu
    assert rookie_gain > 0 and veteran_loss > 0
    assert rookie_gain > 3 * veteran_loss  # the uncertain newcomer moves much more


def rate_many_battles(user: str, battles: int) -> Rating:
    ratings: dict[str, Rating] = {}
    for i in range(battles):
        standings = [(user, 2), (f"above{i}", 1), (f"below{i}", 3)]
        ratings = rate_battle(f"b{i}", standings, ratings, at_seconds=T0 + i)
    return ratings[user]


def test_a_tie_between_equal_players_changes_neither_mu():
    new = rate_battle("b1", [("a", 1), ("b", 2), ("c", 2), ("d", 4)], {}, at_seconds=T0)
    assert new["b"].mu == pytest.approx(1500.0, abs=1e-9)
    assert new["c"].mu == new["b"].mu
    assert new["b"].sigma < INITIAL_RATING.sigma and new["b"].contests == 1


def test_more_battles_shrink_sigma():
    sigmas = [rate_many_battles("me", n).sigma for n in range(1, 6)]
    assert sigmas == sorted(sigmas, reverse=True) and len(set(sigmas)) == 5
    assert sigmas[-1] > SIG_LIMIT


@pytest.mark.parametrize(
    "standings",
    [[], [("solo", 1)], [("a", 1), ("b", 1)], [("a", 1), ("b", 1), ("c", 1)]],
    ids=["nobody", "one player", "two tied", "all tied"],
)
def test_a_battle_without_an_outcome_rates_nobody(standings):
    prior = {"a": rate_many_battles("a", 2)}
    new = rate_battle("b1", standings, prior, at_seconds=T0 + 10)
    assert new == {user: prior.get(user, INITIAL_RATING) for user, _ in standings}
    # The library does the same: it skips such a contest and creates no player.
    assert elo_mmr_py.rate_latest([library_contest(standings, T0)]) == {}


def test_competition_ranks_become_zero_based_inclusive_intervals():
    assert _intervals([("d", 4), ("c", 2), ("a", 1), ("b", 2)]) == [
        ("a", 0, 0), ("b", 1, 2), ("c", 1, 2), ("d", 3, 3),
    ]
    assert _intervals([("x", 1), ("y", 1), ("z", 3)]) == [("x", 0, 1), ("y", 0, 1), ("z", 2, 2)]


@pytest.mark.parametrize(
    "standings",
    [[("a", 1), ("b", 3)], [("a", 1), ("b", 1), ("c", 2)], [("a", 2)], [("a", 1), ("a", 2)]],
    ids=["gap", "dense ranks", "no first", "user twice"],
)
def test_standings_that_are_not_competition_ranks_are_refused(standings):
    with pytest.raises(ValueError):
        rate_battle("b1", standings, {}, at_seconds=T0)


def test_newcomers_start_at_the_librarys_own_initial_rating():
    rater = elo_mmr_py.Rater()
    assert (rater.mu_noob, rater.sig_noob) == (INITIAL_RATING.mu, INITIAL_RATING.sigma)
    defaults = elo_mmr_py.EloMmrConfig()
    assert (defaults.weight_limit, defaults.sig_limit) == (WEIGHT_LIMIT, SIG_LIMIT)
    standings = [("a", 1), ("b", 2), ("c", 3)]
    explicit = rate_battle("b1", standings, {"b": INITIAL_RATING}, at_seconds=T0)
    assert explicit == rate_battle("b1", standings, {}, at_seconds=T0)


BATTLES = [
    [("ada", 1), ("bob", 2), ("cy", 2), ("dee", 4)],
    [("bob", 1), ("ada", 2), ("eve", 3)],  # eve arrives
    [("eve", 1), ("dee", 1), ("cy", 3), ("ada", 4), ("bob", 5), ("fay", 6)],
]


def test_battle_by_battle_equals_the_librarys_batch_run_to_the_last_bit():
    ratings: dict[str, Rating] = {}
    for i, standings in enumerate(BATTLES):
        new = rate_battle(f"b{i}", standings, ratings, at_seconds=T0 + 3600 * i)
        ratings = {**ratings, **new}
    contests = [library_contest(s, T0 + 3600 * i) for i, s in enumerate(BATTLES)]
    batch = elo_mmr_py.rate_latest(contests, library_config("mmr"))
    assert set(ratings) == set(batch)
    for user, rating in ratings.items():
        assert (rating.mu, rating.sigma, rating.contests) == (
            batch[user].mu, batch[user].sig, batch[user].contests_played,
        ), user


def test_same_inputs_give_the_same_floats_whatever_the_order():
    prior = {u: r for u, r in rate_battle("b0", BATTLES[0], {}, at_seconds=T0).items()}
    standings = BATTLES[2]
    first = rate_battle("b2", standings, prior, at_seconds=T0 + 1)
    shuffled = list(standings)
    random.Random(7).shuffle(shuffled)
    reversed_prior = dict(reversed(list(prior.items())))
    for _ in range(3):
        assert rate_battle("b2", shuffled, reversed_prior, at_seconds=T0 + 1) == first


def test_exact_mode_up_to_the_threshold_and_fast_mode_above():
    assert mode_for(2) == mode_for(EXACT_MAX_PLAYERS) == "mmr"
    assert mode_for(EXACT_MAX_PLAYERS + 1) == "mmr-fast"
    players = [f"p{i}" for i in range(EXACT_MAX_PLAYERS + 1)]
    first = [(p, i + 1) for i, p in enumerate(players)]
    second = [(p, i + 1) for i, p in enumerate(reversed(players))]
    ratings = rate_battle("b1", first, {}, at_seconds=T0)
    ratings = rate_battle("b2", second, ratings, at_seconds=T0 + 1)
    contests = [library_contest(first, T0), library_contest(second, T0 + 1)]
    fast = elo_mmr_py.rate_latest(contests, library_config("mmr-fast"))
    assert all(ratings[p].mu == fast[p].mu for p in players)
    exact = elo_mmr_py.rate_latest(contests, library_config("mmr"))
    assert any(ratings[p].mu != exact[p].mu for p in players)  # the modes really differ here


@st.composite
def battles_with_twins(draw):
    """A field of players with varied priors, two of whom ("twin1", "twin2") share one."""
    others = draw(st.integers(min_value=1, max_value=10))
    prior_of = st.builds(
        Rating,
        mu=st.floats(min_value=600, max_value=3000),
        sigma=st.floats(min_value=SIG_LIMIT, max_value=INITIAL_RATING.sigma),
        contests=st.integers(min_value=0, max_value=50),
    )
    twin = draw(st.one_of(st.none(), prior_of))  # None: two newcomers
    prior = {f"p{i}": r for i, r in enumerate(draw(st.lists(prior_of, min_size=others,
                                                             max_size=others)))}
    if twin is not None:
        prior |= {"twin1": twin, "twin2": twin}
    users = [*(f"p{i}" for i in range(others)), "twin1", "twin2"]
    scores = draw(st.lists(st.integers(0, 4), min_size=len(users), max_size=len(users)))
    standings = [(u, 1 + sum(t > s for t in scores)) for u, s in zip(users, scores)]
    return standings, prior


@settings(max_examples=60, deadline=None)
@given(battles_with_twins())
def test_a_better_rank_from_the_same_prior_never_gives_a_lower_rating(battle):
    standings, prior = battle
    rank = dict(standings)
    new = rate_battle("b1", standings, prior, at_seconds=T0)
    better, worse = sorted(["twin1", "twin2"], key=rank.__getitem__)
    if rank[better] == rank[worse]:
        assert new[better].mu == new[worse].mu
    else:
        assert new[better].mu >= new[worse].mu


def test_displayed_rating_is_conservative_until_sigma_reaches_its_floor():
    assert displayed_rating(INITIAL_RATING) == 690  # 1500 - 3 * (350 - 80)
    assert displayed_rating(Rating(mu=2100.4, sigma=SIG_LIMIT, contests=40)) == 2100
    veteran = rate_many_battles("v", 5)
    assert displayed_rating(veteran) < veteran.mu
