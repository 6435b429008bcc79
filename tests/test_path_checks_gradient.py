"""Each ✓ line of notebooks 03 and 04 turns into ✗ when the notebook's own code gets its bug.

tests/notebook_mutants.py plants the bug in the notebook's source (each replacement must
match exactly once, so an edited notebook makes a mutant fail loudly instead of passing) and
returns the printed lines. Each test reads the lines as committed (✓) and with the bug (✗);
the lines that call softmax.display.lesson_checks (the Hessian's properties, the ½ convention,
rel_error's three entries) are shown to fail in tests/test_path_checks_0103.py.

Mutants whose effects stay in their own cell share one run, to keep the notebook runs few.
"""

from __future__ import annotations

import functools

import pytest
from notebook_mutants import run_mutant, verdict

NB03 = "03_gradient.ipynb"
NB04 = "04_gradient_checking.ipynb"
CATALOGUE = "__import__('softmax.mistakes').mistakes.CATALOGUE"

# ---------------------------------------------------------------------------------- notebook 03

# Verdict line -> the plausible bug planted for it (in the one-run groups below).
LINES_03 = {
    "p − onehot(y) vs numeric": "the −1 at the true class forgotten",
    "diag(p) − ppᵀ vs numeric Jacobian": "the Jacobian without −ppᵀ",
    "(P − Y) / N vs numeric": "the batch gradient not divided by N",
    "5 smallest eigenvalues vs 2λ": "the loss with ½λΣW² (its Hessian's floor is λ)",
    "Xᵀ(P − Y)/N + 2λW vs vectorized": "−2λW instead of +2λW",
    "Xᵀ(P − Y)/N + 2λW vs naive loops": "−2λW instead of +2λW",
    "2λW vs numeric": "λW, the ½ convention's gradient",
    "ln Σ e^s − s_y vs gap + ln(1 + e^−gap)": "the loss taken as −log of a probability",
    "−log p_y = inf beyond": "the smallest normal float for the smallest subnormal",
    "dL/dX vs numeric": "dX not divided by N",
    "vᵀHv vs Σ pⱼvⱼ² − (Σ pⱼvⱼ)²": "the −(pᵀv)² term forgotten",
    "first gap with p_y = 0 vs ln 2 − ln(sub)": "float32's smallest normal for its subnormal",
}
LOCAL_BUGS_03 = {
    "softmax(s) - onehot, numeric": "softmax(s), numeric",
    "np.outer(p, p)": "np.diag(p**2)",
    'N vs numeric", (P - Y) / N,': 'N vs numeric", (P - Y),',
    "H_W = numerical_hessian(lambda w: softmax_loss_vectorized(w, X, y, reg)[0], W)": (
        f"H_W = numerical_hessian(lambda w: {CATALOGUE}['reg-loss-halved'].vectorized("
        "w, X, y, reg)[0], W)"
    ),
    "dW = X.T @ G + 2 * reg * W": "dW = X.T @ G - 2 * reg * W",
    'check("2λW vs numeric", 2 * reg * W,': 'check("2λW vs numeric", reg * W,',
    "lse_loss = -log_softmax(S_gap)[rows, y_gap]": "lse_loss = -np.log(softmax(S_gap)[rows, y_gap])",
    "np.log(np.finfo(float).smallest_subnormal)": "np.log(np.finfo(float).tiny)",
    "dX = (P - Y) @ W.T / N": "dX = (P - Y) @ W.T",
    "p @ v**2 - (p @ v) ** 2": "p @ v**2",
    "np.finfo(np.float32).smallest_subnormal": "np.finfo(np.float32).tiny",
}
LAST_03 = "first gap with p_y = 0"


def test_notebook_03_lines_fail_on_a_softmax_over_examples_and_a_loss_without_curvature():
    """P normalised over the examples (axis 0): rows of P − Y no longer sum to 0 and (P − Y)/N is
    not the gradient. A data term linear in W (−s_y, the log-sum-exp forgotten) has no curvature:
    every eigenvalue of its Hessian is 2λ. The package's loss replaced by the catalogue's
    −log p on scores 746 apart: inf."""
    lines = run_mutant(
        NB03,
        {
            "P = softmax(S)\n": "P = softmax(S.T).T\n",
            "lambda w: softmax_loss_vectorized(w, X, y, reg)[0], W)": (
                "lambda w: -np.mean((X @ w)[np.arange(N), y]) + reg * np.sum(w**2), W)"
            ),
            "vectorized = softmax_loss_vectorized(np.eye(2), S_gap, y_gap, 0)[0]": (
                f"vectorized = {CATALOGUE}['log-of-probability'].vectorized("
                "np.eye(2), S_gap, y_gap, 0)[0]"
            ),
        },
        until="softmax_loss_vectorized on these scores",
    )
    assert verdict(lines, "row sums of P − Y") == "✗"
    assert verdict(lines, "(P − Y) / N vs numeric") == "✗"
    assert verdict(lines, "the next one is above 2λ") == "✗"
    assert verdict(lines, "5 smallest eigenvalues vs 2λ") == "✓"  # the floor is still 2λ
    assert verdict(lines, "softmax_loss_vectorized on these scores") == "✗"
    assert verdict(lines, "ln Σ e^s − s_y vs gap + ln(1 + e^−gap)") == "✓"


