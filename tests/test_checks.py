"""softmax.display.checks: the verdict lines of notebooks 01-03 and the experiments behind their figures."""

from __future__ import annotations

import doctest
import math
import warnings

import mpmath
import numpy as np
import pytest

from softmax import log_softmax, softmax_loss_vectorized
from softmax.display import checks
from softmax.display.checks import (
    bug_signature,
    capture_warnings,
    check,
    check_true,
    compare,
    format_small,
    format_values,
    gradcheck_verdict,
    gradcheck_vs_reg,
    h_sweep,
    log_softmax_error,
    numerical_hessian,
    reference_log_softmax,
)
from softmax.mistakes import loss_reg_missing_in_grad, naive_log_softmax


def test_doctests():
    result = doctest.testmod(checks)
    assert result.attempted >= 4
    assert result.failed == 0


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (0.0, {}, "0"),
        (2.2e-16, {}, "≤ 1e-15"),
        (1e-7, {}, "≤ 1e-7"),
        (1.0000001e-7, {}, "≤ 1e-6"),
        (9.99e-4, {}, "≤ 1e-3"),
        (0.4567, {}, "0.46"),
        (15.2, {}, "15"),
        (0.018, {"bound_below": math.inf}, "≤ 1e-1"),
        (12.0, {"bound_below": math.inf}, "≤ 1e2"),
        (float("nan"), {}, "nan"),
        (float("inf"), {}, "inf"),
    ],
)
def test_format_small(value, kwargs, expected):
    assert format_small(value, **kwargs) == expected


def test_format_small_refuses_negative():
    with pytest.raises(ValueError, match="x must be >= 0"):
        format_small(-1e-3)


def test_format_values():
    assert format_values([1.0, -np.inf, np.nan, -0.0]) == "[1, -inf, nan, 0]"
    assert format_values(np.float32(0.1)) == "0.1"
    assert format_values(np.arange(8.0)).endswith(", ...]")


