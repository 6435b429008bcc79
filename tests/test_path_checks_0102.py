"""Each ✓ line of notebooks 01 and 02 turns into ✗ when the notebook's own code gets its bug.

tests/test_path_checks_0103.py feeds catalogue mutants to the functions of
softmax.display.lesson_checks; here every other check(...) / check_true(...) line of 01 and 02
is shown ✓ as committed and ✗ with a plausible bug planted in the notebook's own source
(tests/notebook_mutants.py). One run can plant several bugs: each line named below turns ✗
because of one of them, and the comment at each bug says which lines it is for.

Every verdict line the two notebooks print is listed in COMMITTED (or in the lesson_checks
lines 0103 covers), so a ✓ added later without a mutant fails
test_every_verdict_line_has_a_mutant.
"""

from __future__ import annotations

import functools

import pytest
from notebook_mutants import run_mutant, verdict

# The planted bugs warn (log 0, overflow): expected, not a finding.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

NB01, NB02 = "01_cross_entropy.ipynb", "02_log_sum_exp.ipynb"
LAST01 = "initial_loss_check(softmax_loss_vectorized"
LAST02 = "logsumexp(6 equal scores) vs max + ln 6"

# Lines of the lesson_checks functions, shown to fail in tests/test_path_checks_0103.py.
COVERED_BY_0103 = {
    NB01: ["loss(W ≈ 0, reg = 0), C = 10 vs ln C"],
    NB02: ["float32 softmax within one step of exact"],
}

IMPORT01 = "from softmax import log_softmax, softmax, softmax_loss_vectorized"
IMPORT02 = "from softmax.mistakes import naive_log_softmax, naive_logsumexp, naive_softmax"


def _after_import(imports: str, bugs: str) -> dict[str, str]:
    """A replacement that keeps the import line and defines ``bugs`` after it."""
    return {imports: imports + "\n" + bugs}


