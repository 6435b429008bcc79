"""WRONG ON PURPOSE: the catalogue of classic mistakes, with broken implementations.

Nothing in this module is correct for general use. Each function reproduces one
classic mistake so that a notebook can run it, show how it fails and show which
check catches it, and so that :mod:`softmax.feedback` can recognise it in a
student's code. Use :mod:`softmax.functions` and :mod:`softmax.loss` for real work.

:data:`CATALOGUE` (id -> :class:`Mistake`) is the one list of mistakes: notebook
04's gallery, :mod:`softmax.feedback`, its tests and the autograder all use it.
Each entry names the parts of a check it breaks, a diagnosis, a hint, the
notebook section that explains it (a key of :data:`SECTIONS`, the one table of
notebook headings the hints point to) and two wrong implementations, one written
with loops and one vectorized:

- loss ``fn(W, X, y, reg) -> (loss, dW)``: ``missing-mean``, ``mean-missing-in-dW``,
  ``reg-loss-halved``, ``reg-grad-halved``, ``reg-missing-in-loss``,
  ``reg-missing-in-dW``, ``reg-grad-divided-by-N``, ``no-max-shift``, ``max-over-whole-batch``,
  ``log-of-probability``, ``no-minus-one``, ``gradient-sign-flipped``,
  ``softmax-over-examples``, ``loss-over-all-classes``, ``dW-transposed``,
  ``inputs-mutated`` (switches of :func:`_buggy_loss` / :func:`_buggy_loss_loop`);
- softmax ``fn(S) -> P``: ``softmax-no-shift``, ``softmax-wrong-axis``, ``softmax-in-place``;
- numerical gradient ``fn(f, x, h=1e-5) -> grad``: ``forward-difference``,
  ``h-not-2h``, ``x-not-restored``.

Notebook 02 (``notebooks/02_log_sum_exp.ipynb``) shows the unshifted formulas
failing on large scores:

- :func:`naive_softmax`, :func:`naive_log_softmax`, :func:`naive_logsumexp`:
  ``exp`` of the raw scores overflows beyond ln(max float) (88.72 in float32,
  709.78 in float64) and underflows to 0 below ln(smallest subnormal).

Notebook 04 (``notebooks/04_gradient_checking.ipynb``) runs a bug gallery of losses with
the signature ``loss_fn(W, X, y, reg) -> (loss, dW)`` of
:func:`softmax.softmax_loss_vectorized` (each the vectorized implementation of a
catalogue entry, named in ``Bug.mistake``):

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

:data:`GALLERY` lists them with these expectations, which ``tests/test_mistakes.py``
verifies with :func:`softmax.display.checks.bug_signature`.
"""

from __future__ import annotations

import functools
import inspect
import types
from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_loss_inputs

