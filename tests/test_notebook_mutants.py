"""The mutation harness itself (tests/notebook_mutants.py) can tell a ✓ from a ✗."""

from __future__ import annotations

import pytest
from notebook_mutants import plant, run_mutant, verdict

JACOBIAN = "diag(p) − ppᵀ vs numeric Jacobian"


def test_a_planted_bug_turns_the_notebooks_own_check_from_pass_to_fail():
    assert verdict(run_mutant("03_gradient.ipynb", until=JACOBIAN), JACOBIAN) == "✓"
    wrong = run_mutant(
        "03_gradient.ipynb", {"np.outer(p, p)": "np.diag(p**2)"}, until=JACOBIAN
    )  # forgot the off-diagonal -p_i p_j
    assert verdict(wrong, JACOBIAN) == "✗"


def test_a_mutant_that_no_longer_matches_the_notebook_is_an_error_not_a_pass():
    with pytest.raises(AssertionError, match="exactly once"):
        plant(["a = 1", "b = 2"], {"c = 3": "c = 4"})
    with pytest.raises(AssertionError, match="exactly once"):
        plant(["a = 1", "a = 1"], {"a = 1": "a = 2"})


def test_verdict_needs_exactly_one_line_of_that_name():
    with pytest.raises(AssertionError):
        verdict(["✓ x  close: yes", "✓ x  close: yes"], "x")
    assert verdict(["✗ x  close: no"], "x") == "✗"


def test_running_a_notebook_in_process_leaves_the_environment_kernels_inherit_alone(monkeypatch):
    """nbval's kernels, started later in the same pytest run, inherit os.environ: a leaked
    MPLBACKEND=Agg there would drop every figure from their outputs."""
    import os
    import sys

    monkeypatch.delenv("MPLBACKEND", raising=False)
    before = dict(os.environ), sys.displayhook, sys.excepthook
    run_mutant("03_gradient.ipynb", until=JACOBIAN)
    assert (dict(os.environ), sys.displayhook, sys.excepthook) == before
