"""Numerically stable softmax, log-softmax and log-sum-exp.

Derived in ``notebooks/02_log_sum_exp.ipynb``. All three use the max shift

    logsumexp(z) = m + log(sum_j exp(z_j - m)),   m = max_j z_j,

which is exact (softmax is invariant to adding a constant to every score) and
keeps every ``exp`` argument <= 0, so nothing overflows and the largest term is
exactly 1, so the sum never underflows to 0.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array

__all__ = ["log_softmax", "logsumexp", "softmax"]


def _prepare(Z, axis: int) -> tuple[np.ndarray, int]:
    Z = as_float_array("Z", Z)
    if Z.ndim == 0:
        raise ValueError("Z must have at least one dimension; got a scalar")
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int; got {type(axis).__name__}")
    if not -Z.ndim <= axis < Z.ndim:
        raise ValueError(f"axis {axis} is out of range for Z with {Z.ndim} dimension(s)")
    if Z.shape[axis] == 0:
        raise ValueError(f"Z must not be empty along axis {axis}; got shape {Z.shape}")
    return Z, int(axis)


def logsumexp(Z, axis: int = -1) -> np.ndarray:
    """``log(sum(exp(Z), axis))`` without overflow or underflow.

    Parameters
    ----------
    Z : array_like of real numbers, any shape with ``Z.shape[axis] >= 1``
        Finite scores. Integers are computed in float64, float32 stays float32.
    axis : int
        The axis to reduce (default: the last, i.e. over classes for (N, C)).

    Returns
    -------
    ndarray of Z's floating dtype, shape ``Z.shape`` without ``axis``.

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))  # naive: log(inf) = inf
    1000.6931471805599
    """
    Z, axis = _prepare(Z, axis)
    m = Z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(Z - m).sum(axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def log_softmax(Z, axis: int = -1) -> np.ndarray:
    """``log(softmax(Z))`` computed as ``Z - logsumexp(Z)``: never ``log(0) = -inf``.

    Shapes and dtypes as for :func:`softmax`.

    >>> log_softmax([0.0, -1000.0]).round(3).tolist()
    [0.0, -1000.0]
    """
    Z, axis = _prepare(Z, axis)
    shifted = Z - Z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(Z, axis: int = -1) -> np.ndarray:
    """Probabilities ``exp(Z) / sum(exp(Z), axis)``, computed with the max shift.

    Parameters
    ----------
    Z : array_like of real numbers, any shape with ``Z.shape[axis] >= 1``
        Finite scores (logits). Scores of +-1e4 are fine.
    axis : int
        The axis along which the probabilities sum to 1 (default: last).

    Returns
    -------
    ndarray, same shape as Z, floating dtype of Z (float64 for integer Z);
    every entry in [0, 1], sums along ``axis`` equal to 1.

    >>> softmax([1.0, 2.0, 3.0]).round(4).tolist()
    [0.09, 0.2447, 0.6652]
    """
    Z, axis = _prepare(Z, axis)
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
