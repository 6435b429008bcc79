"""Every plain ✓ of notebook 06 can fail: its own source, run with the bug each check is about.

tests/test_path_checks_0506.py covers 06's lesson_checks lines (and the package functions
behind some of these lines); this file runs the notebook itself (tests/notebook_mutants.py)
as committed and with a bug planted in the cell that computes what a check reads:

- preprocessing: μ from the wrong data (the validation set, the unscaled pixels, the wrong
  axis), each set centred on its own mean, the bias column made of zeros or put first;
- the initial loss: the mean over the batch forgotten, weights that are not small;
- the regulariser: ½ λ ΣW², or reg ignored;
- the gradient: 2λW missing from dW, the −1 at the true class missing;
- one SGD step: + instead of −, a step without 2λW, another minibatch.

Bugs planted together in one run change disjoint check lines, so each ✗ is the bug's own.
Cells that draw (``tp.``) are skipped; every run stops at the last cell it needs.
"""

from __future__ import annotations

import pytest
from notebook_mutants import marks, run_mutant, verdict

NB = "06_training.ipynb"
SKIP = ("widgets.", "interact", "tp.")

MU = "μ vs mean of x/16 over train"
CENTRED = "mean of the centred training set"
VAL_ALONE = "validation mean is left alone"
BIAS = "[x, 1]·[W; b] vs x·W + b"
LN10 = "initial loss vs ln 10"
REG = "loss(reg = 10) − loss(reg = 0) vs 10·ΣW²"
DW0 = "dW vs centred differences, reg = 0.0"
DW1 = "dW vs centred differences, reg = 0.1"
STEP = "W after one step vs W0 − η ∇L(batch)"
ALL = (MU, CENTRED, VAL_ALONE, BIAS, LN10, REG, DW0, DW1, STEP)

PREPROCESS = (
    "mean_image, (X_tr, X_va, X_te) = data.preprocess(X_train, X_val, X_test, factor=1 / 16)"
)
SETS = "for X in (X_train, X_val, X_test))"


def centred_on(mean: str, centre: str = "mean_image") -> dict[str, str]:
    """Replace 06's preprocessing: μ = ``mean``, each set x/16 − ``centre``, bias column last."""
    return {
        PREPROCESS: f"mean_image = {mean}\n"
        f"X_tr, X_va, X_te = (data.add_bias(X / 16 - {centre}) {SETS}"
    }


def after_preprocess(code: str) -> dict[str, str]:
    """Keep 06's preprocessing, then run ``code`` (which rebuilds X_tr, X_va, X_te)."""
    return {PREPROCESS: f"{PREPROCESS}\n{code}"}


def loss_calls(bug: str) -> dict[str, str]:
    """The gradient-check cell computes dW and the loss with ``mistakes.<bug>`` (both)."""
    return {
        "softmax_loss_vectorized(W_check, Xb, yb, reg)": f"mistakes.{bug}(W_check, Xb, yb, reg)",
        "softmax_loss_vectorized(W, Xb, yb, reg)[0]": f"mistakes.{bug}(W, Xb, yb, reg)[0]",
    }


STEP_CALL = "num_iters=1, batch_size=100, rng=1)"


def step_with(loss: str, prelude: str = "") -> dict[str, str]:
    """The one-step cell trains with ``loss`` (the check still uses the vectorized gradient)."""
    out = {STEP_CALL: f"num_iters=1, batch_size=100, rng=1, loss={loss})"}
    if prelude:
        out["step = SoftmaxClassifier(W0)"] = f"{prelude}\nstep = SoftmaxClassifier(W0)"
    return out


# An SGD step that climbs: W += η dW is the same as W -= η (−dW).
ASCENT = """def ascent(W, X, y, reg):
    loss, dW = softmax_loss_vectorized(W, X, y, reg)
    return loss, -dW"""


def test_every_plain_check_passes_as_committed():
    lines = run_mutant(NB, until=STEP, skip=SKIP)
    assert marks(lines, ALL) == dict.fromkeys(ALL, "✓")


# --------------------------------------------------------------------------- preprocessing


