"""Headless Chromium that may not touch the network, for handouts and browser tests.

Used by tools/build_handouts.py and tests/test_slides_browser.py / tests/test_lab_browser.py.
Debian's /usr/bin/chromium is driven by Playwright for Python (``playwright install`` is never
needed). Every request whose URL is not ``file:``, ``data:``, ``blob:`` or on the loopback
interface is aborted and recorded, so a caller can assert that a page needed no network.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("SOFTMAX_CHROMIUM", "/usr/bin/chromium"))
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "devtools"}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
# Flags for a quiet, reproducible, offline run (see the project's slides/browser notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
]


def is_local_url(url: str) -> bool:
    """True for ``file:``, ``data:``, ``blob:`` URLs and URLs on the loopback interface."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    host = (parts.hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def missing_dependency() -> str | None:
    """Name what is missing to run the browser, or None when Chromium and Playwright are there."""
    if not CHROMIUM.is_file():
        return (
            f"Chromium not found at {CHROMIUM} (Debian/Ubuntu: apt-get install chromium; "
            "or set SOFTMAX_CHROMIUM to its path)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; no browser download needed)"
    return None


@dataclass
class NetworkGuard:
    """Records what a page asked for: remote requests (aborted) and local loads that failed."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        """Route every request of ``page`` through the guard."""
        page.route("**/*", self._route)
        page.on("requestfailed", self._failed)

    def _route(self, route) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def _failed(self, request) -> None:
        # Aborted remote requests are already in `blocked`; a failed local one is a missing
        # file or a server error worth reporting.
        if is_local_url(request.url):
            self.failed.append(f"{request.url} ({request.failure})")


@contextmanager
def browser_context(viewport: tuple[int, int] = (1280, 720), **kwargs) -> Iterator:
    """A Playwright browser context on Debian's Chromium with a fresh profile.

    Parameters
    ----------
    viewport : tuple of int
        Width and height of pages in CSS pixels.
    **kwargs
        Passed to ``launch_persistent_context`` (e.g. ``device_scale_factor``).

    Yields
    ------
    playwright.sync_api.BrowserContext
        Service workers are blocked so that every request goes through page routes.
    """
    from playwright.sync_api import sync_playwright

    missing = missing_dependency()
    if missing:
        raise RuntimeError(missing)
    profile = tempfile.mkdtemp(prefix="softmax-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": viewport[0], "height": viewport[1]},
                service_workers="block",
                **kwargs,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# JavaScript run in a deck: resolves once reveal.js is ready, MathJax has typeset every
# queued formula and the widget renderer has drawn every static widget view.
DECK_READY_JS = """
async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 600 && !(window.Reveal && window.Reveal.isReady()); i++) await sleep(50);
  if (!(window.Reveal && window.Reveal.isReady())) return "reveal.js did not start";
  for (let i = 0; i < 600 && !(window.MathJax && window.MathJax.Hub); i++) await sleep(50);
  if (!(window.MathJax && window.MathJax.Hub)) return "MathJax did not load";
  await new Promise((r) => window.MathJax.Hub.Queue(r));
  const views = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length;
  for (let i = 0; i < 600; i++) {
    if (document.querySelectorAll('.jupyter-widgets').length > 0 || views === 0) break;
    await sleep(50);
  }
  if (views > 0 && document.querySelectorAll('.jupyter-widgets').length === 0)
    return "widgets did not render";
  // Views render in stages (containers first, then children and images): wait until the
  // widget count holds still and every image has loaded.
  let last = -1, still = 0;
  for (let i = 0; i < 300 && still < 4; i++) {
    const count = document.querySelectorAll('.jupyter-widgets').length;
    const loaded = Array.from(document.images).every((img) => img.complete);
    still = count === last && loaded ? still + 1 : 0;
    last = count;
    await sleep(100);
  }
  await new Promise((r) => window.MathJax.Hub.Queue(r));
  return "ready";
}
"""


def wait_deck_ready(page) -> None:
    """Wait until a deck's reveal.js, MathJax and widgets are done; raise if one failed."""
    state = page.evaluate(DECK_READY_JS)
    if state != "ready":
        raise RuntimeError(f"{page.url}: {state}")
