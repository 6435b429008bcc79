"""Properties and references for softmax_loss_naive and softmax_loss_vectorized."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loss_cases import assert_same, make_problem, normwise, problems, regs
from reference import mp_gradient, mp_loss

from softmax import numerical_gradient, softmax, softmax_loss_naive, softmax_loss_vectorized

LOSSES = [softmax_loss_naive, softmax_loss_vectorized]
ids = ["naive", "vectorized"]


@settings(max_examples=60, deadline=None)
@given(problem=problems, reg=regs)
def test_naive_equals_vectorized(problem, reg):
    W, X, y = problem
    loss_n, dW_n = softmax_loss_naive(W, X, y, reg)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, reg)
    assert isinstance(loss_n, float) and isinstance(loss_v, float)
    assert math.isclose(loss_n, loss_v, rel_tol=1e-10, abs_tol=1e-12)
    assert dW_n.shape == dW_v.shape == W.shape
    assert dW_n.dtype == dW_v.dtype == np.float64
    assert_same(dW_n, dW_v, rtol=1e-10)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 4), D=st.integers(1, 3))
def test_naive_equals_vectorized_with_1000_classes(seed, N, D):
    W, X, y = make_problem(seed, N, D, 1000)
    loss_n, dW_n = softmax_loss_naive(W, X, y, 0.01)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, 0.01)
    assert math.isclose(loss_n, loss_v, rel_tol=1e-10)
    assert_same(dW_n, dW_v, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(problem=problems, reg=regs)
@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_analytic_gradient_matches_centred_differences(loss_fn, problem, reg):
    W, X, y = problem
    _, dW = loss_fn(W, X, y, reg)
    numeric = numerical_gradient(lambda W_: softmax_loss_vectorized(W_, X, y, reg)[0], W)
    assert normwise(dW, numeric) < 1e-7


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 10), D=st.integers(1, 6))
@pytest.mark.parametrize("C", [2, 3, 10, 1000])
@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_loss_at_zero_weights_is_log_C(loss_fn, C, seed, N, D):
    if loss_fn is softmax_loss_naive and C == 1000 and N * D > 12:
        N, D = 3, 4  # keep the loop version quick
    _, X, y = make_problem(seed, N, D, C)
    loss, dW = loss_fn(np.zeros((D, C)), X, y, reg=1.0)
    assert loss == pytest.approx(math.log(C), rel=1e-12)
    # At W = 0 every class has probability 1/C: dW = X^T (1/C - Y) / N.
    Y = np.eye(C)[y]
    assert_same(dW, X.T @ (np.full((N, C), 1.0 / C) - Y) / N, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(problem=problems, reg=regs)
@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_zero_inputs_give_exactly_the_regulariser_gradient(loss_fn, problem, reg):
    W, X, y = problem
    loss, dW = loss_fn(W, np.zeros_like(X), y, reg)
    np.testing.assert_array_equal(dW, 2 * reg * W)
    C = W.shape[1]
    assert loss == pytest.approx(math.log(C) + reg * np.sum(W**2), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(problem=problems, shift=st.sampled_from([-50.0, 3.0, 700.0, 1e4]))
@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_shift_invariance(loss_fn, problem, shift):
    """Adding the same constant to every class score changes nothing (reg = 0).

    With a bias column of ones in X, adding `shift` to that row of W adds it to
    all C scores of every example.
    """
    W, X, y = problem
    X = X.copy()
    X[:, 0] = 1.0
    W_shifted = W.copy()
    W_shifted[0, :] += shift
    loss, dW = loss_fn(W, X, y, 0.0)
    loss_s, dW_s = loss_fn(W_shifted, X, y, 0.0)
    assert loss_s == pytest.approx(loss, rel=1e-9, abs=1e-9)
    assert_same(dW_s, dW, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(problem=problems)
def test_gradient_columns_sum_to_regulariser(problem):
    """Rows of P - Y sum to 0, so the columns of the data gradient sum to 0 along C."""
    W, X, y = problem
    _, dW = softmax_loss_vectorized(W, X, y, 0.0)
    scale = np.abs(X).sum() / X.shape[0] + 1.0
    np.testing.assert_allclose(dW.sum(axis=1), 0.0, atol=1e-12 * scale)


@pytest.mark.parametrize(
    ("seed", "N", "D", "C", "w_scale", "reg"),
    [
        (0, 1, 1, 2, 0.5, 0.0),
        (1, 3, 2, 3, 1.0, 0.1),
        (2, 5, 3, 4, 2.0, 0.05),
        (3, 2, 4, 5, 0.1, 1.0),
    ],
)
@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_agrees_with_high_precision_reference(loss_fn, seed, N, D, C, w_scale, reg):
    W, X, y = make_problem(seed, N, D, C, w_scale)
    loss, dW = loss_fn(W, X, y, reg)
    assert loss == pytest.approx(float(mp_loss(W, X, y, reg)), rel=1e-13)
    assert_same(dW, mp_gradient(W, X, y, reg), rtol=1e-12)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_extreme_scores_stay_finite_and_correct(loss_fn, sign):
    """Scores of +-1e4: exp would overflow (or underflow to 0) without the max shift."""
    W = sign * np.array([[1e4, 0.0, -1e4], [0.0, 5e3, 1.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([1, 0, 2])
    loss, dW = loss_fn(W, X, y, 0.0)
    assert np.isfinite(loss) and np.isfinite(dW).all()
    assert loss == pytest.approx(float(mp_loss(W, X, y, 0.0)), rel=1e-14)
    assert_same(dW, mp_gradient(W, X, y, 0.0), rtol=1e-12)


@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_confident_correct_prediction_has_tiny_loss(loss_fn):
    W = np.array([[0.0, 1e4]])
    loss, dW = loss_fn(W, np.ones((2, 1)), np.array([1, 1]), 0.0)
    assert loss == 0.0  # exp(-1e4) vanishes: -log p = log(1 + exp(-1e4)) = 0 in float64
    np.testing.assert_array_equal(dW, 0.0)


@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_float32_follows_input_dtype_within_float32_tolerance(loss_fn):
    W, X, y = make_problem(7, 40, 12, 6)
    loss64, dW64 = loss_fn(W, X, y, 0.1)
    loss32, dW32 = loss_fn(W.astype(np.float32), X.astype(np.float32), y, 0.1)
    assert dW32.dtype == np.float32
    assert isinstance(loss32, float)
    assert loss32 == pytest.approx(loss64, rel=1e-6)
    assert_same(dW32, dW64, rtol=1e-5)


@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_mixed_and_integer_dtypes_compute_in_float64(loss_fn):
    W, X, y = make_problem(8, 5, 3, 4)
    X_int = np.round(3 * X).astype(np.int64)
    _, dW_mixed = loss_fn(W.astype(np.float32), X, y, 0.1)
    _, dW_int = loss_fn(W, X_int, y, 0.1)
    assert dW_mixed.dtype == np.float64
    assert_same(dW_int, loss_fn(W, X_int.astype(float), y, 0.1)[1], rtol=1e-15)


@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_inputs_are_never_modified(loss_fn):
    W, X, y = make_problem(9, 6, 4, 3)
    copies = [W.copy(), X.copy(), y.copy()]
    loss_fn(W, X, y, 0.5)
    for before, after in zip(copies, [W, X, y], strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("loss_fn", LOSSES, ids=ids)
def test_probabilities_behind_the_gradient_sum_to_one(loss_fn):
    """dW at reg 0 for a single one-hot example equals outer(x, p - e_y): recover p."""
    W, _, _ = make_problem(10, 1, 4, 5)
    x = np.zeros((1, 4))
    x[0, 2] = 1.0
    _, dW = loss_fn(W, x, np.array([3]), 0.0)
    p = dW[2] + np.eye(5)[3]
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(p, softmax(x @ W)[0], rtol=1e-14)


def test_accepts_lists():
    loss, dW = softmax_loss_vectorized([[0.0, 0.0]], [[1.0], [2.0]], [0, 1], 0.0)
    assert loss == pytest.approx(math.log(2))
    assert dW.shape == (1, 2)
