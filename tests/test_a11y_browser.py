"""Accessibility measured in a real browser: WCAG 2.1 AA rules of axe-core, text size, keyboard.

- every slide of every deck (tools/build_slides.py, built once per session): axe-core (from
  node_modules, pinned in package-lock.json, loaded from disk) with the WCAG 2.0/2.1 A and AA
  rules finds no serious or critical violation; every image has a real alt text; text inside
  every figure is at least about two thirds of the 26 px body text as drawn on the slide;
- the PDF handout is tagged, has an outline and carries the figures' descriptions (poppler);
- each notebook run in JupyterLab: axe-core finds no serious or critical violation in what the
  project renders (Markdown cells and outputs). JupyterLab's own chrome (toolbars, prompts,
  the code editor's theme) is measured too and written to build/a11y/ for the record, never
  failed on: it is JupyterLab's (e.g. jupyterlab#16888);
- notebook 01's widget is usable with the keyboard alone: Tab reaches every slider, the
  dropdown, and arrow keys move a slider, which redraws the figure and its description.

One axe-core run covers a whole deck (its print view lays every slide out): about 20 s a deck.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from a11y_util import (
    MIN_FIGURE_TEXT_PX,
    PLACEHOLDER_ALT,
    audit_deck,
    counts,
    run_axe,
    serious,
)
from browser_util import (
    ALL_RUN_JS,
    ROOT,
    SLIDES,
    STATUS_IDLE_JS,
    browser_context,
    new_page,
    notebook_paths,
    require,
    require_browser,
)

pytestmark = pytest.mark.browser

REPORTS = ROOT / "build" / "a11y"
TIMEOUT_MS = 180_000

# ipywidgets 8.1 renders a slider's handle (noUiSlider, role="slider") without an accessible
# name: the description is a <label> that is not tied to it, and no widget state reaches the
# handle. The decks name the handles (tools/slides/softmax_reveal/index.html.j2); in JupyterLab
# this one rule on these elements is reported, not failed on, until ipywidgets names them.
UPSTREAM_LAB = {("aria-input-field-name", "noUi-handle")}


@pytest.fixture
def chromium(decks):
    # One browser per test: Playwright's sync API allows one running instance per thread,
    # and the JupyterLab tests below start their own (lab_browser).
    require_browser()
    with browser_context() as context:
        yield context


def _write_report(name: str, data) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(data, indent=1, default=str))


@pytest.mark.parametrize("name", [p.stem for p in notebook_paths()])
def test_deck_passes_axe_and_its_figures_are_readable(chromium, decks, name):
    page = new_page(chromium)
    try:
        report = audit_deck(page, SLIDES / decks[name]["file"])
    finally:
        page.close()
    _write_report(
        f"deck-{name}",
        {
            "slides": report["slides"],
            "counts": counts(report["violations"]),
            "images": report["images"],
            "violations": report["violations"],
        },
    )
    bad = [
        f"slide {slide}: {v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for slide, v in report["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == [], f"{name}: axe-core serious/critical violations:\n" + "\n".join(bad)
    for image in report["images"]:
        where = f"{name} slide {image['slide']}"
        alt = (image["alt"] or "").strip()
        assert alt and alt != PLACEHOLDER_ALT and len(alt) >= 20, f"{where}: alt {alt!r}"
        assert image["text_px"] is not None, f"{where}: a figure the package did not draw"
        assert image["text_px"] >= MIN_FIGURE_TEXT_PX, (
            f"{where}: text inside the figure is {image['text_px']:.1f} px on the slide "
            f"(body text 26 px; at least {MIN_FIGURE_TEXT_PX} px): {alt[:60]}"
        )


def pdf_alt_texts(pdf: bytes) -> list[str]:
    """The /Alt strings of a PDF's structure elements (literal or UTF-16 hex strings)."""
    out = []
    for m in re.finditer(rb"/Alt\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", pdf):
        raw = m.group(1)
        if raw.startswith(b"<"):
            data = bytes.fromhex(raw[1:-1].decode().replace(" ", ""))
            out.append(data.decode("utf-16") if data[:2] == b"\xfe\xff" else data.decode("latin-1"))
        else:
            body = re.sub(rb"\\([()\\])", rb"\1", raw[1:-1])
            if body.startswith(b"\xfe\xff"):
                out.append(body.decode("utf-16"))
            else:
                out.append(body.decode("latin-1"))
    return out


