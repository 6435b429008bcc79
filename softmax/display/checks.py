"""Numerical verdicts printed by the notebooks: "does ours match the reference?".

Every displayed equation in notebooks 01-04 is followed by a cell that checks it
with :func:`check` (one verdict line per comparison, the same layout in every
notebook, after Karpathy's ``cmp`` in *makemore part 4*)::

    >>> import numpy as np
    >>> check("sum of p", np.float64(0.1) + 0.2, 0.3)
    ✓ sum of p                             close: yes  max|diff| ≤ 1e-13 (round-off)
      ours 0.3   ref 0.3

What is printed does not depend on the last bits of a float, which change with
the CPU, the BLAS kernel and its thread count (strict nbval compares the text):
a difference that agrees within the tolerance is printed as a power-of-ten bound,
never below the round-off level ``100 * eps * scale`` (marked "(round-off)") or
an explicitly given ``atol``; a real disagreement is large and stable and is
printed to two significant digits. For the same reason the line does not say
whether the two are bitwise equal (``Comparison.exact`` does): exact equality of
two different float computations is an accident of the machine.

The module also holds the experiments behind the figures of notebooks 02-04:
:func:`reference_log_softmax` (exact to float precision, via :mod:`decimal`),
:func:`log_softmax_error` (naive vs shifted, against that reference),
:func:`h_sweep` (the truncation vs round-off U curve of a centred difference),
:func:`numerical_hessian` (second differences, to check the Hessian of the loss),
:func:`bug_signature` (which checks catch a deliberately wrong loss) and
:func:`gradcheck_vs_reg` (how large reg must be for a gradient check to see a
regulariser bug).
"""

from __future__ import annotations

import decimal
import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array, check_loss_inputs, check_reg
from ..functions import log_softmax
from ..gradcheck import grad_check_sparse, numerical_gradient, rel_error
from ..loss import softmax_loss_naive

__all__ = [
    "BUG_TABLE_HEADER",
    "GRADCHECK_GOOD",
    "GRADCHECK_WRONG",
    "BugSignature",
    "Comparison",
    "bug_signature",
    "capture_warnings",
    "check",
    "check_true",
    "compare",
    "default_tolerance",
    "describe_gradcheck",
    "format_small",
    "format_values",
    "gradcheck_verdict",
    "gradcheck_vs_reg",
    "h_sweep",
    "log_softmax_error",
    "numerical_hessian",
    "reference_log_softmax",
]

# Relative-error thresholds of a float64 gradient check (CS231n's rule of thumb):
# below GRADCHECK_GOOD the gradient is right; above GRADCHECK_WRONG it is wrong;
# in between, look closer (kinks, float32, a too small or too large h).
GRADCHECK_GOOD = 1e-7
GRADCHECK_WRONG = 1e-4

_NAME_WIDTH = 36
_SHOWN = 4  # compared values are printed when there are at most this many


def _as_numbers(name: str, a) -> np.ndarray:
    """``np.asarray(a)`` for real numbers; NaN and inf are allowed (naive results)."""
    try:
        arr = np.asarray(a)
    except Exception as exc:
        raise TypeError(
            f"{name} must be a number or a numeric array; got {type(a).__name__}"
        ) from exc
    if arr.dtype == np.bool_:
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    return arr


