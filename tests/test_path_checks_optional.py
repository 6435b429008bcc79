"""Every ✓ of the optional notebooks can fail: their own source, run with the bug each is about.

tests/notebook_mutants.py runs a notebook's code cells in-process, as committed (every line
✓) and with a bug planted in the cell that computes what a check reads. Bugs planted in one
run change disjoint check lines, so each ✗ is the bug's own. Figures, timings and CIFAR are
skipped; training_deeper's runs that do not read the whole grid search use its one cell the
rest of the notebook reads (lr 10, reg 0: the same seed gives the same classifier).

- spiral: arm 1 moved too little to be separable; a hull certificate whose weights forgot the
  affine row (Σw ≠ 1), are matched to the wrong corners, or are for a target outside the
  hull; the feature map turned the wrong way (t + 4r);
- training_deeper: a penalty gradient of λW (the stability limit moves to ηλ = 2); a norm path
  and a "regularised" run whose penalty is ignored, and a path that always regularises;
  the bias-free dW with the bias row penalised, half the penalty, or none; the float32 model
  scored against the validation labels;
- performance_lab: a blocked loss that adds the penalty once per block or drops the last
  partial block; timings in which a column is no slower than a row, the GEMMs are
  memory-bound, or the block size changes nothing (built by hand: no test times anything).
"""

from __future__ import annotations

import pytest
from notebook_mutants import marks, run_mutant, verdict

SKIP = ("widgets.", "interact", "tp.")


# --------------------------------------------------------------------------- spiral

SPIRAL = "optional/spiral.ipynb"
MOVED = "arm 1 moved 3 right: x₁ = 1.5 separates"
POSITIVE = "weights ≥ 0"
SUM1 = "weights sum to 1"
COMBO = "w · 3 arm-0 points vs arm-1 point"
PHI = "linear on φ separates the arms"
WITNESS = "w = hull_witness(arm0, arm1)"


def witness_bug(code: str) -> dict[str, str]:
    """After the package's witness, rebuild ``w`` with ``code`` (dataclasses imported)."""
    return {WITNESS: f"{WITNESS}\nimport dataclasses\n{code}"}


def test_spiral_checks_pass_as_committed():
    lines = run_mutant(SPIRAL, until=PHI, skip=SKIP)
    names = (MOVED, POSITIVE, SUM1, COMBO, PHI)
    assert marks(lines, names) == dict.fromkeys(names, "✓")


def test_spiral_arms_too_close_no_affine_row_and_the_wrong_feature_map_fail():
    mutant = {
        "(arm1[:, 0] + 3).min()": "(arm1[:, 0] + 1).min()",  # moved 1, not 3: arms overlap
        # weights solving w · corners = target alone (2 equations, 3 unknowns): Σw is free
        **witness_bug(
            "w = dataclasses.replace(w, weights=np.linalg.lstsq("
            "arm0[w.corners].T, arm1[w.target], rcond=None)[0])"
        ),
        "np.column_stack([np.cos(t - 4 * r), np.sin(t - 4 * r)])": (
            "np.column_stack([np.cos(t + 4 * r), np.sin(t + 4 * r)])"
        ),
    }
    lines = run_mutant(SPIRAL, mutant, until=PHI, skip=SKIP)
    expected = {MOVED: "✗", SUM1: "✗", COMBO: "✓", PHI: "✗"}
    assert marks(lines, expected) == expected


def test_spiral_weights_on_the_wrong_corners_fail_the_combination():
    lines = run_mutant(
        SPIRAL,
        witness_bug("w = dataclasses.replace(w, corners=np.roll(w.corners, 1))"),
        until=COMBO,
        skip=SKIP,
    )
    expected = {POSITIVE: "✓", SUM1: "✓", COMBO: "✗"}
    assert marks(lines, expected) == expected


def test_spiral_a_target_outside_the_hull_fails_the_weights_sign():
    bug = """out = int(np.flatnonzero(~w.inside)[0])  # a point of arm 1 outside arm 0's hull
A = np.vstack([arm0[w.corners].T, np.ones(3)])
w = dataclasses.replace(w, target=out, weights=np.linalg.solve(A, np.append(arm1[out], 1.0)))"""
    lines = run_mutant(SPIRAL, witness_bug(bug), until=COMBO, skip=SKIP)
    expected = {POSITIVE: "✗", SUM1: "✓", COMBO: "✓"}
    assert marks(lines, expected) == expected


# --------------------------------------------------------------------------- training_deeper

