"""Accessibility of what the project ships, checked without a browser.

- every figure in the committed notebooks reaches the reader with a real description: an image
  output comes with the ``<img alt="...">`` that softmax.display shows figures as, a widget's
  image carries its description as tooltip, and nbconvert's HTML (what the decks are made of)
  has no image without alt text and no placeholder alt;
- the decks' code highlighting passes WCAG AA contrast (4.5:1) on the code cells' background;
- figures never tell series apart by colour alone (a marker or a line style differs too).

The notebook checks read the committed outputs: they pass once the notebooks are executed
with this package (``make execute``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pytest
from a11y_util import PLACEHOLDER_ALT
from figure_gallery import FIGURES
from matplotlib.colors import to_hex

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CSS = ROOT / "tools" / "slides" / "softmax-slides.css"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT = re.compile(r'\balt="([^"]*)"')


def notebook_ids():
    return [nb.stem for nb in NOTEBOOKS]


def image_outputs_without_alt(nb) -> list[str]:
    """Where an image output of ``nb`` lacks a real description (cell index: what is wrong)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            imgs = IMG.findall(data.get("text/html", ""))
            if ("image/png" in data or "image/jpeg" in data) and not imgs:
                problems.append(f"cell {i}: an image output without <img alt=...>")
            for img in imgs:
                alt = ALT.search(img)
                text = html.unescape(alt.group(1)).strip() if alt else ""
                if len(text) < 20 or text == PLACEHOLDER_ALT:
                    problems.append(f"cell {i}: <img> with alt {text!r}")
    return problems


def widget_images_without_tooltip(nb) -> list[str]:
    """Image widgets in the notebook's saved widget state that carry no description."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return [
        model_id
        for model_id, model in state.items()
        if model.get("model_name") == "ImageModel"
        and len((model.get("state", {}).get("tooltip") or "").strip()) < 20
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_ids())
def test_every_figure_output_has_a_description(path):
    nb = nbformat.read(path, as_version=4)
    assert image_outputs_without_alt(nb) == []
    assert widget_images_without_tooltip(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_ids())
def test_nbconvert_html_has_no_image_without_alt(path):
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_filename(str(path))
    imgs = IMG.findall(body)
    missing = [img[:120] for img in imgs if PLACEHOLDER_ALT in img or not ALT.search(img)]
    assert missing == []


def test_the_scan_finds_a_bare_figure():
    """The check fails on what plt.show() of an undescribed figure leaves in a notebook."""
    nb = nbformat.v4.new_notebook()
    bare = nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    )
    placeholder = nbformat.v4.new_output(
        "display_data",
        data={"text/html": f'<img src="data:image/png;base64,AA" alt="{PLACEHOLDER_ALT}">'},
    )
    good = nbformat.v4.new_output(
        "display_data",
        data={
            "image/png": "iVBORw0KGgo=",
            "text/html": '<img src="data:image/png;base64,AA" alt="Line chart: loss against p">',
        },
    )
    nb.cells = [nbformat.v4.new_code_cell(outputs=[o]) for o in (bare, placeholder, good)]
    assert image_outputs_without_alt(nb) == [
        "cell 0: an image output without <img alt=...>",
        f"cell 1: <img> with alt {PLACEHOLDER_ALT!r}",
    ]
    nb.metadata["widgets"] = {
        WIDGET_STATE: {"state": {"a": {"model_name": "ImageModel", "state": {"tooltip": None}}}}
    }
    assert widget_images_without_tooltip(nb) == ["a"]


# --------------------------------------------------------------------------- contrast


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#008800", "#f5f5f5") == pytest.approx(4.25, abs=0.01)  # issue 18
    assert contrast("#408080", "#f5f5f5") == pytest.approx(4.17, abs=0.01)


def _variables(css: str, prefix: str) -> dict[str, str]:
    pattern = rf"--({prefix}[\w-]*):\s*(#[0-9a-fA-F]{{3,6}})\b"
    return dict(re.findall(pattern, css))


def highlight_colours() -> dict[str, str]:
    """The code-highlighting colours of a deck: JupyterLab's light theme, then our overrides."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    theme = Path(TemplateExporter().template_paths[0]).parent  # .../nbconvert/templates
    light = next(theme.glob("**/lab/static/theme-light.css")).read_text()
    colours = _variables(light, "jp-mirror-editor-")
    colours.update(_variables(CSS.read_text(), "jp-mirror-editor-"))
    return colours


