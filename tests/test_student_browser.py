"""A student's first mistake in a real browser: JupyterLab on the student edition.

The edition is released into a temporary folder (tools/student.py, as `make student` does) and
served by JupyterLab (tests/browser_util.LabServer). In ``02_loss.ipynb`` Chromium types, with the
keyboard, after Run All (every check says "not implemented yet"), a `softmax_loss_vectorized` that
forgets to divide by N into the stub cell, runs it and
the check below it (Shift+Enter twice) and reads the diagnosis: ✗, the mistake ``missing-mean``
and "not divided by N". Then it retypes the function with the division, runs both again and reads
✓. Screenshots of both reports are kept in build/screenshots/student/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browser_util import (
    LabServer,
    assert_offline,
    browser_context,
    new_page,
    require_browser,
    screenshot_path,
)
from test_lab_browser import ALL_RUN_JS, STATUS_IDLE_JS, menu

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import student

pytestmark = pytest.mark.browser

TIMEOUT_MS = 120_000

# Typed line by line: JupyterLab indents the body after the `def` line by itself and keeps
# that indentation on every new line, so the body lines are typed without leading spaces.
HEAD = "def softmax_loss_vectorized(W, X, y, reg):"
BODY = [
    "N = X.shape[0]",
    "rows = np.arange(N)",
    "S = X @ W",
    "S = S - S.max(axis=1, keepdims=True)",
    "E = np.exp(S)",
    "sums = E.sum(axis=1)",
    "loss = np.sum(np.log(sums) - S[rows, y]){n} + reg * np.sum(W * W)",
    "P = E / sums[:, None]",
    "P[rows, y] -= 1",
    "dW = X.T @ P{n} + 2 * reg * W",
    "return loss, dW",
]


def code(divide: bool) -> list[str]:
    n = " / N" if divide else ""
    return [HEAD] + [line.format(n=n) for line in BODY]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()
    released = student.release(tmp_path_factory.mktemp("edition") / "student")
    server = LabServer(tmp_path_factory.mktemp("lab"), released).start()
    try:
        yield server
    finally:
        server.stop()


def cell_with(page, text: str):
    return page.locator(".jp-Notebook .jp-Cell", has_text=text).first


def type_function(page, cell, lines: list[str]) -> None:
    """Replace the cell's code by ``lines``, typed with the keyboard."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type(lines[0])
    for line in lines[1:]:
        page.keyboard.press("Enter")
        page.keyboard.type(line)
    typed = cell.locator(".cm-content").inner_text()
    got = [line.rstrip() for line in typed.splitlines()]
    assert got == [lines[0]] + ["    " + line for line in lines[1:]], typed


def run_and_check(page, stub, check) -> str:
    """Shift+Enter in the stub (runs it, moves to the check), Shift+Enter again; the report."""
    before = check.locator(".jp-InputPrompt").inner_text()
    stub.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "([cell, before]) => { const p = cell.querySelector('.jp-InputPrompt').innerText;"
        " return /\\[\\d+\\]/.test(p) && p !== before; }",
        arg=[check.element_handle(), before],
        timeout=TIMEOUT_MS,
    )
    page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)
    return check.locator(".jp-OutputArea").inner_text()


def test_type_a_wrong_vectorized_loss_read_the_diagnosis_fix_it(lab):
    with browser_context(viewport=(1400, 1000)) as context:
        page = new_page(context)
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(lab.url("lab/workspaces/student/tree/02_loss.ipynb") + "&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)

        # Run All on the fresh edition: every check says "not implemented yet".
        menu(page, "Run", "Run All Cells")
        page.wait_for_function(ALL_RUN_JS, timeout=TIMEOUT_MS)
        page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)
        stub = cell_with(page, "def softmax_loss_vectorized")
        check = cell_with(page, "vectorized_report = check_vectorized(")
        assert "raise NotImplementedError()" in stub.inner_text()
        assert "not implemented yet" in check.locator(".jp-OutputArea").inner_text()

        type_function(page, stub, code(divide=False))
        report = run_and_check(page, stub, check)
        check.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("student", "02_loss-missing-mean.png")))
        assert "✗" in report, report
        assert "missing-mean" in report, report
        assert "not divided by N" in report, report

        type_function(page, stub, code(divide=True))
        report = run_and_check(page, stub, check)
        check.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("student", "02_loss-fixed.png")))
        assert "✓" in report and "✗" not in report, report

        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_inner_texts()
        assert [e for e in errors if "Traceback" in e] == []
        assert page.js_errors == [], page.js_errors
        assert_offline(page)
        page.close()