DEEPER = "optional/training_deeper.ipynb"
ETA_LAMBDA = "runs with ηλ ≥ 1 = runs that failed"
GROWS = "reg = 0: ‖W‖ still grows after step 1000"
LEVELS = "reg > 0: ‖W‖ levels off"
MEANS = "reg = 0.01: closer to class means"
BIAS_FREE = "bias-free dW vs centred differences"
FLOAT32 = "float32 vs float64 test accuracy"
DEEPER_ALL = (ETA_LAMBDA, GROWS, LEVELS, MEANS, BIAS_FREE, FLOAT32)
# cells with no check: the flip demo, the bias comparison, the mistakes' cost, exercise 1,
# the float32 timing, CIFAR
DEEPER_SKIP = (
    *SKIP,
    "flip = SoftmaxClassifier()",
    "b penalised",
    "loss_each",
    "eigvalsh",
    "timeit.timeit",
    "cifar10_available",
)
GRID = "[0.1, 0.3, 1, 3, 10, 30], [0, 1e-4, 1e-3, 1e-2, 1e-1]"
ONE_CELL = {GRID: "[10], [0]"}  # the grid's best cell alone (the rest of the notebook reads it)
PENALTY_DW = "dW[:-1] += 2 * reg * W[:-1]"
HALF_PENALTY_GRAD = """def half_penalty_grad(W, X, y, reg):
    loss, dW = softmax_loss_vectorized(W, X, y, reg)
    return loss, dW - reg * W  # the bug: λW in dW, not 2λW


search = lr_reg_search("""


def test_training_deeper_checks_pass_as_committed():
    lines = run_mutant(DEEPER, until=FLOAT32, skip=DEEPER_SKIP)
    assert marks(lines, DEEPER_ALL) == dict.fromkeys(DEEPER_ALL, "✓")


def test_deeper_a_half_penalty_gradient_a_penalised_bias_and_the_wrong_labels_fail():
    mutant = {
        # the grid trained with λW in dW: the penalty step is (1 − ηλ) W, stable up to ηλ = 2
        "search = lr_reg_search(": HALF_PENALTY_GRAD,
        "seed=0\n)": "seed=0, loss=half_penalty_grad\n)",
        PENALTY_DW: "dW += 2 * reg * W",  # the bias row penalised in dW, not in the loss
        "np.float32), y_test)": "np.float32), y_val)",  # scored against the wrong labels
    }
    lines = run_mutant(DEEPER, mutant, until=FLOAT32, skip=(*DEEPER_SKIP, GROWS, MEANS))
    expected = {ETA_LAMBDA: "✗", BIAS_FREE: "✗", FLOAT32: "✗"}
    assert marks(lines, expected) == expected


def test_deeper_an_ignored_penalty_and_half_the_bias_free_penalty_fail():
    mutant = {
        **ONE_CELL,
        "weight_norm_path(X_tr, y_train, 10.0, lam,": "weight_norm_path(X_tr, y_train, 10.0, 0.0,",
        "clf_reg.train(X_tr, y_train, 10.0, 1e-2,": "clf_reg.train(X_tr, y_train, 10.0, 0.0,",
        PENALTY_DW: "dW[:-1] += reg * W[:-1]",
    }
    lines = run_mutant(DEEPER, mutant, until=BIAS_FREE, skip=(*DEEPER_SKIP, ETA_LAMBDA))
    expected = {GROWS: "✓", LEVELS: "✗", MEANS: "✗", BIAS_FREE: "✗"}
    assert marks(lines, expected) == expected


def test_deeper_a_path_that_always_regularises_and_no_bias_free_penalty_fail():
    mutant = {
        **ONE_CELL,
        "weight_norm_path(X_tr, y_train, 10.0, lam,": (
            "weight_norm_path(X_tr, y_train, 10.0, max(lam, 1e-3),"
        ),
        PENALTY_DW: "pass",
    }
    lines = run_mutant(DEEPER, mutant, until=BIAS_FREE, skip=(*DEEPER_SKIP, ETA_LAMBDA, MEANS))
    expected = {GROWS: "✗", LEVELS: "✓", BIAS_FREE: "✗"}
    assert marks(lines, expected) == expected


# --------------------------------------------------------------------------- performance_lab