class TestCompare:
    def test_identical(self):
        c = compare("same", [1.0, 2.0], [1.0, 2.0])
        assert (c.exact, c.close, c.max_abs_diff, c.ok) == (True, True, 0.0, True)
        assert str(c).startswith("✓ same")
        assert "exact" not in str(c)  # bitwise equality depends on the machine: not printed
        assert "max|diff| ≤ 1e-13 (round-off)" in str(c)

    def test_round_off_is_close_not_exact(self):
        c = compare("sum", 0.1 + 0.2, 0.3)
        assert not c.exact and c.close
        assert c.max_abs_diff == pytest.approx(5.55e-17, rel=0.01)
        assert c.roundoff
        assert "close: yes  max|diff| ≤ 1e-13 (round-off)" in str(c)
        assert "ours 0.3   ref 0.3" in str(c)

    def test_real_difference_fails_and_is_reported(self):
        c = compare("off", [1.0, 2.0], [1.0, 2.5])
        assert not c.close and not c.exact
        assert c.max_abs_diff == 0.5
        assert c.max_rel_diff == pytest.approx(0.2)
        assert str(c).startswith("✗ off") and "max|diff| 0.5" in str(c)

    def test_nan_never_passes(self):
        c = compare("nan", [np.nan, 1.0], [np.nan, 1.0])
        assert not c.close and not c.exact and math.isnan(c.max_abs_diff)

    def test_equal_infinities_agree(self):
        c = compare("inf", [np.inf, 1.0], [np.inf, 1.0])
        assert c.exact and c.close and c.max_abs_diff == 0.0

    def test_inf_against_finite_is_inf(self):
        c = compare("overflow", [np.inf], [1.0])
        assert not c.close and c.max_abs_diff == math.inf

    def test_float32_gets_a_float32_tolerance(self):
        a = np.float32(1.0) + np.float32(1e-6)
        assert compare("f32", a, 1.0).close
        assert not compare("f64", 1.0 + 1e-6, 1.0).close

    def test_printout_does_not_depend_on_the_last_bits(self):
        ref = np.array([0.638066, 0.234731, 0.0954347])
        lines = {str(compare("p", ref + k * 2.2e-16, ref)) for k in range(4)}
        assert len(lines) == 1  # 0, 1, 2 or 3 ulps: the same text

    def test_floor_scales_with_the_values_and_dtype(self):
        assert "≤ 1e-11 (round-off)" in str(compare("big", 100.0 + 1e-13, 100.0))
        c = compare("f32", np.float32(1.0) + np.float32(1.2e-7), np.float32(1.0))
        assert "≤ 1e-4 (round-off)" in str(c)
        assert c.floor == pytest.approx(100 * float(np.finfo(np.float32).eps))

    def test_explicit_atol_is_the_finest_difference_shown(self):
        c = compare("numeric", 1.0 + 3e-11, 1.0, atol=1e-9)
        assert not c.roundoff
        assert "max|diff| ≤ 1e-9" in str(c) and "round-off" not in str(c)
        assert "max|diff| ≤ 1e-10" in str(compare("numeric", 1.0 + 3e-11, 1.0))

    def test_explicit_tolerance(self):
        assert compare("loose", 1.001, 1.0, rtol=1e-2).close
        assert not compare("tight", 1.001, 1.0).close

    def test_values_shown_only_for_small_arrays(self):
        small = str(compare("small", [0.638066, 0.0954347], [0.638066, 0.0954347]))
        assert small.splitlines()[1] == "  ours [0.6381, 0.09543]   ref [0.6381, 0.09543]"
        assert "ours" not in str(compare("big", np.zeros(5), np.zeros(5)))

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="same shape"):
            compare("x", [1.0, 2.0], [1.0])
        with pytest.raises(TypeError, match="name must be a str"):
            compare(3, 1.0, 1.0)
        with pytest.raises(TypeError, match="ours must hold real numbers"):
            compare("x", ["a"], [1.0])
        with pytest.raises(ValueError, match="rtol and atol"):
            compare("x", 1.0, 1.0, rtol=-1)


def test_check_prints_the_compare_line(capsys):
    check("p sums to 1", 1.0, 1.0)
    out = capsys.readouterr().out
    assert out == str(compare("p sums to 1", 1.0, 1.0)) + "\n"


def test_check_true_prints_a_mark(capsys):
    check_true("yes", True, "detail")
    check_true("no", np.False_)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("✓ yes") and lines[0].endswith(" detail")
    assert lines[1] == "✗ no"


def test_capture_warnings_records_instead_of_printing(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping would raise here
        result, messages = capture_warnings(np.exp, np.array([1000.0]))
    assert np.isinf(result[0])
    assert messages == ["RuntimeWarning: overflow encountered in exp"]
    assert capsys.readouterr() == ("", "")
    with pytest.raises(TypeError, match="callable"):
        capture_warnings(3)


def _mp_log_softmax(z):
    # 400 digits: e^-800 must still register next to 1 in the sum.
    with mpmath.workdps(400):
        zs = [mpmath.mpf(float(v)) for v in z]
        lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zs))
        return np.array([float(v - lse) for v in zs])


@pytest.mark.parametrize(
    "z",
    [
        [1.0, 2.0, 3.0],
        [400.0, 0.0, -400.0],
        [1000.0, 999.0, 998.0],
        [0.0, -800.0],
        [-1000.0, -1001.0, -1002.0],
        [1e-3, 2e-3, -5e-4, 0.0],
    ],
)
def test_reference_log_softmax_matches_mpmath(z):
    np.testing.assert_array_equal(reference_log_softmax(z), _mp_log_softmax(z))


def test_reference_log_softmax_keeps_tiny_log_probabilities():
    # log p_0 = -log(1 + e^-400 + e^-800) = -e^-400: representable, not 0.
    ref = reference_log_softmax([400.0, 0.0, -400.0])
    assert ref[0] == pytest.approx(-math.exp(-400), rel=1e-15)


