"""Gradient checking: compare an analytic gradient with centred differences.

Used in ``notebooks/04_gradient_checking.ipynb`` (where the h-sweep and the thresholds
are explained) and in the tests. The centred difference

    df/dW[k] ~ (f(W + h e_k) - f(W - h e_k)) / (2 h)

has truncation error O(h^2) and round-off error O(eps / h): in float64,
h = 1e-5 balances the two, and a correct gradient then agrees to a relative
error below about 1e-7.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ._validation import as_float_array

__all__ = ["grad_check_sparse", "numerical_gradient", "rel_error"]


def _scalar(f: Callable, W: np.ndarray) -> float:
    """Call ``f(W)``; accept a float or a ``(loss, grad)`` tuple."""
    value = f(W)
    if isinstance(value, tuple):
        value = value[0]
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "f must return a number (or a tuple whose first item is a number); "
            f"got {type(value).__name__}"
        ) from exc


def _check_h(h) -> float:
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a finite number > 0; got {h!r}")
    return float(h)


def _check_f(f) -> None:
    if not callable(f):
        raise TypeError(f"f must be callable, f(W) -> loss; got {type(f).__name__}")


def _perturbed(f: Callable, W: np.ndarray, index: tuple, h: float) -> float:
    """Centred difference of f along one coordinate of W (W restored afterwards)."""
    old = W[index]
    W[index] = old + h
    f_plus = _scalar(f, W)
    W[index] = old - h
    f_minus = _scalar(f, W)
    W[index] = old
    return (f_plus - f_minus) / (2 * h)


def numerical_gradient(f: Callable, W, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of a scalar function at W, every coordinate.

    Parameters
    ----------
    f : callable
        ``f(W) -> float`` (or a tuple whose first item is the float, so a loss
        function returning ``(loss, dW)`` can be passed through a lambda).
    W : array_like, any shape, floating
        Point at which to differentiate. Not modified: f sees a copy.
    h : float > 0
        Step size.

    Returns
    -------
    ndarray, same shape and floating dtype as W.

    Costs 2 * W.size calls of f: use :func:`grad_check_sparse` for large W.
    """
    _check_f(f)
    h = _check_h(h)
    work = as_float_array("W", W).copy()
    grad = np.zeros_like(work)
    for index in np.ndindex(work.shape):
        grad[index] = _perturbed(f, work, index, h)
    return grad


def rel_error(a, b) -> float:
    """Largest element-wise relative error ``|a - b| / max(|a| + |b|, 1e-8)``.

    The floor of 1e-8 keeps entries where both gradients are ~0 from dividing
    by zero (CS231n's convention). Shapes of a and b must match.
    """
    a = as_float_array("a", a, min_size=0)
    b = as_float_array("b", b, min_size=0)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return float(np.max(np.abs(a64 - b64) / np.maximum(1e-8, np.abs(a64) + np.abs(b64))))


def grad_check_sparse(
    f: Callable, W, analytic, num_checks: int = 10, h: float = 1e-5, rng=None
) -> np.ndarray:
    """Compare ``analytic`` with centred differences at randomly chosen entries.

    Parameters
    ----------
    f : callable
        ``f(W) -> float`` (or ``(float, ...)``), as for :func:`numerical_gradient`.
    W : array_like, floating, any shape
        Point of the check. Not modified.
    analytic : array_like, same shape as W
        The gradient to check, e.g. the ``dW`` returned by a loss function.
    num_checks : int >= 1
        How many entries to check (drawn with replacement).
    h : float > 0
        Step size.
    rng : None, int or numpy.random.Generator
        Chooses the entries; ``None`` means ``np.random.default_rng(0)``, so a
        check is reproducible unless asked otherwise.

    Returns
    -------
    ndarray, shape (num_checks,), float64
        The relative error :func:`rel_error` at each checked entry.
    """
    _check_f(f)
    h = _check_h(h)
    work = as_float_array("W", W).copy()
    analytic = as_float_array("analytic", analytic)
    if analytic.shape != work.shape:
        raise ValueError(f"analytic must have the shape of W {work.shape}; got {analytic.shape}")
    if (
        isinstance(num_checks, bool)
        or not isinstance(num_checks, numbers.Integral)
        or num_checks < 1
    ):
        raise ValueError(f"num_checks must be an integer >= 1; got {num_checks!r}")
    if rng is None or isinstance(rng, numbers.Integral):
        rng = np.random.default_rng(0 if rng is None else int(rng))
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be None, an int seed or a numpy Generator; got {type(rng).__name__}"
        )
    errors = np.empty(int(num_checks))
    for k in range(int(num_checks)):
        index = tuple(int(rng.integers(n)) for n in work.shape)
        numeric = _perturbed(f, work, index, h)
        errors[k] = rel_error(np.array([numeric]), np.array([analytic[index]]))
    return errors