def test_handout_is_tagged_with_outline_and_alt_text(chromium, decks, tmp_path):
    require(None if shutil.which("pdfinfo") else "poppler-utils (pdfinfo) is not installed")
    from build_handouts import print_deck

    name = notebook_paths()[0].stem
    pdf = tmp_path / f"{name}.pdf"
    pages = print_deck(chromium, SLIDES / decks[name]["file"], pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.MULTILINE), info.stdout
    assert re.search(rf"^Pages:\s+{pages}$", info.stdout, re.MULTILINE), info.stdout
    struct = subprocess.run(
        ["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    figures = re.findall(r"^\s*Figure\b", struct, re.MULTILINE)
    assert figures, "no Figure in the PDF's structure tree"
    # Every page is in the structure, not only the first (reveal.js hides the others from
    # assistive technology unless the deck template unhides them in print view).
    assert len(re.findall(r"^\s*H[12]\b", struct, re.MULTILINE)) >= pages // 2
    # Each Figure's /Alt is the figure's description.
    alts = pdf_alt_texts(pdf.read_bytes())
    assert len(alts) == len(figures), (alts, len(figures))
    assert all(len(a) >= 20 and a != PLACEHOLDER_ALT for a in alts), alts
    assert any(a.startswith("Line chart: the loss") for a in alts), alts
    # The outline (bookmarks) comes from the slides' headings.
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "<outline>" in xml and xml.count("<item") >= 3, xml[:500]


# --------------------------------------------------------------------------- JupyterLab

# What the project renders in a notebook: Markdown cells and outputs (JupyterLab's toolbars,
# prompts and code editor are JupyterLab's).
PROJECT_CONTEXT = {
    "include": [[".jp-MarkdownCell .jp-RenderedMarkdown"], [".jp-OutputArea-output"]],
}


def _menu(page, top: str, item: str) -> None:
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def _run_all(page, lab, nb_name: str) -> None:
    workspace = "a11y-" + nb_name.split(".")[0].replace("_", "-")
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{nb_name}") + "&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)
    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(ALL_RUN_JS, timeout=TIMEOUT_MS)
    page.wait_for_function(STATUS_IDLE_JS, timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => Array.from(document.images).every((i) => i.complete)", timeout=TIMEOUT_MS
    )


def _upstream(violation: dict) -> bool:
    return all(
        any(v_id == violation["id"] and cls in node["html"] for v_id, cls in UPSTREAM_LAB)
        for node in violation["nodes"]
    )


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_in_jupyterlab_passes_axe(lab, lab_browser, path):
    page = new_page(lab_browser)
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _run_all(page, lab, path.name)
        ours = run_axe(page, PROJECT_CONTEXT)
        whole = run_axe(page, "html")
    finally:
        page.close()
    _write_report(
        f"lab-{path.stem}",
        {
            "project": ours,
            "whole_page_counts": {
                v["id"]: {"impact": v["impact"], "elements": len(v["nodes"])} for v in whole
            },
            "whole_page": whole,
        },
    )
    bad = [
        f"{v['id']} ({v['impact']}): {n['target']} {n['html'][:100]}"
        for v in serious(ours)
        if not _upstream(v)
        for n in v["nodes"]
    ]
    assert bad == [], f"{path.name}: in the project's Markdown and outputs:\n" + "\n".join(bad)


FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el) return null;
  const widget = el.closest('.widget-slider, .widget-dropdown, .widget-button, .widget-toggle-buttons, .jupyter-button');
  return {role: el.getAttribute('role'), tag: el.tagName,
          label: widget && widget.querySelector('.widget-label')
                 ? widget.querySelector('.widget-label').textContent.trim() : null,
          inWidget: !!el.closest('.jp-OutputArea-output .jupyter-widgets')};
}
"""


def test_widget_works_with_the_keyboard_alone(lab, lab_browser):
    """Notebook 01's explorer: Tab from the cell above reaches each control, arrows move one."""
    path = next(p for p in notebook_paths() if p.name.startswith("01_"))
    page = new_page(lab_browser)
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _run_all(page, lab, path.name)
        handle = page.locator(".jp-OutputArea-output .noUi-handle").first
        handle.wait_for(state="visible")
        cell = handle.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')][1]")
        image = cell.locator("img.widget-image").first
        description_before = image.get_attribute("title")
        assert description_before and len(description_before) > 20
        # Start from the notebook (command mode on the widget's cell), then Tab only.
        cell.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Escape")
        visited = []
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED_JS)
            if focused and focused["inWidget"]:
                visited.append(focused)
            if sum(1 for f in visited if f["tag"] == "SELECT") and len(visited) >= 6:
                break
        sliders = [f for f in visited if f["role"] == "slider"]
        assert len(sliders) >= 5, f"Tab reached {visited}"  # 4 scores and the temperature
        assert [f["label"] for f in sliders[:4]] == [f"score {j}" for j in range(4)]
        assert any(f["tag"] == "SELECT" for f in visited), "Tab never reached the dropdown"
        # Back to the first slider's handle with Shift+Tab, then move it with the arrow keys.
        for _ in range(30):
            focused = page.evaluate(FOCUSED_JS)
            if focused["role"] == "slider" and focused["label"] == "score 0":
                break
            page.keyboard.press("Shift+Tab")
        value = "() => document.activeElement.getAttribute('aria-valuenow')"
        value_before = page.evaluate(value)
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        assert page.evaluate(value) != value_before, "the arrow keys did not move the slider"
        page.wait_for_function(
            "([img, before]) => img.getAttribute('title') !== before",
            arg=[image.element_handle(), description_before],
            timeout=30_000,
        )
        assert image.get_attribute("title") != description_before  # the description follows
    finally:
        page.close()
