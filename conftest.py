"""Test-wide set-up, loaded for every pytest run in the repo (tests/ and notebooks/).

Notebook kernels started by nbval inherit this environment, the same one
`make execute` uses when it saves the outputs nbval compares against.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tests"))

from notebook_env import NOTEBOOK_ENV

os.environ.update(NOTEBOOK_ENV)


@pytest.fixture(autouse=True)
def _package_functions_stand_in_for_students(monkeypatch):
    """Tests of the checks pass the package's own (correct) functions as a student's; in a
    student's notebook that is an interface error (softmax.feedback._run.ALLOW_PACKAGE_FUNCTIONS,
    tested with it off in tests/test_feedback_isolation.py)."""
    from softmax.feedback import _run

    monkeypatch.setattr(_run, "ALLOW_PACKAGE_FUNCTIONS", True)