CODE_BACKGROUNDS = ("#f5f5f5", "#ffffff")  # code cells (--jp-cell-editor-background), slide


def test_deck_code_highlighting_passes_wcag_aa():
    colours = highlight_colours()
    assert len(colours) >= 15  # the theme's variables were found
    weak = {
        name: f"{colour} {contrast(colour, bg):.2f}:1 on {bg}"
        for name, colour in colours.items()
        for bg in CODE_BACKGROUNDS
        if contrast(colour, bg) < 4.5
    }
    assert weak == {}


def test_the_contrast_check_catches_jupyterlabs_defaults():
    """Without the deck's overrides the theme's numbers and comments fail (issue 18)."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    theme = Path(TemplateExporter().template_paths[0]).parent
    light = next(theme.glob("**/lab/static/theme-light.css")).read_text()
    colours = _variables(light, "jp-mirror-editor-")
    weak = {n for n, c in colours.items() if contrast(c, "#f5f5f5") < 4.5}
    assert {"jp-mirror-editor-number-color", "jp-mirror-editor-comment-color"} <= weak


def test_slide_number_contrast():
    css = CSS.read_text()
    rule = re.search(r"\.reveal \.slide-number,[^{]*\{([^}]*)\}", css).group(1)
    fg = re.search(r"(?<!-)color:\s*(#[0-9a-f]{6})", rule).group(1)
    bg = re.search(r"background-color:\s*(#[0-9a-f]{6})", rule).group(1)
    assert contrast(fg, bg) >= 4.5


# --------------------------------------------------------------------------- not colour alone


@pytest.fixture(scope="module")
def gallery():
    figures = {name: build() for name, build in FIGURES.items()}
    yield figures
    plt.close("all")


def _data_lines(ax):
    """Lines that carry data in a legend (not the reference lines drawn in grey/black)."""
    lines = []
    for line in ax.get_lines():
        label = line.get_label()
        if label.startswith("_") or len(line.get_xdata()) < 3:
            continue
        lines.append(line)
    return lines


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_series_differ_by_more_than_colour(gallery, name):
    """Two data series in one panel never differ by colour only: marker or line style too,
    or each is named by a direct label (a legend entry alone is a colour key)."""
    for ax in gallery[name].axes:
        lines = _data_lines(ax)
        keys = [
            (
                line.get_marker(),
                line.get_linestyle(),
                line.get_linewidth(),
                to_hex(line.get_markerfacecolor()) == to_hex(line.get_color()),  # filled?
            )
            for line in lines
        ]
        same = [
            (a.get_label(), b.get_label())
            for i, a in enumerate(lines)
            for b, kb in zip(lines[i + 1 :], keys[i + 1 :], strict=True)
            if keys[i] == kb and a.get_color() != b.get_color()
        ]
        assert same == [], f"{name}: told apart by colour only: {same}"


def test_every_notebook_cell_uses_the_package_figures():
    """The notebooks draw figures only through softmax.display (which describes them)."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            assert not re.search(r"\bplt\.(plot|bar|scatter|imshow|hist|subplots)\(", src), (
                f"{path.name}: a figure drawn in the notebook has no description: {src[:80]}"
            )


def test_figure_html_never_spells_an_object_address(monkeypatch):
    """Base64 that happens to read '0x06BBA4...' is broken by a newline, which the URL parser
    and base64 decoding ignore, so the output never looks like a leaked object address."""
    import base64

    from softmax.display import describe

    png = base64.b64decode("iVBORw0x06BBA4CDxyzz")  # bytes whose base64 holds 0x06BBA4
    encoded = base64.b64encode(png)
    monkeypatch.setattr(describe.base64, "b64encode", lambda _: encoded)
    fig = plt.figure()
    describe.describe(fig, "an empty test figure")
    out = describe.figure_html(fig)
    plt.close(fig)
    src = re.search(r'src="data:image/png;base64,([^"]*)"', out).group(1)
    assert re.search(r"0x[0-9a-fA-F]{6}", out) is None
    assert "0\nx06BBA4" in src
    assert base64.b64decode(re.sub(r"\s", "", src)) == png
