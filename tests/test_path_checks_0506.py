"""Every ✓ of notebooks 05 and 06 can fail: each check is fed the bug it is about.

The checks live in softmax/display/lesson_checks.py (04's timing and agreement
claims) and softmax/classifier.py (05's paired comparison); the notebooks call
them with the package's implementations and real timings, these tests with a
wrong implementation from softmax.mistakes or with the timings such a bug gives.
No test times anything: timings are built by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from softmax import mistakes, softmax_loss_naive, softmax_loss_vectorized
from softmax.classifier import SoftmaxClassifier, paired_comparison
from softmax.data import load_digits, preprocess
from softmax.display import lesson_checks as lc
from softmax.display.checks import compare
from softmax.display.compare import CostModel, Timing, make_inputs
from softmax.fast import softmax_loss_fast
from softmax.gradcheck import numerical_gradient

REG = 0.1  # notebook 05's lambda: with W ~ 1e-2 the regulariser is 0.3 of a loss of 2.7


@pytest.fixture(scope="module")
def small():
    return make_inputs(40, 30, 5, rng=0)


# The regulariser and gradient bugs of the catalogue, each a (loss, dW) function.
WRONG = {
    "half reg": mistakes.loss_half_reg,
    "reg missing in dW": mistakes.loss_reg_missing_in_grad,
    "mean missing": mistakes.loss_missing_mean,
    "minus one missing": mistakes.loss_missing_minus_one,
}


def lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


LAST: list[str] = []  # the lines the last passed() read


def passed(capsys) -> bool:
    """Every verdict line printed since the last call is a ✓ (and there is at least one)."""
    LAST[:] = lines(capsys)
    marks = [line[0] for line in LAST if line[:1] in ("✓", "✗")]
    assert marks, "no verdict line printed"
    return all(m == "✓" for m in marks)


# --------------------------------------------------------------------------- notebook 05


@pytest.mark.parametrize("fn", [softmax_loss_naive, softmax_loss_vectorized, softmax_loss_fast])
def test_definition_check_passes_the_package(small, fn, capsys):
    lc.definition_check("impl", fn, *small, REG)
    assert passed(capsys)
    assert LAST[0].startswith("✓")


@pytest.mark.parametrize("bug", sorted(WRONG))
def test_definition_check_fails_each_bug(small, bug, capsys):
    lc.definition_check("impl", WRONG[bug], *small, REG)
    assert not passed(capsys)
    assert LAST[0].startswith("✗")


@pytest.mark.parametrize("bug", sorted(WRONG))
def test_agreement_check_fails_a_wrong_vectorized(small, bug, capsys):
    impls = {"vectorized": WRONG[bug], "naive": softmax_loss_naive}
    lc.agreement_check(*small, REG, impls)
    assert not passed(capsys)
    assert any(line.startswith("✗") for line in LAST)


def test_agreement_check_passes_the_package_at_1e_14(small, capsys):
    impls = {"vectorized": softmax_loss_vectorized, "naive": softmax_loss_naive}
    lc.agreement_check(*small, REG, impls)
    assert passed(capsys)
    assert all(line.startswith("✓") for line in LAST)


def test_agreement_check_float32_tolerance_catches_a_reg_bug(capsys):
    W, X, y = make_inputs(40, 30, 5, dtype="float32", rng=1)
    impls = {"vectorized": softmax_loss_vectorized, "naive": softmax_loss_naive}
    lc.agreement_check(W, X, y, REG, impls, rtol=1e-5)
    assert passed(capsys)
    impls["vectorized"] = mistakes.loss_half_reg
    lc.agreement_check(W, X, y, REG, impls, rtol=1e-5)
    assert not passed(capsys)


def test_fast_agrees_with_vectorized_and_a_wrong_fast_does_not(small, capsys):
    """Notebook 06 trains with the fast loss: the check that it is the same loss."""
    impls = {"fast": softmax_loss_fast, "vectorized": softmax_loss_vectorized}
    lc.agreement_check(*small, REG, impls, names=("fast", "vectorized"), rtol=1e-12)
    assert passed(capsys)
    impls["fast"] = mistakes.loss_reg_missing_in_grad
    lc.agreement_check(*small, REG, impls, names=("fast", "vectorized"), rtol=1e-12)
    assert not passed(capsys)


def timing(**times) -> Timing:
    return Timing({k: list(v) for k, v in times.items()})


def test_speedup_check_fails_a_vectorized_that_still_loops(capsys):
    # A "vectorized" loss that still loops costs what the loops cost: speedup about 1.
    looped = timing(naive=[60e-3, 62e-3, 61e-3], vectorized=[59e-3, 63e-3, 60e-3])
    lc.faster_check("vectorized > 3× the loops", looped, "naive", "vectorized", 3)
    assert not passed(capsys)
    good = timing(naive=[60e-3, 62e-3, 61e-3], vectorized=[7e-3, 7e-3, 8e-3])
    lc.faster_check("vectorized > 3× the loops", good, "naive", "vectorized", 3)
    assert passed(capsys)


def test_gemm_share_check_fails_when_the_softmax_arithmetic_dominates(capsys):
    # e.g. a vectorized loss whose softmax part loops over rows: GEMMs a third of the time
    lc.gemm_share_check(timing(vectorized=[9e-3] * 3, gemm_bound=[3e-3] * 3))
    assert not passed(capsys)
    lc.gemm_share_check(timing(vectorized=[8.6e-3] * 3, gemm_bound=[7.5e-3] * 3))
    assert passed(capsys)


NS = np.array([2, 8, 32, 128, 512, 2048])


def test_scaling_checks_pass_linear_loops_and_a_fixed_cost(capsys):
    naive = 130e-6 * NS
    vec = 250e-6 + 13e-6 * NS
    lc.scaling_checks(NS, naive, vec)
    assert passed(capsys)


def test_scaling_checks_fail_quadratic_loops(capsys):
    # a loop over pairs of examples: T ∝ N²
    lc.scaling_checks(NS, 1e-6 * NS**2, 250e-6 + 13e-6 * NS)
    assert not passed(capsys)
    assert LAST[0].startswith("✗")


def test_scaling_checks_fail_without_a_fixed_cost(capsys):
    lc.scaling_checks(NS, 130e-6 * NS, 13e-6 * NS)
    assert not passed(capsys)
    assert LAST[1].startswith("✗")


DS = np.array([1, 3, 10, 30, 100, 300, 1000, 3073])


def model(t_py=6.9e-6, t_dot=3.1e-9, t0=450e-6, t_v=0.25e-9) -> CostModel:
    return CostModel(1000, 10, t_py, t_dot, t0, t_v)


def test_cost_model_checks_pass_the_model_itself(capsys):
    m = model()
    lc.cost_model_checks(DS, m.speedup(DS), m)
    assert passed(capsys)


def test_cost_model_checks_fail_a_model_far_from_the_measurements(capsys):
    m = model()
    measured = m.speedup(DS) * np.where(DS <= 30, 3.0, 1.0)  # the fit off by 3x at small D
    lc.cost_model_checks(DS, measured, m)
    assert not passed(capsys)
    assert LAST[0].startswith("✗")


def test_cost_model_checks_fail_when_the_gemms_are_no_faster_per_feature(capsys):
    m = model(t_v=2e-9)
    lc.cost_model_checks(DS, m.speedup(DS), m)
    assert not passed(capsys)
    assert LAST[1].startswith("✗")


def test_cost_model_checks_fail_a_speedup_that_does_not_level_off(capsys):
    m = model()
    measured = m.speedup(DS).copy()
    measured[DS <= 10] = [1500, 500, 150]  # still growing like 1/D
    lc.cost_model_checks(DS, measured, m)
    assert not passed(capsys)
    assert LAST[2].startswith("✗")


def test_python_dot_check_fails_when_python_is_as_fast(capsys):
    same = timing(python=[2e-6] * 5, numpy=[2e-6] * 5)
    lc.faster_check("pure-Python dot > 10×", same, "python", "numpy", 10)
    assert not passed(capsys)


def test_float32_timing_check_fails_when_float32_is_not_faster(capsys):
    same = timing(float64=[8e-3] * 5, float32=[8.2e-3] * 5)
    lc.faster_check("float32 faster", same, "float64", "float32", 1)
    assert not passed(capsys)


# --------------------------------------------------------------------------- notebook 06


def test_paired_comparison_matches_scipy_binomial_test():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 359)
    a = np.where(rng.random(359) < 0.95, y, (y + 1) % 10)
    b = np.where(rng.random(359) < 0.90, y, (y + 2) % 10)
    r = paired_comparison(y, a, b)
    assert r.only_a + r.only_b + r.both + r.neither == 359
    assert r.only_a == np.sum((a == y) & (b != y)) and r.only_b == np.sum((a != y) & (b == y))
    expected = binomtest(r.only_a, r.only_a + r.only_b, 0.5).pvalue
    assert math.isclose(r.p_value, expected, rel_tol=1e-12)


def test_paired_comparison_sees_a_difference_one_accuracy_error_bar_hides():
    # 20 disagreements, all won by a: accuracies 0.95 and 0.894 differ by less than
    # 2 binomial standard errors of one (0.011 each), but the paired test is certain.
    y = np.zeros(359, dtype=int)
    a = np.r_[np.zeros(341, int), np.ones(18, int)]
    b = np.r_[np.zeros(321, int), np.ones(38, int)]
    r = paired_comparison(y, a, b)
    assert (r.only_a, r.only_b) == (20, 0)
    assert r.p_value < 1e-5
    assert paired_comparison(y, a, a).p_value == 1.0


@pytest.mark.parametrize("bad", [np.zeros((3, 2), int), np.zeros(3), np.zeros(4, int)])
def test_paired_comparison_rejects_bad_labels(bad):
    with pytest.raises(ValueError, match="pred_a"):
        paired_comparison(np.zeros(3, int), bad, np.zeros(3, int))


@pytest.fixture(scope="module")
def digits():
    (X, y), (Xv, yv), _ = load_digits(seed=0)
    _, (Xp, Xvp) = preprocess(X, Xv, factor=1 / 16)
    return Xp, y, Xvp, yv


def test_gradient_check_on_digits_fails_each_gradient_bug(digits):
    """Notebook 06's 'dW vs centred differences' at reg = 0.1 on 200 images."""
    Xp, y, _, _ = digits
    W = 0.01 * np.random.default_rng(1).standard_normal((65, 10))
    Xb, yb = Xp[:200], y[:200]
    for fn, should_pass in [
        (softmax_loss_vectorized, True),
        (mistakes.loss_reg_missing_in_grad, False),
        (mistakes.loss_missing_minus_one, False),
    ]:
        _, dW = fn(W, Xb, yb, 0.1)
        num = numerical_gradient(lambda w, fn=fn: fn(w, Xb, yb, 0.1)[0], W)
        assert compare("dW", dW, num).close is should_pass, fn.__name__


