"""Every figure the package draws carries a description, and shows it as alt text.

- each builder (tests/figure_gallery.py builds them all) describes its figure from the data it
  plots: the numbers in the text are the plotted ones, and change with them;
- IPython shows a described figure as ``<img src="data:image/png..." alt="description">``
  (JupyterLab and nbconvert read ``alt`` only there, see softmax/display/describe.py), and the
  PNG carries the description and its smallest text size;
- a widget's figure (an ipywidgets Image) carries the description as its tooltip (the
  ``<img>``'s title), kept up to date when a slider moves;
- text inside figures stays readable on a 1280 x 720 slide (tests/test_a11y_browser.py
  measures the built decks; here the same bound is computed from the figure's size).
"""

from __future__ import annotations

import base64
import html
import io
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_gallery import FIGURES, WIDGETS
from IPython.core.formatters import DisplayFormatter

from softmax import softmax
from softmax.display import compare, plots, training_plots
from softmax.display import describe as d
from softmax.display._style import MIN_TEXT_PT

# Two thirds of a slide's 26 px body text (tests/a11y_util.py uses the same bound).
MIN_SLIDE_TEXT_PX = 17.0
# What a static figure may occupy on a slide: the deck CSS caps images at 560 px high; the
# slide content is 1280 px wide less the output area's padding (measured: 1180 px).
SLIDE_IMAGE_BOX = (1180, 560)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def gallery():
    figures = {name: build() for name, build in FIGURES.items()}
    yield figures
    plt.close("all")


# --------------------------------------------------------------------------- coverage


FIGURE_BUILDERS = {
    plots: {
        "probability_bars",
        "temperature_figure",
        "surprisal_figure",
        "exp_range_figure",
        "error_vs_scale_figure",
        "p_minus_y_heatmap",
        "h_sweep_figure",
        "gradcheck_vs_reg_figure",
    },
    training_plots: {
        "digits_gallery",
        "loss_curve",
        "search_heatmap",
        "weight_templates",
        "weight_norm_figure",
        "template_rows",
        "confusion_figure",
        "misclassified_figure",
        "decision_regions",
        "hull_witness_figure",
    },
    compare: {"plot_scaling", "plot_speedup_vs_D"},
}


def test_the_gallery_holds_every_figure_builder():
    """A new public builder must be added to the gallery (and so be described)."""
    gallery_names = set(FIGURES)
    for module, names in FIGURE_BUILDERS.items():
        assert names <= gallery_names
        public = {
            n
            for n in module.__all__
            if n.endswith(("_figure", "_heatmap", "_bars", "_gallery", "_curve", "_rows"))
            or n.startswith("plot_")
            or n in {"weight_templates", "decision_regions"}
        } - {"error_rows", "update_probability_bars", "draw_loss_curve", "time_block_rows"}
        assert public <= names, f"{module.__name__}: not in the gallery: {public - names}"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_is_described(gallery, name):
    text = d.description(gallery[name])
    assert text, f"{name} has no description"
    assert len(text) >= 60, text
    assert "no description" not in text.lower()
    # A description says what kind of figure it is and holds at least one number read
    # from the data.
    assert re.search(r"\d", text), text


# --------------------------------------------------------------------------- from the data


def test_probability_bars_description_lists_the_plotted_probabilities():
    p = softmax([2.0, 1.0, 0.1, -1.0])
    fig = plots.probability_bars(p, true_class=2)
    text = d.description(fig)
    for j, pj in enumerate(p):
        assert f"class {j} {pj:.3f}" in text
    assert "largest is class 0" in text and "true class, class 2" in text
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    np.testing.assert_allclose(heights, p)  # the same numbers as the bars
    # Other data, other text.
    q = softmax([0.0, 3.0, 0.0])
    other = d.description(plots.probability_bars(q))
    assert f"class 1 {q[1]:.3f}" in other and "largest is class 1" in other
    assert "true class" not in other


@pytest.mark.parametrize("C", [2, 10, 1000])
def test_surprisal_description_states_ln_c(C):
    text = d.description(plots.surprisal_figure(C))
    assert f"ln C = {math.log(C):.3f}" in text
    assert f"1/C = {1 / C:g}" in text
    fig = plots.surprisal_figure(C)
    x, y = fig.axes[0].lines[0].get_data()
    assert f"falls from {y[0]:.1f} at p = {x[0]:g}" in text


def test_heatmap_description_reads_the_cells():
    P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    text = d.description(plots.p_minus_y_heatmap(P, np.array([0, 2])))
    # true-class cells: 0.7 - 1 = -0.30 and 0.6 - 1 = -0.40; largest other cell 0.30
    assert "from −0.40 to −0.30" in text and "up to +0.30" in text
    assert "2 examples (rows) by 3 classes" in text


def test_exp_range_description_states_the_dtype_edges():
    text = d.description(plots.exp_range_figure())
    for dtype, lo, hi in (("float32", "−104", "88.7"), ("float64", "−745", "710")):
        assert re.search(f"{dtype} panel.*between {lo} .* and {hi} ", text), text


def test_confusion_description_counts_the_diagonal():
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 0])
    text = d.description(training_plots.confusion_figure(y_true, y_pred, 3))
    assert "4 of 7 images on the diagonal" in text and "3 off it" in text
    assert "true 2 predicted as 0 (2 times)" in text


def test_composed_figure_joins_its_panels_descriptions():
    fig, (a, b) = plt.subplots(1, 2)
    plots.surprisal_figure(3, ax=a)
    plots.temperature_figure([1.0, 0.0], ax=b)
    text = d.description(fig)
    assert text.index("loss −ln p") < text.index("temperature T")