@pytest.mark.parametrize(
    "bug, mutant, expected",
    [
        (
            "centred with the validation mean",
            centred_on("(X_val / 16).mean(axis=0)"),
            {MU: "✗", CENTRED: "✗", VAL_ALONE: "✗"},
        ),
        (
            "μ of the unscaled pixels",
            centred_on("X_train.mean(axis=0)"),
            {MU: "✗", CENTRED: "✗"},
        ),
        (
            "each set centred on its own mean",
            centred_on("(X_train / 16).mean(axis=0)", centre="(X / 16).mean(axis=0)"),
            {MU: "✓", CENTRED: "✓", VAL_ALONE: "✗"},
        ),
    ],
)
def test_preprocessing_checks_fail_their_bugs(bug, mutant, expected):
    lines = run_mutant(NB, mutant, until=VAL_ALONE, skip=SKIP)
    assert marks(lines, expected) == expected, bug


def test_a_mean_over_the_wrong_axis_stops_the_mu_check():
    # μ per image (axis 1), each image centred on its own mean: μ has 1079 entries, not 64,
    # and the check refuses to compare arrays of different shapes.
    mutant = centred_on(
        "(X_train / 16).mean(axis=1)", centre="(X / 16).mean(axis=1, keepdims=True)"
    )
    with pytest.raises(AssertionError, match="same shape"):
        run_mutant(NB, mutant, until=VAL_ALONE, skip=SKIP)


@pytest.mark.parametrize(
    "bug, code",
    [
        ("a bias column of zeros", "np.column_stack([X[:, :64], np.zeros(len(X))])"),
        ("the bias column first", "np.roll(X, 1, axis=1)"),
    ],
)
def test_bias_trick_check_fails_a_wrong_bias_column(bug, code):
    mutant = after_preprocess(f"X_tr, X_va, X_te = ({code} for X in (X_tr, X_va, X_te))")
    lines = run_mutant(NB, mutant, until=BIAS, skip=SKIP)
    assert verdict(lines, BIAS) == "✗", bug


# --------------------------------------------------------------------------- losses and steps


def test_half_reg_a_gradient_without_2_reg_w_and_an_ascent_step_fail():
    mutant = {
        "loss10, _ = softmax_loss_vectorized(": "loss10, _ = mistakes.loss_half_reg(",
        **loss_calls("loss_reg_missing_in_grad"),
        **step_with("ascent", ASCENT),
    }
    lines = run_mutant(NB, mutant, until=STEP, skip=SKIP)
    expected = {LN10: "✓", REG: "✗", DW0: "✓", DW1: "✗", STEP: "✗"}
    assert marks(lines, expected) == expected  # DW0: at reg = 0 the bug has no effect


def test_reg_ignored_the_missing_minus_one_and_another_minibatch_fail():
    mutant = {
        "loss10, _ = softmax_loss_vectorized(W0, X_tr, y_train, reg=10.0)": (
            "loss10, _ = softmax_loss_vectorized(W0, X_tr, y_train, reg=0.0)"
        ),
        **loss_calls("loss_missing_minus_one"),
        STEP_CALL: "num_iters=1, batch_size=100, rng=2)",
    }
    lines = run_mutant(NB, mutant, until=STEP, skip=SKIP)
    expected = {LN10: "✓", REG: "✗", DW0: "✗", DW1: "✗", STEP: "✗"}
    assert marks(lines, expected) == expected


def test_a_loss_without_the_mean_and_a_step_without_2_reg_w_fail():
    mutant = {
        "loss0, _ = softmax_loss_vectorized(": "loss0, _ = mistakes.loss_missing_mean(",
        **step_with("mistakes.loss_reg_missing_in_grad"),
    }
    lines = run_mutant(NB, mutant, until=STEP, skip=SKIP)
    # The summed loss is 1079 ln 10 (REG reads loss0 too, so it fails as well).
    expected = {LN10: "✗", DW0: "✓", DW1: "✓", STEP: "✗"}
    assert marks(lines, expected) == expected


def test_initial_loss_check_fails_weights_that_are_not_small():
    mutant = {"W0 = 0.001 * np.random": "W0 = 1.0 * np.random"}
    lines = run_mutant(NB, mutant, until=LN10, skip=SKIP)
    assert verdict(lines, LN10) == "✗"