def test_one_sgd_step_check_fails_a_step_of_the_wrong_size(digits):
    """Notebook 06's 'W after one step vs W0 − η ∇L(batch)': a step without 2·reg·W fails."""
    Xp, y, _, _ = digits
    W0 = 0.001 * np.random.default_rng(0).standard_normal((65, 10))
    batch = np.random.default_rng(1).choice(len(y), size=100, replace=False)
    ok = {}
    for name, fn in [
        ("vectorized", softmax_loss_vectorized),
        ("no reg in dW", mistakes.loss_reg_missing_in_grad),
    ]:
        step = SoftmaxClassifier(W0)
        step.train(Xp, y, 1.0, 10.0, 1, 100, rng=1, loss=fn)
        _, dW = softmax_loss_vectorized(W0, Xp[batch], y[batch], 10.0)
        ok[name] = compare("step", step.W, W0 - dW).close
    assert ok == {"vectorized": True, "no reg in dW": False}


def test_validation_mean_check_fails_a_preprocess_that_centres_each_set_on_its_own_mean():
    """Notebook 06's 'validation mean is left alone' (max |mean| > 0.01) sees the leak."""
    (X, _), (Xv, _), _ = load_digits(seed=0)
    _, (_, Xvp) = preprocess(X, Xv, factor=1 / 16)
    assert np.abs(Xvp[:, :64].mean(axis=0)).max() > 0.01  # the package: ✓
    leaky = Xv / 16 - (Xv / 16).mean(axis=0)  # centred on its own mean
    assert not np.abs(leaky.mean(axis=0)).max() > 0.01  # the bug: ✗


def test_initial_loss_check_fails_a_loss_without_the_mean(digits):
    """Notebook 06's 'initial loss vs ln 10' at atol 0.01: the sum instead of the mean fails."""
    Xp, y, _, _ = digits
    W0 = 0.001 * np.random.default_rng(0).standard_normal((65, 10))
    assert compare("ln C", softmax_loss_vectorized(W0, Xp, y, 0.0)[0], np.log(10), atol=0.01).close
    wrong = mistakes.loss_missing_mean(W0, Xp, y, 0.0)[0]
    assert not compare("ln C", wrong, np.log(10), atol=0.01).close
