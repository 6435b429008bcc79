"""An independent high-precision reference for the softmax loss, with mpmath.

Computed straight from the definition, element by element, at 50 significant
digits: no max shift, no vectorisation, and the gradient taken by mpmath's own
numerical differentiation of the loss (not from the formula X^T (P - Y) / N that
the package implements), so it checks the package rather than restating it.
"""

from __future__ import annotations

import mpmath
import numpy as np

mpmath.mp.dps = 50


def mp_loss(W, X, y, reg) -> mpmath.mpf:
    """Mean cross-entropy + reg * sum(W**2), from the definition, at 50 digits."""
    W = [[mpmath.mpf(float(v)) for v in row] for row in np.asarray(W, dtype=np.float64)]
    return _mp_loss_of(W, X, y, reg)


def _mp_loss_of(W, X, y, reg) -> mpmath.mpf:
    X = np.asarray(X, dtype=np.float64)
    N, D = X.shape
    C = len(W[0])
    total = mpmath.mpf(0)
    for i in range(N):
        scores = [
            mpmath.fsum(mpmath.mpf(float(X[i, k])) * W[k][j] for k in range(D)) for j in range(C)
        ]
        normaliser = mpmath.fsum(mpmath.exp(s) for s in scores)
        total += -mpmath.log(mpmath.exp(scores[int(y[i])]) / normaliser)
    penalty = mpmath.fsum(w * w for row in W for w in row)
    return total / N + mpmath.mpf(float(reg)) * penalty


def mp_gradient(W, X, y, reg) -> np.ndarray:
    """dLoss/dW by mpmath.diff of the 50-digit loss, one entry at a time."""
    W64 = np.asarray(W, dtype=np.float64)
    D, C = W64.shape
    base = [[mpmath.mpf(float(v)) for v in row] for row in W64]
    grad = np.empty((D, C))
    for k in range(D):
        for j in range(C):

            def along(t, k=k, j=j):
                Wt = [row[:] for row in base]
                Wt[k][j] = t
                return _mp_loss_of(Wt, X, y, reg)

            grad[k, j] = float(mpmath.diff(along, base[k][j]))
    return grad
