"""Naive vs vectorized vs fast: the measurements and figures of notebook 05.

``notebooks/05_naive_vs_vectorized.ipynb`` imports everything it shows from here:

- :func:`dev_inputs`, :func:`agreement`: the same inputs through several
  implementations, and how far their losses and gradients are apart;
- :func:`time_implementations`: interleaved timing (the method of
  :mod:`softmax.bench`) with medians and per-round speedups;
  :func:`time_block_rows` does the same for the fast loss at several block sizes;
- :func:`scaling_experiment`, :func:`fit_loglog_slope`, :func:`plot_scaling`:
  time per example against N on log-log axes, with fitted slopes;
- :func:`speedup_vs_D`, :func:`fit_cost_model`, :func:`plot_speedup_vs_D`: the
  speedup of the vectorized loss over the loops as the number of features D
  shrinks, and the cost model fitted to those timings;
- :func:`read_bandwidth`: how fast one core streams an array from memory;
- :func:`comparison_panel`: sliders for N, D, C, reg, a dtype choice and a Run
  button; shows both times, the speedup, the agreement and a bar chart. Its
  callback :meth:`ComparisonPanel.run` works without a browser.

Shapes: W (D, C), X (N, D), y (N,), as everywhere in the package.
"""

from __future__ import annotations

import html
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .._validation import as_rng, check_reg
from ..bench.benchmark import interleaved_times, median_ratio, numpy_impls
from . import _style
from .describe import DescribedImage, describe

# Timings use one BLAS thread unless told otherwise: it is the steadiest figure on
# a shared machine, and the lesson is about the work done, not about parallelism.
DEFAULT_THREADS = 1

__all__ = [
    "IMPL_COLORS",
    "Agreement",
    "ComparisonPanel",
    "CostModel",
    "ScalingResult",
    "SpeedupResult",
    "Timing",
    "agreement",
    "column_costs",
    "comparison_panel",
    "dev_inputs",
    "differences",
    "fit_cost_model",
    "fit_loglog_slope",
    "make_inputs",
    "plot_scaling",
    "plot_speedup_vs_D",
    "read_bandwidth",
    "scaling_experiment",
    "speedup_vs_D",
    "time_block_rows",
    "time_callables",
    "time_implementations",
]

# One colour per implementation, the same in every figure.
IMPL_COLORS = {
    "naive": _style.PALETTE[1],  # vermillion
    "vectorized": _style.PALETTE[0],  # blue
    "fast": _style.PALETTE[2],  # bluish green
    "gemm_bound": _style.PALETTE[7],  # black
}
# A marker per implementation as well: lines are never told apart by colour alone.
IMPL_MARKERS = {"naive": "o", "vectorized": "s", "fast": "^", "gemm_bound": "D"}
IMPL_LABELS = {
    "naive": "naive loops",
    "vectorized": "vectorized",
    "fast": "fast (blocked, transposed)",
    # X @ W and X.T @ P exactly as the vectorized loss calls them: not a lower bound,
    # since a different layout (fast) or a lucky shape can beat them.
    "gemm_bound": "vectorized's two GEMMs alone",
}


def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int >= {minimum}; got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def make_inputs(N: int, D: int, C: int, *, dtype="float64", weight_scale: float = 1e-2, rng=None):
    """Random inputs of a given shape for the loss functions.

    Parameters
    ----------
    N, D : int >= 1
        Examples and features.
    C : int >= 2
        Classes.
    dtype : "float64" or "float32"
        dtype of W and X.
    weight_scale : float > 0
        Standard deviation of the weights. The default 1e-2 makes ``reg * sum(W**2)``
        a visible part of the loss (CS231n's 1e-4 with reg = 5e-6 hides regulariser bugs).
    rng : numpy Generator or int seed, optional

    Returns
    -------
    W : ndarray (D, C), X : ndarray (N, D), y : ndarray (N,) int64
    """
    N, D = _positive_int("N", N), _positive_int("D", D)
    C = _positive_int("C", C, 2)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    if not weight_scale > 0:
        raise ValueError(f"weight_scale must be > 0; got {weight_scale!r}")
    rng = as_rng(rng)
    X = rng.standard_normal((N, D), dtype=dtype)
    W = (weight_scale * rng.standard_normal((D, C))).astype(dtype)
    y = rng.integers(0, C, size=N)
    return W, X, y


def dev_inputs(rng=None, *, dtype="float64"):
    """CS231n's development shape: N = 500 examples, D = 3073 features, C = 10 classes.

    Returns ``(W, X, y)`` from :func:`make_inputs` (weights of std 1e-2).
    """
    return make_inputs(500, 3073, 10, dtype=dtype, rng=rng)