LAB = "optional/performance_lab.ipynb"
BLOCKS = [f"fast, blocks of {rows:3d} rows vs vectorized" for rows in (1, 64, 128, 500)]
STRIDE = "a column costs more than a row (both calls)"
MEMORY = "the GEMMs use under 60% of the read rate"
SMALL_BLOCKS = "16 rows ≥ 1.15× slower than 1024"
LARGE_BLOCKS = "4096 rows within 25% of 1024"
TIMED = ("compare.column_costs", "time_block_rows", "t3.times")  # the timing cells
FAST_CALL = "softmax_loss_fast(W, X, y, reg, block_rows=rows)"
LOOP = "for rows in (1, 64, 128, 500):"


def blocked(body: str) -> dict[str, str]:
    """06's blocked-loss check runs ``buggy_fast`` (defined by ``body``) instead."""
    return {
        FAST_CALL: "buggy_fast(W, X, y, reg, block_rows=rows)",
        LOOP: f"def buggy_fast(W, X, y, reg, block_rows):\n{body}\n\n\n{LOOP}",
    }


def test_blocked_loss_checks_pass_as_committed():
    lines = run_mutant(LAB, until=LOOP, skip=SKIP + TIMED)
    assert marks(lines, BLOCKS) == dict.fromkeys(BLOCKS, "✓")


@pytest.mark.parametrize(
    "bug, body",
    [
        (
            "the penalty added once per block",
            "    loss, dW = softmax_loss_fast(W, X, y, reg, block_rows=block_rows)\n"
            "    extra = -(-len(y) // block_rows) - 1\n"
            "    return loss + extra * reg * np.sum(W**2), dW + extra * 2 * reg * W",
        ),
        (
            "the last partial block dropped",
            "    n = len(y) // block_rows * block_rows\n"
            "    return softmax_loss_fast(W, X[:n], y[:n], reg, block_rows=block_rows)",
        ),
    ],
)
def test_blocked_loss_checks_fail_a_wrong_blocking(bug, body):
    lines = run_mutant(LAB, blocked(body), until=LOOP, skip=SKIP + TIMED)
    # one block of 500 rows (and, for the dropped block, blocks of 1) cannot show either bug
    fails = {"the penalty added once per block": "✗✗✗✓", "the last partial block dropped": "✓✗✗✓"}
    assert "".join(verdict(lines, name) for name in BLOCKS) == fails[bug], bug


def timing(**medians) -> str:
    """Source of a compare.Timing whose rounds all take the given seconds."""
    return "compare.Timing(" + repr({k: [v] * 3 for k, v in medians.items()}) + ")"


# The timing cells' large inputs and timed runs, replaced (nothing is timed in a test).
LARGE_INPUTS = {
    "Wl, Xl, yl = compare.make_inputs(8000, 3073, 10, rng=3)": "Wl = Xl = yl = None",
    "t3 = compare.time_block_rows(Wl, Xl, yl, reg, (8000, None), rounds=7)": "t3 = None",
}


@pytest.mark.parametrize(
    ("columns", "gemms", "blocks", "at_4096", "mark"),
    [
        # timings like the committed ones
        ((3.3, 1.3, 3.9, 2.0), 4e9, (1.46, 0.96, 0.88, 0.91), 0.97, "✓"),
        # a column as cheap as a row; GEMMs at 90% of the read rate (memory-bound); block
        # size changing nothing at 16 rows and costing 40% at 4096
        ((1.3, 1.3, 2.0, 2.0), 18e9, (1.0, 1.0, 1.0, 1.0), 1.4, "✗"),
    ],
)
def test_timing_checks_follow_the_timings_they_are_given(columns, gemms, blocks, at_4096, mark):
    keys = ("dot, column", "dot, row", "update, column", "update, row")
    cols = timing(**dict(zip(keys, columns, strict=True)))
    rows = {f"fast@{b}": t for b, t in zip((16, 64, 256, 1024), blocks, strict=True)}
    mutant = {
        "cols = compare.column_costs(W, X[0])": f"cols = {cols}",
        'read, gemms = compare.read_bandwidth(Xl), 2 * Xl.nbytes / t3.median("gemm_bound")': (
            f"read, gemms = 20e9, {gemms!r}"
        ),
        "tb = compare.time_block_rows(Wl, Xl, yl, reg, (16, 64, 256, 1024, 4096), rounds=7)": (
            f"tb = {timing(**rows, **{'fast@4096': at_4096, 'vectorized': 1.0})}"
        ),
    }
    lines = run_mutant(
        LAB, {**LARGE_INPUTS, **mutant}, until=LARGE_BLOCKS, skip=(*SKIP, "t3.times")
    )
    names = (STRIDE, MEMORY, SMALL_BLOCKS, LARGE_BLOCKS)
    assert marks(lines, names) == dict.fromkeys(names, mark)
