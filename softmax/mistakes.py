"""WRONG ON PURPOSE: broken softmax functions for notebooks 02 and 03 to take apart.

Nothing in this module is correct for general use. Each function reproduces one
classic mistake so that a notebook can run it, show how it fails and show which
check catches it. Use :mod:`softmax.functions` and :mod:`softmax.loss` for real work.

Notebook 02 (``notebooks/02_log_sum_exp.ipynb``) shows the unshifted formulas
failing on large scores:

- :func:`naive_softmax`, :func:`naive_log_softmax`, :func:`naive_logsumexp`:
  ``exp`` of the raw scores overflows beyond ln(max float) (88.72 in float32,
  709.78 in float64) and underflows to 0 below ln(smallest subnormal).

Notebook 03 (``notebooks/03_gradient.ipynb``) runs a bug gallery of losses with
the signature ``loss_fn(W, X, y, reg) -> (loss, dW)`` of
:func:`softmax.softmax_loss_vectorized`:

==============================  ===================================  ===========================================
function                        the mistake                          caught by (reg = 0.1, W not tiny)
==============================  ===================================  ===========================================
``loss_missing_mean``           sums over the batch, no 1/N          loss vs ref, dW vs ref, ln C check (N ln C)
``loss_half_reg``               loss ½·reg·ΣW², gradient 2·reg·W     grad check, loss vs ref
``loss_no_max_shift``           exp of unshifted scores              big scores only (nan/inf)
``loss_missing_minus_one``      dW = Xᵀ P / N, no −1 on true class   grad check, dW vs ref
``loss_reg_missing_in_grad``    reg in the loss, not in dW           grad check, dW vs ref
==============================  ===================================  ===========================================

"ref" is :func:`softmax.softmax_loss_naive`; the names are the keys of
:attr:`softmax.display.checks.BugSignature.caught`.

:data:`GALLERY` lists them with these expectations, which ``tests/test_bugs.py``
verifies with :func:`softmax.display.checks.bug_signature`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_loss_inputs

__all__ = [
    "GALLERY",
    "Bug",
    "loss_half_reg",
    "loss_missing_mean",
    "loss_missing_minus_one",
    "loss_no_max_shift",
    "loss_reg_missing_in_grad",
    "naive_log_softmax",
    "naive_logsumexp",
    "naive_softmax",
]


# --------------------------------------------------------------------------- notebook 02


def _naive_exp(Z, axis: int) -> tuple[np.ndarray, np.ndarray]:
    Z = as_float_array("Z", Z)
    if not isinstance(axis, int) or not -Z.ndim <= axis < Z.ndim:
        raise ValueError(f"axis must be an int in [-{Z.ndim}, {Z.ndim}); got {axis!r}")
    E = np.exp(Z)  # WRONG ON PURPOSE: no max shift, overflows for large scores
    return E, E.sum(axis=axis, keepdims=True)


def naive_softmax(Z, axis: int = -1) -> np.ndarray:
    """WRONG ON PURPOSE: ``exp(Z) / sum(exp(Z))`` without the max shift.

    Right for small scores; overflows to ``inf / inf = nan`` once a score passes
    ln(max float), and gives ``0 / 0 = nan`` when every score is below
    ln(smallest subnormal). Emits numpy RuntimeWarnings then. Shown failing in
    notebook 02; use :func:`softmax.softmax`.

    Parameters
    ----------
    Z : array_like, any shape, finite real numbers (float32 stays float32)
    axis : int

    Returns
    -------
    ndarray, shape and floating dtype of Z; may hold NaN.
    """
    E, total = _naive_exp(Z, axis)
    return E / total


def naive_log_softmax(Z, axis: int = -1) -> np.ndarray:
    """WRONG ON PURPOSE: ``log(naive_softmax(Z))``.

    Besides the overflow of :func:`naive_softmax`, a probability that underflows
    to 0 gives ``log(0) = -inf`` although the true log-probability is finite
    (e.g. -800). Notebook 02; use :func:`softmax.log_softmax`.

    Returns
    -------
    ndarray, shape and floating dtype of Z; may hold -inf or NaN.
    """
    return np.log(naive_softmax(Z, axis=axis))


def naive_logsumexp(Z, axis: int = -1) -> np.ndarray:
    """WRONG ON PURPOSE: ``log(sum(exp(Z)))`` without the max shift.

    ``inf`` as soon as one score passes ln(max float), ``-inf`` when all scores
    are below ln(smallest subnormal). Notebook 02; use :func:`softmax.logsumexp`.

    Returns
    -------
    ndarray of Z's floating dtype, shape of Z without ``axis``.
    """
    _, total = _naive_exp(Z, axis)
    return np.squeeze(np.log(total), axis=axis)


# --------------------------------------------------------------------------- notebook 03


def _buggy_loss(
    W,
    X,
    y,
    reg,
    *,
    mean: bool = True,
    shift: bool = True,
    minus_one: bool = True,
    reg_loss: float = 1.0,
    reg_grad: float = 2.0,
):
    """The vectorized softmax loss with switches that break it one way at a time.

    With the defaults it computes what :func:`softmax.softmax_loss_vectorized`
    computes; each public bug function turns exactly one switch.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    N = X.shape[0]
    rows = np.arange(N)
    S = X @ W
    if shift:
        S = S - S.max(axis=1, keepdims=True)
    E = np.exp(S)
    sums = E.sum(axis=1)
    data_loss = np.sum(np.log(sums) - S[rows, y], dtype=np.float64)
    G = E / sums[:, None]
    if minus_one:
        G[rows, y] -= 1
    dW = X.T @ G
    if mean:
        data_loss /= N
        dW /= N
    loss = float(data_loss) + reg_loss * reg * float(np.sum(np.square(W, dtype=np.float64)))
    return loss, dW + reg_grad * reg * W