def _implementations(P=None) -> dict[str, Callable]:
    table = numpy_impls(P)
    return {name: table[name] for name in ("naive", "vectorized", "fast")}


# --------------------------------------------------------------------------- agreement


@dataclass(frozen=True)
class Agreement:
    """How far two implementations' outputs are apart.

    Attributes
    ----------
    names : (str, str)
        The two implementations, reference second.
    loss : (float, float)
        Their losses.
    loss_abs_diff, loss_rel_diff : float
        ``|L_a - L_b|`` and that over ``|L_b|``.
    dW_fro_diff, dW_rel_diff : float
        ``||dW_a - dW_b||_F`` and that over ``||dW_b||_F``.
    """

    names: tuple[str, str]
    loss: tuple[float, float]
    loss_abs_diff: float
    loss_rel_diff: float
    dW_fro_diff: float
    dW_rel_diff: float

    def within(self, rtol: float) -> bool:
        """Both relative differences at most ``rtol``."""
        return self.loss_rel_diff <= rtol and self.dW_rel_diff <= rtol


def agreement(W, X, y, reg, names=("vectorized", "naive"), impls=None) -> Agreement:
    """Run two implementations on the same inputs and measure the differences.

    Parameters
    ----------
    W : (D, C), X : (N, D), y : (N,), reg : float
        As for the loss functions.
    names : (str, str)
        Two of ``naive``, ``vectorized``, ``fast``; the second is the reference.
    impls : mapping of name -> loss function, optional
        Defaults to the package's implementations.
    """
    impls = impls or _implementations()
    for name in names:
        if name not in impls:
            raise ValueError(f"unknown implementation {name!r}; expected one of {sorted(impls)}")
    return differences(*(impls[n](W, X, y, reg) for n in names), names=names)


