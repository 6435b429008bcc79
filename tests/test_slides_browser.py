"""The offline slide decks in a real browser (Debian's Chromium driven by Playwright).

Each deck of build/slides/ (built once per session by tools/build_slides.py) is opened from
file:// with every non-local request aborted, and must: start reveal.js, typeset its maths
with MathJax (no raw TeX left, no TeX error), move to the next slide on the right arrow, show
its figures and its static widgets, use projector-sized text, and need no network at all.
Screenshots of the first slides, a figure and a widget are kept in build/screenshots/slides/.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from browser_util import (
    NOTEBOOKS,
    SLIDES,
    assert_offline,
    new_page,
    notebook_paths,
    screenshot_path,
)
from offline_chromium import wait_deck_ready

pytestmark = pytest.mark.browser

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Text of rendered Markdown/HTML outside MathJax's output, code and scripts: any TeX left
# there is maths MathJax did not typeset.
VISIBLE_TEXT_JS = """
() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedHTMLCommon'))
  .map((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {acceptNode: (n) =>
      n.parentElement.closest(
        'script, style, code, pre, .MathJax_CHTML, .MathJax_Preview, .MJX_Assistive_MathML')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    let text = '';
    while (walker.nextNode()) text += walker.currentNode.textContent;
    return text;
  })
"""
RAW_TEX = re.compile(r"\$\$|\\frac|\\sum|\\begin\{|\\left|\\mathbf|\\log|(?<!\\)\$[^$\s][^$]*\$")
# MathJax 2 output for a TeX error (noErrors) and an undefined macro (noUndefined).
TEX_ERRORS_JS = """
() => Array.from(document.querySelectorAll(
  '.mjx-noError, .mjx-merror, .MathJax_CHTML .mjx-mtext[style*="color: red"]'))
  .map((el) => el.textContent)
"""

# Mark the first visible-to-be element matching a selector, go to its slide with all
# fragments shown, and say where it is.
GOTO_JS = """
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  document.querySelectorAll('[data-test-target]').forEach((e) => e.removeAttribute('data-test-target'));
  el.setAttribute('data-test-target', '1');
  const idx = Reveal.getIndices(el.closest('section'));
  Reveal.slide(idx.h, idx.v || 0, 1000);
  return idx;
}
"""

# Show every slide with its fragments; return the slides the template had to zoom out to fit
# (data-fit-scale < 1, as "slide number: zoom") and those whose content is still taller than the
# deck after that zoom (as "slide number: content height x zoom").
VISIT_ALL_JS = """
async () => {
  const height = Reveal.getConfig().height;
  const cut = [];
  const shrunk = [];
  const slides = Reveal.getSlides();
  for (let i = 0; i < slides.length; i++) {
    const idx = Reveal.getIndices(slides[i]);
    Reveal.slide(idx.h, idx.v || 0, 1000);
    await new Promise((r) => MathJax.Hub.Queue(r));
    await new Promise((r) => MathJax.Hub.Queue(r));  // the template fits after typesetting
    await new Promise((r) => requestAnimationFrame(() => r()));
    const section = Reveal.getCurrentSlide();
    const scale = parseFloat(section.getAttribute('data-fit-scale')) || 1;
    if (scale < 1) shrunk.push(`${i + 1}: x ${scale}`);
    if (section.scrollHeight * scale > height + 8)
      cut.push(`${i + 1}: ${section.scrollHeight} px x ${scale}`);
  }
  return {cut, shrunk};
}
"""


# Font sizes (px) of the widget labels on the current slide, and of the deck's body text
# (a Markdown paragraph: reveal's theme gives .reveal itself a larger, unused size).
WIDGET_TEXT_SIZES_JS = """
() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const slide = Reveal.getCurrentSlide();
  const labels = [...slide.querySelectorAll('.widget-label, .widget-readout')]
    .filter((el) => el.offsetParent !== null && el.textContent.trim() !== '')
    .map(px);
  return {labels, body: px(document.querySelector('.reveal .jp-RenderedMarkdown p'))};
}
"""


def notebook_json(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def shown_cells(nb: dict) -> list[dict]:
    """Cells that reach the deck (not skipped, not removed)."""
    return [
        c
        for c in nb["cells"]
        if c.get("metadata", {}).get("slideshow", {}).get("slide_type") != "skip"
        and "remove-cell" not in c.get("metadata", {}).get("tags", [])
    ]


def has_output(nb: dict, mime: str) -> bool:
    return any(mime in out.get("data", {}) for c in shown_cells(nb) for out in c.get("outputs", []))


def test_every_notebook_has_a_deck(decks):
    assert sorted(decks) == [p.stem for p in notebook_paths()]


def goto_and_wait(page, selector: str) -> bool:
    """Show the slide holding ``selector``; False when the deck has none."""
    if page.evaluate(GOTO_JS, selector) is None:
        return False
    page.evaluate("() => new Promise((r) => MathJax.Hub.Queue(r))")
    return True


@pytest.mark.parametrize("name", [p.stem for p in notebook_paths()])
def test_deck_in_browser(deck_browser, decks, name):
    deck = decks[name]
    nb = notebook_json(name)
    page = new_page(deck_browser)
    try:
        page.goto((SLIDES / deck["file"]).as_uri())
        wait_deck_ready(page)
        total = page.evaluate("Reveal.getTotalSlides()")
        assert page.evaluate("Reveal.isReady()")
        assert total >= 2, f"{name}: a deck of {total} slide(s); check the slide_type metadata"

        # Maths: something was typeset, nothing left raw, no TeX error.
        markdown = "".join(
            "".join(c["source"]) for c in shown_cells(nb) if c["cell_type"] == "markdown"
        )
        if "$" in markdown:
            assert page.locator(".MathJax_CHTML").count() > 0, f"{name}: MathJax typeset nothing"
        raw = [t for t in page.evaluate(VISIBLE_TEXT_JS) if RAW_TEX.search(t)]
        assert raw == [], f"{name}: raw TeX left on slides: {[t[:200] for t in raw]}"
        errors = page.evaluate(TEX_ERRORS_JS)
        assert errors == [], f"{name}: TeX errors or undefined macros: {errors}"

        # Projector-sized text: paragraphs and list items are at least 24 px on the slide.
        sizes = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 '.jp-RenderedMarkdown p, .jp-RenderedMarkdown li'))
               .map((el) => parseFloat(getComputedStyle(el).fontSize))"""
        )
        assert sizes and min(sizes) >= 24, f"{name}: body text below 24 px: {min(sizes)}"

        # The first slide, then the right arrow until the next slide (fragments come first).
        page.evaluate("Reveal.slide(0, 0, -1)")
        page.screenshot(path=str(screenshot_path("slides", f"{name}-1.png")))
        for _ in range(30):
            page.keyboard.press("ArrowRight")
            if page.evaluate("Reveal.getIndices().h") != 0:
                break
        assert page.evaluate("Reveal.getIndices().h") == 1, f"{name}: right arrow did not advance"
        page.evaluate("() => new Promise((r) => MathJax.Hub.Queue(r))")
        page.screenshot(path=str(screenshot_path("slides", f"{name}-2.png")))

        # Display maths on a shown slide has a real size (typeset while hidden it had none).
        # (MathJax replaces its output when it re-renders, so look it up on the shown slide.)
        if goto_and_wait(page, ".reveal .slides section > .jp-Cell .MJXc-display"):
            shown = page.locator("section.present > .jp-Cell .MJXc-display .MathJax_CHTML")
            box = shown.first.bounding_box()
            assert box and box["width"] > 10 and box["height"] > 10, f"{name}: empty display maths"

        # A figure, when the notebook shows one.
        if has_output(nb, "image/png"):
            assert goto_and_wait(page, ".jp-OutputArea-output img[src^='data:image/png']")
            figure = page.locator("[data-test-target]")
            figure.wait_for(state="visible")
            box = figure.bounding_box()
            assert box["width"] > 200 and box["height"] > 100, f"{name}: figure too small: {box}"
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1280 + 1, (
                f"{name}: figure off slide"
            )
            page.screenshot(path=str(screenshot_path("slides", f"{name}-figure.png")))

        # A static widget, when the notebook has one: drawn from the saved widget state.
        if has_output(nb, WIDGET_VIEW):
            assert goto_and_wait(page, ".jupyter-widgets.widget-slider, .jupyter-widgets"), (
                f"{name}: the deck has no rendered widget"
            )
            widget = page.locator("[data-test-target]")
            widget.wait_for(state="visible")
            assert widget.bounding_box()["width"] > 100
            # Its labels read as large as the slide's body text (from the back of the room).
            sizes = page.evaluate(WIDGET_TEXT_SIZES_JS)
            assert sizes["labels"], f"{name}: the widget slide has no widget label"
            assert min(sizes["labels"]) >= sizes["body"] - 0.5, (
                f"{name}: widget labels {sizes['labels']} px, slide text {sizes['body']} px"
            )
            page.screenshot(path=str(screenshot_path("slides", f"{name}-widget.png")))

        # Every slide once: each loads what it shows (images, widget fonts) from the folder,
        # and fits on the slide at full size: a slide the template had to zoom out
        # (tools/slides, data-fit-scale) is unreadable from the back of a classroom.
        fit = page.evaluate(VISIT_ALL_JS)
        assert fit["cut"] == [], f"{name}: slides cut off even at half size: {fit['cut']}"
        assert fit["shrunk"] == [], (
            f"{name}: slides zoomed out to fit (split them): {fit['shrunk']}"
        )

        assert page.js_errors == [], f"{name}: JavaScript errors: {page.js_errors}"
        assert_offline(page)
    finally:
        page.close()


def test_deck_folder_works_when_copied(deck_browser, decks, tmp_path):
    """The folder is self-contained: a copy elsewhere (a USB stick) shows a deck offline."""
    usb = tmp_path / "usb stick" / "slides"
    shutil.copytree(SLIDES, usb)
    first = sorted(decks.values(), key=lambda d: d["name"])[0]
    page = new_page(deck_browser)
    try:
        page.goto((usb / "index.html").as_uri())
        page.click(f"a[href='{first['file']}']")
        page.wait_for_url(re.compile(re.escape(first["file"])))
        wait_deck_ready(page)
        assert page.evaluate("Reveal.getTotalSlides()") >= 2
        assert_offline(page)
    finally:
        page.close()


def test_handout_has_one_page_per_slide(deck_browser, decks, tmp_path):
    """tools/build_handouts.py prints a deck offline, one PDF page per slide."""
    import build_handouts

    deck = SLIDES / sorted(decks.values(), key=lambda d: d["name"])[-1]["file"]
    pdf = tmp_path / "handout.pdf"
    slides = build_handouts.print_deck(deck_browser, deck, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages == slides >= 2, f"{deck.name}: {pages} PDF pages for {slides} slides"
