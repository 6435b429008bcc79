"""The ✓/✗ checks of the notebooks that test code, each callable with what it checks.

A ✓ line must be able to turn into a ✗: every function here takes the implementation
or the measurements it judges as an argument (the package's own in the notebooks; a
deliberately wrong one from :mod:`softmax.mistakes`, a planted bug, or timings of a
"vectorized" loss that still loops in ``tests/test_path_checks_0103.py``,
``tests/test_path_checks_gradient.py`` and ``tests/test_path_checks_0506.py``, which show
that each check fails on the bug it is about). Timings are passed in: the checks never time anything themselves.

Notebooks 01-04 (each returns its verdicts; ``print`` them, or use :func:`show`):

- :func:`initial_loss_check`: ``loss(W ~ 1e-4, reg = 0) = ln C`` (notebook 01);
- :func:`half_convention_check`: the loss at ``reg`` is the ½-convention loss at
  ``reg' = 2 reg``, written independently (notebook 03);
- :func:`rel_error_cases`: ``rel_error`` on three hand-computed entries (notebook 04);
- :func:`hessian_checks`: the measured Hessian of a loss of the scores against
  ``diag(p) - p pᵀ``, positive semi-definite, flat along ``(1, ..., 1)`` (notebook 03);
- :func:`shifted_softmax_check`: a float32 softmax of scores 100 apart, each
  probability within one float32 step of the exact value (notebook 02).

Notebooks 06 and 06 (each prints its verdict lines, the layout of
:func:`softmax.display.checks.check_true`, and returns nothing, so a cell shows no
``True`` under them): :func:`definition_check`, :func:`agreement_check`,
:func:`faster_check`, :func:`gemm_share_check`, :func:`scaling_checks`,
:func:`cost_model_checks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..functions import log_softmax, softmax
from .checks import (
    _NAME_WIDTH,
    Comparison,
    check_true,
    compare,
    format_small,
    format_values,
    numerical_hessian,
)
from .compare import CostModel, Timing, differences

__all__ = [
    "Fact",
    "agreement_check",
    "cost_model_checks",
    "definition_check",
    "faster_check",
    "gemm_share_check",
    "half_convention_check",
    "hessian_checks",
    "initial_loss_check",
    "rel_error_cases",
    "scaling_checks",
    "shifted_softmax_check",
    "show",
]


@dataclass(frozen=True)
class Fact:
    """A yes/no verdict; ``str()`` is the line :func:`softmax.display.checks.check_true` prints."""

    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.name:<{_NAME_WIDTH}s} {self.detail}".rstrip()


def show(*verdicts: Comparison | Fact) -> None:
    """Print each verdict line (for notebook cells)."""
    for verdict in verdicts:
        print(verdict)


def _callable(name: str, f) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be callable; got {type(f).__name__}")


def initial_loss_check(loss_fn: Callable, X, y, num_classes: int, *, scale: float = 1e-4, rng=0):
    """The loss at small random weights and ``reg = 0`` against ``ln C`` (rtol 1e-3).

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W, X, y, reg) -> (loss, dW)``.
    X : ndarray, shape (N, D), float
    y : ndarray, shape (N,), int labels in [0, num_classes)
    num_classes : int >= 2
    scale : float
        ``W = scale * standard normal (D, C)``: scores of about ``scale * |x|``.
    rng : int or numpy Generator

    Returns
    -------
    Comparison
        A loss that is not averaged over N (N ln C) or not a cross-entropy fails.
    """
    _callable("loss_fn", loss_fn)
    X = np.asarray(X, dtype=np.float64)
    W = scale * np.random.default_rng(rng).standard_normal((X.shape[1], num_classes))
    loss = float(loss_fn(W, X, np.asarray(y), 0.0)[0])
    return compare(
        f"loss(W ≈ 0, reg = 0), C = {num_classes} vs ln C", loss, np.log(num_classes), rtol=1e-3
    )


def half_convention_check(loss_fn: Callable, W, X, y, reg: float) -> tuple[Comparison, Comparison]:
    """``loss_fn`` at ``reg`` against the ½-convention loss at ``reg' = 2 reg``.

    The reference is written independently of :mod:`softmax.loss`: the mean of
    ``-log_softmax(XW)[i, y_i]`` plus ``½ reg' ΣW²``, and its gradient
    ``Xᵀ(P - Y)/N + reg' W``. With ``reg' = 2 reg`` both are the package's loss and
    dW; a loss that mixes the conventions (``½ reg ΣW²`` with ``2 reg W``, or
    ``reg ΣW²`` with ``reg W``) fails one of the two lines.

    Returns
    -------
    (Comparison, Comparison)
        The loss, then dW.
    """
    _callable("loss_fn", loss_fn)
    W, X, y = np.asarray(W, np.float64), np.asarray(X, np.float64), np.asarray(y)
    N, C = X.shape[0], W.shape[1]
    reg_half = 2.0 * reg  # reg' of a course that writes ½ reg' ΣW²
    log_p = log_softmax(X @ W)
    Y = np.eye(C)[y]
    loss_half = -np.mean(log_p[np.arange(N), y]) + 0.5 * reg_half * np.sum(W**2)
    dW_half = X.T @ (np.exp(log_p) - Y) / N + reg_half * W
    loss, dW = loss_fn(W, X, y, reg)
    return (
        compare("loss(λ) vs ½ λ' ΣW² form, λ' = 2λ", loss, loss_half),
        compare("dW(λ) vs λ' W form, λ' = 2λ", dW, dW_half),
    )


# (analytic a, numerical n, rel(a, n) worked out by hand)
REL_ERROR_CASES = (
    (1.0, 1.1, 0.1 / 2.1),  # 10% off: the denominator is |a| + |n|
    (0.0, 0.0, 0.0),  # both 0: the floor avoids 0/0
    (2e-9, -2e-9, 4e-9 / 1e-8),  # both below the floor, opposite signs
)


def rel_error_cases(rel_error_fn: Callable) -> Comparison:
    """``rel_error_fn`` on the three pairs of :data:`REL_ERROR_CASES`, entry by entry.

    ``rel_error_fn(a, n) -> float`` (like :func:`softmax.gradcheck.rel_error`). A
    version without the 1e-8 floor (0/0 = nan, and 1 for the last pair), or one
    that divides by ``|a|`` alone (0.1 for the first pair) fails.
    """
    _callable("rel_error_fn", rel_error_fn)
    got = []
    for a, n, _ in REL_ERROR_CASES:
        with np.errstate(invalid="ignore", divide="ignore"):
            got.append(float(rel_error_fn(np.array([a]), np.array([n]))))
    expected = [rel for _, _, rel in REL_ERROR_CASES]
    return compare("rel_error entry by entry vs by hand", got, expected)


def hessian_checks(loss_of_scores: Callable, s, *, tol: float = 1e-6):
    """The measured Hessian of ``loss_of_scores`` at ``s``, three verdicts.

    The Hessian is measured by second differences of the loss's values
    (:func:`softmax.display.checks.numerical_hessian`), then: (1) compared with
    ``diag(p) - p pᵀ``, ``p = softmax(s)``; (2) its smallest eigenvalue is at least
    ``-tol`` (positive semi-definite: convex); (3) ``H (1, ..., 1)`` is 0 within
    ``tol`` (a constant added to every score changes nothing). A loss of the wrong
    sign fails (2), one that is not blind to a shift of the scores (e.g. no log in
    front of ``Σ e^s``) fails (3).

    Parameters
    ----------
    loss_of_scores : callable
        ``f(s) -> float`` for a score vector s of shape (C,).
    s : ndarray, shape (C,), float64
    tol : float
        Second differences with h = 1e-4 are good to about 1e-7 here.

    Returns
    -------
    (Comparison, Fact, Fact) and the measured Hessian, shape (C, C)
    """
    _callable("loss_of_scores", loss_of_scores)
    s = np.asarray(s, dtype=np.float64)
    H_numeric = numerical_hessian(loss_of_scores, s)
    p = softmax(s)
    formula = compare(
        "diag(p) − ppᵀ vs measured Hessian", np.diag(p) - np.outer(p, p), H_numeric,
        rtol=1e-5, atol=tol,
    )  # fmt: skip
    eig = np.linalg.eigvalsh(H_numeric)
    psd = Fact(
        f"measured eigenvalues ≥ −{tol:.0e}: PSD",
        bool(eig.min() >= -tol),
        format_values(eig.round(3) + 0.0, 3),
    )
    null = float(np.abs(H_numeric @ np.ones(s.size)).max())
    flat = Fact(
        "measured H (1, …, 1) = 0",
        null <= tol,
        f"max |entry| ≤ {tol:.0e}" if null <= tol else f"max |entry| = {null:.2g}",
    )
    return (formula, psd, flat), H_numeric


def shifted_softmax_check(softmax_fn: Callable, z) -> Fact:
    """``softmax_fn`` in float32 on ``z``: every probability within one float32 step of exact.

    Near the subnormal range float32 values are ``smallest_subnormal`` apart, so
    "one step" is the best any float32 result can do; an unshifted softmax
    returns nan once a score passes 88.72.
    """
    _callable("softmax_fn", softmax_fn)
    z32 = np.asarray(z, dtype=np.float32)
    exact = np.exp(log_softmax(z32.astype(np.float64)))
    with np.errstate(all="ignore"):
        p = np.asarray(softmax_fn(z32), dtype=np.float64)
    step = float(np.finfo(np.float32).smallest_subnormal)
    with np.errstate(invalid="ignore"):
        off = np.abs(p - exact)
    # Above the subnormal range one step is relative: eps32 of the value.
    allowed = np.maximum(step, np.finfo(np.float32).eps * exact)
    ok = bool(np.isfinite(p).all() and (off <= allowed).all())
    return Fact("float32 softmax within one step of exact", ok, format_values(p, 4))


def _definition(W, X, y, reg) -> tuple[float, np.ndarray]:
    """L and dW straight from the formulas, with the package's log_softmax and softmax."""
    W, X = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    N, C = X.shape[0], W.shape[1]
    S = X @ W
    loss = -np.mean(log_softmax(S)[np.arange(N), y]) + reg * np.sum(W**2)
    dW = X.T @ (softmax(S) - np.eye(C)[y]) / N + 2 * reg * W
    return float(loss), dW


