"""Gradient checking helpers: they must pass correct gradients and flag wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from softmax import grad_check_sparse, numerical_gradient, rel_error, softmax_loss_vectorized


def cubic(W):
    return float(np.sum(W**3) + W.flat[0] * W.flat[1])


def cubic_grad(W):
    g = 3 * W**2
    g.flat[0] += W.flat[1]
    g.flat[1] += W.flat[0]
    return g


@pytest.fixture
def W():
    return np.random.default_rng(0).standard_normal((3, 4))


def test_numerical_gradient_matches_known_gradient(W):
    numeric = numerical_gradient(cubic, W)
    assert numeric.shape == W.shape and numeric.dtype == np.float64
    assert rel_error(numeric, cubic_grad(W)) < 1e-7


def test_numerical_gradient_accepts_loss_and_grad_tuples(W):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 4, 6)

    def f(W_):
        return softmax_loss_vectorized(W_, X, y, 0.1)

    _, dW = f(W)
    assert rel_error(numerical_gradient(f, W), dW) < 1e-7


def test_w_is_not_modified(W):
    before = W.copy()
    numerical_gradient(cubic, W)
    grad_check_sparse(cubic, W, cubic_grad(W))
    np.testing.assert_array_equal(W, before)


def test_centred_difference_error_is_second_order():
    """Halving h divides the truncation error by about 4 (O(h^2))."""
    W = np.array([0.7])

    def f(w):
        return float(np.exp(3 * w[0]))

    exact = 3 * np.exp(2.1)
    err = [abs(numerical_gradient(f, W, h=h)[0] - exact) for h in (1e-2, 5e-3)]
    assert 3.5 < err[0] / err[1] < 4.5


def test_sparse_check_is_small_for_correct_and_large_for_wrong_gradient(W):
    good = grad_check_sparse(cubic, W, cubic_grad(W), num_checks=20)
    assert good.shape == (20,) and good.dtype == np.float64
    assert good.max() < 1e-8
    wrong = grad_check_sparse(cubic, W, 2 * W**2, num_checks=20)
    assert wrong.min() > 0.1


def test_sparse_check_is_reproducible(W):
    calls = []

    def spy(W_):
        calls.append(W_.copy())
        return cubic(W_)

    first = grad_check_sparse(spy, W, cubic_grad(W), rng=3)
    probed_first = [c for c in calls]
    calls.clear()
    second = grad_check_sparse(spy, W, cubic_grad(W), rng=np.random.default_rng(3))
    np.testing.assert_array_equal(first, second)
    for a, b in zip(probed_first, calls, strict=True):
        np.testing.assert_array_equal(a, b)
    calls.clear()
    grad_check_sparse(spy, W, cubic_grad(W))  # rng=None is seed 0: reproducible too
    default = [c.copy() for c in calls]
    calls.clear()
    grad_check_sparse(spy, W, cubic_grad(W), rng=0)
    for a, b in zip(default, calls, strict=True):
        np.testing.assert_array_equal(a, b)


def test_float32_gradient_check_is_much_worse_than_float64():
    rng = np.random.default_rng(2)
    W64 = 0.1 * rng.standard_normal((5, 4))
    X, y = rng.standard_normal((20, 5)), rng.integers(0, 4, 20)

    def errors(dtype):
        W = W64.astype(dtype)
        Xd = X.astype(dtype)

        def f(W_):
            return softmax_loss_vectorized(W_, Xd, y, 0.0)

        return grad_check_sparse(f, W, f(W)[1], num_checks=15)

    assert np.median(errors(np.float64)) < 1e-7
    assert np.median(errors(np.float32)) > 1e-4


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1.0, 2.0], [1.0, 2.0], 0.0),
        ([1.0], [3.0], 0.5),
        ([0.0], [0.0], 0.0),
        ([1e-12], [0.0], 1e-4),  # the 1e-8 floor keeps tiny entries from dominating
        ([[1.0, -1.0]], [[1.0, 1.0]], 1.0),
    ],
)
def test_rel_error_values(a, b, expected):
    assert rel_error(a, b) == pytest.approx(expected, rel=1e-12, abs=1e-300)
