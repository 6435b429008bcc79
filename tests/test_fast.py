"""softmax_loss_fast: the same properties as the readable losses, for every block size.

The core properties of naive/vectorized live in test_loss.py; here the fast path
must satisfy them too, with several row blocks (block_rows small enough that the
loop runs many times, and a last block shorter than the others), with one and
with several BLAS threads, and within the memory bound 3NC + DC.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loss_cases import make_problem, normwise, problems, regs
from reference import mp_gradient, mp_loss
from threadpoolctl import threadpool_limits

from softmax import numerical_gradient, softmax_loss_naive, softmax_loss_vectorized
from softmax._validation import check_loss_inputs
from softmax.fast import _blocked_loss, blas_threads, default_block_rows, softmax_loss_fast

BLOCKS = [None, 1, 2, 3, 7]  # None: default_block_rows
block_ids = ["default", "B1", "B2", "B3", "B7"]


@pytest.fixture(autouse=True)
def one_blas_thread():
    """One BLAS thread, so that block_rows=None runs the blocked code (with several
    threads it calls the vectorized loss; the tests that want that set it themselves)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def fast(block_rows):
    def loss_fn(W, X, y, reg):
        return softmax_loss_fast(W, X, y, reg, block_rows=block_rows)

    return loss_fn


# --------------------------------------------------------------------------- agreement


@settings(max_examples=60, deadline=None)
@given(problem=problems, reg=regs, block_rows=st.sampled_from(BLOCKS))
def test_naive_vectorized_and_fast_agree(problem, reg, block_rows):
    W, X, y = problem
    loss_n, dW_n = softmax_loss_naive(W, X, y, reg)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, reg)
    loss_f, dW_f = softmax_loss_fast(W, X, y, reg, block_rows=block_rows)
    assert isinstance(loss_f, float)
    assert dW_f.shape == W.shape and dW_f.dtype == np.float64 and dW_f.flags.c_contiguous
    for loss, dW in [(loss_n, dW_n), (loss_v, dW_v)]:
        assert math.isclose(loss_f, loss, rel_tol=1e-12, abs_tol=1e-14)
        if np.any(dW):
            assert normwise(dW_f, dW) <= 1e-12
        else:
            np.testing.assert_array_equal(dW_f, 0.0)


@pytest.mark.parametrize("block_rows", [None, 64, 128, 500, 1000], ids=str)
def test_agrees_with_vectorized_to_1e12_at_the_dev_shape(block_rows):
    """The issue's contract: 1e-12 relative in float64, at CS231n's shape (N = 500, D = 3073)."""
    W, X, y = make_problem(0, 500, 3073, 10, w_scale=1e-2)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, 0.5)
    loss_f, dW_f = softmax_loss_fast(W, X, y, 0.5, block_rows=block_rows)
    assert abs(loss_f - loss_v) <= 1e-12 * abs(loss_v)
    assert np.linalg.norm(dW_f - dW_v) <= 1e-12 * np.linalg.norm(dW_v)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("transposed", [True, False], ids=["(C, b) scores", "(b, C) scores"])
@pytest.mark.parametrize("block_rows", [1, 3, 64, 1000])
def test_both_layouts_at_any_block_size(block_rows, transposed, dtype):
    """Both loops of the fast path (softmax_loss_fast picks one by dtype and threads)."""
    W, X, y = make_problem(11, 150, 40, 7, w_scale=0.3, dtype=dtype)
    loss, dW = _blocked_loss(*check_loss_inputs(W, X, y, 0.2), min(150, block_rows), transposed)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, 0.2)
    assert dW.dtype == dtype and dW.flags.c_contiguous
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert loss == pytest.approx(loss_v, rel=tol)
    assert normwise(dW, dW_v) <= tol