def definition_check(
    name: str, loss_fn: Callable, W, X, y, reg, *, reference=None, rtol=1e-12
) -> None:
    """``loss_fn(W, X, y, reg)`` against L and dW computed from their definitions.

    ``reference`` is ``(L, dW)`` as the notebook computes it from the formulas
    (default: the same formulas, computed here). Passes when both the loss and dW agree to ``rtol`` relative (dW in the
    Frobenius norm). At notebook 05's lambda = 0.1 and W ~ 1e-2 a regulariser
    bug moves the loss by about 0.1 relative: far beyond 1e-12.
    """
    out = loss_fn(W, X, y, reg)
    ref = _definition(W, X, y, reg) if reference is None else reference
    d = differences(out, ref)
    ok = d.within(rtol)
    check_true(f"{name}: L and dW as defined", ok, f"L = {float(out[0]):.6f} ({ref[0]:.6f})")


def agreement_check(
    W, X, y, reg, impls: Mapping[str, Callable], names=("vectorized", "naive"), *, rtol=1e-14
) -> None:
    """Two implementations on the same inputs: loss and dW agree to ``rtol`` relative.

    ``impls`` maps each of ``names`` to a loss function; the second is the reference.
    Prints one line for the loss, one for dW, each with the measured relative
    difference as a power-of-ten bound no finer than ``rtol / 10`` (so the line
    does not change with the last bits of a float on another machine).
    """
    a, b = names
    d = differences(impls[a](W, X, y, reg), impls[b](W, X, y, reg), names=names)
    ok_loss, ok_dW = d.loss_rel_diff <= rtol, d.dW_rel_diff <= rtol
    for what, value, ok in (
        ("|ΔL| / L", d.loss_rel_diff, ok_loss),
        ("‖ΔdW‖ / ‖dW‖", d.dW_rel_diff, ok_dW),
    ):
        shown = (
            format_small(value, bound_below=math.inf)
            if not ok
            else format_small(max(value, rtol / 10), bound_below=math.inf)
        )
        check_true(f"{a} vs {b}: {what} ≤ {rtol:.0e}", ok, f"measured {shown}")


