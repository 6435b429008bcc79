"""Slide layout of every deck, measured in a real browser at 1280×720 (issue 17 §7).

Each slide of each deck of build/slides/ is shown with all its fragments, and three things a
lecturer sees but a reading test does not are measured:

- near-empty slides: less than a line of text besides the heading, and no figure, widget or
  displayed equation;
- stranded fragments: a code or output line that wraps and leaves a few characters (at most
  STRANDED characters) alone on the last visual line, or a line cut off at the right edge;
- overlap with the controls: text or a figure under reveal.js's navigation arrows.

Decks that still fail are listed in KNOWN_LAYOUT_FAILURES (a strict expected failure, not a
skip: a listed deck that passes fails the run until it is taken off the list).
"""

from __future__ import annotations

import pytest
from browser_util import SLIDES, new_page, notebook_paths
from offline_chromium import wait_deck_ready

pytestmark = pytest.mark.browser

# A wrapped line whose last visual line holds this many characters or fewer is "stranded".
STRANDED = 8
# Less visible text than this beside the heading (about a line and a half; speaker notes not
# counted) and no figure, widget or displayed equation: a near-empty slide.
NEAR_EMPTY_CHARS = 120

# Decks that fail this test today, to be fixed by the notebooks' owners. The lead empties it.
KNOWN_LAYOUT_FAILURES: set[str] = set()

MEASURE_JS = """
async ({stranded, nearEmpty}) => {
  const problems = [];
  const controls = document.querySelector('.reveal .controls');
  const slides = Reveal.getSlides();
  const visible = (el) => el.offsetParent !== null && !el.closest('aside.notes');
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (let i = 0; i < slides.length; i++) {
    const idx = Reveal.getIndices(slides[i]);
    Reveal.slide(idx.h, idx.v || 0, 1000);  // every fragment shown
    await new Promise((r) => MathJax.Hub.Queue(r));
    await new Promise((r) => MathJax.Hub.Queue(r));
    await new Promise((r) => requestAnimationFrame(() => r()));
    const section = Reveal.getCurrentSlide();
    // Fragments fade in (a CSS transition): wait until every one is visible.
    const hidden = () => [...section.querySelectorAll('.fragment')]
      .some((f) => getComputedStyle(f).visibility !== 'visible' || getComputedStyle(f).opacity !== '1');
    for (let t = 0; t < 100 && hidden(); t++) await new Promise((r) => setTimeout(r, 20));
    const where = `slide ${i + 1} (${idx.h}/${idx.v || 0})`;
    const heading = section.querySelector('h1, h2, h3');
    const title = heading ? heading.textContent.replace('¶', '').trim().slice(0, 40) : '';
    const label = `${where} ${JSON.stringify(title)}`;

    // 1. Near-empty: visible text (innerText: no hidden fragments, no speaker notes) beside the
    //    heading; figures, widgets and displayed equations count as content.
    const text = (section.innerText || '').replace(/\\s+/g, ' ').trim();
    const headingText = heading ? heading.innerText.replace(/\\s+/g, ' ').trim() : '';
    const body = Math.max(0, text.length - headingText.length);
    const rich = [...section.querySelectorAll(
        'img, canvas, .widget-box, .jupyter-widgets, .MJXc-display')]
      .filter(visible).length;
    if (body < nearEmpty && rich === 0)
      problems.push(`${label}: near-empty (${body} characters beside the heading)`);
    // ... or all of it behind a click: nothing but the heading before the first fragment.
    const before = [...section.querySelectorAll(
        'p, li, pre, img, .widget-box, .jupyter-widgets, .MJXc-display, table')]
      .filter((el) => visible(el) && !el.closest('.fragment'));
    if (rich + body > 0 && before.length === 0 && section.querySelector('.fragment'))
      problems.push(`${label}: everything but the heading is behind a click`);

    // 2. Code and output lines: wrapped with a stranded tail, or cut off on the right.
    for (const pre of [...section.querySelectorAll('pre')].filter(visible)) {
      const style = getComputedStyle(pre);
      const probe = document.createElement('span');
      probe.style.font = style.font;
      probe.style.whiteSpace = 'pre';
      probe.textContent = 'M'.repeat(40);
      pre.appendChild(probe);
      const charWidth = probe.getBoundingClientRect().width / 40 / (section.getBoundingClientRect().width / section.offsetWidth || 1);
      probe.remove();
      const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const perLine = Math.max(1, Math.floor(room / charWidth + 0.01));
      const wraps = !['pre', 'nowrap'].includes(style.whiteSpace);
      for (const line of pre.textContent.split('\\n')) {
        const length = [...line.replace(/\\s+$/, '')].length;
        if (length <= perLine) continue;
        if (!wraps) {
          if (pre.scrollWidth > pre.clientWidth + 1)
            problems.push(`${label}: line cut off at ${perLine} characters: ${JSON.stringify(line.slice(0, 60))}`);
          continue;
        }
        const tail = length % perLine;
        if (tail > 0 && tail <= stranded)
          problems.push(`${label}: ${length}-character line wraps at ${perLine} and strands ${JSON.stringify([...line.trimEnd()].slice(-tail).join(''))}`);
      }
    }

    // 3. Under the navigation arrows: text (its line boxes) and figures.
    for (const button of controls ? controls.querySelectorAll('button') : []) {
      const box = button.getBoundingClientRect();
      if (box.width === 0 || getComputedStyle(button).visibility === 'hidden') continue;
      const hit = [];
      const tw = document.createTreeWalker(section, NodeFilter.SHOW_TEXT, {acceptNode: (n) =>
        n.parentElement.closest('aside.notes, script, style') || !n.textContent.trim()
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
      while (tw.nextNode()) {
        const node = tw.currentNode;
        if (!visible(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        if ([...range.getClientRects()].some((r) => r.width > 0 && overlaps(r, box)))
          hit.push(node.textContent.trim().slice(0, 30));
      }
      for (const el of [...section.querySelectorAll('img, canvas, .widget-box')].filter(visible))
        if (overlaps(el.getBoundingClientRect(), box)) hit.push(`<${el.tagName.toLowerCase()}>`);
      if (hit.length) {
        problems.push(`${label}: under the navigation arrows: ${JSON.stringify(hit.slice(0, 3))}`);
        break;
      }
    }
  }
  return problems;
}
"""


def measure(deck_browser, deck: dict) -> list[str]:
    page = new_page(deck_browser)
    try:
        page.goto((SLIDES / deck["file"]).as_uri())
        wait_deck_ready(page)
        return page.evaluate(MEASURE_JS, {"stranded": STRANDED, "nearEmpty": NEAR_EMPTY_CHARS})
    finally:
        page.close()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            p.stem,
            marks=pytest.mark.xfail(
                p.stem in KNOWN_LAYOUT_FAILURES,
                reason="listed in KNOWN_LAYOUT_FAILURES: layout not fixed yet",
                strict=True,
            ),
        )
        for p in notebook_paths()
    ],
)
def test_deck_layout(deck_browser, decks, name):
    problems = measure(deck_browser, decks[name])
    assert problems == [], f"{name}: {len(problems)} layout problem(s):\n" + "\n".join(problems)