def test_notebook_03_shows_the_jacobian_identity_as_a_worked_number():
    """Jᵀ(−e_y / p_y) = p − e_y holds by algebra for J = diag(p) − ppᵀ: printed, not ticked."""
    committed_03 = run(NB03, planted=False)
    assert not any("Jᵀ(−e_y / p_y) vs" in ln for ln in committed_03)
    shown = [
        ln.split("=", 1)[1].strip() for ln in committed_03 if ln.startswith(("Jᵀ(", "p − e_y"))
    ]
    assert len(shown) == 2 and shown[0] == shown[1]


# ---------------------------------------------------------------------------------- notebook 04

LINES_04 = {
    "centred-difference error, h = 0.1": "a forward difference, error h/2 instead of h²/6",
    "centred-difference error, h = 0.01": "a forward difference, error h/2 instead of h²/6",
    "float64: best h within 10× of h*": "h* = √(3ε), a forward difference's optimum",
    "float32: best h within 10× of h*": "h* = √(3ε), a forward difference's optimum",
    "missing /N: as documented": "the gallery run on the correct loss",
    "½ vs 2 in reg: as documented": "the gallery run on the correct loss",
    "no max shift: as documented": "the gallery run on the correct loss",
    "no −1 on true class: as documented": "the gallery run on the correct loss",
    "reg missing in dW: as documented": "the gallery run on the correct loss",
    "½ vs 2 in reg: good at λ = 1e-5, wrong at 1e2": "the λ sweep run on the correct loss",
    "reg missing in dW: good at λ = 1e-5, wrong at 1e2": "the λ sweep run on the correct loss",
    "forward: best h within 10× of √(2ε)": "a centred difference in forward_gradient",
}
LOCAL_BUGS_04 = {
    "error = (np.exp(h) - np.exp(-h)) / (2 * h) - 1.0": "error = (np.exp(h) - 1.0) / h - 1.0",
    "(3 * np.finfo(dt).eps) ** (1 / 3)": "(3 * np.finfo(dt).eps) ** (1 / 2)",
    "signatures[bug.name] = bug_signature(bug.loss_fn, W, X, y, reg)": (
        "signatures[bug.name] = bug_signature(softmax_loss_vectorized, W, X, y, reg)"
    ),
    "{b.name: b.loss_fn for b in GALLERY}": "{b.name: softmax_loss_vectorized for b in GALLERY}",
    "grad[index] = (f(w_h) - f(w)) / h": "grad[index] = (f(w_h) - f(2 * w - w_h)) / (2 * h)",
}
LAST_04 = "forward: best h within"


def test_notebook_04_lines_fail_on_a_forward_difference_sweep_and_a_gallery_at_cs231n_reg():
    """The float64 sweep run with a forward difference has its bottom near √ε, far from the
    centred h*. At CS231n's W ~ 1e-4 and λ = 5e-6 the regulariser bugs are caught by nothing,
    so their documented lines fail; the bugs that do not involve λ keep their signatures."""
    lines = run_mutant(
        NB04,
        {
            "rel_error(numerical_gradient(f, W_dt, h=h), dW_ref)": (
                f"rel_error({CATALOGUE}['forward-difference'].vectorized(f, W_dt, h=h), dW_ref)"
            ),
            "signatures[bug.name] = bug_signature(bug.loss_fn, W, X, y, reg)": (
                "signatures[bug.name] = bug_signature(bug.loss_fn, 1e-4 * W, X, y, 5e-6)"
            ),
        },
        until="as documented",
    )
    assert verdict(lines, "float64: best h within 10× of h*") == "✗"
    assert verdict(lines, "½ vs 2 in reg: as documented") == "✗"
    assert verdict(lines, "reg missing in dW: as documented") == "✗"
    assert verdict(lines, "missing /N: as documented") == "✓"
    assert verdict(lines, "no −1 on true class: as documented") == "✓"


def test_notebook_04_prints_the_measured_errors_not_only_a_verdict():
    """Issue 17 §4: where the lesson is an error's size, the error itself is printed."""
    committed_04 = run(NB04, planted=False)
    assert any(ln.startswith("10 random entries of dW: worst error ") for ln in committed_04)
    assert any(ln.startswith("float32, h = 1e-05: worst ") for ln in committed_04)
    assert any(ln.startswith("forward at h = 1e-5: ") for ln in committed_04)


# ------------------------------------------------------------------------ both: ✓ as committed, ✗ with the bug

CASES = {NB03: (LINES_03, LOCAL_BUGS_03, LAST_03), NB04: (LINES_04, LOCAL_BUGS_04, LAST_04)}
# ✓ lines shown to fail only in the dedicated runs below (their bug clashes with a local one).
ALSO_COMMITTED = {NB03: ["the next one is above 2λ", "row sums of P − Y"], NB04: []}


@functools.cache
def run(notebook: str, planted: bool) -> list[str]:
    """The printed lines of ``notebook`` as committed, or with all its local bugs planted."""
    _, bugs, last = CASES[notebook]
    return run_mutant(notebook, bugs if planted else None, until=last)


@pytest.mark.parametrize(
    ("notebook", "line"),
    [(nb, line) for nb, (lines, _, _) in CASES.items() for line in [*lines, *ALSO_COMMITTED[nb]]],
)
def test_line_passes_as_committed(notebook, line):
    assert verdict(run(notebook, planted=False), line) == "✓"


@pytest.mark.parametrize(
    ("notebook", "line"), [(nb, line) for nb, (lines, _, _) in CASES.items() for line in lines]
)
def test_line_fails_with_its_bug(notebook, line):
    assert verdict(run(notebook, planted=True), line) == "✗", CASES[notebook][0][line]
