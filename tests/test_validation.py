"""Bad input gets a clear TypeError/ValueError naming the argument, never a wrong answer."""

from __future__ import annotations

import numpy as np
import pytest

from softmax import (
    grad_check_sparse,
    log_softmax,
    logsumexp,
    numerical_gradient,
    rel_error,
    softmax,
    softmax_loss_naive,
    softmax_loss_vectorized,
)

LOSSES = [softmax_loss_naive, softmax_loss_vectorized]


def good():
    rng = np.random.default_rng(0)
    return rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), np.array([0, 1, 2, 1, 0])


def with_nan(a, value=np.nan):
    a = a.copy()
    a.flat[1] = value
    return a


W0, X0, y0 = good()

# (description, W, X, y, reg, exception, words the message must contain)
BAD_INPUTS = [
    (
        "label -1 (numpy would wrap it)",
        W0,
        X0,
        np.array([0, 1, -1, 1, 0]),
        0.1,
        ValueError,
        ["y", "[0, C)", "-1"],
    ),
    ("label == C", W0, X0, np.array([0, 1, 3, 1, 0]), 0.1, ValueError, ["y", "[0, 3)", "3"]),
    ("float labels", W0, X0, y0.astype(float), 0.1, TypeError, ["y", "integer"]),
    ("bool labels", W0, X0, y0 > 0, 0.1, TypeError, ["y", "integer"]),
    ("string labels", W0, X0, np.array(list("abcde")), 0.1, TypeError, ["y", "integer"]),
    ("2-D labels", W0, X0, y0[:, None], 0.1, ValueError, ["y", "1-D"]),
    ("len(y) != N", W0, X0, y0[:4], 0.1, ValueError, ["y", "len(y)"]),
    ("D mismatch", W0, X0[:, :3], y0, 0.1, ValueError, ["X", "W", "(N, D)"]),
    ("1-D W", W0[:, 0], X0, y0, 0.1, ValueError, ["W", "2-D"]),
    ("1-D X", W0, X0[0], y0[:1], 0.1, ValueError, ["X", "2-D"]),
    ("3-D X", W0, X0[None], y0, 0.1, ValueError, ["X", "2-D"]),
    ("empty batch", W0, X0[:0], y0[:0], 0.1, ValueError, ["X", "at least one example"]),
    ("no features", W0[:0], X0[:, :0], y0, 0.1, ValueError, ["W", "at least one row"]),
    (
        "one class",
        W0[:, :1],
        X0,
        np.zeros(5, dtype=int),
        0.1,
        ValueError,
        ["W", "at least 2 columns"],
    ),
    ("NaN in W", with_nan(W0), X0, y0, 0.1, ValueError, ["W", "NaN or inf"]),
    ("inf in W", with_nan(W0, np.inf), X0, y0, 0.1, ValueError, ["W", "NaN or inf"]),
    ("NaN in X", W0, with_nan(X0), y0, 0.1, ValueError, ["X", "NaN or inf"]),
    ("-inf in X", W0, with_nan(X0, -np.inf), y0, 0.1, ValueError, ["X", "NaN or inf"]),
    (
        "inf in X times a zero row of W",
        np.zeros((4, 3)),
        with_nan(X0, np.inf),
        y0,
        0.1,
        ValueError,
        ["X", "NaN or inf"],
    ),
    ("negative reg", W0, X0, y0, -0.1, ValueError, ["reg", ">= 0"]),
    ("NaN reg", W0, X0, y0, float("nan"), ValueError, ["reg"]),
    ("inf reg", W0, X0, y0, float("inf"), ValueError, ["reg"]),
    ("string reg", W0, X0, y0, "0.1", TypeError, ["reg", "real number"]),
    ("None reg", W0, X0, y0, None, TypeError, ["reg"]),
    ("string W", W0.astype(str), X0, y0, 0.1, TypeError, ["W", "real numbers"]),
    ("object X", W0, X0.astype(object), y0, 0.1, TypeError, ["X", "real numbers"]),
    ("complex X", W0, X0.astype(complex), y0, 0.1, TypeError, ["X", "real numbers"]),
    ("bool X", W0, X0 > 0, y0, 0.1, TypeError, ["X", "real numbers"]),
    ("ragged X", W0, [[1.0, 2.0], [3.0]], y0[:2], 0.1, TypeError, ["X"]),
    ("None W", None, X0, y0, 0.1, TypeError, ["W"]),
]


