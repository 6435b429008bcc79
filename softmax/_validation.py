"""Input checks shared by the public functions.

Every public function of the package validates its arguments here, so that a
mistake gives a clear ``TypeError`` or ``ValueError`` naming the argument and
what was expected, never a silently wrong number. The classic trap these checks
close is a label of ``-1``: numpy indexing would quietly wrap it to the last
class.

The checks are cheap (O(N + D*C)); the one O(N*D) check, "X holds no NaN or
inf", is done on the scores ``X @ W`` instead (see :func:`check_scores`), so the
vectorized loss reads X only in its two matrix products.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_rng",
    "check_loss_inputs",
    "check_reg",
    "check_result",
    "check_scores",
    "compute_dtype",
    "reports_overflow",
]


def _as_numeric(name: str, a) -> np.ndarray:
    """``np.asarray(a)``, refusing arrays that are not real numbers."""
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array; got {type(a).__name__}: {exc}") from exc
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must hold real numbers (integer or floating dtype); got dtype {arr.dtype}"
        )
    return arr


def compute_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype the computation runs in: float32 if every input is float32
    (or narrower), else float64. Integer inputs count as float64."""
    dt = np.result_type(*[a.dtype for a in arrays], np.float32)
    return np.dtype(np.float64) if dt.itemsize > 8 or dt.kind != "f" else dt


def as_float_array(name: str, a, *, ndim: int | None = None, min_size: int = 1) -> np.ndarray:
    """Validate ``a`` as a finite real array and return it as a floating ndarray.

    Integer input is converted to float64; float32 and float64 are kept as they
    are (no copy). ``ndim`` (if given) is the required number of dimensions.
    """
    arr = _as_numeric(name, a)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array; got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    elif arr.dtype.itemsize < 4:
        arr = arr.astype(np.float32)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return arr


def as_rng(rng) -> np.random.Generator:
    """``rng`` as a Generator: a Generator is used as is, an int (or None) seeds a new one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        "rng must be a numpy Generator (np.random.default_rng(seed)), an int seed or None; "
        f"got {type(rng).__name__}"
    )


def check_reg(reg) -> float:
    """``reg`` must be a real number >= 0 (not NaN, not inf, not a bool)."""
    if isinstance(reg, bool | np.bool_) or not isinstance(reg, numbers.Real):
        raise TypeError(f"reg must be a real number >= 0; got {type(reg).__name__} {reg!r}")
    reg = float(reg)
    if not np.isfinite(reg) or reg < 0:
        raise ValueError(f"reg must be a finite number >= 0; got {reg!r}")
    return reg


def check_loss_inputs(W, X, y, reg):
    """Validate the arguments of a softmax loss function.

    Returns ``(W, X, y, reg)`` with ``W`` and ``X`` as ndarrays of one floating
    dtype (float32 only if both are float32), ``y`` as an integer ndarray and
    ``reg`` as a float. Inputs are never modified; a copy is made only when a
    dtype conversion is needed.

    ``X`` is checked for NaN/inf later, on the scores (:func:`check_scores`).
    """
    W = _as_numeric("W", W)
    X = _as_numeric("X", X)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array of shape (D, C); got shape {W.shape}")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (N, D); got shape {X.shape}")
    D, C = W.shape
    N = X.shape[0]
    if D < 1:
        raise ValueError(f"W must have at least one row (feature); got shape {W.shape}")
    if C < 2:
        raise ValueError(
            f"W must have at least 2 columns (classes); got shape {W.shape}. With one class "
            "the softmax probability is always 1 and the loss carries no information: "
            "is W transposed?"
        )
    if N < 1:
        raise ValueError(
            f"X must hold at least one example (an empty batch has no mean loss); got shape {X.shape}"
        )
    if X.shape[1] != D:
        raise ValueError(
            f"X has {X.shape[1]} features per row but W has {D} rows: X must be (N, D) "
            f"and W (D, C); got X {X.shape}, W {W.shape}"
        )
    dt = compute_dtype(W, X)
    W = W.astype(dt, copy=False)
    X = X.astype(dt, copy=False)
    if not np.isfinite(W).all():
        raise ValueError("W must not contain NaN or inf")

    y = _check_labels(y, N, C)
    return W, X, y, check_reg(reg)


def _check_labels(y, N: int, C: int) -> np.ndarray:
    if isinstance(y, np.ndarray):
        arr = y
    else:
        try:
            arr = np.asarray(y)
        except Exception as exc:
            raise TypeError(
                f"y must be an integer array of labels; got {type(y).__name__}"
            ) from exc
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(
            f"y must hold integer class labels (an integer dtype); got dtype {arr.dtype}. "
            "If your labels are whole numbers stored as floats, convert them with y.astype(int)."
        )
    if arr.ndim != 1:
        raise ValueError(f"y must be a 1-D array of shape (N,); got shape {arr.shape}")
    if arr.shape[0] != N:
        raise ValueError(f"y has {arr.shape[0]} labels but X has {N} rows: len(y) must equal N")
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= C:
        bad = lo if lo < 0 else hi
        raise ValueError(
            f"y must hold labels in [0, C) = [0, {C}); found {bad}"
            + (" (numpy would silently wrap a negative label to the last class)" if bad < 0 else "")
        )
    return arr


def check_scores(scores: np.ndarray, X: np.ndarray, W: np.ndarray) -> None:
    """Raise ``ValueError`` if the scores ``X @ W`` are not all finite.

    W has already been checked, so non-finite scores mean either NaN/inf in X
    (IEEE arithmetic propagates them through every product) or scores too large
    for the dtype. The exact O(N*D) look at X happens only on this error path.
    """
    if np.isfinite(scores).all():
        return
    if not np.isfinite(X).all():
        raise ValueError("X must not contain NaN or inf")
    raise ValueError(
        f"the scores X @ W overflow {scores.dtype} (largest finite value "
        f"{np.finfo(scores.dtype).max:.3g}); rescale X or W"
    )


def check_result(loss: float, dW: np.ndarray) -> None:
    """Raise ``ValueError`` if finite inputs still gave an infinite loss or gradient.

    Only inputs near the top of the floating range get here (say X ~ 1e300);
    returning inf would be a wrong answer, so say what happened instead.
    """
    if not np.isfinite(loss):
        raise ValueError(f"the loss overflows float64 ({loss}); rescale X or W, or lower reg")
    if not np.isfinite(dW).all():
        raise ValueError(f"the gradient dW overflows {dW.dtype}; rescale X or W, or lower reg")


def reports_overflow(loss_fn):
    """Decorator for loss functions: silence numpy's overflow/invalid warnings.

    A loss function decorated with it calls :func:`check_scores` and
    :func:`check_result`, which turn any overflow or NaN into one clear
    ``ValueError``; numpy's RuntimeWarnings on the way would only add noise.
    """

    @functools.wraps(loss_fn)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return loss_fn(*args, **kwargs)

    return wrapper