def test_reference_log_softmax_takes_float32_values_exactly():
    z = np.array([0.1, 0.2], dtype=np.float32)
    np.testing.assert_array_equal(reference_log_softmax(z), _mp_log_softmax(z.astype(np.float64)))


class TestLogSoftmaxError:
    scales = np.geomspace(1, 1000, 61)

    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    def test_naive_fails_where_finfo_predicts(self, dtype):
        out = log_softmax_error([1.0, 0.0, -1.0], self.scales, dtype, naive_log_softmax)
        # p_2 ~ exp(-2 scale) rounds to 0 below ln(smallest_subnormal / 2).
        edge = -(math.log(float(np.finfo(dtype).smallest_subnormal)) - math.log(2)) / 2
        failed = ~np.isfinite(out["naive"])
        assert not failed[self.scales < edge * 0.999].any()
        assert failed[self.scales > edge * 1.001].all()
        # -inf (log of an underflowed 0) first, NaN once exp overflows beyond ln(max).
        overflow = math.log(float(np.finfo(dtype).max))
        assert np.isinf(out["naive"][(self.scales > edge * 1.001) & (self.scales < overflow)]).all()
        assert np.isnan(out["naive"][self.scales > overflow * 1.001]).all()
        assert "RuntimeWarning: overflow encountered in exp" in out["warnings"]

    @pytest.mark.parametrize(("dtype", "bound"), [("float32", 1e-6), ("float64", 1e-15)])
    def test_shifted_is_accurate_everywhere(self, dtype, bound):
        out = log_softmax_error([1.0, 0.0, -1.0], self.scales, dtype, naive_log_softmax)
        assert np.isfinite(out["shifted"]).all()
        assert out["shifted"].max() < bound
        assert out["naive"][0] < bound  # and the naive one is fine at scale 1

    def test_stable_function_as_naive_never_fails(self):
        out = log_softmax_error([2.0, -1.0], self.scales, "float64", log_softmax)
        np.testing.assert_array_equal(out["naive"], out["shifted"])
        assert out["warnings"] == set()

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="at least 2"):
            log_softmax_error([1.0], self.scales, "float64", naive_log_softmax)
        with pytest.raises(ValueError, match="scales must be > 0"):
            log_softmax_error([1.0, 0.0], [0.0, 1.0], "float64", naive_log_softmax)
        with pytest.raises(ValueError, match="dtype"):
            log_softmax_error([1.0, 0.0], [1.0], "float16", naive_log_softmax)
        with pytest.raises(ValueError, match="overflow"):
            log_softmax_error([1.0, 0.0], [1e39], "float32", naive_log_softmax)


class TestHSweep:
    def test_truncation_error_of_a_cubic_is_h_squared(self):
        # f = sum(w^3): centred difference = 3 w^2 + h^2 exactly, so the error is h^2.
        W = np.array([1.0, 2.0])
        hs = np.array([1e-1, 1e-2])
        err = h_sweep(lambda w: float(np.sum(w**3)), W, 3 * W**2, hs)
        expected = hs**2 / (2 * 3 + hs**2)  # rel_error at w = 1: h^2 / (|3| + |3 + h^2|)
        np.testing.assert_allclose(err, expected, rtol=1e-6)

    def test_float64_u_curve_has_its_bottom_near_h_star(self):
        rng = np.random.default_rng(1)
        X, y = rng.normal(size=(5, 4)), rng.integers(3, size=5)
        W = 0.5 * rng.normal(size=(4, 3))
        exact = softmax_loss_vectorized(W, X, y, 0.1)[1]
        hs = np.geomspace(1e-12, 1.0, 25)
        err = h_sweep(lambda w: softmax_loss_vectorized(w, X, y, 0.1)[0], W, exact, hs)
        best = hs[np.argmin(err)]
        assert 1e-7 <= best <= 1e-3
        assert err.min() < 1e-8
        assert err[0] > 1e2 * err.min() and err[-1] > 1e2 * err.min()  # both arms of the U

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="exact_gradient must have the shape"):
            h_sweep(np.sum, np.ones(3), np.ones(2), [1e-3])
        with pytest.raises(ValueError, match="hs must all be > 0"):
            h_sweep(np.sum, np.ones(3), np.ones(3), [0.0])


