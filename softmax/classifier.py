"""A linear softmax classifier trained by minibatch stochastic gradient descent (notebook 06).

The classifier scores an example ``x`` (a row, shape (D,)) with ``x @ W``, one
score per class, and predicts the class of the largest score. Training repeats

    1. draw a minibatch of ``batch_size`` examples (without replacement),
    2. ``loss, dW = loss_fn(W, X_batch, y_batch, reg)``,
    3. ``W -= learning_rate * dW``,

for ``num_iters`` steps. The loss function is ``softmax_loss_vectorized``
(notebook 03) unless another one is chosen; ``"auto"`` picks
``softmax.fast.softmax_loss_fast`` when that module exists.

>>> import numpy as np
>>> from softmax.classifier import SoftmaxClassifier
>>> X = np.array([[1.0, 0.0], [0.0, 1.0]] * 10); y = np.array([0, 1] * 10)
>>> clf = SoftmaxClassifier()
>>> history = clf.train(X, y, learning_rate=1.0, reg=0.0, num_iters=50, batch_size=8, rng=0)
>>> clf.score(X, y), history[-1] < history[0]
(1.0, True)
"""

from __future__ import annotations

import importlib
import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import _check_labels, as_float_array, as_rng, check_loss_inputs, check_reg
from .functions import softmax
from .loss import softmax_loss_naive, softmax_loss_vectorized

__all__ = [
    "LOSS_FUNCTIONS",
    "HullWitness",
    "SearchResult",
    "SoftmaxClassifier",
    "class_means",
    "confusion_matrix",
    "hull_witness",
    "lr_reg_search",
    "paired_comparison",
    "resolve_loss",
    "template_similarity",
    "weight_norm_path",
]

LossFunction = Callable[[np.ndarray, np.ndarray, np.ndarray, float], tuple[float, np.ndarray]]

LOSS_FUNCTIONS: dict[str, LossFunction] = {
    "naive": softmax_loss_naive,
    "vectorized": softmax_loss_vectorized,
}


def _fast_loss() -> LossFunction | None:
    """``softmax.fast.softmax_loss_fast`` if that module and function exist, else None."""
    try:
        module = importlib.import_module("softmax.fast")
    except ModuleNotFoundError as exc:
        if exc.name != "softmax.fast":
            raise  # softmax.fast exists but one of its imports is missing: say so
        return None
    return getattr(module, "softmax_loss_fast", None)


def resolve_loss(loss="auto") -> tuple[str, LossFunction]:
    """The loss function a name stands for.

    Parameters
    ----------
    loss : {"auto", "vectorized", "naive", "fast"} or callable
        ``"auto"`` is ``"fast"`` when ``softmax.fast.softmax_loss_fast`` exists,
        else ``"vectorized"``. A callable must take ``(W, X, y, reg)`` and return
        ``(loss, dW)`` like :func:`softmax.softmax_loss_vectorized`.

    Returns
    -------
    (name, function)
    """
    if callable(loss):
        return getattr(loss, "__name__", "custom"), loss
    if loss == "auto":
        fast = _fast_loss()
        return ("fast", fast) if fast is not None else ("vectorized", softmax_loss_vectorized)
    if loss == "fast":
        fast = _fast_loss()
        if fast is None:
            raise ValueError(
                "loss='fast' needs softmax.fast.softmax_loss_fast, which this installation "
                "does not have; use loss='vectorized'"
            )
        return "fast", fast
    if loss in LOSS_FUNCTIONS:
        return loss, LOSS_FUNCTIONS[loss]
    raise ValueError(
        f"loss must be 'auto', 'vectorized', 'naive', 'fast' or a callable; got {loss!r}"
    )


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def _check_learning_rate(learning_rate) -> float:
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise TypeError(
            f"learning_rate must be a positive number; got {type(learning_rate).__name__}"
        )
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a finite number > 0; got {learning_rate}")
    return float(learning_rate)


