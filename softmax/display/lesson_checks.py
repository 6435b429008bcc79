"""The ✓/✗ checks of notebooks 04 and 05 as functions of what they check.

A check line earns its ✓ only if the bug it is about would print ✗. Each function
here takes the implementation or the measurements it judges, prints its verdict
lines (the layout of :func:`softmax.display.checks.check_true`) and returns
nothing (a notebook cell shows no ``True`` under them), so
``tests/test_path_checks_0405.py`` reads the printed ✓/✗ when it feeds each the
bug it is about (a wrong loss from :mod:`softmax.mistakes`, or timings of a
"vectorized" loss that still loops) and see the ✗.

Timings are passed in as :class:`softmax.display.compare.Timing` objects or
arrays of seconds: the checks never time anything themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from ..functions import log_softmax, softmax
from .checks import check_true, format_small
from .compare import CostModel, Timing, differences

__all__ = [
    "agreement_check",
    "cost_model_checks",
    "definition_check",
    "faster_check",
    "gemm_share_check",
    "scaling_checks",
]


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
    Frobenius norm). At notebook 04's lambda = 0.1 and W ~ 1e-2 a regulariser
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