def differences(a, b, *, names=("a", "b")) -> Agreement:
    """How far two ``(loss, dW)`` results are apart; ``b`` is the reference.

    Parameters
    ----------
    a, b : (float, ndarray (D, C))
        Two results of a loss function (or of its definition) on the same inputs.
    names : (str, str)
        What to call them in the returned :class:`Agreement`.
    """
    (loss_a, dW_a), (loss_b, dW_b) = a, b
    if np.shape(dW_a) != np.shape(dW_b):
        raise ValueError(f"dW shapes differ: {np.shape(dW_a)} and {np.shape(dW_b)}")
    dW_a, dW_b = np.asarray(dW_a, dtype=np.float64), np.asarray(dW_b, dtype=np.float64)
    d_fro = float(np.linalg.norm(dW_a - dW_b))
    ref_fro = float(np.linalg.norm(dW_b))
    return Agreement(
        names=tuple(names),
        loss=(float(loss_a), float(loss_b)),
        loss_abs_diff=abs(loss_a - loss_b),
        loss_rel_diff=abs(loss_a - loss_b) / max(abs(loss_b), np.finfo(np.float64).tiny),
        dW_fro_diff=d_fro,
        dW_rel_diff=d_fro / max(ref_fro, np.finfo(np.float64).tiny),
    )


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Interleaved timings of several implementations on one input.

    Attributes
    ----------
    times : dict of str -> list of float
        Seconds per call, one entry per round, in round order.
    """

    times: dict[str, list[float]]

    def median(self, name: str) -> float:
        """Median seconds per call of ``name``."""
        return float(statistics.median(self.times[name]))

    def ratio(self, name: str, reference: str) -> float:
        """Median over rounds of time(name) / time(reference) in the same round."""
        return median_ratio(self.times[name], self.times[reference])

    def speedup(self, slow: str, fast: str) -> float:
        """How many times faster ``fast`` is than ``slow`` (median of per-round ratios)."""
        return self.ratio(slow, fast)


def time_callables(funcs: dict[str, Callable[[], object]], *, rounds: int = 15) -> Timing:
    """Time zero-argument callables in interleaved rounds after a warm-up, one BLAS thread.

    For the notebook's exercises (a pure-Python dot product against numpy's, ...).
    """
    from threadpoolctl import threadpool_limits

    if not funcs or not all(callable(f) for f in funcs.values()):
        raise TypeError("funcs must be a non-empty dict of name -> zero-argument callable")
    with threadpool_limits(limits=DEFAULT_THREADS, user_api="blas"):
        return Timing(interleaved_times(dict(funcs), _positive_int("rounds", rounds)))


def column_costs(W, x, *, rounds: int = 51) -> Timing:
    """Time the naive loop body's two operations on a column of W, and on a contiguous row.

    Names in the returned Timing (seconds per call, one BLAS thread):
    ``"dot, column"`` is ``x @ W[:, 0]`` (D numbers, C apart), ``"dot, row"`` the
    same dot with a contiguous copy of that column; ``"update, column"`` is
    ``G[:, 0] += 0.5 * x`` on a (D, C) array like dW, ``"update, row"`` the same on
    a contiguous row. Divide by D for the time per feature.

    Parameters
    ----------
    W : ndarray (D, C), float32 or float64
    x : ndarray (D,), same dtype (one example, a row of X)
    rounds : int >= 1
    """
    W, x = np.asarray(W), np.asarray(x)
    if W.ndim != 2 or x.shape != (W.shape[0],):
        raise ValueError(f"W must be (D, C) and x (D,); got {W.shape} and {x.shape}")
    row = np.ascontiguousarray(W[:, 0])
    G, g = np.zeros_like(W), np.zeros_like(row)
    funcs = {
        "dot, column": lambda: x @ W[:, 0],
        "dot, row": lambda: x @ row,
        "update, column": lambda: G[:, 0].__iadd__(0.5 * x),
        "update, row": lambda: g.__iadd__(0.5 * x),
    }
    return time_callables(funcs, rounds=rounds)


def time_implementations(
    W, X, y, reg, names=("naive", "vectorized"), *, rounds: int = 7, P=None, threads=DEFAULT_THREADS
) -> Timing:
    """Time implementations on the same inputs in interleaved, rotated rounds.

    Parameters
    ----------
    W : (D, C), X : (N, D), y : (N,), reg : float
    names : sequence of str
        Any of ``naive``, ``vectorized``, ``fast``, ``gemm_bound``.
    rounds : int >= 1
        Timed rounds, after one untimed warm-up call of each.
    P : ndarray (N, C), optional
        The "given" probabilities of ``gemm_bound`` (default: uniform 1/C).
    threads : int >= 1
        BLAS threads during the timing (threadpoolctl limit; default 1).
    """
    from threadpoolctl import threadpool_limits

    if P is None and "gemm_bound" in names:
        P = np.full((X.shape[0], W.shape[1]), 1.0 / W.shape[1], dtype=X.dtype)
    table = numpy_impls(P)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"unknown implementation(s) {unknown}; expected some of {list(table)}")
    funcs = {n: (lambda f=table[n]: f(W, X, y, reg)) for n in names}
    with threadpool_limits(limits=_positive_int("threads", threads), user_api="blas"):
        return Timing(interleaved_times(funcs, _positive_int("rounds", rounds)))


def time_block_rows(
    W, X, y, reg, block_rows: Sequence[int | None], *, rounds: int = 7, threads=DEFAULT_THREADS
) -> Timing:
    """Time ``softmax_loss_fast`` at several block sizes, with the vectorized loss and its GEMMs.

    Names in the returned Timing: ``"vectorized"``, ``"gemm_bound"`` and
    ``"fast@B"`` for each B of ``block_rows`` (None stands for the default,
    :func:`softmax.fast.default_block_rows`, and is named by its value). With one
    BLAS thread and float64, every B uses the transposed (C, B) score layout, so
    ``fast@N`` (one block) is the layout change alone, without the blocking.
    Interleaved rounds after a warm-up, as :func:`time_implementations`.
    """
    from threadpoolctl import threadpool_limits

    from ..fast import default_block_rows, softmax_loss_fast

    N, D = X.shape
    sizes = [
        min(N, _positive_int("block_rows", b))
        if b is not None
        else default_block_rows(N, D, W.shape[1], X.dtype.itemsize)
        for b in block_rows
    ]
    P = np.full((N, W.shape[1]), 1.0 / W.shape[1], dtype=X.dtype)
    table = numpy_impls(P)
    funcs = {n: (lambda f=table[n]: f(W, X, y, reg)) for n in ("vectorized", "gemm_bound")}
    for b in sizes:
        funcs[f"fast@{b}"] = lambda b=b: softmax_loss_fast(W, X, y, reg, block_rows=b)
    with threadpool_limits(limits=_positive_int("threads", threads), user_api="blas"):
        return Timing(interleaved_times(funcs, _positive_int("rounds", rounds)))


# --------------------------------------------------------------------------- scaling in N


def _figure_and_axes(ax):
    """A new pyplot figure of the notebook's size, or the figure of the given axes."""
    if ax is None:
        return plt.subplots(figsize=(8.5, 5.2))
    return ax.figure, ax


def fit_loglog_slope(x, t) -> tuple[float, float]:
    """Least-squares line through ``(log10 x, log10 t)``: returns ``(slope, intercept)``.

    ``t ≈ 10**intercept * x**slope``; a slope of 1 means time proportional to x.
    """
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    if x.shape != t.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x and t must be 1-D of the same length >= 2; got {x.shape}, {t.shape}")
    if (x <= 0).any() or (t <= 0).any():
        raise ValueError("x and t must be positive (log-log fit)")
    slope, intercept = np.polyfit(np.log10(x), np.log10(t), 1)
    return float(slope), float(intercept)