class SoftmaxClassifier:
    """Linear classifier ``argmax(x @ W)`` trained on the softmax loss (notebook 06).

    Parameters
    ----------
    W : array_like, shape (D, C), optional
        Initial weights (copied). If None, :meth:`train` draws
        ``0.001 * standard_normal((D, C))`` from its ``rng`` on first use.
    num_classes : int >= 2, optional
        C when W is None; default ``max(y) + 1`` of the first training set.

    Attributes
    ----------
    W : ndarray, shape (D, C), or None before training
    loss_history : list of float
        Minibatch loss of every SGD step, over all calls to :meth:`train`.
    loss_name : str or None
        Which loss function the last :meth:`train` used.
    """

    def __init__(self, W=None, *, num_classes=None):
        if W is not None:
            W = as_float_array("W", W, ndim=2).copy()
            if W.shape[1] < 2:
                raise ValueError(f"W must have at least 2 columns (classes); got shape {W.shape}")
        if num_classes is not None:
            num_classes = _check_int("num_classes", num_classes, 2)
            if W is not None and W.shape[1] != num_classes:
                raise ValueError(
                    f"num_classes={num_classes} but W has {W.shape[1]} columns (classes)"
                )
        self.W = W
        self.num_classes = num_classes if W is None else W.shape[1]
        self.loss_history: list[float] = []
        self.loss_name: str | None = None

    def __repr__(self) -> str:
        shape = None if self.W is None else self.W.shape
        return f"SoftmaxClassifier(W shape={shape}, steps trained={len(self.loss_history)})"

    def train(
        self,
        X,
        y,
        learning_rate=1e-3,
        reg=1e-5,
        num_iters=100,
        batch_size=200,
        rng=None,
        *,
        loss="auto",
        verbose=False,
        print_every=100,
        callback=None,
    ) -> list[float]:
        """Minibatch SGD on the softmax loss; continues from the current W.

        Parameters
        ----------
        X : array_like, shape (N, D), float
            Training examples, one per row (preprocessed: see softmax.data.preprocess).
        y : array_like, shape (N,), integer
            Labels in [0, C).
        learning_rate : float > 0
            Step size of ``W -= learning_rate * dW``.
        reg : float >= 0
            L2 strength: the loss adds ``reg * sum(W**2)``.
        num_iters : int >= 1
            Number of SGD steps.
        batch_size : int, 1 <= batch_size <= N
            Examples per step, drawn without replacement within a step.
        rng : numpy.random.Generator, int or None
            Draws the initial W (if needed) and the minibatches: the same rng
            state gives the same W, bit for bit, with the same loss function.
        loss : {"auto", "vectorized", "naive", "fast"} or callable
            See :func:`resolve_loss`.
        verbose : bool
            Print the minibatch loss every ``print_every`` steps.
        print_every : int >= 1
        callback : callable(step, loss) or None
            Called after every step (e.g. a progress bar).

        Returns
        -------
        list of float, length num_iters
            The minibatch loss before each step.

        Raises
        ------
        TypeError, ValueError
            Invalid inputs (same messages as the loss functions).
        FloatingPointError
            Training diverged (W or the scores became infinite): lower learning_rate.
        """
        rng = as_rng(rng)
        learning_rate = _check_learning_rate(learning_rate)
        reg = check_reg(reg)
        num_iters = _check_int("num_iters", num_iters, 1)
        print_every = _check_int("print_every", print_every, 1)
        name, loss_fn = resolve_loss(loss)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable or None; got {type(callback).__name__}")

        X = as_float_array("X", X, ndim=2)
        N, D = X.shape
        batch_size = _check_int("batch_size", batch_size, 1)
        if batch_size > N:
            raise ValueError(f"batch_size must be at most N = {N} (the number of rows of X)")
        W = self.W
        if W is None:
            if self.num_classes is not None:
                C = self.num_classes
            else:
                y_arr = np.asarray(y)
                if y_arr.dtype.kind not in "iu" or y_arr.size == 0:
                    _check_labels(y, N, 2)  # raises the uniform error for bad labels
                C = max(int(y_arr.max()) + 1, 2)
            W = (0.001 * rng.standard_normal((D, C))).astype(X.dtype)
        W, X, y, reg = check_loss_inputs(W, X, y, reg)
        W = W.copy()  # never write into an array the caller may hold

        self.loss_name = name
        history: list[float] = []
        for step in range(num_iters):
            idx = rng.choice(N, size=batch_size, replace=False)
            # Overflow as W blows up is reported below as divergence, not as a numpy warning.
            with np.errstate(over="ignore", invalid="ignore"):
                try:
                    value, dW = loss_fn(W, X[idx], y[idx], reg)
                except ValueError as exc:
                    if step == 0:
                        raise
                    raise FloatingPointError(
                        f"training diverged at step {step} ({exc}); lower learning_rate "
                        f"(now {learning_rate:g})"
                    ) from exc
                value = float(value)
                W -= learning_rate * dW
            if not (np.isfinite(value) and np.isfinite(W).all()):
                raise FloatingPointError(
                    f"training diverged at step {step} (loss {value}); lower learning_rate "
                    f"(now {learning_rate:g})"
                )
            history.append(value)
            self.W = W
            if verbose and (step % print_every == 0 or step == num_iters - 1):
                print(f"step {step:5d} / {num_iters}: loss {value:.4f}")
            if callback is not None:
                callback(step, value)
        self.num_classes = W.shape[1]
        self.loss_history.extend(history)
        return history

    def _check_X(self, X) -> np.ndarray:
        if self.W is None:
            raise RuntimeError("the classifier has no weights yet: call train() first")
        X = as_float_array("X", X, ndim=2)
        if X.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features per row but W has {self.W.shape[0]} rows: "
                "preprocess X the same way as the training data (bias column included)"
            )
        return X

    def scores(self, X) -> np.ndarray:
        """Class scores ``X @ W``, shape (N, C)."""
        X = self._check_X(X)
        return X @ self.W.astype(X.dtype, copy=False)

    def predict(self, X) -> np.ndarray:
        """Predicted labels ``argmax(X @ W, axis=1)``.

        Parameters
        ----------
        X : array_like, shape (N, D)

        Returns
        -------
        ndarray, shape (N,), int64
        """
        return self.scores(X).argmax(axis=1).astype(np.int64)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities ``softmax(X @ W)`` (stable, max-shifted), shape (N, C).

        Parameters
        ----------
        X : array_like, shape (N, D)

        Returns
        -------
        ndarray, shape (N, C), dtype of X; each row sums to 1
        """
        return softmax(self.scores(X), axis=1)

    def score(self, X, y) -> float:
        """Accuracy: the fraction of rows of X whose predicted label equals y.

        Parameters
        ----------
        X : array_like, shape (N, D)
        y : array_like, shape (N,), integer labels in [0, C)

        Returns
        -------
        float in [0, 1]
        """
        X = self._check_X(X)
        y = _check_labels(y, X.shape[0], self.W.shape[1])
        return float(np.mean(self.predict(X) == y))


def confusion_matrix(y_true, y_pred, num_classes) -> np.ndarray:
    """Counts of (true class, predicted class) pairs (notebook 06).

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,), integer labels in [0, C), N >= 1
    num_classes : int >= 2
        C.

    Returns
    -------
    ndarray, shape (C, C), int64
        ``M[i, j]`` = number of examples of class i predicted as j: the diagonal
        holds the correct predictions, row i sums to the number of examples of
        class i, ``M.sum() == N``.
    """
    C = _check_int("num_classes", num_classes, 2)
    shape = np.shape(y_true)
    N = shape[0] if len(shape) == 1 else -1  # a wrong ndim is reported by _check_labels
    if N == 0:
        raise ValueError("y_true must hold at least one label")
    y_true = _check_labels(y_true, N, C)
    try:
        y_pred = _check_labels(y_pred, N, C)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            str(exc).replace("y ", "y_pred ", 1).replace("X has", "y_true has")
        ) from exc
    return np.bincount(y_true * C + y_pred, minlength=C * C).reshape(C, C).astype(np.int64)


@dataclass(frozen=True)
class SearchResult:
    """Outcome of :func:`lr_reg_search`.

    Attributes
    ----------
    learning_rates : tuple of float, length L
    regs : tuple of float, length R
    val_accuracy, train_accuracy : ndarray, shape (L, R), float64
        NaN where training diverged.
    best_learning_rate, best_reg, best_val_accuracy : float
        The setting with the highest validation accuracy (the first one in
        row-major order on ties).
    best_classifier : SoftmaxClassifier
        Trained with the best setting.
    """

    learning_rates: tuple[float, ...]
    regs: tuple[float, ...]
    val_accuracy: np.ndarray
    train_accuracy: np.ndarray
    best_learning_rate: float
    best_reg: float
    best_val_accuracy: float
    best_classifier: SoftmaxClassifier


def _grid_values(name: str, values) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a sequence of numbers; got {type(values).__name__}")
    if len(values) == 0:
        raise ValueError(f"{name} must not be empty")
    return tuple(float(v) for v in values)


def lr_reg_search(
    X_train,
    y_train,
    X_val,
    y_val,
    learning_rates,
    regs,
    *,
    num_iters=1000,
    batch_size=100,
    seed=0,
    loss="auto",
) -> SearchResult:
    """Train one classifier per (learning rate, reg) pair; score each on the validation set.

    Every run starts from the same initial W and sees the same minibatches
    (``rng = np.random.default_rng(seed)`` afresh per run), so the grid compares
    the hyper-parameters alone. The test set is never looked at (notebook 06).

    Parameters
    ----------
    X_train : array_like, shape (N, D); y_train : array_like, shape (N,)
    X_val : array_like, shape (M, D); y_val : array_like, shape (M,)
    learning_rates, regs : sequences of float (each value checked as in ``train``)
    num_iters, batch_size, loss
        As in :meth:`SoftmaxClassifier.train`.
    seed : int

    Returns
    -------
    SearchResult
        Accuracy grids of shape (len(learning_rates), len(regs)) and the best run.
    """
    lrs = _grid_values("learning_rates", learning_rates)
    regs_t = _grid_values("regs", regs)
    val = np.full((len(lrs), len(regs_t)), np.nan)
    train = np.full_like(val, np.nan)
    best: tuple[float, int, int, SoftmaxClassifier] | None = None
    for i, lr in enumerate(lrs):
        for j, reg in enumerate(regs_t):
            clf = SoftmaxClassifier()
            try:
                clf.train(X_train, y_train, lr, reg, num_iters, batch_size, seed, loss=loss)
            except FloatingPointError:
                continue  # diverged: stays NaN
            val[i, j] = clf.score(X_val, y_val)
            train[i, j] = clf.score(X_train, y_train)
            if best is None or val[i, j] > best[0]:
                best = (val[i, j], i, j, clf)
    if best is None:
        raise FloatingPointError("every run diverged: try smaller learning rates")
    acc, i, j, clf = best
    return SearchResult(lrs, regs_t, val, train, lrs[i], regs_t[j], float(acc), clf)


def weight_norm_path(
    X, y, learning_rate, reg, *, num_iters=4000, every=500, batch_size=100, seed=0, loss="auto"
) -> tuple[np.ndarray, np.ndarray]:
    """The Frobenius norm of W during one SGD run, every ``every`` steps (notebook 06).

    The run is the one ``SoftmaxClassifier().train(X, y, learning_rate, reg,
    num_iters, batch_size, rng=np.random.default_rng(seed))`` makes (trained in
    chunks from one generator, which draws the same batches as one call).

    Parameters
    ----------
    X : array_like, shape (N, D); y : array_like, shape (N,)
    learning_rate, reg, batch_size, loss
        As in :meth:`SoftmaxClassifier.train`.
    num_iters : int >= 1, a multiple of ``every``
    every : int >= 1
    seed : int

    Returns
    -------
    steps : ndarray, shape (num_iters // every,), int64: every, 2 every, ..., num_iters
    norms : ndarray, same shape, float64: ``||W||`` after that many steps
    """
    num_iters = _check_int("num_iters", num_iters, 1)
    every = _check_int("every", every, 1)
    if num_iters % every:
        raise ValueError(f"num_iters ({num_iters}) must be a multiple of every ({every})")
    rng = np.random.default_rng(seed)
    clf = SoftmaxClassifier()
    norms = []
    for _ in range(num_iters // every):
        clf.train(X, y, learning_rate, reg, every, batch_size, rng, loss=loss)
        norms.append(float(np.linalg.norm(clf.W)))
    return np.arange(every, num_iters + 1, every, dtype=np.int64), np.array(norms)


@dataclass(frozen=True)
class HullWitness:
    """Outcome of :func:`hull_witness`: a target point inside a triangle of other points.

    Attributes
    ----------
    inside : ndarray, shape (M,), bool
        Which targets lie strictly inside the convex hull of the points.
    target : int or None
        Index of the target shown as the witness (of those inside, the one
        farthest from the mean of the points), None if no target is inside.
    corners : ndarray, shape (3,), int64
        Indices (into ``points``) of the triangle's corners.
    weights : ndarray, shape (3,), float64
        Barycentric weights: ``weights >= 0``, ``weights.sum() == 1`` and
        ``weights @ points[corners] == targets[target]`` (up to round-off).
    """

    inside: np.ndarray
    target: int | None
    corners: np.ndarray
    weights: np.ndarray


def hull_witness(points, targets) -> HullWitness:
    """Find targets that are convex combinations of three of ``points`` (notebook 06).

    A target lies strictly inside the convex hull of 2-D points exactly when the
    directions from it to the points leave no angular gap of half a turn; it
    then lies in a triangle of three of them (Carathéodory), which is searched
    among all triangles (so this is meant for a few hundred points). A witness
    proves that no half-plane (and no
    linear classifier, whose class regions are convex) puts all of ``points``
    on one side and that target on the other.

    Parameters
    ----------
    points : array_like, shape (P, 2), float, P >= 3
    targets : array_like, shape (M, 2), float

    Returns
    -------
    HullWitness
        For each target, whether it is inside; for the witness target, the
        largest triangle whose barycentric weights are all >= 0.05.
    """
    P = as_float_array("points", points, ndim=2)
    T = as_float_array("targets", targets, ndim=2)
    if P.shape[1] != 2 or P.shape[0] < 3:
        raise ValueError(f"points must have shape (P, 2) with P >= 3; got {P.shape}")
    if T.shape[1] != 2:
        raise ValueError(f"targets must have shape (M, 2); got {T.shape}")
    # t is inside the hull of P iff the directions from t to the points leave no gap of
    # half a turn or more (else a line through t has every point on one side).
    angles = np.sort(np.arctan2(*(P[None, :, ::-1] - T[:, None, ::-1]).transpose(2, 0, 1)), axis=1)
    gaps = np.diff(angles, axis=1, append=angles[:, :1] + 2 * np.pi)
    widest = gaps.max(axis=1)
    inside = widest < np.pi
    if not inside.any():
        return HullWitness(inside, None, np.zeros(3, np.int64), np.zeros(3))
    far = np.where(inside, np.linalg.norm(T - P.mean(axis=0), axis=1), -np.inf)
    m = int(np.argmax(far))  # the inside target farthest from the points' mean
    i, j, k = (
        np.fromiter(
            itertools.chain.from_iterable(itertools.combinations(range(P.shape[0]), 3)),
            dtype=np.int64,
        )
        .reshape(-1, 3)
        .T
    )
    u, v, d = P[j] - P[i], P[k] - P[i], T[m] - P[i]
    det = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        w1 = (d[:, 0] * v[:, 1] - d[:, 1] * v[:, 0]) / det
        w2 = (u[:, 0] * d[:, 1] - u[:, 1] * d[:, 0]) / det
    smallest = np.where(det != 0, np.minimum(np.minimum(w1, w2), 1.0 - w1 - w2), -np.inf)
    # the widest triangle that holds the target with every weight >= 0.05 (clear of
    # round-off), or the one holding it deepest if none does
    ok = smallest >= min(0.05, smallest.max())
    t = int(np.argmax(np.where(ok, np.abs(det), -np.inf)))
    corners = np.array([i[t], j[t], k[t]], dtype=np.int64)
    # weights from the corners themselves (not the search's arrays): a 3x3 solve
    A = np.vstack([P[corners].T, np.ones(3)])
    weights = np.linalg.solve(A, np.append(T[m], 1.0))
    return HullWitness(inside, m, corners, weights)


def class_means(X, y, num_classes) -> np.ndarray:
    """The mean row of X over each class (notebook 06's class-mean images).

    Parameters
    ----------
    X : array_like, shape (N, D), float
    y : array_like, shape (N,), integer labels in [0, C), every class present
    num_classes : int >= 2
        C.

    Returns
    -------
    ndarray, shape (C, D), float64
    """
    X = as_float_array("X", X, ndim=2)
    C = _check_int("num_classes", num_classes, 2)
    y = _check_labels(y, X.shape[0], C)
    counts = np.bincount(y, minlength=C)
    if (counts == 0).any():
        raise ValueError(f"every class needs an example; none of class {int(np.argmin(counts))}")
    sums = np.zeros((C, X.shape[1]))
    np.add.at(sums, y, X)
    return sums / counts[:, None]


def template_similarity(W, means) -> np.ndarray:
    """Cosine between each weight column (a template) and the matching class mean.

    Parameters
    ----------
    W : array_like, shape (D, C) or (D + 1, C) (a bias row, last, is dropped)
    means : array_like, shape (C, D), e.g. :func:`class_means` of centred inputs

    Returns
    -------
    ndarray, shape (C,), float64, in [-1, 1]
    """
    W = as_float_array("W", W, ndim=2)
    M = as_float_array("means", means, ndim=2)
    C, D = M.shape
    if W.shape[1] != C or W.shape[0] not in (D, D + 1):
        raise ValueError(f"W must have shape ({D}, {C}) or ({D + 1}, {C}); got {W.shape}")
    T = W[:D].T
    return np.sum(T * M, axis=1) / (np.linalg.norm(T, axis=1) * np.linalg.norm(M, axis=1))


@dataclass(frozen=True)
class PairedComparison:
    """Outcome of :func:`paired_comparison` (McNemar's exact test).

    Attributes
    ----------
    only_a, only_b : int
        Examples that only model a (only model b) classifies right.
    both, neither : int
        Examples both classify right; that both get wrong.
    p_value : float
        Two-sided exact McNemar p-value: the chance, if the two models were
        equally good, of a split of the ``only_a + only_b`` disagreements at
        least this uneven (binomial with p = 1/2). 1.0 when they never disagree.
    """

    only_a: int
    only_b: int
    both: int
    neither: int
    p_value: float


def paired_comparison(y, pred_a, pred_b) -> PairedComparison:
    """Compare two classifiers scored on the SAME examples (McNemar's exact test).

    The accuracies of two models on the same images are not independent: the
    images both get right or both get wrong say nothing about which is better.
    Only the disagreements count: under "equally good", each disagreement goes
    to a or to b with probability 1/2.

    Parameters
    ----------
    y, pred_a, pred_b : array_like, shape (N,), integer labels

    Returns
    -------
    PairedComparison

    >>> paired_comparison([0, 1, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1])
    PairedComparison(only_a=2, only_b=0, both=1, neither=1, p_value=0.5)
    """
    y = np.asarray(y)
    pred_a, pred_b = np.asarray(pred_a), np.asarray(pred_b)
    for name, v in (("y", y), ("pred_a", pred_a), ("pred_b", pred_b)):
        if v.ndim != 1 or v.dtype.kind not in "iu":
            raise ValueError(
                f"{name} must be a 1-D array of integer labels; got {v.dtype} {v.shape}"
            )
    if not y.shape == pred_a.shape == pred_b.shape:
        raise ValueError(
            f"y, pred_a and pred_b must have the same length; got {y.size}, {pred_a.size}, {pred_b.size}"
        )
    right_a, right_b = pred_a == y, pred_b == y
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    n, k = b + c, min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n if n else 0.5
    return PairedComparison(
        only_a=b,
        only_b=c,
        both=int(np.sum(right_a & right_b)),
        neither=int(np.sum(~right_a & ~right_b)),
        p_value=min(1.0, 2 * tail),
    )
