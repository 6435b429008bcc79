"""Browser fixtures shared by the deck, JupyterLab and accessibility tests.

Each is module-scoped: every test module gets its own server or browser, closed when the
module ends. Playwright's sync API allows one running instance per thread, so a module that
needs two (tests/test_a11y_browser.py) opens its deck browser per test instead.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def decks():
    """The built decks by name (tools/build_slides.py; built once per session)."""
    from browser_util import built_slides

    return {d["name"]: d for d in built_slides()}


@pytest.fixture(scope="module")
def deck_browser():
    """A Chromium context at the projector's 1280×720."""
    from browser_util import browser_context, require_browser

    require_browser()
    with browser_context(viewport=(1280, 720)) as context:
        yield context


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server (the project's `make lab` settings) on a copy of the notebooks."""
    from browser_util import LabServer, notebook_paths, require_browser

    require_browser()
    server = LabServer(tmp_path_factory.mktemp("lab"), notebook_paths()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab_browser(lab):
    """A Chromium context for the JupyterLab of ``lab``."""
    from browser_util import browser_context

    with browser_context(viewport=(1400, 900)) as context:
        yield context