@pytest.mark.parametrize("threads", [1, 2])
def test_one_and_several_blas_threads_agree_with_vectorized(threads):
    """Several threads: one block in the (N, C) layout; one thread: blocks of (C, B)."""
    W, X, y = make_problem(1, 300, 20, 5)
    with threadpool_limits(limits=threads, user_api="blas"):
        assert blas_threads() == threads
        loss_f, dW_f = softmax_loss_fast(W, X, y, 0.1)
        loss_v, dW_v = softmax_loss_vectorized(W, X, y, 0.1)
    assert loss_f == pytest.approx(loss_v, rel=1e-12)
    assert normwise(dW_f, dW_v) <= 1e-12


@pytest.mark.parametrize(
    ("seed", "N", "D", "C", "w_scale", "reg"),
    [(1, 3, 2, 3, 1.0, 0.1), (2, 5, 3, 4, 2.0, 0.05)],
)
@pytest.mark.parametrize("block_rows", [None, 2], ids=["default", "B2"])
def test_agrees_with_high_precision_reference(block_rows, seed, N, D, C, w_scale, reg):
    W, X, y = make_problem(seed, N, D, C, w_scale)
    loss, dW = softmax_loss_fast(W, X, y, reg, block_rows=block_rows)
    assert loss == pytest.approx(float(mp_loss(W, X, y, reg)), rel=1e-13)
    assert normwise(dW, mp_gradient(W, X, y, reg)) <= 1e-12


