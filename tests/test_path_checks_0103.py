"""Each ✓ of notebooks 01-04 that tests code turns into ✗ when fed the bug it is about.

The notebooks call the functions of softmax.display.lesson_checks with the package's own
code (all ✓); here the same functions get a catalogue mutant (softmax.mistakes) or a
planted wrong function, and must say ✗.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from softmax import log_softmax, rel_error, softmax, softmax_loss_vectorized
from softmax.display import lesson_checks as lc
from softmax.mistakes import CATALOGUE, loss_missing_mean

ROOT = Path(__file__).resolve().parents[1]
rng = np.random.default_rng(0)
N, D, C = 6, 5, 4
X = rng.normal(size=(N, D))
y = rng.integers(C, size=N)
W = 0.5 * rng.normal(size=(D, C))
S_ONE = X[0] @ W


def test_initial_loss_check_passes_the_package_and_fails_a_missing_mean():
    assert lc.initial_loss_check(softmax_loss_vectorized, X, y % 4, 4).ok
    assert not lc.initial_loss_check(loss_missing_mean, X, y % 4, 4).ok


@pytest.mark.parametrize("mistake_id", ["missing-mean", "softmax-over-examples"])
def test_initial_loss_check_fails_catalogue_losses_that_are_not_the_mean_cross_entropy(mistake_id):
    for impl in CATALOGUE[mistake_id].implementations:
        assert not lc.initial_loss_check(impl, X, y, C).ok


def test_half_convention_check_passes_the_package():
    loss_line, dW_line = lc.half_convention_check(softmax_loss_vectorized, W, X, y, 0.1)
    assert loss_line.ok and dW_line.ok


@pytest.mark.parametrize(
    ("mistake_id", "failing"),
    [("reg-loss-halved", 0), ("reg-grad-halved", 1), ("reg-missing-in-dW", 1)],
)
def test_half_convention_check_fails_a_mixed_convention(mistake_id, failing):
    for impl in CATALOGUE[mistake_id].implementations:
        lines = lc.half_convention_check(impl, W, X, y, 0.1)
        assert not lines[failing].ok, (mistake_id, str(lines[failing]))


def test_rel_error_cases_pass_the_package():
    assert lc.rel_error_cases(rel_error).ok


@pytest.mark.parametrize(
    "wrong",
    [
        lambda a, n: np.max(np.abs(a - n) / (np.abs(a) + np.abs(n))),  # no floor: 0/0, and 1
        lambda a, n: np.max(np.abs(a - n) / np.maximum(np.abs(a), 1e-8)),  # divides by |a|
        lambda a, n: np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-12)),  # floor
    ],
)
def test_rel_error_cases_fail_a_wrong_relative_error(wrong):
    assert not lc.rel_error_cases(wrong).ok


def test_hessian_checks_pass_the_package_loss():
    (formula, psd, flat), _ = lc.hessian_checks(lambda v: -log_softmax(v)[y[0]], S_ONE)
    assert formula.ok and psd.ok and flat.ok


def test_hessian_checks_fail_a_loss_of_the_wrong_sign():
    """log p_y instead of −log p_y: concave, the PSD line must fail."""
    (formula, psd, _), _ = lc.hessian_checks(lambda v: log_softmax(v)[y[0]], S_ONE)
    assert not psd.ok and not formula.ok


def test_hessian_checks_fail_a_loss_that_is_not_blind_to_a_shift():
    """−s_y + Σ e^s (the log forgotten): convex, but a constant added to the scores changes it."""
    (_, psd, flat), _ = lc.hessian_checks(lambda v: -v[y[0]] + np.exp(v).sum(), S_ONE)
    assert psd.ok and not flat.ok


def test_shifted_softmax_check_passes_the_package_and_fails_no_shift():
    z = np.array([100.0, 50.0, 0.0])
    assert lc.shifted_softmax_check(softmax, z).ok
    for impl in CATALOGUE["softmax-no-shift"].implementations:
        assert not lc.shifted_softmax_check(lambda s, impl=impl: impl(s[None, :])[0], z).ok


def test_shifted_softmax_check_fails_a_softmax_computed_in_float16():
    def coarse(s):
        return softmax(s.astype(np.float64)).astype(np.float16).astype(np.float32)

    assert not lc.shifted_softmax_check(coarse, np.array([1.0, 0.5, 0.0])).ok


def _sources(name: str) -> str:
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize(
    ("notebook", "calls"),
    [
        ("01_cross_entropy.ipynb", ["initial_loss_check(softmax_loss_vectorized"]),
        ("02_log_sum_exp.ipynb", ["shifted_softmax_check(softmax"]),
        ("03_gradient.ipynb", ["half_convention_check(softmax_loss_vectorized", "hessian_checks("]),
        ("04_gradient_checking.ipynb", ["rel_error_cases(rel_error)"]),
    ],
)
def test_the_notebooks_run_these_checks_on_the_package(notebook, calls):
    code = _sources(notebook)
    for call in calls:
        assert call in code, (notebook, call)


@pytest.mark.parametrize(
    ("notebook", "identity"),
    [
        ("02_log_sum_exp.ipynb", 'check_true("every shifted score'),
        ("02_log_sum_exp.ipynb", 'is inf", np.isinf'),
        ("03_gradient.ipynb", "reg_half = 2 * reg"),
        ("04_gradient_checking.ipynb", "last entry without the floor vs 1"),
        ("03_gradient.ipynb", "rtol=0.05"),
        ("01_cross_entropy.ipynb", "rtol=0.05"),
    ],
)
def test_no_check_of_an_identity_is_left(notebook, identity):
    assert identity not in _sources(notebook)
