"""Accessibility measurements in a real browser: axe-core, and the size of text inside figures.

Used by tests/test_a11y_browser.py; also runnable by hand to measure a folder of decks:

    .venv/bin/python tests/a11y_util.py build/slides  # prints counts per rule and slide

axe-core comes from the npm lock file (node_modules/axe-core, installed by ``make slides``):
it is injected into the page from disk, so nothing is fetched.
"""

from __future__ import annotations

import base64
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from softmax.display.describe import MIN_TEXT_KEY, png_text  # noqa: E402

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: the rules axe-core can check automatically.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Body text on a slide (tools/slides/softmax-slides.css) and the smallest text allowed inside a
# figure: about two thirds of it.
BODY_PX = 26
MIN_FIGURE_TEXT_PX = 17.0
PLACEHOLDER_ALT = "No description has been provided for this image"


def inject_axe(page) -> None:
    """Load axe-core into ``page`` from node_modules (offline)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))


AXE_RUN_JS = """
async ([context, tags]) => {
  const result = await axe.run(context, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  // In a deck's print view every slide is a .pdf-page: say which slide a node is on.
  const pages = Array.from(document.querySelectorAll('.pdf-page'));
  const slideOf = (target) => {
    const el = typeof target === 'string' ? document.querySelector(target) : null;
    const page = el && el.closest('.pdf-page');
    return page ? pages.indexOf(page) + 1 : null;
  };
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), slide: slideOf(n.target[0]),
                                html: n.html.slice(0, 200),
                                summary: (n.failureSummary || '').slice(0, 300)})),
  }));
}
"""


def run_axe(page, context) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations in ``context`` (a selector, element or include dict)."""
    inject_axe(page)
    return page.evaluate(AXE_RUN_JS, [context, WCAG_TAGS])


def serious(violations: list[dict]) -> list[dict]:
    """The violations whose impact is serious or critical."""
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


# Every image of every slide in the print view (one .pdf-page per slide, at the deck's
# 1280 x 720 size, a tall slide zoomed out to fit): its bytes (data: or blob: URL), alt, title
# and the width it is drawn at in slide pixels.
DECK_IMAGES_JS = """
async () => {
  const pages = Array.from(document.querySelectorAll('.pdf-page'));
  const out = [];
  for (const [i, page] of pages.entries()) {
    for (const img of page.querySelectorAll('img')) {
      const rect = img.getBoundingClientRect();
      if (rect.width === 0 || !img.naturalWidth) continue;
      const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      let bin = '';
      for (let k = 0; k < bytes.length; k += 8192)
        bin += String.fromCharCode.apply(null, bytes.subarray(k, k + 8192));
      out.push({slide: i + 1, alt: img.getAttribute('alt'), title: img.getAttribute('title'),
                natural: img.naturalWidth, shown: rect.width, png: btoa(bin),
                widget: img.classList.contains('widget-image')});
    }
  }
  return out;
}
"""


def figure_text_px(image: dict) -> float | None:
    """Smallest text of an image as shown on the slide, in slide pixels; None if unknown."""
    try:
        meta = png_text(base64.b64decode(image["png"]))
    except ValueError:
        return None
    if MIN_TEXT_KEY not in meta:
        return None
    return float(meta[MIN_TEXT_KEY]) * image["shown"] / image["natural"]


def open_print_view(page, deck: Path) -> int:
    """Open ``deck`` in reveal.js's print view (every slide laid out); return the slide count."""
    from offline_chromium import wait_deck_ready

    page.goto(deck.resolve().as_uri() + "?print-pdf", wait_until="load")
    page.wait_for_function("document.querySelectorAll('.pdf-page').length > 0")
    wait_deck_ready(page)
    # A static widget's image arrives last (a blob the widget renderer makes): wait for it.
    page.wait_for_function(
        "() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0)",
        timeout=30_000,
    )
    return page.evaluate("() => document.querySelectorAll('.pdf-page').length")


def audit_deck(page, deck: Path) -> dict:
    """Measure every slide of ``deck``: axe-core violations and the figures' text size.

    One axe-core run over the print view (all slides at once: a run per slide costs
    seconds each, most of it spent on the whole page). Returns a dict: ``slides`` (count),
    ``violations`` (list of (slide number, violation restricted to that slide)),
    ``images`` (list of dicts: slide, alt, title, widget, text_px).
    """
    count = open_print_view(page, deck)
    violations = []
    for v in run_axe(page, "html"):
        by_slide = collections.defaultdict(list)
        for node in v["nodes"]:
            by_slide[node["slide"]].append(node)
        for slide, nodes in by_slide.items():
            violations.append((slide, {**v, "nodes": nodes}))
    images = [
        {k: im[k] for k in ("slide", "alt", "title", "widget")} | {"text_px": figure_text_px(im)}
        for im in page.evaluate(DECK_IMAGES_JS)
    ]
    return {"slides": count, "violations": violations, "images": images}


def counts(violations) -> dict[str, dict]:
    """Per rule: impact, slides and elements."""
    out: dict[str, dict] = collections.defaultdict(
        lambda: {"impact": None, "slides": set(), "elements": 0}
    )
    for slide, v in violations:
        row = out[v["id"]]
        row["impact"] = v["impact"]
        row["slides"].add(slide)
        row["elements"] += len(v["nodes"])
    return {k: {**r, "slides": len(r["slides"])} for k, r in sorted(out.items())}


def main(argv: list[str]) -> int:
    from offline_chromium import browser_context

    folder = Path(argv[0]) if argv else ROOT / "build" / "slides"
    decks = sorted(folder.glob("*.slides.html"))
    every, total_slides, images = [], 0, []
    with browser_context() as context:
        page = context.new_page()
        for deck in decks:
            report = audit_deck(page, deck)
            total_slides += report["slides"]
            every += [(f"{deck.stem[:2]}:{s}", v) for s, v in report["violations"]]
            images += [{**im, "deck": deck.stem[:2]} for im in report["images"]]
    print(f"{len(decks)} decks, {total_slides} slides")
    print(json.dumps(counts(every), indent=1))
    for im in images:
        alt = im["alt"] if im["alt"] is not None else "(no alt)"
        px = f"{im['text_px']:.1f}" if im["text_px"] is not None else "?"
        print(f"{im['deck']} slide {im['slide']}: text {px} px, alt {alt[:70]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
