"""One Elo-MMR battle update at settlement scale, through arena.ratings.rate_battle.

    PYTHONPATH=src python bench/ratings.py [--players 50000]

Prints seconds for: the first battle (all newcomers), a second battle whose players all carry
prior state (the common case: the checkpoint adapter writes and reads every player's factors),
and the library's own Rater.add for the same second battle without our adapter, as a baseline;
during that call a Python thread counts, which it can only do because the library releases the
GIL while Rust rates. No database, no network.
"""

from __future__ import annotations

import argparse
import random
import threading
import time

import elo_mmr_py

from arena.ratings import _intervals, mode_for, rate_battle

T0 = 1_800_000_000


def standings_of(players: list[str], seed: int) -> list[tuple[str, int]]:
    """Scores from a skill plus noise, with ties, as competition ranks."""
    rng = random.Random(seed)
    score = {p: round(i / 100 + rng.gauss(0, 40)) for i, p in enumerate(players)}
    order = sorted(players, key=lambda p: -score[p])
    standings, rank = [], 1
    for i, p in enumerate(order):
        if i and score[p] != score[order[i - 1]]:
            rank = i + 1
        standings.append((p, rank))
    return standings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=50_000)
    players = [f"user{i}" for i in range(parser.parse_args().players)]
    first, second = standings_of(players, 1), standings_of(players, 2)
    print(f"{len(players)} players, mode {mode_for(len(players))}")

    start = time.perf_counter()
    prior = rate_battle("bench-1", first, {}, at_seconds=T0)
    print(f"battle 1 (newcomers): {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    rate_battle("bench-2", second, prior, at_seconds=T0 + 3600)
    print(f"battle 2 (all with prior state): {time.perf_counter() - start:.2f} s")

    rater = elo_mmr_py.Rater(mode_for(len(players)))
    rater.add(elo_mmr_py.Contest(_intervals(first), time_seconds=T0))
    contest = elo_mmr_py.Contest(_intervals(second), time_seconds=T0 + 3600)
    ticks, stop = [0], threading.Event()

    def count() -> None:
        while not stop.is_set():
            ticks[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    rater.add(contest)
    elapsed = time.perf_counter() - start
    stop.set()
    counter.join()
    print(f"library Rater.add alone, battle 2: {elapsed:.2f} s; "
          f"a Python thread counted to {ticks[0]:,} meanwhile (GIL released)")


if __name__ == "__main__":
    main()