def test_describe_refuses_what_it_cannot_attach():
    fig = plt.figure()
    with pytest.raises(ValueError, match="non-empty"):
        d.describe(fig, "  ")
    with pytest.raises(TypeError, match="Figure or Axes"):
        d.describe("not a figure", "text")
    assert d.description(fig) is None


# --------------------------------------------------------------------------- notebook output


class _Shell:
    """What register_formatter needs of an IPython shell."""

    def __init__(self):
        self.display_formatter = DisplayFormatter()


def _img(html_text: str) -> tuple[bytes, str]:
    m = re.fullmatch(
        r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">', html_text
    )
    assert m, html_text[:200]
    return base64.b64decode(m.group(1)), html.unescape(m.group(2))


def test_ipython_shows_a_described_figure_as_img_with_alt():
    shell = _Shell()
    assert d.register_formatter(shell)
    fig = plots.surprisal_figure(10)
    data, _ = shell.display_formatter.format(fig)
    png, alt = _img(data["text/html"])
    assert alt == d.description(fig)
    meta = d.png_text(png)
    assert meta["Description"].startswith("Line chart: the loss -ln p")  # Latin-1 in PNG
    assert float(meta[d.MIN_TEXT_KEY]) == pytest.approx(d.min_text_px(fig), abs=0.01)


def test_an_undescribed_figure_keeps_ipythons_usual_output():
    shell = _Shell()
    d.register_formatter(shell)
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    data, _ = shell.display_formatter.format(fig)
    assert "text/html" not in data


def test_alt_text_is_escaped():
    shell = _Shell()
    d.register_formatter(shell)
    fig, ax = plt.subplots()
    d.describe(ax, 'A "quoted" <b>word</b> & more')
    data, _ = shell.display_formatter.format(fig)
    assert 'alt="A &quot;quoted&quot; &lt;b&gt;word&lt;/b&gt; &amp; more"' in data["text/html"]


def test_importing_softmax_display_registers_the_formatter_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    import softmax.display

    shell = InteractiveShell.instance()
    try:
        assert d.register_formatter() is True  # what softmax/display/__init__ calls
        fig = plots.surprisal_figure(10)
        data, _ = shell.display_formatter.format(fig)
        assert _img(data["text/html"])[1] == d.description(fig)
        assert softmax.display.describe is d
    finally:
        InteractiveShell.clear_instance()


# --------------------------------------------------------------------------- widgets


@pytest.fixture(scope="module")
def widget_gallery():
    built = {name: build() for name, build in WIDGETS.items()}
    yield built
    plt.close("all")


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_widget_image_carries_the_description(widget_gallery, name):
    w = widget_gallery[name]
    assert w.image.tooltip == d.description(w.figure)
    assert len(w.image.tooltip) >= 60
    assert w.image.description == ""  # ipywidgets then writes the tooltip as the img's title
    state = w.image.get_state()
    assert state["tooltip"] == w.image.tooltip and state["description"] == ""
    assert d.png_text(bytes(w.image.value))["Description"]


def test_widget_description_follows_the_slider():
    w = WIDGETS["logits_explorer"]()
    before = w.image.tooltip
    w.logit_sliders[3].value = 4.0
    p = softmax([2.0, 1.0, 0.1, 4.0])
    assert w.image.tooltip != before
    assert f"class 3 {p[3]:.3f}" in w.image.tooltip and "largest is class 3" in w.image.tooltip


CONTROL_TYPES = ("Slider", "Dropdown", "Button", "ToggleButtons", "Text", "Checkbox")


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_every_control_has_a_name(widget_gallery, name):
    """Sliders and dropdowns are labelled by their description; buttons by their text."""

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    controls = [c for c in walk(widget_gallery[name]) if type(c).__name__.endswith(CONTROL_TYPES)]
    assert controls
    for c in controls:
        kind = type(c).__name__
        if kind == "ToggleButtons":
            assert all(str(label).strip() for label in c._options_labels), c
        elif kind == "Button":
            assert c.description.strip() or c.tooltip, c
        else:
            assert c.description.strip(), f"{name}: {kind} without a description"


# --------------------------------------------------------------------------- text size


def _png_size(fig) -> tuple[int, int]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    png = buffer.getvalue()
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_text_is_readable_on_a_slide(gallery, name):
    """Smallest text x the scale at which the deck shows the figure >= 17 slide px."""
    fig = gallery[name]
    w, h = _png_size(fig)
    scale = min(1.0, SLIDE_IMAGE_BOX[0] / w, SLIDE_IMAGE_BOX[1] / h)
    px = d.min_text_px(fig) * scale
    assert px >= MIN_SLIDE_TEXT_PX, f"{name}: {w}x{h} px shown at {scale:.2f}: text {px:.1f} px"


def test_min_text_px_sees_the_smallest_text():
    fig, ax = plt.subplots(dpi=100)
    ax.set_title("big", fontsize=30)
    ax.text(0, 0, "small", fontsize=7)
    assert d.min_text_px(fig) == pytest.approx(7 * 100 / 72)
    ax.texts[0].set_visible(False)
    assert d.min_text_px(fig) > 7 * 100 / 72


def test_ticks_made_at_draw_time_keep_the_style_size():
    """A log axis adds ticks when drawn, outside the style: they must not fall to 10 pt."""
    fig = plots.gradcheck_vs_reg_figure(np.geomspace(1e-8, 1e2, 5), {"f": np.ones(5)})
    fig.set_size_inches(20, 10)  # more room: matplotlib makes more ticks at draw time
    fig.canvas.draw()
    sizes = {t.get_fontsize() for ax in fig.axes for t in ax.get_xticklabels()}
    assert min(sizes) >= MIN_TEXT_PT