def format_small(x: float, *, sig: int = 2, bound_below: float = 1e-3) -> str:
    """Format a non-negative error for a deterministic printout.

    ``0`` stays ``"0"``; a value below ``bound_below`` becomes the power-of-ten
    bound above it (``2.2e-16 -> "≤ 1e-15"``), so it does not depend on the last
    bits; a larger value is printed to ``sig`` significant digits (pass
    ``bound_below=math.inf`` to bound every value, e.g. float32 round-off); NaN
    and inf as such.

    >>> format_small(2.2e-16), format_small(0.0), format_small(0.4567)
    ('≤ 1e-15', '0', '0.46')
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf"
    if x < 0:
        raise ValueError(f"x must be >= 0; got {x!r}")
    if x == 0:
        return "0"
    if x < bound_below:
        exponent = math.ceil(math.log10(x) - 1e-12)
        return f"≤ 1e{exponent}"
    return f"{x:.{sig}g}"


def default_tolerance(*arrays: np.ndarray) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing arrays of these dtypes.

    float64: ``(1e-7, 1e-10)``; as soon as one array is float32 (eps 1.2e-7):
    ``(1e-5, 1e-7)``.
    """
    if any(a.dtype == np.float32 for a in arrays):
        return 1e-5, 1e-7
    return 1e-7, 1e-10


