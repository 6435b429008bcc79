"""Students' path in a real browser: JupyterLab runs notebooks 01 and 04 and their widgets work.

A JupyterLab server from this environment runs on 127.0.0.1 on a free port with a token,
throw-away settings/workspaces and a copy of the notebooks (the repo's files are never
touched). For each notebook, Chromium (every non-local request aborted) opens it, waits for
the kernel to report "Idle" in the status bar, clears every output and runs all cells from
the Run menu, waits for all cells to finish and the widgets to appear, moves a slider with
the keyboard (and presses the widget's Run button, if it has one, with the Enter key) and
checks that the widget's output changed and any figure in it was redrawn (and is not blank),
and that the Markdown maths was
typeset. Screenshots after the slider moved are kept in build/screenshots/lab/.
"""

from __future__ import annotations

import re
import time

import pytest
from browser_util import (
    ALL_RUN_JS,
    NOTEBOOKS,
    STATUS_IDLE_JS,
    assert_offline,
    new_page,
    require,
    screenshot_path,
)

pytestmark = pytest.mark.browser

# The notebooks with sliders that students are told to drag.
WIDGET_NOTEBOOKS = ["01", "05"]
TIMEOUT_MS = 120_000

# What the widget shows besides the slider: its text (readouts, HTML) and its images.
WIDGET_STATE_JS = """
(cell) => {
  const out = cell.querySelector('.jp-OutputArea');
  const clone = out.cloneNode(true);
  clone.querySelectorAll('.widget-slider, .jupyter-widget-slider').forEach((e) => e.remove());
  const images = Array.from(out.querySelectorAll('img')).map((i) => i.src);
  return clone.innerText + '\\n' + images.join('\\n');
}
"""
# Images of a cell that draw nothing (every pixel transparent or white).
BLANK_IMAGES_JS = """
(cell) => Array.from(cell.querySelectorAll('img')).filter((img) => {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 0 && (px[i] < 250 || px[i + 1] < 250 || px[i + 2] < 250)) return false;
  }
  return true;
}).map((img) => `${img.naturalWidth}x${img.naturalHeight} ${img.src.slice(0, 60)}`)
"""
# Markdown text outside MathJax 3's output: raw TeX left there was not typeset.
RAW_MATH_JS = """
() => Array.from(document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown'))
  .map((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {acceptNode: (n) =>
      n.parentElement.closest('mjx-container, code, pre, script, style')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    let text = '';
    while (walker.nextNode()) text += walker.currentNode.textContent;
    return text;
  })
  .filter((t) => /\\$\\$|\\\\frac|\\\\sum|\\\\begin\\{/.test(t))
"""


def notebook_for(prefix: str):
    matches = sorted(NOTEBOOKS.glob(f"{prefix}_*.ipynb"))
    if not matches:
        require(f"notebook {prefix}_*.ipynb is missing")
    return matches[0]


def wait_settled(page, cell, timeout_s: float = 60) -> str:
    """Wait until the kernel is idle, the widget's output stays the same for half a second
    and its images have loaded; return that output (see WIDGET_STATE_JS)."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while time.monotonic() < deadline:
        page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)
        state = page.evaluate(WIDGET_STATE_JS, cell)
        loaded = page.evaluate(
            "(cell) => Array.from(cell.querySelectorAll('img'))"
            ".every((i) => i.complete && i.naturalWidth > 0)",
            cell,
        )
        if state == previous and loaded:
            return state
        previous = state
        page.wait_for_timeout(500)
    raise AssertionError("the widget kept changing or its images did not load")


def menu(page, top: str, item: str) -> None:
    """Click ``top`` in JupyterLab's menu bar, then ``item`` in the menu that opens."""
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


@pytest.mark.parametrize("prefix", WIDGET_NOTEBOOKS)
def test_run_all_and_drag_a_slider(lab, lab_browser, prefix):
    nb = notebook_for(prefix)
    page = new_page(lab_browser)
    page.set_default_timeout(TIMEOUT_MS)
    try:
        # A workspace of its own, reset: only this notebook opens (not the previous test's).
        page.goto(lab.url(f"lab/workspaces/test-{prefix}/tree/{nb.name}") + "&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        # The toolbar's kernel indicator reads idle before the kernel is; the status bar not.
        page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)

        menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-CodeCell .jp-OutputArea-output').length === 0"
        )
        menu(page, "Run", "Run All Cells")
        page.wait_for_function(ALL_RUN_JS, timeout=TIMEOUT_MS)
        page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
        assert tracebacks == [], f"{nb.name}: errors while running: {tracebacks}"

        # The widgets render, with a slider to drag.
        handle = page.locator(".jp-OutputArea-output .noUi-handle").first
        handle.wait_for(state="visible")
        cell = handle.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')][1]")
        cell_handle = cell.element_handle()
        before = wait_settled(page, cell_handle)
        assert before.strip(), f"{nb.name}: the widget shows nothing besides its sliders"
        page.evaluate("(cell) => cell.scrollIntoView({block: 'start'})", cell_handle)
        page.screenshot(path=str(screenshot_path("lab", f"{nb.stem}-after-run-all.png")))
        blank = page.evaluate(BLANK_IMAGES_JS, cell_handle)
        assert blank == [], f"{nb.name}: the widget's figure is blank after Run All: {blank}"

        # Drag with the keyboard: focus the slider's handle and press the right arrow.
        handle.scroll_into_view_if_needed()
        handle.focus()
        readout = cell.locator(".widget-readout").first
        start_value = readout.inner_text()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        # A panel that recomputes on demand (notebook 05's timings) has a Run button: press
        # it from the keyboard too.
        button = cell.locator("button.widget-button:not(.widget-toggle-button)")
        if button.count():
            wait_settled(page, cell_handle)  # the kernel has the slider's last value
            button.first.focus()
            page.keyboard.press("Enter")
        page.wait_for_function(
            f"([cell, before]) => ({WIDGET_STATE_JS.strip()})(cell) !== before",
            arg=[cell_handle, before],
            timeout=30_000,
        )
        assert readout.inner_text() != start_value, "the slider's value did not move"
        after = wait_settled(page, cell_handle)
        assert after != before
        blank = page.evaluate(BLANK_IMAGES_JS, cell_handle)
        assert blank == [], (
            f"{nb.name}: the widget's figure is blank after the slider moved: {blank}"
        )
        images_before = [line for line in before.splitlines() if line.startswith("blob:")]
        images_after = [line for line in after.splitlines() if line.startswith("blob:")]
        if images_before:  # the widget draws a figure: it was redrawn
            assert images_after and images_after != images_before, "the figure was not redrawn"
        page.evaluate("(cell) => cell.scrollIntoView({block: 'start'})", cell_handle)
        page.wait_for_timeout(200)
        page.screenshot(path=str(screenshot_path("lab", f"{nb.stem}-after-slider.png")))

        # Maths in Markdown cells was typeset by JupyterLab's MathJax, none left raw.
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-MarkdownCell mjx-container').length > 0"
        )
        assert page.evaluate(RAW_MATH_JS) == [], f"{nb.name}: raw TeX left in Markdown cells"

        assert page.js_errors == [], f"{nb.name}: JavaScript errors: {page.js_errors}"
        assert_offline(page)
    finally:
        page.close()