@pytest.mark.parametrize("block_rows", BLOCKS, ids=block_ids)
def test_gradient_matches_centred_differences(block_rows):
    W, X, y = make_problem(3, 9, 4, 3)
    loss_fn = fast(block_rows)
    _, dW = loss_fn(W, X, y, 0.2)
    numeric = numerical_gradient(lambda w: loss_fn(w, X, y, 0.2)[0], W)
    np.testing.assert_allclose(dW, numeric, rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    problem=problems,
    shift=st.sampled_from([-50.0, 3.0, 700.0, 1e4]),
    block_rows=st.sampled_from(BLOCKS),
)
def test_shift_invariance(problem, shift, block_rows):
    """A bias column of ones in X: adding `shift` to its row of W shifts every score alike."""
    W, X, y = problem
    X = X.copy()
    X[:, 0] = 1.0
    W_shifted = W.copy()
    W_shifted[0, :] += shift
    loss, dW = softmax_loss_fast(W, X, y, 0.0, block_rows=block_rows)
    loss_s, dW_s = softmax_loss_fast(W_shifted, X, y, 0.0, block_rows=block_rows)
    assert loss_s == pytest.approx(loss, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(dW_s, dW, rtol=1e-9, atol=1e-9 * (np.abs(dW).max() + 1e-300))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    N=st.integers(1, 20),
    D=st.integers(1, 6),
    C=st.sampled_from([2, 3, 10, 1000]),
    block_rows=st.sampled_from(BLOCKS),
)
def test_loss_at_zero_weights_is_log_C(seed, N, D, C, block_rows):
    W, X, y = make_problem(seed, N, D, C, w_scale=0.0)
    loss, dW = softmax_loss_fast(W, X, y, 0.7, block_rows=block_rows)
    assert loss == pytest.approx(math.log(C), rel=1e-14)
    Y = np.eye(C)[y]
    expected = X.T @ (np.full((N, C), 1.0 / C) - Y) / N
    np.testing.assert_allclose(dW, expected, rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(problem=problems, reg=regs, block_rows=st.sampled_from(BLOCKS))
def test_zero_inputs_give_exactly_the_regulariser_gradient(problem, reg, block_rows):
    W, X, y = problem
    loss, dW = softmax_loss_fast(W, np.zeros_like(X), y, reg, block_rows=block_rows)
    np.testing.assert_array_equal(dW, 2 * reg * W)
    assert loss == pytest.approx(math.log(W.shape[1]) + reg * np.sum(W**2), rel=1e-12)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("block_rows", [None, 1, 2], ids=["default", "B1", "B2"])
def test_extreme_scores_stay_finite_and_correct(block_rows, sign):
    """Scores of +-1e4: exp would overflow (or underflow to 0) without the max shift."""
    W = sign * np.array([[1e4, 0.0, -1e4], [0.0, 5e3, 1.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([1, 0, 2])
    loss, dW = softmax_loss_fast(W, X, y, 0.0, block_rows=block_rows)
    assert np.isfinite(loss) and np.isfinite(dW).all()
    assert loss == pytest.approx(float(mp_loss(W, X, y, 0.0)), rel=1e-14)
    assert normwise(dW, mp_gradient(W, X, y, 0.0)) <= 1e-12


@pytest.mark.parametrize("block_rows", [None, 16, 33], ids=["default", "B16", "B33"])
def test_float32_in_float32_out_within_float32_tolerance(block_rows):
    W, X, y = make_problem(7, 100, 12, 6)
    loss64, dW64 = softmax_loss_vectorized(W, X, y, 0.1)
    W32, X32 = W.astype(np.float32), X.astype(np.float32)
    loss32, dW32 = softmax_loss_fast(W32, X32, y, 0.1, block_rows=block_rows)
    assert dW32.dtype == np.float32
    assert isinstance(loss32, float)
    assert loss32 == pytest.approx(loss64, rel=1e-6)
    assert normwise(dW32, dW64) <= 1e-5
    # ... and agrees with the vectorized float32 result as closely as float32 allows.
    loss_v32, dW_v32 = softmax_loss_vectorized(W32, X32, y, 0.1)
    assert loss32 == pytest.approx(loss_v32, rel=1e-6)
    assert normwise(dW32, dW_v32) <= 1e-5


def test_mixed_dtypes_compute_in_float64():
    W, X, y = make_problem(8, 5, 3, 4)
    _, dW = softmax_loss_fast(W.astype(np.float32), X, y, 0.1, block_rows=2)
    assert dW.dtype == np.float64
    _, dW_int = softmax_loss_fast(W, np.round(3 * X).astype(np.int64), y, 0.1, block_rows=2)
    assert dW_int.dtype == np.float64


def test_inputs_are_never_modified():
    W, X, y = make_problem(9, 6, 4, 3)
    copies = [W.copy(), X.copy(), y.copy()]
    softmax_loss_fast(W, X, y, 0.5, block_rows=4)
    for before, after in zip(copies, [W, X, y], strict=True):
        np.testing.assert_array_equal(before, after)


def test_non_contiguous_inputs():
    W, X, y = make_problem(10, 40, 6, 5)
    Wf, Xs = np.asfortranarray(W), np.repeat(X, 2, axis=0)[::2]  # F-order W, strided X
    loss, dW = softmax_loss_fast(Wf, Xs, y, 0.3, block_rows=7)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, 0.3)
    assert loss == pytest.approx(loss_v, rel=1e-12)
    assert normwise(dW, dW_v) <= 1e-12


# --------------------------------------------------------------------------- errors


def _bad_inputs():
    rng = np.random.default_rng(0)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), np.array([0, 1, 2, 1, 0])
    X_nan = X.copy()
    X_nan[3, 2] = np.nan  # in the second block when block_rows = 2
    return [
        ("label -1", (W, X, np.array([0, 1, -1, 1, 0]), 0.1)),
        ("label == C", (W, X, np.array([0, 1, 3, 1, 0]), 0.1)),
        ("float labels", (W, X, y.astype(float), 0.1)),
        ("len(y) != N", (W, X, y[:4], 0.1)),
        ("D mismatch", (W, X[:, :3], y, 0.1)),
        ("one class", (W[:, :1], X, np.zeros(5, dtype=int), 0.1)),
        ("empty batch", (W, X[:0], y[:0], 0.1)),
        ("NaN in W", (np.where(W > 0, np.nan, W), X, y, 0.1)),
        ("NaN in X, second block", (W, X_nan, y, 0.1)),
        ("negative reg", (W, X, y, -1.0)),
        ("string reg", (W, X, y, "0.1")),
        ("complex X", (W, X.astype(complex), y, 0.1)),
        (
            "scores overflow",
            (np.full((2, 3), 1e200), np.full((2, 2), 1e200), np.array([0, 1]), 0.0),
        ),
        ("penalty overflows", (np.full((2, 3), 1e200), np.zeros((2, 2)), np.array([0, 1]), 1.0)),
    ]


@pytest.mark.parametrize("block_rows", [None, 2], ids=["default", "B2"])
@pytest.mark.parametrize(("args"), [c[1] for c in _bad_inputs()], ids=[c[0] for c in _bad_inputs()])
def test_rejects_bad_input_exactly_like_vectorized(args, block_rows):
    with pytest.raises((TypeError, ValueError)) as expected:
        softmax_loss_vectorized(*args)
    with pytest.raises(expected.type) as got:
        softmax_loss_fast(*args, block_rows=block_rows)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("block_rows", [None, 1], ids=["default", "B1"])
def test_dividing_by_N_first_keeps_a_huge_gradient_finite(block_rows):
    """X ~ 1.7e308: X.T @ (P - Y) overflows in the vectorized loss (a clear ValueError);
    the fast path divides by N first and returns the finite, correct gradient."""
    W, X, y = np.full((2, 2), 1e-320), np.full((4, 2), 1.7e308), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match="gradient dW overflows"):
        softmax_loss_vectorized(W, X, y, 0.0)
    loss, dW = softmax_loss_fast(W, X, y, 0.0, block_rows=block_rows)
    # Scores are ~0, so p = (1/2, 1/2) and every row of P - Y is (-1/2, 1/2).
    assert loss == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(dW, [[-0.85e308, 0.85e308]] * 2, rtol=1e-15)


@pytest.mark.parametrize(
    ("block_rows", "exc"), [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_rejects_a_bad_block_size(block_rows, exc):
    W, X, y = make_problem(0, 4, 3, 2)
    with pytest.raises(exc, match="block_rows"):
        softmax_loss_fast(W, X, y, 0.1, block_rows=block_rows)


def test_default_block_rows():
    assert default_block_rows(49000, 3073, 10, 8) == 320  # 8 MiB / (3073 * 8 B) = 341 -> 320
    assert default_block_rows(49000, 3073, 10, 4) == 640
    assert default_block_rows(10000, 3073, 100, 8) == 1344  # 4 x 8 MiB with 100 classes
    assert default_block_rows(10000, 3073, 50, 8) == 640
    assert default_block_rows(100, 3073, 10) == 100  # never more than N
    assert default_block_rows(10**6, 10**6, 10) == 64  # at least 64
    for D in (1, 10, 3073, 10**5):
        assert default_block_rows(10**7, D, 10) % 64 == 0


# --------------------------------------------------------------------------- memory


def peak_extra_bytes(func):
    """Peak bytes allocated during func() minus the returned gradient (the output)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        _, dW = func()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak - dW.nbytes


# Python objects (array headers, small index arrays) add a few kB whatever the shape.
SLACK = 32 * 1024


@pytest.mark.parametrize(
    ("N", "D", "C", "dtype"),
    [
        (500, 3073, 10, np.float64),  # CS231n's dev shape
        (500, 3073, 10, np.float32),
        (4000, 500, 10, np.float64),  # an N x D temporary would be 16 MB, the bound 1 MB
        (2000, 300, 100, np.float64),
        (3, 3073, 10, np.float64),  # N tiny: the bound is about D * C
    ],
)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "loss_fn", [softmax_loss_vectorized, softmax_loss_fast], ids=["vectorized", "fast"]
)
def test_peak_memory_within_3NC_plus_DC(loss_fn, N, D, C, dtype, threads):
    W, X, y = make_problem(0, N, D, C, w_scale=1e-2, dtype=dtype)
    bound = (3 * N * C + D * C) * np.dtype(dtype).itemsize
    with threadpool_limits(limits=threads, user_api="blas"):
        extra = peak_extra_bytes(lambda: loss_fn(W, X, y, 0.1))
    assert extra <= bound + SLACK, f"{extra} bytes of temporaries > bound {bound}"