@dataclass(frozen=True)
class ScalingResult:
    """Median time per call against N at fixed D and C.

    Attributes
    ----------
    Ns : ndarray of int
    D, C : int
    times : dict of str -> ndarray
        Median seconds per call, one per N.
    slopes : dict of str -> float
        Fitted log-log slope of each implementation over all N.
    """

    Ns: np.ndarray
    D: int
    C: int
    times: dict[str, np.ndarray]
    slopes: dict[str, float]


def _time_cases(cases: dict, names, rounds: int, threads: int) -> Timing:
    """Time ``names`` on every input of ``cases`` in the SAME interleaved rounds.

    ``cases`` maps a key (a size) to ``(W, X, y, P)``. Each round calls every
    implementation on every input, in rotated order, so a busy spell of the
    machine slows all sizes alike instead of bending the curve. The returned
    Timing's names are ``"name@key"``.
    """
    from threadpoolctl import threadpool_limits

    funcs = {}
    for key, (W, X, y, P) in cases.items():
        table = numpy_impls(P)
        for n in names:
            funcs[f"{n}@{key}"] = lambda f=table[n], W=W, X=X, y=y: f(W, X, y, 0.1)
    with threadpool_limits(limits=_positive_int("threads", threads), user_api="blas"):
        return Timing(interleaved_times(funcs, _positive_int("rounds", rounds)))


def scaling_experiment(
    Ns: Sequence[int],
    *,
    D: int = 3073,
    C: int = 10,
    names=("naive", "vectorized", "gemm_bound"),
    rounds: int = 3,
    rng=None,
    threads: int = DEFAULT_THREADS,
) -> ScalingResult:
    """Time implementations at several N (same D and C), all sizes interleaved in each round.

    The inputs for the largest N are drawn once; smaller N use its first rows.
    ``gemm_bound`` gets a fixed row-stochastic P. Returns a :class:`ScalingResult`.
    """
    Ns = np.array(sorted({_positive_int("N", int(n)) for n in Ns}))
    if Ns.size < 2:
        raise ValueError("Ns must hold at least two different sizes (a slope needs two points)")
    W, X, y = make_inputs(int(Ns[-1]), D, C, rng=rng)
    P = np.full((int(Ns[-1]), C), 1.0 / C)
    cases = {int(N): (W, X[:N], y[:N], P[:N]) for N in Ns}
    timing = _time_cases(cases, names, rounds, threads)
    arrays = {n: np.array([timing.median(f"{n}@{N}") for N in cases]) for n in names}
    slopes = {n: fit_loglog_slope(Ns, v)[0] for n, v in arrays.items()}
    return ScalingResult(Ns=Ns, D=D, C=C, times=arrays, slopes=slopes)


