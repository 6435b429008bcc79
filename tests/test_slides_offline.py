"""The built slide decks, read as files (no browser): offline, complete, built as tagged.

Builds build/slides/ once per session (tools/build_slides.py; reused when fresh) and checks
that no deck references the network (no http(s) or protocol-relative src/href, no mermaid,
no Google Fonts, in the decks and in the copied stylesheets), that every local file a deck
references exists inside build/slides/ (so the folder can be copied to a USB stick), that
the cell tags did what they say (``remove-cell`` gone, ``hide-input`` shows only the output),
that speaker notes and widget state made it in, and that the index lists every deck.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser_util import NOTEBOOKS, SLIDES, build_slides, built_slides, notebook_paths

URL_ATTRS = {"src", "href", "data", "poster", "srcset"}
REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)


class References(HTMLParser):
    """Collects the URL attributes of every element and the text of every <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRS and value:
                self.urls.append((tag, name, value))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


@pytest.fixture(scope="module")
def decks():
    return {d["name"]: d for d in built_slides()}


def parse(path: Path) -> References:
    refs = References()
    refs.feed(path.read_text(encoding="utf-8"))
    return refs


def notebook(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def slide_type(cell: dict) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


NAMES = [p.stem for p in notebook_paths()]


@pytest.mark.parametrize("name", NAMES)
def test_deck_references_only_local_files(decks, name):
    deck = SLIDES / decks[name]["file"]
    refs = parse(deck)
    remote = [(tag, attr, url) for tag, attr, url in refs.urls if REMOTE.match(url)]
    assert remote == [], f"{name}: network references: {remote}"
    for tag, attr, url in refs.urls:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or url.startswith("#") or tag == "a":
            continue  # inline data, in-page anchors; links in text are the author's
        assert not parts.scheme and not url.startswith("/"), f"{name}: absolute {tag} {url}"
        target = (deck.parent / unquote(parts.path)).resolve()
        assert target.is_file(), f"{name}: {tag} {attr}={url} does not exist"
        assert SLIDES.resolve() in target.parents, f"{name}: {url} lies outside build/slides"
    scripts = "\n".join(refs.scripts)
    assert "mermaid" not in scripts.lower(), f"{name}: the mermaid loader is still there"
    for needle in ("fonts.googleapis", "fonts.gstatic", "unpkg.com", "cdnjs", "jsdelivr"):
        assert needle not in deck.read_text(encoding="utf-8"), f"{name}: mentions {needle}"


def test_copied_stylesheets_import_nothing_remote(decks):
    sheets = sorted((SLIDES / "assets").rglob("*.css"))
    assert sheets, "no stylesheet copied into build/slides/assets"
    for sheet in sheets:
        text = sheet.read_text(encoding="utf-8", errors="replace")
        imports = re.findall(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)", text)
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
        remote = [u for u in imports + urls if REMOTE.match(u)]
        assert remote == [], f"{sheet.relative_to(SLIDES)} loads {remote}"
        for url in imports + urls:
            if url.startswith("data:"):
                continue
            target = sheet.parent / unquote(urlsplit(url).path)
            assert target.is_file(), f"{sheet.relative_to(SLIDES)}: {url} is missing"


@pytest.mark.parametrize("name", NAMES)
def test_tags_notes_and_widget_state(decks, name):
    html = (SLIDES / decks[name]["file"]).read_text(encoding="utf-8")
    nb = notebook(name)
    shown = [c for c in nb["cells"] if slide_type(c) != "skip" and "remove-cell" not in tags(c)]
    # Code inputs: one per shown code cell that is not tagged hide-input.
    expected_inputs = sum(
        1 for c in shown if c["cell_type"] == "code" and "hide-input" not in tags(c)
    )
    assert html.count('class="jp-CodeMirrorEditor') == expected_inputs, (
        f"{name}: code inputs on slides differ from the hide-input/remove-cell tags"
    )
    # Every shown cell is on a slide (or in the notes); removed and skipped ones are not.
    assert len(re.findall(r'<div class="jp-Cell ', html)) == len(shown), (
        f"{name}: cells in the deck differ from the remove-cell tags / skip slide types"
    )
    # Speaker notes: one <aside class="notes"> per notes cell.
    notes = sum(1 for c in shown if slide_type(c) == "notes")
    assert html.count('<aside class="notes">') == notes, f"{name}: speaker notes lost"
    # Widgets: executed at build time, so the deck carries their state.
    views = sum(
        "application/vnd.jupyter.widget-view+json" in out.get("data", {})
        for c in shown
        for out in c.get("outputs", [])
    )
    if views:
        assert "application/vnd.jupyter.widget-state+json" in html, f"{name}: no widget state"
        assert html.count('type="application/vnd.jupyter.widget-view+json"') >= views


def test_index_lists_every_deck(decks):
    refs = parse(SLIDES / "index.html")
    links = [url for tag, _, url in refs.urls if tag == "a"]
    assert links == [decks[name]["file"] for name in sorted(decks)]


def test_missing_npm_is_a_clear_error(tmp_path, monkeypatch):
    """Without npm and without installed assets, the build stops and says what to install."""
    monkeypatch.setattr(build_slides, "LOCK_STAMP", tmp_path / "no-stamp")
    monkeypatch.setattr(build_slides.shutil, "which", lambda name: None)
    with pytest.raises(build_slides.BuildError, match=r"apt-get install npm"):
        build_slides.ensure_node_modules()