def faster_check(name: str, timing: Timing, slow: str, fast: str, factor: float) -> None:
    """``fast`` at least ``factor`` times faster than ``slow`` (median of per-round ratios)."""
    speedup = timing.speedup(slow, fast)
    ok = speedup > factor
    check_true(name, ok, f"{speedup:.1f}×")


def gemm_share_check(timing: Timing, *, at_least: float = 0.6) -> None:
    """The vectorized loss's two GEMMs (``gemm_bound``) are most of its time."""
    share = 1 / timing.ratio("vectorized", "gemm_bound")
    ok = share > at_least
    check_true(f"T_vec is mostly its two GEMMs (> {at_least:.0%})", ok, f"GEMM share {share:.0%}")


def scaling_checks(Ns, naive_s, vectorized_s) -> None:
    """The two claims read from the time-per-example figure.

    - the loops' time is proportional to N from N = 8 on: log-log slope 1 ± 0.3
      (a loop over pairs of examples has slope 2, a fixed cost slope 0);
    - the vectorized code pays a fixed cost per call: per example it costs at
      least 2× more at the smallest N than at its cheapest (without a fixed
      cost it would be flat).
    """
    Ns = np.asarray(Ns, dtype=np.float64)
    naive_s = np.asarray(naive_s, dtype=np.float64)
    per_example = np.asarray(vectorized_s, dtype=np.float64) / Ns
    keep = Ns >= 8
    slope = float(np.polyfit(np.log10(Ns[keep]), np.log10(naive_s[keep]), 1)[0])
    ok_slope = abs(slope - 1) < 0.3
    check_true("loops: T ∝ N from N = 8 (slope 1 ± 0.3)", ok_slope, f"slope {slope:.2f}")
    fixed = per_example[0] / per_example.min()
    ok_fixed = fixed > 2
    check_true(f"vectorized: ≥ 2× the cheapest at N = {Ns[0]:.0f}", ok_fixed, f"{fixed:.0f}×")