def format_values(a, digits: int = 6) -> str:
    """Values to ``digits`` significant digits, ``[a, b, ...]`` (at most 6 shown).

    inf and nan print as such, -0 as 0.

    >>> format_values([1.0, float("-inf"), 0.123456789])
    '[1, -inf, 0.123457]'
    >>> format_values([0.638066, 0.0954347], digits=4)
    '[0.6381, 0.09543]'
    """
    a = _as_numbers("a", a)
    if a.ndim == 0:
        return f"{float(a) + 0.0:.{digits}g}"
    flat = ", ".join(f"{float(v) + 0.0:.{digits}g}" for v in a.ravel()[:6])  # + 0.0: no "-0"
    return f"[{flat}{', ...' if a.size > 6 else ''}]"


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare`; ``str()`` is the verdict line.

    Attributes
    ----------
    name : str
        What was compared.
    exact : bool
        Every element equal (same shape, no NaN). Not printed: it depends on the machine.
    close : bool
        ``np.allclose(ours, reference, rtol, atol)`` and no NaN.
    max_abs_diff : float
        ``max |ours - reference|`` (NaN if a NaN is involved, inf if one side is inf).
    max_rel_diff : float
        ``max |ours - reference| / max(|reference|, tiny)``.
    ours, reference : ndarray
        The compared values (reported when small).
    rtol, atol : float
        Tolerances used for ``close``.
    floor : float
        The smallest difference the printout distinguishes: ``100 * eps * scale``
        (``scale`` = the largest magnitude, at least 1, to the nearest power of ten)
        or the ``atol`` given to :func:`compare`, whichever is larger.
    roundoff : bool
        ``max_abs_diff`` is within ``100 * eps * scale`` (floating-point noise)
        and no coarser ``atol`` was asked for: the printout says "(round-off)".
    """

    name: str
    exact: bool
    close: bool
    max_abs_diff: float
    max_rel_diff: float
    ours: np.ndarray
    reference: np.ndarray
    rtol: float
    atol: float
    floor: float
    roundoff: bool

    @property
    def ok(self) -> bool:
        """``close``: the comparison passed."""
        return self.close

    def __str__(self) -> str:
        mark = "✓" if self.close else "✗"
        if self.close:
            diff = format_small(max(self.max_abs_diff, self.floor), bound_below=math.inf)
            diff += " (round-off)" if self.roundoff else ""
        else:
            diff = format_small(self.max_abs_diff)
        line = f"{mark} {self.name:<{_NAME_WIDTH}s} close: {'yes' if self.close else 'no '}  "
        line += f"max|diff| {diff}"
        if self.ours.size <= _SHOWN:
            # Fewer digits for more values: the line stays under 80 characters (slides).
            digits = 6 if self.ours.size == 1 else 4 if self.ours.size <= 3 else 3
            line += (
                f"\n  ours {format_values(self.ours, digits)}"
                f"   ref {format_values(self.reference, digits)}"
            )
        return line


def compare(name: str, ours, reference, *, rtol: float | None = None, atol: float | None = None):
    """Compare an array we computed with a reference: exact, close, max difference.

    Parameters
    ----------
    name : str
        Label printed in the verdict line.
    ours, reference : array_like of real numbers, same shape
        Any dtype; NaN and inf are allowed (they make the comparison fail).
    rtol, atol : float, optional
        Tolerances of ``np.allclose``; default :func:`default_tolerance`. An
        explicit ``atol`` is also the finest difference the printout shows.

    Returns
    -------
    Comparison
        Its ``str()`` is the one-line verdict (plus a line with the values when
        there are at most 4 of them).

    Raises
    ------
    TypeError
        ``name`` is not a string, or non-numeric values.
    ValueError
        Shapes differ, or a negative tolerance.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; got {type(name).__name__}")
    a = _as_numbers("ours", ours)
    b = _as_numbers("reference", reference)
    if a.shape != b.shape:
        raise ValueError(
            f"ours and reference must have the same shape; got {a.shape} and {b.shape}"
        )
    default_rtol, default_atol = default_tolerance(a, b)
    explicit_atol = 0.0 if atol is None else float(atol)
    rtol = default_rtol if rtol is None else float(rtol)
    atol = default_atol if atol is None else float(atol)
    if rtol < 0 or atol < 0:
        raise ValueError(f"rtol and atol must be >= 0; got rtol={rtol}, atol={atol}")
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        # inf - inf is NaN but the two agree: count it as no difference.
        same_inf = np.isinf(a64) & (a64 == b64)
        diff = np.where(same_inf, 0.0, np.abs(a64 - b64))
        rel = diff / np.maximum(np.abs(b64), np.finfo(np.float64).tiny)
    has_nan = bool(np.isnan(a64).any() or np.isnan(b64).any())
    max_abs = float(np.max(diff)) if diff.size else 0.0
    max_rel = float(np.max(rel)) if rel.size else 0.0
    exact = not has_nan and bool(np.array_equal(a64, b64))
    close = not has_nan and bool(np.allclose(a64, b64, rtol=rtol, atol=atol))
    if has_nan:
        max_abs = max_rel = float("nan")
    finite = np.abs(np.concatenate([a64.ravel(), b64.ravel()]))
    finite = finite[np.isfinite(finite)]
    scale = 10.0 ** round(math.log10(max(1.0, float(finite.max()) if finite.size else 1.0)))
    eps = float(np.finfo(np.float32 if np.float32 in (a.dtype, b.dtype) else np.float64).eps)
    roundoff_level = 100 * eps * scale
    floor = max(roundoff_level, explicit_atol)
    # Marked only when the printed bound is the round-off level, not an explicit atol.
    roundoff = close and max_abs <= roundoff_level and floor == roundoff_level
    return Comparison(name, exact, close, max_abs, max_rel, a, b, rtol, atol, floor, roundoff)


def check(name: str, ours, reference, *, rtol: float | None = None, atol: float | None = None):
    """Print the verdict line of :func:`compare` (returns nothing, for notebook cells)."""
    print(compare(name, ours, reference, rtol=rtol, atol=atol))


def check_true(name: str, condition, detail: str = "") -> None:
    """Print a verdict line for a yes/no fact, in the layout of :func:`check`.

    >>> check_true("every p_j > 0", True, "min p = 0.0321")
    ✓ every p_j > 0                        min p = 0.0321
    """
    if not isinstance(name, str) or not isinstance(detail, str):
        raise TypeError("name and detail must be str")
    mark = "✓" if bool(condition) else "✗"
    print(f"{mark} {name:<{_NAME_WIDTH}s} {detail}".rstrip())


def capture_warnings(func: Callable, *args, **kwargs):
    """Call ``func(*args, **kwargs)``, recording (not printing) its warnings.

    Returns
    -------
    result : whatever func returns
    messages : list of str
        ``"RuntimeWarning: overflow encountered in exp"`` for each warning, in order,
        without file names or line numbers (so a notebook prints them cleanly).
    """
    if not callable(func):
        raise TypeError(f"func must be callable; got {type(func).__name__}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    return result, [f"{w.category.__name__}: {w.message}" for w in caught]


# --------------------------------------------------------------------------- notebook 02


def reference_log_softmax(z) -> np.ndarray:
    """log-softmax of a 1-D score vector, exact to float64 precision.

    Computed with :mod:`decimal` at 50 significant digits from the exact binary
    values of ``z``, so it is the same on every machine and is the reference the
    float32 and float64 results of notebook 02 are measured against.

    Parameters
    ----------
    z : array_like, shape (C,), finite real numbers (float32 values are taken exactly)

    Returns
    -------
    ndarray, shape (C,), float64
    """
    z = as_float_array("z", z, ndim=1)
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        zs = [decimal.Decimal(float(v)) for v in z]
        top = max(range(len(zs)), key=zs.__getitem__)
        m = zs[top]
        # log sum_k exp(z_k - m) = log1p(rest): the max term is exactly 1, and
        # rest may be ~1e-300, far below the 50 digits next to that 1.
        rest = sum((zi - m).exp() for k, zi in enumerate(zs) if k != top)
        if rest < decimal.Decimal("1e-12"):
            log_sum = rest - rest**2 / 2 + rest**3 / 3
        else:
            log_sum = (1 + rest).ln()
        return np.array([float(zi - m - log_sum) for zi in zs])


def _mixed_error(result: np.ndarray, reference: np.ndarray) -> float:
    """max_j |result_j - ref_j| / max(|ref_j|, 1): relative for |log p| > 1, else absolute."""
    r64 = result.astype(np.float64)
    if not np.isfinite(r64).all():
        return float("nan") if np.isnan(r64).any() else float("inf")
    return float(np.max(np.abs(r64 - reference) / np.maximum(np.abs(reference), 1.0)))


def log_softmax_error(base_scores, scales, dtype, naive: Callable) -> dict[str, np.ndarray]:
    """Error of the naive and the max-shifted log-softmax of ``scale * base_scores``.

    Used by notebook 02's figure and widget. For each scale the scores
    ``z = (scale * base_scores).astype(dtype)`` go through ``naive(z)`` and
    :func:`softmax.log_softmax`; both are compared with :func:`reference_log_softmax`.

    Parameters
    ----------
    base_scores : array_like, shape (C,), C >= 2
    scales : array_like, shape (S,), positive
    dtype : float32 or float64
    naive : callable
        The unshifted log-softmax, e.g. :func:`softmax.mistakes.naive_log_softmax`.
        Its RuntimeWarnings are recorded, not printed.

    Returns
    -------
    dict with ``"scales"`` (S,), ``"naive"`` and ``"shifted"`` (S,) float64 errors
    ``max_j |a_j - ref_j| / max(|ref_j|, 1)``: ``inf`` where the result holds
    ``-inf`` (log of an underflowed 0), ``nan`` where it holds NaN (overflow), and
    ``"warnings"``: the set of warning messages met.
    """
    base = as_float_array("base_scores", base_scores, ndim=1)
    if base.size < 2:
        raise ValueError(f"base_scores must hold at least 2 scores; got shape {base.shape}")
    scales = as_float_array("scales", scales, ndim=1)
    if (scales <= 0).any():
        raise ValueError("scales must be > 0")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    naive_err = np.empty(scales.size)
    shifted_err = np.empty(scales.size)
    messages: set[str] = set()
    for k, scale in enumerate(scales):
        with np.errstate(over="ignore"):
            z = (scale * base).astype(dtype)
        if not np.isfinite(z).all():
            raise ValueError(f"scale {scale:g} makes the scores overflow {dtype}")
        ref = reference_log_softmax(z)
        result, caught = capture_warnings(naive, z)
        messages.update(caught)
        naive_err[k] = _mixed_error(np.asarray(result), ref)
        shifted_err[k] = _mixed_error(log_softmax(z), ref)
    return {"scales": scales, "naive": naive_err, "shifted": shifted_err, "warnings": messages}


# --------------------------------------------------------------------------- notebooks 03 and 04


def h_sweep(f: Callable, W, exact_gradient, hs) -> np.ndarray:
    """Error of the centred-difference gradient of ``f`` at ``W`` for each step h.

    Notebook 04 plots it against h: the truncation error falls like h**2, the
    round-off error grows like eps |f| / h, hence a U curve whose bottom sits near
    ``h* = (3 eps |f| / |f3|)**(1/3)`` (f3: the third derivative), i.e. near
    ``(3 eps)**(1/3)`` when |f| and |f3| are of the same size.

    Parameters
    ----------
    f : callable
        ``f(W) -> float`` or ``(float, grad)``, evaluated in W's dtype.
    W : array_like, float32 or float64, any shape
    exact_gradient : array_like, shape of W
        The true gradient (e.g. the float64 analytic gradient).
    hs : array_like, shape (H,), positive steps

    Returns
    -------
    ndarray, shape (H,), float64
        :func:`softmax.gradcheck.rel_error` between the numerical gradient and
        ``exact_gradient`` (the worst entry) for each h.
    """
    W = as_float_array("W", W)
    exact = as_float_array("exact_gradient", exact_gradient)
    if exact.shape != W.shape:
        raise ValueError(f"exact_gradient must have the shape of W {W.shape}; got {exact.shape}")
    hs = as_float_array("hs", hs, ndim=1)
    if (hs <= 0).any():
        raise ValueError("hs must all be > 0")
    return np.array([rel_error(numerical_gradient(f, W, h=float(h)), exact) for h in hs])


def numerical_hessian(f: Callable, x, h: float = 1e-4) -> np.ndarray:
    """Hessian of a scalar function by second differences of its values only.

    ``H[i, j] ~ (f(x + h e_i + h e_j) - f(x + h e_i - h e_j) - f(x - h e_i + h e_j)
    + f(x - h e_i - h e_j)) / (4 h**2)`` (for i = j this is the centred second
    difference with step 2h). It uses no gradient, so it is an independent
    reference for an analytic Hessian. Truncation error is O(h**2), round-off
    O(eps |f| / h**2): in float64, h ~ 1e-4 gives about 1e-7 absolute.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` (or a tuple whose first item is the float).
    x : array_like, any shape, floating (n entries in all)
        The point. Not modified: f sees a copy.
    h : float > 0
        Step.

    Returns
    -------
    ndarray, shape (n, n), float64, symmetric
        Entries in the order of ``x.ravel()`` (for W of shape (D, C): row-major,
        index ``d * C + c``).

    Costs about 2 n (n + 1) calls of f.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, f(x) -> float; got {type(f).__name__}")
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not (math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a finite number > 0; got {h!r}")
    x0 = as_float_array("x", x).astype(np.float64)
    n = x0.size

    def value(step: np.ndarray) -> float:
        out = f((x0.ravel() + step).reshape(x0.shape))
        return float(out[0] if isinstance(out, tuple) else out)

    H = np.empty((n, n))
    e = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (
                value(e[i] + e[j]) - value(e[i] - e[j]) - value(e[j] - e[i]) + value(-e[i] - e[j])
            ) / (4 * h * h)
    return H


def gradcheck_verdict(max_rel_error: float) -> str:
    """``"good"``, ``"suspicious"`` or ``"wrong"`` for a float64 gradient check."""
    if not isinstance(max_rel_error, numbers.Real):
        raise TypeError(f"max_rel_error must be a real number; got {type(max_rel_error).__name__}")
    if not max_rel_error < GRADCHECK_WRONG:  # NaN counts as wrong
        return "wrong"
    return "good" if max_rel_error < GRADCHECK_GOOD else "suspicious"


def describe_gradcheck(max_rel_error: float) -> str:
    """The verdict with its band, e.g. ``"< 1e-07: good"`` (no machine-dependent digits).

    >>> describe_gradcheck(3e-10), describe_gradcheck(2e-5), describe_gradcheck(0.03)
    ('< 1e-07: good', 'between 1e-07 and 1e-04: suspicious', '> 1e-04: wrong')
    """
    verdict = gradcheck_verdict(max_rel_error)
    band = {
        "good": f"< {GRADCHECK_GOOD:.0e}",
        "suspicious": f"between {GRADCHECK_GOOD:.0e} and {GRADCHECK_WRONG:.0e}",
        "wrong": f"> {GRADCHECK_WRONG:.0e}",
    }[verdict]
    return f"{band}: {verdict}"


@dataclass(frozen=True)
class BugSignature:
    """What each check says about a loss function (notebook 04's bug gallery).

    Attributes
    ----------
    gradcheck : float
        Worst relative error of a sparse gradient check of the function's own dW
        against centred differences of its own loss.
    loss_diff, dW_diff : float
        Relative differences of the loss and of dW from ``softmax_loss_naive``.
    zero_loss : float
        The loss at W = 0 with reg = 0 (should be ln C).
    large_scores_finite : bool
        Whether loss and dW stay finite when X is scaled so that the largest
        score is 2000 (beyond ln(max float64) = 709.78; the exact loss is finite).
    C : int
        Number of classes.
    """

    gradcheck: float
    loss_diff: float
    dW_diff: float
    zero_loss: float
    large_scores_finite: bool
    C: int

    @property
    def caught(self) -> dict[str, bool]:
        """Which checks flag the function (keys are the columns of :data:`BUG_TABLE_HEADER`).

        ``grad check``: relative error >= 1e-7; ``loss vs ref`` / ``dW vs ref``:
        relative difference from ``softmax_loss_naive`` >= 1e-9; ``ln C check``:
        loss(W = 0) differs from ln C; ``big scores``: NaN or inf at score 2000.
        """
        return {
            "grad check": not self.gradcheck < GRADCHECK_GOOD,
            "loss vs ref": not self.loss_diff < 1e-9,
            "dW vs ref": not self.dW_diff < 1e-9,
            "ln C check": not abs(self.zero_loss - math.log(self.C)) < 1e-9,
            "big scores": not self.large_scores_finite,
        }

    def cells(self) -> list[tuple[str, bool]]:
        """``(text, flagged)`` per check, in the order of :attr:`caught`.

        Values below a floor (1e-7 for the gradient check, 1e-12 for the relative
        differences) are round-off and print as that floor's bound, so the table
        is the same on every machine (see the module docstring).
        """
        flags = self.caught
        texts = [
            format_small(max(self.gradcheck, GRADCHECK_GOOD)),
            format_small(max(self.loss_diff, 1e-12)),
            format_small(max(self.dW_diff, 1e-12)),
            f"{self.zero_loss:.4g}",
            "finite" if self.large_scores_finite else "nan/inf",
        ]
        return list(zip(texts, flags.values(), strict=True))

    def row(self) -> str:
        """One line of the gallery table: each measurement, marked ✗ where it flags a bug."""
        return "".join(f"{text + (' ✗' if bad else ' ✓'):>12s}" for text, bad in self.cells())


# Column titles of BugSignature.row(): the keys of BugSignature.caught.
BUG_TABLE_HEADER = "".join(
    f"{h:>12s}" for h in ("grad check", "loss vs ref", "dW vs ref", "ln C check", "big scores")
)
# bug_signature scales X so that the largest score is this: exp overflows float64 beyond 709.78.
LARGE_SCORE = 2000.0


def _relative_difference(a, b) -> float:
    a64 = np.asarray(a, dtype=np.float64)
    b64 = np.asarray(b, dtype=np.float64)
    if not (np.isfinite(a64).all() and np.isfinite(b64).all()):
        return float("nan")
    return float(np.max(np.abs(a64 - b64)) / max(float(np.max(np.abs(b64))), 1e-300))


def bug_signature(loss_fn: Callable, W, X, y, reg, *, num_checks: int = 20, rng=0) -> BugSignature:
    """Run every check of notebook 04 on ``loss_fn`` and record what each one says.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W, X, y, reg) -> (loss, dW)``, e.g. a function of :mod:`softmax.mistakes`.
    W : ndarray, shape (D, C), float64
    X : ndarray, shape (N, D), float64
    y : ndarray, shape (N,), int labels in [0, C)
    reg : float >= 0
        Use a reg that makes the regulariser matter (notebook 04 uses 0.1): at
        CS231n's 5e-6 with W ~ 1e-4 it adds about 1e-12 to the loss (D = 5, C = 4)
        and 1e-9 to dW, below a gradient check's 1e-7 (see :func:`gradcheck_vs_reg`).
    num_checks : int
        Entries of the sparse gradient check.
    rng : int or numpy Generator
        Picks the checked entries.

    Returns
    -------
    BugSignature
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; got {type(loss_fn).__name__}")
    W, X, y, reg = check_loss_inputs(W, X, y, check_reg(reg))
    loss, dW = loss_fn(W, X, y, reg)
    ref_loss, ref_dW = softmax_loss_naive(W, X, y, reg)
    errors = grad_check_sparse(
        lambda w: loss_fn(w, X, y, reg)[0], W, dW, num_checks=num_checks, rng=rng
    )
    zero_loss = float(loss_fn(np.zeros_like(W), X, y, 0.0)[0])
    largest = float(np.max(np.abs(X @ W)))
    if largest > 0:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            big_loss, big_dW = loss_fn(W, (LARGE_SCORE / largest) * X, y, reg)
        finite = bool(np.isfinite(big_loss) and np.isfinite(big_dW).all())
    else:  # W = 0: every score is 0 whatever X is
        finite = True
    return BugSignature(
        gradcheck=float(np.max(errors)),
        loss_diff=_relative_difference(loss, ref_loss),
        dW_diff=_relative_difference(dW, ref_dW),
        zero_loss=zero_loss,
        large_scores_finite=finite,
        C=W.shape[1],
    )


def gradcheck_vs_reg(
    loss_fn: Callable, W, X, y, regs, *, num_checks: int = 10, rng=0
) -> np.ndarray:
    """Worst relative error of a sparse gradient check of ``loss_fn`` at each reg.

    A regulariser bug (``reg * sum(W**2)`` in the loss with the wrong gradient,
    or no ``2 reg W`` in dW) changes dW by about ``reg * |W|``: the gradient check
    sees it only once that is not negligible next to the data gradient. Notebook 04
    plots this against reg at CS231n's W ~ 1e-4.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W, X, y, reg) -> (loss, dW)``.
    W : ndarray, shape (D, C), float64
    X : ndarray, shape (N, D), float64
    y : ndarray, shape (N,), int labels in [0, C)
    regs : array_like, shape (R,), each >= 0
    num_checks : int
        Entries checked per reg (the same entries for every reg).
    rng : int
        Seed choosing the entries.

    Returns
    -------
    ndarray, shape (R,), float64
        ``max`` of :func:`softmax.gradcheck.grad_check_sparse` at each reg.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; got {type(loss_fn).__name__}")
    W, X, y, _ = check_loss_inputs(W, X, y, 0.0)
    regs = as_float_array("regs", regs, ndim=1)
    if (regs < 0).any():
        raise ValueError("regs must all be >= 0")
    errors = np.empty(regs.size)
    for k, reg in enumerate(regs):
        reg = float(reg)
        dW = loss_fn(W, X, y, reg)[1]
        errors[k] = np.max(
            grad_check_sparse(
                lambda w, reg=reg: loss_fn(w, X, y, reg)[0], W, dW, num_checks=num_checks, rng=rng
            )
        )
    return errors