def plot_scaling(result: ScalingResult, *, ax=None):
    """Log-log plot of the time PER EXAMPLE against N, one line per implementation.

    A time proportional to N is a flat line here; a fixed cost per call shows as
    a line falling towards the right (the cost shared by more examples). The
    fitted exponents are in ``result.slopes``.

    Returns the matplotlib Figure (pyplot-managed: end the notebook cell with
    ``plt.show()``). Each line's ``get_xdata()``/``get_ydata()`` are N and
    microseconds per example.
    """
    with _style.style():
        fig, ax = _figure_and_axes(ax)
        per_example = {n: t / result.Ns * 1e6 for n, t in result.times.items()}
        for name, us in per_example.items():
            ax.plot(
                result.Ns,
                us,
                marker=IMPL_MARKERS.get(name, "o"),
                color=IMPL_COLORS.get(name),
                label=IMPL_LABELS.get(name, name),
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        low = min(v.min() for v in per_example.values())
        high = max(v.max() for v in per_example.values())
        ax.set_ylim(low / 1.5, high * 8)  # room for the legend above the lines
        ax.set_xlabel("N (examples)")
        ax.set_ylabel("time per example (µs)")
        ax.set_title(f"Time per example against N (D = {result.D}, C = {result.C})")
        ax.legend(loc="upper right")
        fig.tight_layout()
    describe(
        ax,
        f"Log-log line chart: time per example in microseconds against N, the number of "
        f"examples (D = {result.D}, C = {result.C}), one line per implementation: "
        + "; ".join(
            f"{IMPL_LABELS.get(n, n)} {us[0]:.3g} µs at N = {result.Ns[0]}, {us[-1]:.3g} µs at "
            f"N = {result.Ns[-1]}"
            for n, us in per_example.items()
        )
        + ". A flat line is a time proportional to N; a falling one, a fixed cost per call "
        "shared by more examples.",
    )
    return fig


# --------------------------------------------------------------------------- speedup vs D


@dataclass(frozen=True)
class SpeedupResult:
    """Speedup of the vectorized loss over the loops at several D (fixed N, C).

    Attributes
    ----------
    Ds : ndarray of int
    N, C : int
    naive_s, vectorized_s : ndarray
        Median seconds per call at each D.
    speedup : ndarray
        Median over rounds of naive time / vectorized time, at each D.
    """

    Ds: np.ndarray
    N: int
    C: int
    naive_s: np.ndarray
    vectorized_s: np.ndarray
    speedup: np.ndarray


def speedup_vs_D(
    Ds: Sequence[int],
    *,
    N: int = 1000,
    C: int = 10,
    rounds: int = 3,
    rng=None,
    threads: int = DEFAULT_THREADS,
) -> SpeedupResult:
    """How the vectorized loss's advantage over the loops depends on the number of features D.

    The loop does N * C dot products of length D: at small D each costs mostly
    Python's fixed overhead per iteration, which the vectorized code does not pay.
    Every D is timed in the same interleaved rounds (see :func:`_time_cases`).
    """
    Ds = np.array(sorted({_positive_int("D", int(d)) for d in Ds}))
    rng = as_rng(rng)
    cases = {int(D): (*make_inputs(N, int(D), C, rng=rng), None) for D in Ds}
    timing = _time_cases(cases, ("naive", "vectorized"), rounds, threads)
    naive_s = np.array([timing.median(f"naive@{D}") for D in cases])
    vec_s = np.array([timing.median(f"vectorized@{D}") for D in cases])
    speedup = np.array([timing.speedup(f"naive@{D}", f"vectorized@{D}") for D in cases])
    return SpeedupResult(Ds, N, C, naive_s, vec_s, speedup)


@dataclass(frozen=True)
class CostModel:
    """The cost model of notebook 05, fitted to the timings of :func:`speedup_vs_D`.

    The loops pay, for each of the N * C (example, class) pairs, a fixed
    interpreter cost ``t_py`` plus ``t_dot`` per feature (the vector work of the
    loop body: a dot product with the column ``W[:, j]`` and an update of the
    column ``dW[:, j]``). The vectorized code pays a fixed cost ``t0`` per call
    plus ``t_v`` per multiply-add of its N * D * C:

        T_naive(D) = N C (t_py + D t_dot),    T_vec(D) = t0 + N C D t_v

    Attributes
    ----------
    N, C : int
    t_py, t_dot, t0, t_v : float
        Seconds (per pair, per feature of a pair, per call, per multiply-add).
    """

    N: int
    C: int
    t_py: float
    t_dot: float
    t0: float
    t_v: float

    def naive_s(self, D):
        """Modelled seconds per naive call at D features (scalar or array)."""
        return self.N * self.C * (self.t_py + np.asarray(D, dtype=np.float64) * self.t_dot)

    def vectorized_s(self, D):
        """Modelled seconds per vectorized call at D features."""
        return self.t0 + self.N * self.C * np.asarray(D, dtype=np.float64) * self.t_v

    def speedup(self, D):
        """Modelled naive / vectorized time at D features."""
        return self.naive_s(D) / self.vectorized_s(D)

    @property
    def small_D_limit(self) -> float:
        """The speedup as D -> 0: N C t_py / t0 (interpreter cost against fixed cost)."""
        return self.N * self.C * self.t_py / self.t0

    @property
    def large_D_limit(self) -> float:
        """The speedup as D -> infinity: t_dot / t_v (loop body against GEMM, per feature)."""
        return self.t_dot / self.t_v


def _relative_line_fit(x, t) -> tuple[float, float]:
    """``(a, b)`` of ``t ≈ a + b x`` minimising the sum of squared RELATIVE residuals.

    Plain least squares would fit only the largest times; each of the timings,
    from microseconds to a second, counts alike here.
    """
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    b, a = np.polyfit(x, t, 1, w=1 / t)
    return float(a), float(b)


def fit_cost_model(result: SpeedupResult) -> CostModel:
    """Fit :class:`CostModel` to the median times of a :class:`SpeedupResult`.

    Two straight lines in D, each by relative least squares: the naive time per
    (example, class) pair, ``t_py + D t_dot``, and the vectorized time per call,
    ``t0 + (N C D) t_v``. Needs at least two different D.
    """
    if result.Ds.size < 2:
        raise ValueError("fit_cost_model needs timings at two or more D")
    pairs = result.N * result.C
    t_py, t_dot = _relative_line_fit(result.Ds, result.naive_s / pairs)
    t0, t_v = _relative_line_fit(result.Ds * pairs, result.vectorized_s)
    return CostModel(result.N, result.C, t_py, t_dot, t0, t_v)


def plot_speedup_vs_D(result: SpeedupResult, model: CostModel | None = None, *, ax=None):
    """Speedup (naive / vectorized) against D on log-log axes, with the 100x line marked.

    With a ``model`` (:func:`fit_cost_model`), its speedup is drawn as a dashed
    curve over the measured range of D. Returns the Figure (end the cell with
    ``plt.show()``); the first line's data are (D, measured speedup), the second
    the 100x line, the third (if any) the model's (D, speedup).
    """
    with _style.style():
        fig, ax = _figure_and_axes(ax)
        ax.plot(result.Ds, result.speedup, "o-", color=IMPL_COLORS["vectorized"], label="measured")
        ax.axhline(100, color=_style.PALETTE[7], linestyle=":", linewidth=1.5, label="100×")
        if model is not None:
            D = np.geomspace(result.Ds[0], result.Ds[-1], 200)
            ax.plot(
                D,
                model.speedup(D),
                "--",
                color=IMPL_COLORS["naive"],
                linewidth=2,
                label="cost model: NC(t_py + D t_dot) / (t0 + NCD t_v)",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("D (features per example)")
        ax.set_ylabel("naive time / vectorized time")
        ax.set_title(f"Speedup of the vectorized loss (N = {result.N}, C = {result.C})")
        ax.legend(loc="lower left")
        fig.tight_layout()
    describe(
        ax,
        f"Log-log line chart: how many times faster the vectorized loss is than the naive "
        f"one, against D (N = {result.N}, C = {result.C}): "
        + ", ".join(f"{s:.3g}× at D = {d}" for d, s in zip(result.Ds, result.speedup, strict=True))
        + ". A dotted line marks 100×"
        + ("; a dashed curve is the fitted cost model." if model is not None else "."),
    )
    return fig


def read_bandwidth(X, *, rounds: int = 7) -> float:
    """Bytes per second at which one thread streams ``X`` from memory (median of ``rounds``).

    Times ``X @ ones`` (a matrix-vector product: BLAS reads each number of X
    once and does one multiply-add with it, so the time is the time to read X)
    with one BLAS thread after one warm-up call.

    Parameters
    ----------
    X : ndarray (N, D), float32 or float64, C-contiguous
        Make it larger than the CPU's caches (hundreds of MB) to measure memory.
    rounds : int >= 1
    """
    from threadpoolctl import threadpool_limits

    X = np.asarray(X)
    if X.ndim != 2 or X.dtype not in (np.float32, np.float64):
        raise ValueError(f"X must be a 2-D float32 or float64 array; got {X.ndim}-D {X.dtype}")
    ones = np.ones(X.shape[1], dtype=X.dtype)
    with threadpool_limits(limits=1, user_api="blas"):
        times = interleaved_times({"gemv": lambda: X @ ones}, _positive_int("rounds", rounds))
    return X.nbytes / statistics.median(times["gemv"])


# --------------------------------------------------------------------------- panel


def _ms(milliseconds: float) -> str:
    return f"{milliseconds:,.0f} ms" if milliseconds >= 100 else f"{milliseconds:.3g} ms"


def _times(ratio: float) -> str:
    """A speedup as the panel prints it: 3.3×, 12×, 340×."""
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


class ComparisonPanel(widgets.VBox):
    """Sliders, a dtype choice and a Run button; times naive, vectorized and fast.

    Built by :func:`comparison_panel`. Pressing Run (or calling :meth:`run`)
    draws inputs of the chosen shape, estimates how long the naive loop would
    take from a run on a few rows, lowers N if that estimate exceeds the time
    budget (and says so), then times the implementations and checks that they
    agree. Attributes that tests and notebook cells use:

    n_slider, d_slider, c_slider : IntSlider
    reg_slider : FloatLogSlider
    dtype_picker : ToggleButtons ("float64" / "float32")
    run_button : Button
    readout : HTML (times, speedup, agreement, the cap if any)
    image : Image (the bar chart as PNG)
    figure : matplotlib Figure (the bar chart; ``figure.axes[0].patches`` are the bars)
    last : dict (the numbers of the last run; see :meth:`run`)
    """

    def __init__(
        self, *, N=500, D=3073, C=10, reg=0.1, dtype="float64", budget_s=10.0, seed=0, threads=1
    ):
        if not budget_s > 0:
            raise ValueError(f"budget_s must be > 0; got {budget_s!r}")
        self.budget_s = float(budget_s)
        self.seed = seed
        self.threads = _positive_int("threads", threads)
        self.n_slider = widgets.IntSlider(value=N, min=10, max=50_000, step=10, description="N")
        self.d_slider = widgets.IntSlider(value=D, min=1, max=3073, description="D")
        self.c_slider = widgets.IntSlider(value=C, min=2, max=100, description="C")
        self.reg_slider = widgets.FloatLogSlider(
            value=reg, base=10, min=-6, max=1, step=0.5, description="reg", readout_format=".0e"
        )
        self.dtype_picker = widgets.ToggleButtons(options=["float64", "float32"], value=dtype)
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.readout = widgets.HTML()
        self.image = DescribedImage(format="png")
        self.figure = Figure(figsize=(6.0, 3.3))
        self.last: dict = {}
        self.run_button.on_click(self.run)
        # Controls and chart side by side, the numbers in four lines below: the
        # whole panel fits on one slide at the decks' 26 px widget labels.
        controls = widgets.VBox(
            [
                self.n_slider,
                self.d_slider,
                self.c_slider,
                self.reg_slider,
                self.dtype_picker,
                self.run_button,
            ]
        )
        super().__init__([widgets.HBox([controls, self.image]), self.readout])
        self.run()

    def estimate_naive_seconds_per_row(self, W, X, y, reg, rows: int = 100) -> float:
        """Seconds per example of the naive loop, from the best of two runs on ``rows`` rows."""
        from ..loss import softmax_loss_naive

        rows = min(rows, X.shape[0])
        best = math.inf
        for _ in range(2):
            start = time.perf_counter()
            softmax_loss_naive(W, X[:rows], y[:rows], reg)
            best = min(best, time.perf_counter() - start)
        return best / rows

    @_style.one_redraw_at_a_time
    def run(self, _button=None) -> dict:
        """Draw inputs, cap N for the naive loop, time, compare, redraw. Returns :attr:`last`.

        The returned dict has ``N_requested``, ``N`` (after the cap), ``D``, ``C``,
        ``reg``, ``dtype``, ``capped`` (bool), ``naive_estimate_s`` (predicted naive
        time at ``N_requested``), ``calls`` (timed calls per implementation),
        ``times`` (median seconds per implementation), ``speedup`` (the naive
        median over the vectorized median: the ratio of the two times shown),
        ``fast_ratio`` (fast / vectorized, likewise), ``loss_rel_diff`` and ``dW_rel_diff``
        (vectorized and fast against naive: the larger of the two), ``agree``,
        ``rtol`` (1e-12 in float64, 1e-5 in float32) and ``outputs`` (each
        implementation's ``(loss, dW)``).

        The budget: the naive time per example is measured on 100 rows, and N is
        lowered so that one naive call takes at most half of ``budget_s``; the
        naive loop is then timed as many times (1 to 5) as fit in that half, the
        vectorized and fast versions 5 times each after a warm-up call.
        """
        from threadpoolctl import threadpool_limits

        N_req, D, C = self.n_slider.value, self.d_slider.value, self.c_slider.value
        reg, dtype = check_reg(self.reg_slider.value), self.dtype_picker.value
        rng = np.random.default_rng(self.seed)
        funcs = _implementations()
        with threadpool_limits(limits=self.threads, user_api="blas"):
            W, X, y = make_inputs(min(N_req, 100), D, C, dtype=dtype, rng=rng)
            per_row = self.estimate_naive_seconds_per_row(W, X, y, reg)
            # The naive loop gets half the budget: the rest is for drawing the
            # inputs and the (about 7x faster) vectorized and fast runs.
            N_cap = max(10, int(0.5 * self.budget_s / per_row))
            N = min(N_req, N_cap)
            W, X, y = make_inputs(N, D, C, dtype=dtype, rng=rng)
            outputs = {}

            def call(name):
                outputs[name] = funcs[name](W, X, y, reg)

            # As many naive calls as fit in half the budget (1 to 5); the others
            # get 5 calls after an untimed warm-up (the naive loop was warmed up
            # by the estimate above).
            naive_calls = min(5, max(1, int(0.5 * self.budget_s / (per_row * N))))
            times = interleaved_times(
                {n: (lambda n=n: call(n)) for n in funcs},
                5,
                warmup=["vectorized", "fast"],
                max_rounds={"naive": naive_calls},
            )
        timing = Timing(times)
        medians = {n: timing.median(n) for n in funcs}
        precomputed = {n: (lambda *_, n=n: outputs[n]) for n in funcs}
        agree_vec = agreement(W, X, y, reg, ("vectorized", "naive"), precomputed)
        agree_fast = agreement(W, X, y, reg, ("fast", "naive"), precomputed)
        rtol = 1e-12 if np.dtype(dtype) == np.float64 else 1e-5
        self.last = {
            "N_requested": N_req,
            "N": N,
            "D": D,
            "C": C,
            "reg": reg,
            "dtype": dtype,
            "capped": N_req > N,
            "naive_estimate_s": per_row * N_req,
            "calls": {n: len(times[n]) for n in funcs},
            "times": medians,
            # Ratios of the medians shown, so that the numbers on the panel agree.
            "speedup": medians["naive"] / medians["vectorized"],
            "fast_ratio": medians["fast"] / medians["vectorized"],
            "loss_rel_diff": max(agree_vec.loss_rel_diff, agree_fast.loss_rel_diff),
            "dW_rel_diff": max(agree_vec.dW_rel_diff, agree_fast.dW_rel_diff),
            "agree": agree_vec.within(rtol) and agree_fast.within(rtol),
            "rtol": rtol,
            "outputs": outputs,
        }
        self._redraw()
        return self.last

    def _redraw(self) -> None:
        r = self.last
        names = list(r["times"])
        ms = [r["times"][n] * 1e3 for n in names]
        fig = self.figure
        fig.clear()
        with _style.style():
            ax = fig.add_subplot()
            bars = ax.bar(
                [IMPL_LABELS[n].split(" (")[0] for n in names],
                ms,
                color=[IMPL_COLORS[n] for n in names],
            )
            ax.bar_label(bars, labels=[_ms(v) for v in ms], padding=3)
            ax.set_yscale("log")
            ax.set_ylim(min(ms) / 3, max(ms) * 6)
            ax.set_ylabel("time per call (ms, log)")
            ax.set_title(f"vectorized {_times(r['speedup'])} faster than the loops")
            fig.tight_layout()
        describe(
            ax,
            f"Bar chart, log scale: time per call at N = {r['N']}: "
            + ", ".join(
                f"{IMPL_LABELS[n].split(' (')[0]} {_ms(v)}" for n, v in zip(names, ms, strict=True)
            )
            + f"; the vectorized loss is {_times(r['speedup'])} faster than the loops.",
        )
        self.image.show_figure(fig)
        cap = (
            f"<b>N capped at {r['N']}</b> (you asked for {r['N_requested']}): the naive loop "
            f"would take about {r['naive_estimate_s']:.0f} s, more than the "
            f"{self.budget_s:.0f} s budget.<br>"
            if r["capped"]
            else ""
        )
        verdict = "✓ agree" if r["agree"] else "✗ DISAGREE"
        self.readout.value = (
            f"<div style='font-family: monospace; line-height: 1.3'>{cap}"
            f"N={r['N']}, D={r['D']}, C={r['C']}, reg={r['reg']:.0e}, {r['dtype']}: medians of "
            f"{r['calls']['naive']} naive, {r['calls']['vectorized']} other calls<br>"
            f"naive {_ms(r['times']['naive'] * 1e3)}, "
            f"vectorized {_ms(r['times']['vectorized'] * 1e3)}, "
            f"fast {_ms(r['times']['fast'] * 1e3)}<br>"
            f"<b>speedup {_times(r['speedup'])}</b> (naive / vectorized), "
            f"fast / vectorized {r['fast_ratio']:.2f}<br>"
            f"{html.escape(verdict)} to {r['rtol']:.0e}: loss rel. diff "
            f"{r['loss_rel_diff']:.1e}, dW rel. diff {r['dW_rel_diff']:.1e}</div>"
        )

    def __repr__(self) -> str:
        return (
            f"ComparisonPanel(N={self.n_slider.value}, D={self.d_slider.value}, "
            f"C={self.c_slider.value}, reg={self.reg_slider.value:.1e}, "
            f"dtype={self.dtype_picker.value!r})"
        )


def comparison_panel(
    *, N=500, D=3073, C=10, reg=0.1, dtype="float64", budget_s=10.0, seed=0, threads=1
) -> ComparisonPanel:
    """The interactive comparison of notebook 05 (runs once with these values).

    Parameters
    ----------
    N, D, C : int
        Initial slider values (N <= 50000, D <= 3073, 2 <= C <= 100).
    reg : float
        Initial regularisation strength (1e-6 to 10).
    dtype : "float64" or "float32"
    budget_s : float
        The longest the naive loop may run; N is lowered to stay within it.
    seed : int
        Seed of the random inputs (each Run draws them afresh from it).
    threads : int
        BLAS threads during the runs (default 1, the steadiest timing).
    """
    return ComparisonPanel(
        N=N, D=D, C=C, reg=reg, dtype=dtype, budget_s=budget_s, seed=seed, threads=threads
    )
