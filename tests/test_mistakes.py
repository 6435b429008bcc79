"""softmax.mistakes: every variant is really wrong, and is caught by the check notebook 04 names."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from softmax import (
    log_softmax,
    logsumexp,
    mistakes,
    softmax,
    softmax_loss_naive,
    softmax_loss_vectorized,
)
from softmax.display.checks import GRADCHECK_GOOD, GRADCHECK_WRONG, bug_signature, capture_warnings
from softmax.mistakes import GALLERY


@pytest.fixture(scope="module")
def problem():
    """Notebook 04's setting: W of order 0.5 and reg = 0.1, so the regulariser matters."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 5)), rng.integers(4, size=6)
    W = 0.5 * rng.normal(size=(5, 4))
    return W, X, y, 0.1


@pytest.fixture(scope="module")
def cs231n_problem():
    """CS231n's gradient-check setting: W = 1e-4 * normal, reg = 5e-6."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 8)), rng.integers(5, size=10)
    W = 1e-4 * rng.normal(size=(8, 5))
    return W, X, y, 5e-6


# --------------------------------------------------------------------------- naive softmax family


def test_naive_functions_agree_with_the_stable_ones_on_small_scores():
    Z = np.random.default_rng(2).normal(size=(4, 5)) * 3
    np.testing.assert_allclose(mistakes.naive_softmax(Z), softmax(Z), rtol=1e-13)
    np.testing.assert_allclose(mistakes.naive_log_softmax(Z), log_softmax(Z), rtol=1e-13)
    np.testing.assert_allclose(mistakes.naive_logsumexp(Z), logsumexp(Z), rtol=1e-13)
    np.testing.assert_allclose(mistakes.naive_softmax(Z, axis=0), softmax(Z, axis=0), rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_naive_softmax_overflows_exactly_beyond_ln_max(dtype):
    edge = float(np.log(np.finfo(dtype).max))  # 88.72 or 709.78, from finfo
    below = mistakes.naive_softmax(np.array([edge - 0.01, 0.0], dtype=dtype))
    assert np.isfinite(below).all() and below.dtype == dtype
    above, messages = capture_warnings(
        mistakes.naive_softmax, np.array([edge + 0.01, 0.0], dtype=dtype)
    )
    assert np.isnan(above[0])
    assert messages[0] == "RuntimeWarning: overflow encountered in exp"
    np.testing.assert_allclose(
        softmax(np.array([edge + 0.01, 0.0], dtype=dtype)), [1.0, 0.0], atol=1e-30
    )


def test_naive_softmax_underflows_to_nan():
    with pytest.warns(RuntimeWarning, match="invalid value"):
        p = mistakes.naive_softmax([-1000.0, -1001.0])
    assert np.isnan(p).all()


def test_naive_log_softmax_gives_minus_inf_for_an_underflowed_probability():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        out = mistakes.naive_log_softmax([0.0, -800.0])
    assert out[1] == -np.inf
    np.testing.assert_array_equal(log_softmax([0.0, -800.0]), [0.0, -800.0])


def test_naive_logsumexp_overflows():
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert mistakes.naive_logsumexp([1000.0, 1000.0]) == np.inf
    assert logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + math.log(2))


def test_naive_functions_validate_inputs():
    with pytest.raises(ValueError, match="axis"):
        mistakes.naive_softmax([1.0, 2.0], axis=1)
    with pytest.raises(ValueError, match="Z must not contain NaN"):
        mistakes.naive_softmax([np.nan, 1.0])
    with pytest.raises(TypeError):
        mistakes.naive_log_softmax(["a", "b"])


# --------------------------------------------------------------------------- the gallery


def test_every_wrong_function_says_so():
    for name, fn in inspect.getmembers(mistakes, inspect.isfunction):
        if not name.startswith("_") and fn.__module__ == mistakes.__name__:
            assert "WRONG ON PURPOSE" in fn.__doc__, name
    assert "WRONG ON PURPOSE" in mistakes.__doc__


def test_gallery_lists_each_bug_once():
    assert [b.loss_fn for b in GALLERY] == [
        mistakes.loss_missing_mean,
        mistakes.loss_half_reg,
        mistakes.loss_no_max_shift,
        mistakes.loss_missing_minus_one,
        mistakes.loss_reg_missing_in_grad,
    ]
    assert len({b.name for b in GALLERY}) == len(GALLERY)


def test_the_unbroken_base_is_the_correct_loss(problem):
    W, X, y, reg = problem
    loss, dW = mistakes._buggy_loss(W, X, y, reg)
    ref_loss, ref_dW = softmax_loss_vectorized(W, X, y, reg)
    assert loss == pytest.approx(ref_loss, rel=1e-14)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-13)


@pytest.mark.parametrize("bug", GALLERY, ids=lambda b: b.name)
def test_bug_is_really_wrong(bug, problem):
    W, X, y, reg = problem
    loss, dW = bug.loss_fn(W, X, y, reg)
    ref_loss, ref_dW = softmax_loss_naive(W, X, y, reg)
    if bug.loss_fn is mistakes.loss_no_max_shift:
        # Exact on ordinary scores; wrong (NaN) on large ones.
        assert loss == pytest.approx(ref_loss, rel=1e-13)
        with np.errstate(all="ignore"):
            big_loss, big_dW = bug.loss_fn(W, 1000 * X, y, reg)
        assert np.isfinite(softmax_loss_naive(W, 1000 * X, y, reg)[0])
        assert not (np.isfinite(big_loss) and np.isfinite(big_dW).all())
    else:
        wrong_loss = abs(loss - ref_loss) > 1e-3 * abs(ref_loss)
        wrong_dW = np.max(np.abs(dW - ref_dW)) > 1e-3 * np.max(np.abs(ref_dW))
        assert wrong_loss or wrong_dW


@pytest.mark.parametrize("bug", GALLERY, ids=lambda b: b.name)
def test_bug_is_caught_by_the_documented_checks(bug, problem):
    sig = bug_signature(bug.loss_fn, *problem)
    flagged = {name for name, caught in sig.caught.items() if caught}
    assert flagged == bug.caught_by
    # "Caught" means by a wide margin, not at the threshold.
    if "grad check" in bug.caught_by:
        assert sig.gradcheck > 100 * GRADCHECK_WRONG
    else:
        assert sig.gradcheck < GRADCHECK_GOOD / 10
    if "loss vs ref" in bug.caught_by:
        assert sig.loss_diff > 1e-3
    if "dW vs ref" in bug.caught_by:
        assert sig.dW_diff > 1e-2


def test_missing_mean_scales_the_loss_by_n(problem):
    W, X, y, _ = problem
    N = X.shape[0]
    assert mistakes.loss_missing_mean(np.zeros_like(W), X, y, 0.0)[0] == pytest.approx(
        N * math.log(4)
    )


def test_half_reg_breaks_only_the_regulariser_term(problem):
    W, X, y, reg = problem
    loss, dW = mistakes.loss_half_reg(W, X, y, reg)
    ref_loss, ref_dW = softmax_loss_naive(W, X, y, reg)
    assert ref_loss - loss == pytest.approx(0.5 * reg * np.sum(W**2), rel=1e-12)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-12)


def test_missing_minus_one_and_missing_reg_gradient(problem):
    W, X, y, reg = problem
    N = X.shape[0]
    _, ref_dW = softmax_loss_naive(W, X, y, reg)
    Y = np.eye(W.shape[1])[y]
    np.testing.assert_allclose(
        mistakes.loss_missing_minus_one(W, X, y, reg)[1], ref_dW + X.T @ Y / N
    )
    np.testing.assert_allclose(
        mistakes.loss_reg_missing_in_grad(W, X, y, reg)[1], ref_dW - 2 * reg * W
    )


def test_regulariser_bugs_hide_at_cs231n_reg(cs231n_problem):
    """What notebook 04 claims: at reg = 5e-6, W ~ 1e-4 the reg bugs slip through."""
    W, X, y, reg = cs231n_problem
    for fn in (mistakes.loss_half_reg, mistakes.loss_reg_missing_in_grad):
        loss_b, dW_b = fn(W, X, y, reg)
        loss_n, dW_n = softmax_loss_naive(W, X, y, reg)
        # CS231n's printout: "%f" of the differences.
        assert f"{abs(loss_b - loss_n):f}" == "0.000000"
        assert f"{np.linalg.norm(dW_b - dW_n):f}" == "0.000000"
        sig = bug_signature(fn, W, X, y, reg)
        assert sig.gradcheck < GRADCHECK_GOOD  # the gradient check calls it good
        assert np.allclose(dW_b, dW_n)  # numpy's default allclose passes too
    half = bug_signature(mistakes.loss_half_reg, W, X, y, reg)
    assert not any(half.caught.values())


def test_bug_losses_validate_inputs(problem):
    W, X, y, reg = problem
    for bug in GALLERY:
        with pytest.raises(ValueError, match="X has"):
            bug.loss_fn(W, X[:, :2], y, reg)
        with pytest.raises(ValueError, match="reg"):
            bug.loss_fn(W, X, y, -1.0)


# --------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize("bug", GALLERY, ids=lambda b: b.name)
def test_gallery_functions_are_the_catalogues_vectorized_implementations(bug, problem):
    W, X, y, reg = problem
    entry = mistakes.CATALOGUE[bug.mistake]
    loss, dW = bug.loss_fn(W, X, y, reg)
    for impl in entry.implementations:
        loss_c, dW_c = impl(W.copy(), X.copy(), y, reg)
        assert loss_c == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(dW_c, dW, rtol=1e-10, atol=1e-14)


def test_each_loss_mistake_really_breaks_its_parts(problem):
    """Independently of softmax.feedback: each loss mistake differs from the reference
    exactly where its parts say (ordinary loss, ordinary dW, big scores, shape, inputs)."""
    W, X, y, _ = problem
    reg = 0.5
    big = np.array([[1000.0, -1000.0, 3.0, 0.0], [-1000.0, -999.0, -1001.0, -1000.0]])
    Wb = np.linalg.pinv(X[:2]) @ big  # X[:2] @ Wb == big
    yb = np.array([1, 0])  # true classes 2000 below their rows' maxima
    for m in mistakes.CATALOGUE.values():
        if m.check != "loss":
            continue
        for impl in m.implementations:
            Wc = W.copy()
            with np.errstate(all="ignore"):
                loss, dW = impl(Wc, X.copy(), y, reg)
                big_loss, big_dW = impl(Wb.copy(), X[:2].copy(), yb, 0.0)
            ref_loss, ref_dW = softmax_loss_vectorized(W, X, y, reg)
            ref_big = softmax_loss_vectorized(Wb, X[:2], yb, 0.0)
            transposed = np.shape(dW) != W.shape
            assert ("interface" in m.parts) == transposed, m.id
            assert ("loss" in m.parts) == (abs(loss - ref_loss) > 1e-6 * ref_loss), m.id
            if not transposed:
                assert ("gradient" in m.parts) == (not np.allclose(dW, ref_dW, rtol=1e-8)), m.id
            assert ("side-effects" in m.parts) == (not np.array_equal(Wc, W)), m.id
            finite = np.isfinite(big_loss) and np.isfinite(big_dW).all()
            if "stability" in m.parts:
                assert not finite and np.isfinite(ref_big[0]), m.id


def test_softmax_and_numerical_gradient_mistakes_are_wrong():
    S = np.random.default_rng(3).normal(size=(4, 3))
    by_id = mistakes.CATALOGUE
    for impl in by_id["softmax-no-shift"].implementations:
        with np.errstate(all="ignore"):
            assert np.isnan(impl(np.array([[1000.0, 0.0]]))).any()
        np.testing.assert_allclose(impl(S.copy()), softmax(S), rtol=1e-12)
    for impl in by_id["softmax-wrong-axis"].implementations:
        np.testing.assert_allclose(impl(S.copy()).sum(axis=0), 1.0)
    for impl in by_id["softmax-in-place"].implementations:
        Z = S.copy()
        np.testing.assert_allclose(impl(Z), softmax(S), rtol=1e-12)
        assert not np.array_equal(Z, S)

    def f(x):
        return float(np.sum(x**3) + x[0] * x[1])

    x = np.array([1.0, 2.0, -1.0])
    exact = 3 * x**2 + np.array([x[1], x[0], 0.0])
    for impl in by_id["forward-difference"].implementations:
        np.testing.assert_allclose(
            impl(f, x.copy(), 1e-3) - exact, 3 * x * 1e-3 + [0, 0, 0], atol=1e-5
        )
    for impl in by_id["h-not-2h"].implementations:
        np.testing.assert_allclose(impl(f, x.copy(), 1e-4), 2 * exact, rtol=1e-6)
    for impl in by_id["x-not-restored"].implementations:
        xc = x.copy()
        impl(f, xc, 1e-3)
        np.testing.assert_allclose(xc, x - 1e-3)
