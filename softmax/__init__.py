"""softmax: the softmax cross-entropy loss of a linear classifier, for teaching.

The notebooks in ``notebooks/`` derive and explain what this package computes;
the package holds all the logic so that the notebooks only import and show it.

Shapes follow CS231n: ``W`` is (D, C), ``X`` is (N, D), ``y`` is (N,) integer
labels in [0, C). Both loss functions return ``(loss, dW)``.

>>> import numpy as np
>>> from softmax import softmax_loss_vectorized
>>> W = np.zeros((3, 10)); X = np.ones((4, 3)); y = np.array([0, 1, 2, 3])
>>> round(softmax_loss_vectorized(W, X, y, reg=0.0)[0], 4)  # ln 10 at W = 0
2.3026
"""

from . import classifier, data, gradcheck
from .classifier import SoftmaxClassifier
from .fast import softmax_loss_fast
from .functions import log_softmax, logsumexp, softmax
from .gradcheck import grad_check_sparse, numerical_gradient, rel_error
from .loss import softmax_loss_naive, softmax_loss_vectorized

__version__ = "0.1.0"

__all__ = [
    "SoftmaxClassifier",
    "classifier",
    "data",
    "grad_check_sparse",
    "gradcheck",
    "log_softmax",
    "logsumexp",
    "numerical_gradient",
    "rel_error",
    "softmax",
    "softmax_loss_fast",
    "softmax_loss_naive",
    "softmax_loss_vectorized",
]