def cost_model_checks(Ds, speedup, model: CostModel) -> None:
    """The claims of the cost-model slide, against the measured speedups at each D.

    - the fitted model follows the measurements within a factor of 2 where D ≤ 30;
    - a feature costs the loops more than 3× what it costs the GEMMs (t_dot > 3 t_v);
    - at D ≤ 10 the speedup is over 100× and levels off: the largest and the
      smallest there within a factor of 2 (a speedup still growing like 1/D would
      change 10× between D = 1 and 10).
    """
    Ds = np.asarray(Ds, dtype=np.float64)
    speedup = np.asarray(speedup, dtype=np.float64)
    off = np.exp(np.abs(np.log(speedup / model.speedup(Ds))))
    ok_fit = bool(off[Ds <= 30].max() < 2)
    check_true("D ≤ 30: the model within a factor 2", ok_fit, f"worst {off[Ds <= 30].max():.2f}×")
    ok_feature = model.t_dot > 3 * model.t_v
    check_true(
        "a feature costs the loops > 3× the GEMMs",
        ok_feature,
        f"t_dot / t_v = {model.t_dot / model.t_v:.1f}",
    )
    small = speedup[Ds <= 10]
    ok_small = bool(small.min() > 100 and small.max() < 2 * small.min())
    check_true(
        "D ≤ 10: > 100×, levelling off (within 2×)",
        ok_small,
        f"{small.min():.0f}× to {small.max():.0f}×",
    )
