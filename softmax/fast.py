"""A faster softmax loss: the same maths as ``softmax_loss_vectorized``, laid out for the machine.

``softmax_loss_vectorized`` spends almost all its time in two skinny matrix
products, ``X @ W`` (N, D) x (D, C) and ``X.T @ (P - Y)`` (D, N) x (N, C), each
of which streams the whole of X (N * D numbers) from main memory for very little
arithmetic per number when C is small. ``softmax_loss_fast`` changes only where
the numbers live, never the formulas:

* **Transposed scores.** The scores are kept as a (C, N) array ``S.T = W.T @ X.T``
  rather than (N, C). Both products then take the shape OpenBLAS's kernels
  prefer for a short side of C (a wide (C, D) x (D, B) and a (C, B) x (B, D)),
  and the softmax reductions over classes run along C contiguous rows of
  length B instead of N rows of length C.
* **Row blocks.** X is processed ``block_rows`` examples at a time. A block of
  X is read from main memory by the first product and is still in cache when
  the second product reads it again, so X crosses the memory bus once instead
  of twice. The gradient is accumulated block by block.

Temporaries are one (C, block_rows) score block, one (C, D) partial gradient and
a few vectors of length block_rows: never anything of size N x D.

Measured (``python -m softmax.bench``, N = 49000, D = 3073, C = 10, float64, one
thread, medians of per-round ratios, 3 processes): about 0.6 of the vectorized
time with OpenBLAS's SkylakeX kernel, below the two products run on their own;
about 0.91 with its Haswell kernel (``OPENBLAS_CORETYPE=Haswell``), which runs
these C = 10 products at only 10-11 GFLOP/s even from cache (7-9 from memory),
so reading X once saves little there.

Notebook ``notebooks/05_naive_vs_vectorized.ipynb`` ("How fast can it go")
times it against the readable version and checks that they agree; ``python -m
softmax.bench`` measures it against the vectorized loss's two GEMMs alone (not a
lower bound: this layout can run faster than they do).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_loss_inputs, check_result, check_scores, reports_overflow
from .loss import _SHAPES_DOC, sum_of_squares

__all__ = ["blas_threads", "default_block_rows", "softmax_loss_fast"]

# Bytes of X per row block. Measured at N = 49000, D = 3073, C = 10, float64, one
# thread, OpenBLAS SkylakeX kernel (time / vectorized): 64 rows 0.73, 128 rows 0.69,
# 256 to 2048 rows 0.60-0.62. 8 MiB (320 rows at D = 3073) is in the flat part and
# still fits in a laptop's L3 cache between the two products.
_BLOCK_BYTES = 8 * 2**20


def default_block_rows(N: int, D: int, C: int, itemsize: int = 8) -> int:
    """Rows of X per block used by :func:`softmax_loss_fast` when none is given.

    Parameters
    ----------
    N, D, C : int
        Examples, features and classes (X is (N, D), W is (D, C)).
    itemsize : int
        Bytes per number: 8 for float64, 4 for float32.

    Returns
    -------
    int
        About 8 MiB of X per block, times ``C // 25`` clipped to [1, 4] (so
        16 MiB at 50 classes, 32 MiB from 100), rounded down to a multiple of
        64 rows; at least 64 rows and never more than N.

    Notes
    -----
    Measured at N = 10000, D = 3073, C = 100, float64, one thread (time /
    vectorized): 320 rows 0.82, 640 rows 0.70, 1280 rows 0.68. With many
    classes the products themselves, not the memory traffic, dominate, and
    larger blocks make them more efficient.
    """
    scale = min(4, max(1, C // 25))
    rows = max(64, (scale * _BLOCK_BYTES // max(1, D * itemsize)) // 64 * 64)
    return int(min(N, rows))


_BLAS_CONTROLLERS = None


def blas_threads() -> int:
    """The number of threads numpy's BLAS will use now (1 if it cannot be told).

    Reads threadpoolctl's view of the loaded BLAS libraries, so that a
    ``threadpool_limits`` context is respected; costs under a microsecond after
    the first call.
    """
    global _BLAS_CONTROLLERS
    try:
        if _BLAS_CONTROLLERS is None:
            from threadpoolctl import ThreadpoolController

            _BLAS_CONTROLLERS = ThreadpoolController().select(user_api="blas").lib_controllers
        return max([lc.get_num_threads() or 1 for lc in _BLAS_CONTROLLERS], default=1)
    except Exception:  # threadpoolctl missing or a library it cannot query
        return 1


@reports_overflow
def softmax_loss_fast(W, X, y, reg, *, block_rows: int | None = None):
    """Softmax loss and gradient, row-blocked with transposed (C, N) scores.

    Computes exactly what :func:`softmax.softmax_loss_vectorized` computes (it
    agrees to ~1e-15 relative in float64), with the same validation, the same
    dtype rules and the same max-shift for numerical stability. Per block of B
    rows ``Xb`` (B, D):

    1. ``S = W.T @ Xb.T``                 scores, (C, B) (float64, one BLAS thread)
    2. ``S -= S.max(axis=0)``              max shift per example (per column)
    3. ``loss += sum(log(sum_c exp S) - S[y_i, i])``
    4. ``S = (softmax(S) - Y) / N``        dL/dS for this block
    5. ``dW.T += S @ Xb``                  (C, B) x (B, D)

    and finally ``loss = loss / N + reg * sum(W**2)``; ``dW`` starts at
    ``2 * reg * W``. Derived and timed in ``notebooks/05_naive_vs_vectorized.ipynb``.

    ``block_rows`` (keyword only, int >= 1) sets B; by default
    :func:`default_block_rows` picks about 8 MiB of X per block.

    **Several BLAS threads.** Blocks and layout are tuned for one BLAS thread.
    With several (and ``block_rows`` not given) the whole batch is one block
    in the (N, C) layout of the vectorized code, i.e. its two products: each
    product wakes the BLAS worker threads and waits for all of them, and on a
    busy machine that wait costs milliseconds, so hundreds of small products
    (or the transposed product, which OpenBLAS cuts into more pieces) were far
    slower than the two plain ones (measured on 2 shared cores: 19 s instead
    of 1.9 s at N = 49000, D = 3073, C = 10).

    **float32** keeps the row blocks but the (b, C) layout of the vectorized
    code: with OpenBLAS's single-precision kernels the transposed products were
    slower (1.2 to 1.4 times the vectorized loss at the dev shape).

    Dividing by N before the second product (not after) also keeps dW finite
    where ``X.T @ (P - Y)`` alone would overflow (X near 1e308).
    """
    if block_rows is not None:
        if isinstance(block_rows, bool | np.bool_) or not isinstance(block_rows, int | np.integer):
            raise TypeError(f"block_rows must be an int >= 1; got {type(block_rows).__name__}")
        if block_rows < 1:
            raise ValueError(f"block_rows must be >= 1; got {block_rows}")
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    N, D = X.shape
    C = W.shape[1]
    one_thread = block_rows is not None or blas_threads() == 1
    transposed = one_thread and X.dtype == np.float64
    if block_rows is not None:
        B = min(N, int(block_rows))
    else:
        B = default_block_rows(N, D, C, X.dtype.itemsize) if one_thread else N
    return _blocked_loss(W, X, y, reg, B, transposed)


def _blocked_loss(W, X, y, reg, B: int, transposed: bool):
    """The loop of :func:`softmax_loss_fast` on validated inputs: blocks of B rows,
    scores laid out (C, b) if ``transposed`` else (b, C)."""
    N, D = X.shape
    C = W.shape[1]
    reg_loss = reg * sum_of_squares(W)
    dW = np.multiply(W, 2 * reg)  # the regulariser's gradient; the data term is added below
    if transposed:  # scores (C, b); reductions over classes along axis 0
        axis, WT, acc = 0, W.T, dW.T  # (C, D) views, no copies
        scores = np.empty((C, B), dtype=W.dtype)
        partial = np.empty((C, D), dtype=W.dtype)  # one block's share of dW.T
    else:  # scores (b, C), as in softmax_loss_vectorized
        axis, acc = 1, dW
        scores = np.empty((B, C), dtype=W.dtype)
        partial = np.empty((D, C), dtype=W.dtype)
    index = np.arange(B)
    inv_n = 1.0 / N
    data_loss = 0.0
    for start in range(0, N, B):
        Xb = X[start : start + B]
        b = Xb.shape[0]
        yb = y[start : start + b]
        if transposed:
            S = scores[:, :b]
            np.matmul(WT, Xb.T, out=S)  # (C, D) x (D, b): Xb is read from memory here
            true = (yb, index[:b])
        else:
            S = scores[:b]
            np.matmul(Xb, W, out=S)
            true = (index[:b], yb)
        check_scores(S, Xb, W)
        S -= S.max(axis=axis, keepdims=True)  # each example's largest score becomes 0
        correct = S[true]  # shifted score of the true class, (b,)
        np.exp(S, out=S)
        sums = S.sum(axis=axis, keepdims=True)  # each >= 1
        log_sums = np.log(sums).ravel()
        log_sums -= correct
        data_loss += float(np.sum(log_sums, dtype=np.float64))  # sum of -log p[i, y_i]
        sums *= N
        S /= sums  # probabilities / N
        S[true] -= inv_n  # (P - Y) / N for this block
        if transposed:
            np.matmul(S, Xb, out=partial)  # (C, b) x (b, D): Xb is still in cache
            # acc is dW.T (column-major), partial is row-major: add class by class, two
            # 1-D views. numpy < 2.3 runs a 2-D `acc += partial` of mixed layouts through
            # its ufunc buffers (2 x 8192 elements, 128 KiB: more than D x C here).
            for c in range(C):
                acc[c] += partial[c]
        else:
            np.matmul(Xb.T, S, out=partial)
            acc += partial
    del partial, scores  # before check_result's own temporary
    loss = data_loss / N + reg_loss
    check_result(loss, dW)
    return loss, dW


softmax_loss_fast.__doc__ += _SHAPES_DOC
