"""The softmax (cross-entropy) loss of a linear classifier and its gradient.

Both functions compute, for scores ``S = X @ W`` and probabilities
``P = softmax(S)`` row by row,

    loss = mean_i( -log P[i, y_i] ) + reg * sum(W**2)
    dW   = X.T @ (P - Y) / N + 2 * reg * W

where ``Y`` is the one-hot matrix of the labels. The regulariser is
``reg * sum(W**2)`` (so its gradient is ``2 * reg * W``); some courses write
``0.5 * reg * sum(W**2)`` instead, which halves ``reg`` - see
``notebooks/03_gradient.ipynb``.

``softmax_loss_naive`` is the honest loop version (derived in notebook 03,
timed in notebook 05); ``softmax_loss_vectorized`` is the same maths with no
Python loop over examples or classes.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_loss_inputs, check_result, check_scores, reports_overflow

__all__ = ["softmax_loss_naive", "softmax_loss_vectorized", "sum_of_squares"]

_SHAPES_DOC = """
    Parameters
    ----------
    W : array_like, shape (D, C), float32 or float64
        Weights: one column per class. C must be >= 2.
    X : array_like, shape (N, D), float32 or float64 (integers are read as float64)
        A minibatch of N examples, one per row, N >= 1.
    y : array_like, shape (N,), integer dtype
        Labels; ``y[i]`` in ``[0, C)`` is the class of ``X[i]``.
    reg : float >= 0
        Regularisation strength (L2, without the 1/2).

    Returns
    -------
    loss : float
        Mean cross-entropy plus ``reg * sum(W**2)`` (summed in float64).
    dW : ndarray, shape (D, C)
        Gradient of the loss with respect to W, in the computation dtype: float32
        if W and X are both float32, float64 otherwise.

    Raises
    ------
    TypeError
        Non-numeric W or X, non-integer y, non-numeric reg.
    ValueError
        Wrong shapes or sizes, labels outside [0, C), NaN or inf in W or X,
        negative or NaN reg.

    Inputs are never modified.
"""


def sum_of_squares(W: np.ndarray, chunk: int = 4096) -> float:
    """``sum(W**2)``, accumulated in float64 a few rows at a time.

    The regulariser's penalty. Summing in float64 keeps float32 losses accurate;
    going by blocks of about ``chunk`` elements avoids a float64 copy of a float32
    W, so the loss functions' temporaries stay within (N, C) + (D, C) elements.
    """
    rows = max(1, chunk // W.shape[1])
    return float(
        sum(
            np.sum(np.square(W[i : i + rows], dtype=np.float64)) for i in range(0, W.shape[0], rows)
        )
    )


@reports_overflow
def softmax_loss_naive(W, X, y, reg):
    """Softmax loss and gradient with explicit loops over examples and classes.

    Each example's C scores are computed inside the loop (one dot product of
    length D per class), shifted by their maximum for numerical stability, and
    the gradient is accumulated column by column. Slow on purpose: it is the
    baseline the vectorized version is checked and timed against.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    N = X.shape[0]
    C = W.shape[1]
    dW = np.zeros_like(W)
    loss = 0.0
    scores = np.empty(C, dtype=W.dtype)
    for i in range(N):
        x_i = X[i]
        for j in range(C):
            scores[j] = x_i @ W[:, j]
        check_scores(scores, X[i : i + 1], W)
        shifted = scores - scores.max()  # the largest score becomes 0: exp <= 1
        exp_scores = np.exp(shifted)
        total = exp_scores.sum()
        loss += float(np.log(total)) - float(shifted[y[i]])  # -log p[i, y_i]
        for j in range(C):
            p_ij = exp_scores[j] / total
            indicator = 1.0 if j == y[i] else 0.0
            dW[:, j] += (p_ij - indicator) * x_i
    loss = loss / N + reg * sum_of_squares(W)
    dW /= N
    dW += 2 * reg * W
    check_result(loss, dW)
    return loss, dW


@reports_overflow
def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient with no Python loop over examples or classes.

    Line by line (notebook 03 derives each step):

    1. ``S = X @ W``                            scores, (N, C)
    2. ``S -= S.max(axis=1)``                    max shift, each row's max is 0
    3. ``log_sum = log(sum_j exp(S))``           log-sum-exp of the shifted rows
    4. ``loss = mean(log_sum - S[i, y_i])``      -log p[i, y_i] = log-sum-exp - score
    5. ``P = exp(S) / sum``, ``P[i, y_i] -= 1``  dL/dS = (P - Y) / N
    6. ``dW = X.T @ (P - Y) / N + 2 reg W``     chain rule through S = X @ W

    Temporaries are (N, C) and (D, C): X is read only by the two matrix products.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    N = X.shape[0]
    rows = np.arange(N)

    S = X @ W
    check_scores(S, X, W)
    S -= S.max(axis=1, keepdims=True)
    correct = S[rows, y]  # shifted score of the true class, (N,) (a copy)
    np.exp(S, out=S)  # S now holds exp(shifted scores), every entry in (0, 1]
    sums = S.sum(axis=1)  # each >= 1: the row's max contributes exp(0) = 1
    # -log p[i, y_i] = log(sum_j exp(s_ij)) - s_iy: no log of a tiny probability.
    data_loss = np.sum(np.log(sums) - correct, dtype=np.float64) / N
    loss = float(data_loss) + reg * sum_of_squares(W)

    S /= sums[:, None]  # S is now P, the probabilities
    S[rows, y] -= 1  # P - Y
    dW = X.T @ S
    dW /= N
    dW += 2 * reg * W
    check_result(loss, dW)
    return loss, dW


softmax_loss_naive.__doc__ += _SHAPES_DOC
softmax_loss_vectorized.__doc__ += _SHAPES_DOC