# name -> (notebook, replacements, until, lines that must turn ✗)
MUTANTS = {
    # ------------------------------------------------------------------------------ 01
    "01: softmax without the exp": (
        NB01,
        _after_import(IMPORT01, "softmax = lambda S, axis=-1: S / S.sum(axis, keepdims=True)\n"),
        "softmax(s + {c:g}) vs softmax(s)",
        [
            "softmax(s) vs e^s / Σ e^s",
            "every p_j > 0",  # s holds -1: a negative "probability"
            "softmax(s + 10) vs softmax(s)",
            "softmax(s + 100) vs softmax(s)",
            "softmax(s + 1000) vs softmax(s)",
        ],
    ),
    "01: softmax without the max shift": (
        NB01,
        _after_import(IMPORT01, "from softmax.mistakes import naive_softmax as softmax\n"),
        "softmax(s + {c:g}) vs softmax(s)",
        ["softmax(s + 1000) vs softmax(s)"],  # e^1002 overflows: nan
    ),
    "01: softmax never divided by the sum, scores negated": (
        NB01,
        {
            # Σ_j p_j: the shifted exponentials, never normalised
            **_after_import(
                IMPORT01,
                "softmax = lambda S, axis=-1: np.exp(S - S.max(axis, keepdims=True))\n",
            ),
            # the order: p of the negated scores (a distance taken for a score)
            "p = softmax(s)\ncheck": "p = softmax(-s)\ncheck",
        },
        "same order as the scores",
        ["Σ_j p_j", "same order as the scores"],
    ),
    "01: sums of logs, signs and arguments swapped, the wrong axis, a loss without the mean": (
        NB01,
        {
            # the loss of every example summed, not averaged (softmax.mistakes)
            **_after_import(IMPORT01, "from softmax.mistakes import loss_missing_mean\n"),
            "softmax_loss_vectorized(W_zero, X, y_c, reg=0.0)": (
                "loss_missing_mean(W_zero, X, y_c, reg=0.0)"
            ),
            "softmax_loss_vectorized(W_small, X, labels, reg=0.0)": (
                "loss_missing_mean(W_small, X, labels, reg=0.0)"
            ),
            # the sum of the logs instead of the log of the sum
            "-s[y] + np.log(np.exp(s).sum())": "-s[y] + np.log(np.exp(s)).sum()",
            # the minus sign forgotten
            "-np.log(p[y]), -log_softmax(s)[y])": "-np.log(p[y]), log_softmax(s)[y])",
            # cross-entropy with its arguments swapped
            "-(q * np.log(p)).sum()": "-(p * np.log(q)).sum()",
            # KL with its arguments swapped: KL(p || q) instead of KL(q || p)
            "KL = (q_soft * np.log(q_soft / p)).sum()": "KL = (p * np.log(p / q_soft)).sum()",
            # the log of the sum of the probabilities instead of the log of their product
            "-np.log(np.prod(p_true))": "-np.log(np.sum(p_true))",
            # the formula's log-softmax normalised over the examples
            "log_softmax(X @ W)[np.arange(N), labels]": (
                "log_softmax(X @ W, axis=0)[np.arange(N), labels]"
            ),
            # Gibbs' inequality tested on the cross-entropy with its arguments swapped
            "-(q_soft * np.log(p_random)).sum(axis=1)": "-(p_random * np.log(q_soft)).sum(axis=1)",
        },
        "H(q, p) > H(q, q), 1000 random p",
        [
            "loss(W = 0), C = 2",
            "loss(W = 0), C = 4",
            "loss(W = 0), C = 10",
            "loss(W ≈ 0), C = 10",
            "-ln p_y vs -s_y + ln Σ e^s",
            "-ln p_y vs -log_softmax(s)_y",
            "H(one-hot(y), p) vs -ln p_y",
            "H(q, p) vs H(q) + KL(q || p)",
            "-ln Π p / N vs mean(-ln p)",
            "softmax_loss_vectorized vs formula",
            "H(q, p) > H(q, q), 1000 random p",
        ],
    ),
    "01: an epsilon in a denominator, temperature multiplied, the wrong axis, entropy in bits": (
        NB01,
        {
            # beyond round-off: an epsilon "for safety" in the reference's denominator
            "p, np.exp(s) / np.exp(s).sum())\nprint": "p, np.exp(s) / (np.exp(s).sum() + 1e-9))\nprint",
            # a temperature that multiplies the scores instead of dividing them
            "softmax(s / 0.01)": "softmax(s * 0.01)",
            "softmax(s / 1e4)": "softmax(s * 1e4)",
            "softmax(s / (1 / 3))": "softmax(s * (1 / 3))",
            # the ratio tripled, not cubed, by three times the scores
            "(p[0] / p[1]) ** 3": "(p[0] / p[1]) * 3",
            # KL(q || p) with the ratio upside down: -KL, negative
            "np.log(q_soft / p)": "np.log(p / q_soft)",
            # the two-class softmax normalised over the rows
            "softmax(pairs)[:, 1], sigma": "softmax(pairs, axis=0)[:, 1], sigma",
            # the exercise's entropy in bits (log2) instead of nats
            "H_qq = -(q_soft * np.log(q_soft)).sum()": "H_qq = -(q_soft * np.log2(q_soft)).sum()",
        },
        "H(q, q) vs the answer 0.9404",
        [
            "p(T = 0.01) vs one-hot argmax",
            "p(T = 10⁴) vs uniform 1/C",
            "softmax(3 s) vs softmax(s / T), T = 1/3",
            "p_0 / p_1 at 3s vs (p_0 / p_1 at s)³",
            "KL(q || p) >= 0",
            "softmax(pairs)[:, 1] vs σ(s_1 − s_0)",
            "H(q, q) vs the answer 0.9404",
            "H(q, p) − H(q, q) vs the answer 0.0989",
            "measured max|diff| <= floor",
        ],
    ),
    # ------------------------------------------------------------------------------ 02
    "02: the literal formula divided by the largest term": (
        NB02,
        _after_import(IMPORT02, "naive_softmax = lambda s: np.exp(s) / np.exp(s).max()\n"),
        "naive_softmax(s) vs softmax(s)",
        ["naive_softmax(s) vs softmax(s)"],
    ),
    "02: the package's softmax without the max shift": (
        NB02,
        _after_import(IMPORT02, "softmax = naive_softmax\n"),
        "softmax([-1000, -1001, -1002]) vs exact",
        ["softmax([1000, 999, 998]) vs exact", "softmax([-1000, -1001, -1002]) vs exact"],
    ),
    "02: the log of a probability, log-sum-exp without m, a scaled shift, a wrong prediction": (
        NB02,
        {
            **_after_import(
                IMPORT02,
                # ln p as the log of the (shifted) softmax: ln 0 = -inf once p underflows
                "log_softmax = lambda z: np.log(softmax(z))\n"
                # log-sum-exp that shifts by m and forgets to add it back
                "logsumexp = lambda S: np.log(np.exp(S - S.max(-1, keepdims=True)).sum(-1))\n",
            ),
            # the scores divided by the maximum instead of shifted by it
            "naive_softmax(s - s.max())": "naive_softmax(s / s.max())",
            # the minimum subtracted with the wrong sign
            "naive_softmax(z - z.min())": "naive_softmax(z + z.min())",
            # the first failure predicted without class 2's factor 2
            "np.log(2)) / 2": "np.log(2))",
        },
        LAST02,
        [
            "log_softmax([0, -800]) vs exact",
            "−log_softmax(z)_1 vs 800",
            "logsumexp(s) vs naive, small s",
            "logsumexp([1000, 1000]) vs 1000 + ln 2",
            "max s <= logsumexp(s) <= max s + ln C",
            "logsumexp(6 equal scores) vs max + ln 6",
            "naive(s − max s) vs naive(s)",
            "min shift, [1000, 999, 998] vs exact",
            "float32: naive fails at",
            "float64: naive fails at",
        ],
    ),
    "02: log-softmax without the log-sum-exp term": (
        NB02,
        _after_import(IMPORT02, "log_softmax = lambda z: z - z.max(-1, keepdims=True)\n"),
        "log_softmax(s) vs ln softmax(s)",
        ["log_softmax(s) vs ln softmax(s)"],
    ),
}