@pytest.mark.parametrize("loss_fn", LOSSES, ids=["naive", "vectorized"])
@pytest.mark.parametrize(
    ("W", "X", "y", "reg", "exc", "words"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_loss_rejects_bad_input(loss_fn, W, X, y, reg, exc, words):
    with pytest.raises(exc) as info:
        loss_fn(W, X, y, reg)
    for word in words:
        assert word in str(info.value), f"{word!r} missing from: {info.value}"


@pytest.mark.parametrize("loss_fn", LOSSES, ids=["naive", "vectorized"])
def test_overflowing_scores_are_reported_as_such(loss_fn):
    W = np.full((2, 3), 1e200)
    X = np.full((2, 2), 1e200)
    with pytest.raises(ValueError, match="overflow"):
        loss_fn(W, X, np.array([0, 1]), 0.0)


@pytest.mark.parametrize("fn", [softmax, log_softmax, logsumexp])
@pytest.mark.parametrize(
    ("Z", "kwargs", "exc", "match"),
    [
        ([1.0, np.nan], {}, ValueError, "Z must not contain NaN or inf"),
        ([1.0, np.inf], {}, ValueError, "Z must not contain NaN or inf"),
        ([], {}, ValueError, "Z must not be empty"),
        (np.zeros((3, 0)), {}, ValueError, "Z must not be empty"),
        (np.zeros((2, 0)), {"axis": 0}, ValueError, "Z must not be empty"),
        (2.0, {}, ValueError, "at least one dimension"),
        (["a", "b"], {}, TypeError, "Z must hold real numbers"),
        ([True, False], {}, TypeError, "Z must hold real numbers"),
        ([1.0, 2.0], {"axis": 1}, ValueError, "axis 1 is out of range"),
        ([1.0, 2.0], {"axis": 0.5}, TypeError, "axis must be an int"),
    ],
)
def test_functions_reject_bad_input(fn, Z, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(Z, **kwargs)


def quadratic(W):
    return float(np.sum(W**2))


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: numerical_gradient("f", np.ones(2)), TypeError, "f must be callable"),
        (lambda: numerical_gradient(quadratic, np.ones(2), h=0), ValueError, "h must be"),
        (lambda: numerical_gradient(quadratic, np.ones(2), h=-1e-5), ValueError, "h must be"),
        (
            lambda: numerical_gradient(lambda W: "x", np.ones(2)),
            TypeError,
            "f must return a number",
        ),
        (lambda: numerical_gradient(quadratic, [np.nan, 1.0]), ValueError, "W must not contain"),
        (
            lambda: grad_check_sparse(quadratic, np.ones(3), np.ones(2)),
            ValueError,
            "analytic must have the shape",
        ),
        (
            lambda: grad_check_sparse(quadratic, np.ones(3), np.ones(3), num_checks=0),
            ValueError,
            "num_checks",
        ),
        (
            lambda: grad_check_sparse(quadratic, np.ones(3), np.ones(3), num_checks=2.5),
            ValueError,
            "num_checks",
        ),
        (
            lambda: grad_check_sparse(quadratic, np.ones(3), np.ones(3), rng="seed"),
            TypeError,
            "rng must be",
        ),
        (
            lambda: grad_check_sparse(quadratic, np.ones(3), [np.nan] * 3),
            ValueError,
            "analytic must not contain",
        ),
        (lambda: rel_error(np.ones(2), np.ones(3)), ValueError, "same shape"),
        (lambda: rel_error(["a"], ["b"]), TypeError, "a must hold real numbers"),
    ],
)
def test_gradcheck_rejects_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("loss_fn", LOSSES, ids=["naive", "vectorized"])
def test_overflowing_gradient_or_penalty_is_an_error_not_inf(loss_fn):
    # Finite scores (W is tiny) but X.T @ (P - Y) overflows float64.
    X = np.full((4, 2), 1.7e308)
    with pytest.raises(ValueError, match="gradient dW overflows"):
        loss_fn(np.full((2, 2), 1e-320), X, np.zeros(4, dtype=int), 0.0)
    # reg * sum(W**2) overflows.
    with pytest.raises(ValueError, match="loss overflows"):
        loss_fn(np.full((2, 3), 1e200), np.zeros((2, 2)), np.array([0, 1]), 1.0)