@pytest.mark.parametrize(
    ("error", "verdict"),
    [(1e-9, "good"), (5e-7, "suspicious"), (1e-3, "wrong"), (float("nan"), "wrong")],
)
def test_gradcheck_verdict(error, verdict):
    assert gradcheck_verdict(error) == verdict


def test_gradcheck_verdict_refuses_non_numbers():
    with pytest.raises(TypeError):
        gradcheck_verdict("small")


def test_bug_signature_of_the_correct_loss_flags_nothing():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 5)), rng.integers(4, size=6)
    W = 0.5 * rng.normal(size=(5, 4))
    sig = bug_signature(softmax_loss_vectorized, W, X, y, 0.1)
    assert not any(sig.caught.values())
    assert sig.zero_loss == pytest.approx(math.log(4), abs=1e-12)
    assert sig.large_scores_finite
    assert sig.row().count("✓") == 5
    assert len(sig.row()) == len(checks.BUG_TABLE_HEADER)


def test_bug_signature_refuses_non_callables():
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        bug_signature(None, np.ones((2, 2)), np.ones((1, 2)), np.array([0]), 0.1)


def test_numerical_hessian_of_known_functions():
    x = np.array([0.3, -1.2, 2.0])

    def f(v):
        return float(np.sum(np.sin(v)) + v[0] * v[1] ** 2)

    exact = np.diag(-np.sin(x))
    exact[0, 1] = exact[1, 0] = 2 * x[1]
    exact[1, 1] += 2 * x[0]
    H = numerical_hessian(f, x)
    np.testing.assert_allclose(H, exact, atol=1e-6)
    assert np.array_equal(H, H.T)
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])  # not modified


def test_numerical_hessian_orders_entries_like_ravel():
    c = np.arange(1.0, 7.0).reshape(2, 3)
    H = numerical_hessian(lambda W: (float(np.sum(c * W**2)), None), np.ones((2, 3)))
    np.testing.assert_allclose(H, np.diag(2 * c.ravel()), atol=1e-6)


def test_numerical_hessian_refuses_bad_input():
    with pytest.raises(TypeError, match="f must be callable"):
        numerical_hessian(None, np.ones(2))
    with pytest.raises(ValueError, match="h must be"):
        numerical_hessian(np.sum, np.ones(2), h=0.0)


def test_gradcheck_vs_reg_grows_with_reg_for_a_regulariser_bug():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 5)), rng.integers(4, size=6)
    W = 1e-4 * rng.normal(size=(5, 4))
    regs = np.array([1e-8, 1e-2, 1.0, 50.0])
    correct = gradcheck_vs_reg(softmax_loss_vectorized, W, X, y, regs)
    assert (correct < 1e-7).all()
    buggy = gradcheck_vs_reg(loss_reg_missing_in_grad, W, X, y, regs)
    assert buggy[0] < 1e-7 < 1e-4 < buggy[-1]
    # The missing 2 reg W is small next to the data gradient: the error grows like reg.
    np.testing.assert_allclose(buggy[2] / buggy[1], 100.0, rtol=0.1)


def test_gradcheck_vs_reg_refuses_bad_input():
    W, X, y = np.zeros((2, 2)), np.ones((1, 2)), np.array([0])
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        gradcheck_vs_reg(None, W, X, y, [0.1])
    with pytest.raises(ValueError, match="regs must all be >= 0"):
        gradcheck_vs_reg(softmax_loss_vectorized, W, X, y, [-0.1])