# Every verdict line of each notebook as committed, by name (prefix).
COMMITTED = {
    nb: sorted({line for _nb, _r, _u, lines in MUTANTS.values() if _nb == nb for line in lines})
    for nb in (NB01, NB02)
}
COMMITTED[NB02] += ["float32: shifted error < 2 eps", "float64: shifted error < 2 eps"]


@functools.cache
def committed(notebook: str) -> tuple[str, ...]:
    return tuple(run_mutant(notebook, until=LAST01 if notebook == NB01 else LAST02))


def _named(lines, notebook):
    names = [*COMMITTED[notebook], *COVERED_BY_0103[notebook]]
    return [ln for ln in lines if ln[:1] in "✓✗" and not any(ln[2:].startswith(n) for n in names)]


@pytest.mark.parametrize("notebook", [NB01, NB02])
def test_every_verdict_line_has_a_mutant(notebook):
    lines = committed(notebook)
    assert _named(lines, notebook) == [], "a ✓ line with no mutant here or in 0103"
    for name in [*COMMITTED[notebook], *COVERED_BY_0103[notebook]]:
        assert verdict(list(lines), name) == "✓", (notebook, name)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_the_bug_turns_its_lines_to_a_cross(name):
    notebook, replacements, until, failing = MUTANTS[name]
    lines = run_mutant(notebook, replacements, until=until)
    marks = {line: verdict(lines, line) for line in failing}
    assert [line for line, mark in marks.items() if mark != "✗"] == []


def test_a_shifted_log_softmax_that_takes_the_log_of_a_probability_fails_the_sweep(monkeypatch):
    """The error sweep's "shifted" curve is the package's log_softmax inside
    softmax.display.checks: replaced by ln(softmax(z)), it returns -inf once p_2 underflows."""
    import numpy as np

    from softmax import softmax
    from softmax.display import checks

    monkeypatch.setattr(checks, "log_softmax", lambda z: np.log(softmax(z)))
    lines = run_mutant(NB02, until="shifted error < 2 eps")
    assert verdict(lines, "float32: shifted error < 2 eps") == "✗"
    assert verdict(lines, "float64: shifted error < 2 eps") == "✗"