__all__ = [
    "CATALOGUE",
    "GALLERY",
    "SECTIONS",
    "Bug",
    "Mistake",
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


# --------------------------------------------------------------------------- notebook 04


def _buggy_loss(
    W,
    X,
    y,
    reg,
    *,
    mean: bool = True,
    mean_in_dW: bool = True,
    shift: bool | str = True,
    minus_one: bool = True,
    reg_loss: float = 1.0,
    reg_grad: float = 2.0,
    reg_grad_over_n: bool = False,
    log_of_probability: bool = False,
    sign_flipped: bool = False,
    axis: int = 1,
    all_classes: bool = False,
    transposed: bool = False,
    mutate: bool = False,
):
    """The vectorized softmax loss with switches that break it one way at a time.

    With the defaults it computes what :func:`softmax.softmax_loss_vectorized`
    computes; each mistake of :data:`CATALOGUE` turns one switch (``axis=0``
    normalises over the examples, ``mutate`` builds dW in W's own buffer).
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    N = X.shape[0]
    rows = np.arange(N)
    S = X @ W
    if shift == "batch":  # one maximum for the whole batch
        S = S - S.max()
    elif shift:
        S = S - S.max(axis=axis, keepdims=True)
    E = np.exp(S)
    sums = E.sum(axis=axis, keepdims=True)
    P = E / sums
    # -log p = log-sum-exp - score; -log(P) gives log(0) = -inf once p underflows
    L = -np.log(P) if log_of_probability else np.log(sums) - S
    data_loss = np.sum(L if all_classes else L[rows, y], dtype=np.float64)
    if minus_one:
        P[rows, y] -= 1
    dW = X.T @ (-P if sign_flipped else P)
    if mean:
        data_loss /= N
        if mean_in_dW:
            dW /= N
    loss = float(data_loss) + reg_loss * reg * float(np.sum(np.square(W, dtype=np.float64)))
    scale = reg_grad * reg / (N if reg_grad_over_n else 1)  # 2 reg W added before dW /= N
    if mutate:  # dW = W; dW *= 2 * reg; ...: the caller's W is overwritten
        W *= scale
        W += dW
        return loss, W
    dW = dW + scale * W
    return loss, (dW.T if transposed else dW)


def _buggy_loss_loop(W, X, y, reg, **switches):
    """:func:`_buggy_loss` written the naive way: loops over examples and classes.

    Same switches (keyword arguments of :func:`_buggy_loss`), same mistakes, a
    second code path: a check that recognises a mistake must recognise it however
    it was written.
    """
    bound = inspect.signature(_buggy_loss).bind(W, X, y, reg, **switches)
    bound.apply_defaults()
    o = types.SimpleNamespace(**bound.arguments)
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    N, C = X.shape[0], W.shape[1]
    S = np.empty((N, C), dtype=W.dtype)
    for i in range(N):
        for j in range(C):
            S[i, j] = X[i] @ W[:, j]
    P = np.empty_like(S)
    L = np.empty_like(S)
    batch_max = max(max(row) for row in S)
    groups = (
        [(i, slice(None)) for i in range(N)]
        if o.axis == 1
        else [(slice(None), j) for j in range(C)]
    )
    for g in groups:
        s = S[g] - (batch_max if o.shift == "batch" else S[g].max() if o.shift else 0)
        e = np.exp(s)
        total = e.sum()
        P[g] = e / total
        L[g] = -np.log(e / total) if o.log_of_probability else np.log(total) - s
    data_loss = 0.0
    dW = np.zeros_like(W)
    for i in range(N):
        for j in range(C):
            if o.all_classes or j == y[i]:
                data_loss += float(L[i, j])
            coef = P[i, j] - (1.0 if o.minus_one and j == y[i] else 0.0)
            dW[:, j] += (-coef if o.sign_flipped else coef) * X[i]
    if o.mean:
        data_loss /= N
        if o.mean_in_dW:
            dW /= N
    loss = data_loss + o.reg_loss * reg * float(np.sum(np.square(W, dtype=np.float64)))
    for k in range(W.shape[0]):
        for j in range(C):
            term = o.reg_grad * reg * W[k, j] / (N if o.reg_grad_over_n else 1)
            if o.mutate:
                W[k, j] = dW[k, j] + term
            else:
                dW[k, j] += term
    if o.mutate:
        return loss, W
    return loss, (dW.T if o.transposed else dW)


def loss_missing_mean(W, X, y, reg):
    """WRONG ON PURPOSE: sums the loss and its gradient over the batch, no 1/N.

    Loss and gradient stay consistent, so a gradient check PASSES; only a
    comparison with a reference loss (or the sanity check loss(W=0) = ln C,
    which gives N ln C here) catches it. The learning rate silently scales with
    the batch size. Notebook 04's bug gallery.
    """
    return _buggy_loss(W, X, y, reg, mean=False)


def loss_half_reg(W, X, y, reg):
    """WRONG ON PURPOSE: regulariser ``0.5 * reg * sum(W**2)`` in the loss, ``2 * reg * W`` in dW.

    Either convention alone is fine (½·λ'·ΣW² with λ' = 2λ is the same loss);
    mixing them makes dW wrong by ``reg * W``. Caught by the gradient check and
    by the loss comparison, but only when ``reg * W`` is not negligible: at
    CS231n's reg = 5e-6 with W ~ 1e-4 nothing notices. Notebook 04.
    """
    return _buggy_loss(W, X, y, reg, reg_loss=0.5)


def loss_no_max_shift(W, X, y, reg):
    """WRONG ON PURPOSE: exponentiates the raw scores (no max shift).

    Exact for ordinary scores, so the gradient check and the comparison both
    pass; with scores beyond 709.78 (float64) ``exp`` overflows and the loss is
    NaN. Only a test with large scores catches it. Notebooks 02 and 04.
    """
    return _buggy_loss(W, X, y, reg, shift=False)


def loss_missing_minus_one(W, X, y, reg):
    """WRONG ON PURPOSE: dW = Xᵀ P / N + 2 reg W, forgetting to subtract 1 at the true class.

    The loss is right, the gradient is not (it should be Xᵀ (P − Y) / N): the
    gradient check and the dW comparison catch it. Notebook 04.
    """
    return _buggy_loss(W, X, y, reg, minus_one=False)


def loss_reg_missing_in_grad(W, X, y, reg):
    """WRONG ON PURPOSE: reg * sum(W**2) is in the loss but 2 * reg * W is not added to dW.

    Caught by the gradient check and the dW comparison when reg is large enough
    (notebook 04 uses 0.1); invisible at reg = 5e-6. Notebook 04.
    """
    return _buggy_loss(W, X, y, reg, reg_grad=0.0)


@dataclass(frozen=True)
class Bug:
    """One entry of the bug gallery.

    Attributes
    ----------
    name : str
        Short label used in notebook 04's table.
    loss_fn : callable
        ``loss_fn(W, X, y, reg) -> (loss, dW)``, wrong on purpose.
    caught_by : frozenset of str
        The checks of :attr:`softmax.display.checks.BugSignature.caught` that flag it
        at reg = 0.1 with W of order 0.1-1.
    """

    name: str
    loss_fn: object
    caught_by: frozenset
    mistake: str = ""


GALLERY = (
    Bug(
        "missing /N",
        loss_missing_mean,
        frozenset({"loss vs ref", "dW vs ref", "ln C check"}),
        "missing-mean",
    ),
    Bug(
        "½ vs 2 in reg", loss_half_reg, frozenset({"grad check", "loss vs ref"}), "reg-loss-halved"
    ),
    Bug("no max shift", loss_no_max_shift, frozenset({"big scores"}), "no-max-shift"),
    Bug(
        "no −1 on true class",
        loss_missing_minus_one,
        frozenset({"grad check", "dW vs ref"}),
        "no-minus-one",
    ),
    Bug(
        "reg missing in dW",
        loss_reg_missing_in_grad,
        frozenset({"grad check", "dW vs ref"}),
        "reg-missing-in-dW",
    ),
)


# --------------------------------------------------------------------------- check_softmax's mistakes


def _softmax_vectorized(S, *, shift: bool = True, axis: int = 1, in_place: bool = False):
    """A batch softmax with switches: no max shift, the wrong axis, or written over S."""
    Z = S if in_place else np.array(S, dtype=np.result_type(np.asarray(S).dtype, np.float32))
    if shift:
        Z -= Z.max(axis=axis, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=axis, keepdims=True)
    return Z


def _softmax_loop(S, *, shift: bool = True, axis: int = 1, in_place: bool = False):
    """:func:`_softmax_vectorized` one row (or, with ``axis=0``, one column) at a time."""
    S = np.asarray(S)
    out = S if in_place else np.empty(S.shape, dtype=np.result_type(S.dtype, np.float32))
    lines = range(S.shape[0]) if axis == 1 else range(S.shape[1])
    for k in lines:
        index = (k, slice(None)) if axis == 1 else (slice(None), k)
        s = S[index] - (S[index].max() if shift else 0)
        e = np.exp(s)
        out[index] = e / e.sum()
    return out


# --------------------------------------------------------------------------- check_numerical_gradient's mistakes


def _numgrad_indexed(f, x, h=1e-5, *, forward=False, one_h=False, restore=True):
    """Finite differences over ``np.ndindex``, with the classic mistakes as switches."""
    grad = np.zeros(np.shape(x), dtype=np.float64)
    for index in np.ndindex(*np.shape(x)):
        old = x[index]
        x[index] = old + h
        f_plus = f(x)
        x[index] = old if forward else old - h
        f_minus = f(x)
        if restore:
            x[index] = old
        grad[index] = (f_plus - f_minus) / (h if forward or one_h else 2 * h)
    return grad


def _numgrad_flat(f, x, h=1e-5, *, forward=False, one_h=False, restore=True):
    """The same through a flat view of x and a while loop (x must be contiguous)."""
    flat = x.reshape(-1)
    grad = np.zeros(flat.size, dtype=np.float64)
    i = 0
    while i < flat.size:
        old = float(flat[i])
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old if forward else old - h
        f_minus = f(x)
        if restore:
            flat[i] = old
        grad[i] = (f_plus - f_minus) / (h if forward or one_h else 2 * h)
        i += 1
    return grad.reshape(np.shape(x))


# --------------------------------------------------------------------------- the catalogue

SECTIONS = {
    "loss": ("01", "The loss of a linear classifier"),
    "cross-entropy": ("01", "Cross-entropy: the surprisal of the true class"),
    "properties": ("01", "Properties: positive, sums to one, keeps the order"),
    "ln-c": ("01", "Sanity check: at $W = 0$ the loss is $\\ln C$"),
    "overflow": ("02", "The failure, for real: overflow"),
    "shift": ("02", "The fix: shift every score by the maximum"),
    "log-softmax": ("02", "log-softmax: the loss never takes the log of a probability"),
    "one-example": ("03", "One example: the derivative with respect to the scores"),
    "batch": ("03", "A batch: $(P - Y) / N$"),
    "weights": ("03", "Through the scores to the weights"),
    "half": ("03", "The ½ convention"),
    "centred": ("04", "Gradient checking: centred differences"),
    "thresholds": ("04", "The relative error and its thresholds"),
    "which-h": ("04", "Which $h$? The U curve"),
    "gallery": ("04", "A bug gallery"),
    "vectorized": ("05", "Same inputs through both versions"),
    "timing": ("05", "Timing, honestly"),
    "sgd": ("06", "Minibatch stochastic gradient descent"),
    "lr-reg": ("06", "Choosing the learning rate and reg on the validation set"),
    "sanity-05": ("06", "Sanity check 1: before training, the loss is $\\ln C$"),
}
"""Every notebook section a check's hint points to: key -> (notebook, heading text).

The ONE place that names notebook headings (a renamed heading is fixed here);
``tests/test_feedback.py`` checks that each heading exists in its notebook.
"""


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: what it breaks, how to recognise it, what to do.

    Attributes
    ----------
    id : str
        Stable name, e.g. ``"missing-mean"`` (what a report's ``.mistakes`` lists).
    check : str
        The check that diagnoses it: ``"loss"``, ``"softmax"`` or ``"numerical_gradient"``.
    parts : frozenset of str
        The parts of that check it breaks (``"loss"``, ``"gradient"``, ``"values"``,
        ``"stability"``, ``"interface"``, ``"side-effects"``).
    diagnosis : str
        What the numbers show, in plain words.
    hint : str
        What to change.
    section : str
        Key of :data:`SECTIONS`: where a notebook explains it.
    loop, vectorized : callable
        Two wrong implementations (written with loops / with whole-array numpy),
        with the signature of the checked function.
    """

    id: str
    check: str
    parts: frozenset
    diagnosis: str
    hint: str
    section: str
    loop: object
    vectorized: object

    @property
    def implementations(self) -> tuple:
        return (self.loop, self.vectorized)


def _loss_mistake(id, parts, diagnosis, hint, section, **switches):
    return Mistake(
        id,
        "loss",
        frozenset(parts),
        diagnosis,
        hint,
        section,
        functools.partial(_buggy_loss_loop, **switches),
        functools.partial(_buggy_loss, **switches),
    )


def _other_mistake(id, check, parts, diagnosis, hint, section, pair, **switches):
    return Mistake(
        id,
        check,
        frozenset(parts),
        diagnosis,
        hint,
        section,
        functools.partial(pair[0], **switches),
        functools.partial(pair[1], **switches),
    )


_CATALOGUE = (
    _loss_mistake(
        "missing-mean",
        {"loss", "gradient"},
        "your loss is N times the right one: the sum over the examples was not divided by N "
        "(and neither was dW)",
        "divide the summed loss and the summed gradient by N, then add the regulariser",
        "batch",
        mean=False,
    ),
    _loss_mistake(
        "mean-missing-in-dW",
        {"gradient"},
        "your loss is averaged but dW is not: its data term is N times Xᵀ(P − Y)/N",
        "dW = X.T @ (P - Y) / N + 2 * reg * W: divide the data term by N as the loss is",
        "batch",
        mean_in_dW=False,
    ),
    _loss_mistake(
        "reg-loss-halved",
        {"loss"},
        "your loss has ½·reg·ΣW² but your dW adds 2·reg·W, the gradient of reg·ΣW²: "
        "the loss is short by ½·reg·ΣW²",
        "use reg * np.sum(W**2) in the loss, to match 2 * reg * W in dW",
        "half",
        reg_loss=0.5,
    ),
    _loss_mistake(
        "reg-grad-halved",
        {"gradient"},
        "your dW adds reg·W, the gradient of ½·reg·ΣW², but the loss is reg·ΣW², "
        "whose gradient is 2·reg·W: dW is short by reg·W",
        "add 2 * reg * W to dW",
        "half",
        reg_grad=1.0,
    ),
    _loss_mistake(
        "reg-missing-in-loss",
        {"loss"},
        "your loss has no regulariser: it is short by exactly reg·ΣW² (and right when reg = 0)",
        "add reg * np.sum(W**2) to the loss",
        "loss",
        reg_loss=0.0,
    ),
    _loss_mistake(
        "reg-missing-in-dW",
        {"gradient"},
        "your dW has no regulariser term: it is short by exactly 2·reg·W (and right when reg = 0)",
        "add 2 * reg * W to dW",
        "half",
        reg_grad=0.0,
    ),
    _loss_mistake(
        "reg-grad-divided-by-N",
        {"gradient"},
        "your dW's regulariser term is 2·reg·W/N: it was added before dividing by N "
        "(right only when N = 1)",
        "divide the data term by N first, then add 2 * reg * W",
        "batch",
        reg_grad_over_n=True,
    ),
    _loss_mistake(
        "no-max-shift",
        {"stability"},
        "exp overflows (inf/inf = nan) or underflows (0/0) when scores reach ±1000: "
        "the scores were not shifted by their maximum",
        "subtract each row's largest score before np.exp: S - S.max(axis=1, keepdims=True)",
        "shift",
        shift=False,
    ),
    _loss_mistake(
        "max-over-whole-batch",
        {"stability"},
        "you shifted the scores by the largest score of the whole batch, not of each row: "
        "a row whose scores all lie ~2000 below the batch's maximum gives exp = 0 and 0/0",
        "take the maximum of each row: S.max(axis=1, keepdims=True)",
        "shift",
        shift="batch",
    ),
    _loss_mistake(
        "log-of-probability",
        {"stability"},
        "your loss takes −log of a probability: when a true class's score is ~1000 below its "
        "row's maximum, p underflows to 0 and −log 0 = inf",
        "compute −log p[i, y_i] as log(Σ_j exp(s_ij − m_i)) − (s_iy − m_i), never log(p)",
        "log-softmax",
        log_of_probability=True,
    ),
    _loss_mistake(
        "no-minus-one",
        {"gradient"},
        "your dW is off by exactly −Xᵀ·Y/N: it uses P where the gradient needs P − Y "
        "(the −1 at each example's true class is missing)",
        "subtract 1 from P at each true class before X.T @ ...: P[np.arange(N), y] -= 1",
        "batch",
        minus_one=False,
    ),
    _loss_mistake(
        "gradient-sign-flipped",
        {"gradient"},
        "your dW's data term has the wrong sign: Xᵀ(Y − P)/N instead of Xᵀ(P − Y)/N; "
        "gradient descent with it would climb the loss",
        "the score gradient is P − Y (probability minus one-hot), not Y − P",
        "one-example",
        sign_flipped=True,
    ),
    _loss_mistake(
        "softmax-over-examples",
        {"loss", "gradient"},
        "your probabilities are normalised over the examples (axis 0) instead of over the "
        "classes of each example (axis 1): the rows of P do not sum to 1",
        "use axis=1 (and keepdims=True) in the max and in the sum of the softmax",
        "properties",
        axis=0,
    ),
    _loss_mistake(
        "loss-over-all-classes",
        {"loss"},
        "your loss adds −log p over every class of each example; the cross-entropy takes "
        "only the true class's −log p[i, y_i]",
        "pick each example's true class: -log P[np.arange(N), y]",
        "cross-entropy",
        all_classes=True,
    ),
    _loss_mistake(
        "dW-transposed",
        {"interface"},
        "your dW has shape (C, D): it is the transpose of the right gradient, which has W's "
        "shape (D, C)",
        "dW = X.T @ (P - Y) / N is (D, N) @ (N, C) = (D, C); do not transpose it",
        "weights",
        transposed=True,
    ),
    _loss_mistake(
        "inputs-mutated",
        {"side-effects"},
        "your function changed the caller's W: dW was built in W's own memory "
        "(dW = W, then dW *= ... or dW += ...)",
        "start dW as a new array (2 * reg * W or np.zeros_like(W)), never as W itself",
        "weights",
        mutate=True,
    ),
    _other_mistake(
        "softmax-no-shift",
        "softmax",
        {"stability"},
        "exp overflows (inf/inf = nan) or underflows (0/0) when scores reach ±1000: "
        "the scores were not shifted by their maximum",
        "subtract each row's largest score before np.exp: S - S.max(axis=1, keepdims=True)",
        "shift",
        (_softmax_loop, _softmax_vectorized),
        shift=False,
    ),
    _other_mistake(
        "softmax-wrong-axis",
        "softmax",
        {"values"},
        "your probabilities are normalised down each column (over the examples), not along "
        "each row (over the classes): the rows do not sum to 1",
        "use axis=1 and keepdims=True in both the max and the sum",
        "properties",
        (_softmax_loop, _softmax_vectorized),
        axis=0,
    ),
    _other_mistake(
        "softmax-in-place",
        "softmax",
        {"side-effects"},
        "your softmax overwrote the caller's S (S -= ..., np.exp(S, out=S)): the scores are gone",
        "work on a new array: Z = S - S.max(axis=1, keepdims=True) makes one",
        "shift",
        (_softmax_loop, _softmax_vectorized),
        in_place=True,
    ),
    _other_mistake(
        "forward-difference",
        "numerical_gradient",
        {"values"},
        "you used the forward difference (f(x + h) − f(x)) / h: its error is O(h), "
        "about h·f''/2, where the centred difference's is O(h²)",
        "evaluate f at x + h and at x − h and divide the difference by 2h",
        "centred",
        (_numgrad_indexed, _numgrad_flat),
        forward=True,
    ),
    _other_mistake(
        "h-not-2h",
        "numerical_gradient",
        {"values"},
        "your gradient is twice the right one: f(x + h) − f(x − h) spans 2h, "
        "but it was divided by h",
        "divide by 2 * h",
        "centred",
        (_numgrad_indexed, _numgrad_flat),
        one_h=True,
    ),
    _other_mistake(
        "x-not-restored",
        "numerical_gradient",
        {"values", "side-effects"},
        "x[i] is not set back after its two evaluations: every later entry is "
        "differentiated at a shifted point, and the caller's x ends up changed",
        "keep old = x[i] and set x[i] = old after computing f(x + h) and f(x − h)",
        "centred",
        (_numgrad_indexed, _numgrad_flat),
        restore=False,
    ),
)

CATALOGUE = {m.id: m for m in _CATALOGUE}
"""Every classic mistake, by id, in teaching order: what :mod:`softmax.feedback` recognises."""
