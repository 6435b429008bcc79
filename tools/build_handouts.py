"""Print every offline slide deck to a PDF handout (``make handouts``).

Usage: python tools/build_handouts.py [--slides DIR] [--out DIR] [DECK ...]
(default: every build/slides/*.slides.html into build/handouts/<name>.pdf).

Each deck is opened from file:// in headless Chromium (Debian's /usr/bin/chromium driven by
Playwright) with reveal.js's print mode (``?print-pdf``): one slide per page at the deck's
1280 x 720 size, fragments shown, speaker notes left out. The PDF is tagged (its structure
tree carries the figures' descriptions as alternative text) and has an outline built from the
slides' headings. Nothing is fetched from the network:
any request that is not a local file is aborted and stops the build with an error, and so does
a local asset that fails to load. Run ``make slides`` (tools/build_slides.py) first; the
Makefile target does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from offline_chromium import NetworkGuard, browser_context, missing_dependency, wait_deck_ready

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SLIDES = ROOT / "build" / "slides"
DEFAULT_OUT = ROOT / "build" / "handouts"


def print_deck(context, deck: Path, pdf: Path) -> int:
    """Print one deck to ``pdf`` and return its page count.

    Parameters
    ----------
    context : playwright.sync_api.BrowserContext
        From `offline_chromium.browser_context`.
    deck : Path
        A ``*.slides.html`` file built by tools/build_slides.py.
    pdf : Path
        Where to write the handout.

    Returns
    -------
    int
        Number of slides printed (reveal.js's count of print pages).

    Raises
    ------
    RuntimeError
        The deck needed the network, a local asset failed to load, or it never became ready.
    """
    page = context.new_page()
    guard = NetworkGuard()
    guard.attach(page)
    try:
        page.goto(deck.resolve().as_uri() + "?print-pdf", wait_until="load")
        # In print mode reveal.js lays every slide out as its own .pdf-page, then the
        # template re-typesets the maths on them; wait for both.
        page.wait_for_function("document.querySelectorAll('.pdf-page').length > 0")
        wait_deck_ready(page)
        pages = page.evaluate("document.querySelectorAll('.pdf-page').length")
        if guard.blocked or guard.failed:
            raise RuntimeError(
                f"{deck.name}: remote requests {guard.blocked}, failed local loads {guard.failed}"
            )
        pdf.parent.mkdir(parents=True, exist_ok=True)
        # Tagged (the structure a screen reader follows, figures with their alt text) and
        # with an outline (bookmarks from the slides' headings).
        page.pdf(
            path=str(pdf),
            prefer_css_page_size=True,
            print_background=True,
            tagged=True,
            outline=True,
        )
        return pages
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="*", type=Path, help="default: build/slides/*.slides.html")
    parser.add_argument("--slides", type=Path, default=DEFAULT_SLIDES, help="default: build/slides")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/handouts")
    args = parser.parse_args(argv)
    missing = missing_dependency()
    if missing:
        print(f"error: handouts need headless Chromium: {missing}", file=sys.stderr)
        return 1
    decks = args.decks or sorted(args.slides.glob("*.slides.html"))
    if not decks:
        print(f"error: no decks in {args.slides}; run `make slides` first", file=sys.stderr)
        return 1
    start = time.perf_counter()
    with browser_context() as context:
        for deck in decks:
            t = time.perf_counter()
            pdf = args.out / (deck.name.removesuffix(".slides.html") + ".pdf")
            try:
                pages = print_deck(context, deck, pdf)
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            print(f"handouts: {pdf} ({pages} pages) in {time.perf_counter() - t:.1f} s", flush=True)
    print(f"handouts: {len(decks)} PDFs in {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
