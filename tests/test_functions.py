"""softmax, log_softmax and logsumexp: properties and a high-precision reference."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmax import log_softmax, logsumexp, softmax

mpmath.mp.dps = 50

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
score_arrays = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 12)),
    elements=finite,
)


def mp_logsumexp(row) -> float:
    return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)))


@settings(max_examples=200, deadline=None)
@given(Z=score_arrays)
def test_probabilities_are_in_range_and_sum_to_one(Z):
    P = softmax(Z)
    assert P.shape == Z.shape
    assert np.all((P >= 0) & (P <= 1))
    np.testing.assert_allclose(P.sum(axis=-1), 1.0, rtol=0, atol=1e-14)


@settings(max_examples=200, deadline=None)
@given(Z=score_arrays, c=st.floats(-1e3, 1e3))
def test_shift_invariance(Z, c):
    np.testing.assert_allclose(softmax(Z + c), softmax(Z), atol=1e-12)
    np.testing.assert_allclose(logsumexp(Z + c), logsumexp(Z) + c, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(log_softmax(Z + c), log_softmax(Z), rtol=1e-9, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(Z=score_arrays)
def test_logsumexp_matches_50_digit_reference(Z):
    expected = [mp_logsumexp(row) for row in Z]
    np.testing.assert_allclose(logsumexp(Z), expected, rtol=1e-14, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(Z=score_arrays)
def test_log_softmax_is_consistent(Z):
    L = log_softmax(Z)
    assert np.all(L <= 0)
    np.testing.assert_allclose(L, Z - logsumexp(Z)[:, None], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(np.exp(L), softmax(Z), atol=1e-14)


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_extreme_scores(scale):
    Z = np.array([[scale, 0.0, -scale], [-scale, -scale, -scale]])
    P = softmax(Z)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P[0], [1.0, 0.0, 0.0], atol=1e-40)
    np.testing.assert_allclose(P[1], [1 / 3] * 3, rtol=1e-15)
    np.testing.assert_allclose(logsumexp(Z), [mp_logsumexp(r) for r in Z], rtol=1e-15)
    # log p of the least likely class stays finite: -2 * scale, not log(0) = -inf.
    assert log_softmax(Z)[0, 2] == pytest.approx(-2 * scale, rel=1e-15)


def test_float32_is_kept_and_stable():
    Z = np.array([[88.0, 89.0, 90.0], [-1e4, 0.0, 1e4]], dtype=np.float32)
    for fn in (softmax, log_softmax, logsumexp):
        out = fn(Z)
        assert out.dtype == np.float32
        assert np.isfinite(out).all()
    np.testing.assert_allclose(softmax(Z), softmax(Z.astype(np.float64)), rtol=1e-6, atol=1e-7)


def test_integers_become_float64():
    assert softmax([1, 2, 3]).dtype == np.float64


def test_axis_argument():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((3, 4, 5))
    for axis in (0, 1, -1):
        np.testing.assert_allclose(softmax(Z, axis=axis).sum(axis=axis), 1.0, atol=1e-15)
        np.testing.assert_allclose(
            logsumexp(Z, axis=axis), np.log(np.exp(Z).sum(axis=axis)), rtol=1e-14
        )


def test_known_values():
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75], rtol=1e-15)
    assert float(logsumexp(np.zeros(10))) == pytest.approx(np.log(10), rel=1e-15)
    assert softmax([5.0]).tolist() == [1.0]


def test_input_not_modified():
    Z = np.array([[1.0, 2.0, 3.0]])
    before = Z.copy()
    softmax(Z), log_softmax(Z), logsumexp(Z)
    np.testing.assert_array_equal(Z, before)
