"""Timing helpers shared by the checks (:mod:`softmax.feedback`) and the benchmark.

Numpy and the standard library only (the maths layer): :mod:`softmax.bench`
imports them from here, so that :func:`softmax.feedback.check_vectorized` can time
a student's functions without importing the tooling layer.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["interleaved_times", "median_ratio"]


def interleaved_times(
    funcs: dict[str, Callable[[], object]],
    rounds: int,
    *,
    warmup: bool | Sequence[str] = True,
    max_rounds: dict[str, int] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Time several zero-argument callables in interleaved, rotated rounds.

    Round r calls the functions in the order of ``funcs`` rotated by r, so that
    none is always first (after an idle pause) or always last.

    Parameters
    ----------
    funcs : dict of str -> callable
        What to time; each is called with no arguments.
    rounds : int >= 1
        Number of rounds.
    warmup : bool or sequence of str
        Call each function (True) or the named ones once, untimed, before the
        first round.
    max_rounds : dict of str -> int, optional
        Take part in only the first ``max_rounds[name]`` rounds (for a slow
        function such as the naive loop at a large shape); 0 means not timed.
    clock : callable
        The timer (``time.perf_counter``).

    Returns
    -------
    dict of str -> list of float
        Seconds per call, one entry per round the function took part in, in
        round order.
    """
    if not isinstance(rounds, int | np.integer) or rounds < 1:
        raise ValueError(f"rounds must be an int >= 1; got {rounds!r}")
    max_rounds = max_rounds or {}
    names = list(funcs)
    warm = names if warmup is True else [] if warmup is False else list(warmup)
    for name in names:
        if name in warm and max_rounds.get(name, rounds) > 0:
            funcs[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            if len(times[name]) >= max_rounds.get(name, rounds):
                continue
            start = clock()
            funcs[name]()
            times[name].append(clock() - start)
    return times


def median_ratio(times_a: Sequence[float], times_b: Sequence[float]) -> float:
    """Median over rounds of ``a / b``, pairing the rounds both took part in.

    Both lists are in round order (as :func:`interleaved_times` returns them);
    if one is shorter, its rounds pair with the first rounds of the other.
    Returns NaN if either is empty.
    """
    n = min(len(times_a), len(times_b))
    if n == 0:
        return float("nan")
    return float(statistics.median(a / b for a, b in zip(times_a[:n], times_b[:n], strict=True)))