def loss_missing_mean(W, X, y, reg):
    """WRONG ON PURPOSE: sums the loss and its gradient over the batch, no 1/N.

    Loss and gradient stay consistent, so a gradient check PASSES; only a
    comparison with a reference loss (or the sanity check loss(W=0) = ln C,
    which gives N ln C here) catches it. The learning rate silently scales with
    the batch size. Notebook 03's bug gallery.
    """
    return _buggy_loss(W, X, y, reg, mean=False)


def loss_half_reg(W, X, y, reg):
    """WRONG ON PURPOSE: regulariser ``0.5 * reg * sum(W**2)`` in the loss, ``2 * reg * W`` in dW.

    Either convention alone is fine (½·λ'·ΣW² with λ' = 2λ is the same loss);
    mixing them makes dW wrong by ``reg * W``. Caught by the gradient check and
    by the loss comparison, but only when ``reg * W`` is not negligible: at
    CS231n's reg = 5e-6 with W ~ 1e-4 nothing notices. Notebook 03.
    """
    return _buggy_loss(W, X, y, reg, reg_loss=0.5)


def loss_no_max_shift(W, X, y, reg):
    """WRONG ON PURPOSE: exponentiates the raw scores (no max shift).

    Exact for ordinary scores, so the gradient check and the comparison both
    pass; with scores beyond 709.78 (float64) ``exp`` overflows and the loss is
    NaN. Only a test with large scores catches it. Notebooks 02 and 03.
    """
    return _buggy_loss(W, X, y, reg, shift=False)


def loss_missing_minus_one(W, X, y, reg):
    """WRONG ON PURPOSE: dW = Xᵀ P / N + 2 reg W, forgetting to subtract 1 at the true class.

    The loss is right, the gradient is not (it should be Xᵀ (P − Y) / N): the
    gradient check and the dW comparison catch it. Notebook 03.
    """
    return _buggy_loss(W, X, y, reg, minus_one=False)


def loss_reg_missing_in_grad(W, X, y, reg):
    """WRONG ON PURPOSE: reg * sum(W**2) is in the loss but 2 * reg * W is not added to dW.

    Caught by the gradient check and the dW comparison when reg is large enough
    (notebook 03 uses 0.1); invisible at reg = 5e-6. Notebook 03.
    """
    return _buggy_loss(W, X, y, reg, reg_grad=0.0)


@dataclass(frozen=True)
class Bug:
    """One entry of the bug gallery.

    Attributes
    ----------
    name : str
        Short label used in notebook 03's table.
    loss_fn : callable
        ``loss_fn(W, X, y, reg) -> (loss, dW)``, wrong on purpose.
    caught_by : frozenset of str
        The checks of :attr:`softmax.display.checks.BugSignature.caught` that flag it
        at reg = 0.1 with W of order 0.1-1.
    """

    name: str
    loss_fn: object
    caught_by: frozenset


GALLERY = (
    Bug(
        "missing /N",
        loss_missing_mean,
        frozenset({"loss vs ref", "dW vs ref", "ln C check"}),
    ),
    Bug("½ vs 2 in reg", loss_half_reg, frozenset({"grad check", "loss vs ref"})),
    Bug("no max shift", loss_no_max_shift, frozenset({"big scores"})),
    Bug("no −1 on true class", loss_missing_minus_one, frozenset({"grad check", "dW vs ref"})),
    Bug("reg missing in dW", loss_reg_missing_in_grad, frozenset({"grad check", "dW vs ref"})),
)
