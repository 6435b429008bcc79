"""The log-softmax error figure of notebook 02 and its widget keep their text apart and inside.

At the widget's size (600 × 385 px, the legend below taking half the height) the y axis spans
about 150 px for 26 decades: tick labels a few decades apart ran into each other ("fails" over
10⁰), and the axis label and a legend entry were cut at the figure's edge.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from softmax.display import plots, widgets
from softmax.display.checks import log_softmax_error
from softmax.mistakes import naive_log_softmax


def _texts(fig):
    canvas = FigureCanvasAgg(fig)  # the widget's Figure has no canvas of its own
    canvas.draw()
    renderer = canvas.get_renderer()
    ticks, others = [], []
    for ax in fig.axes:
        ticks.append([(t.get_text(), t.get_window_extent(renderer)) for t in ax.get_yticklabels()])
        others += [ax.title, ax.yaxis.label, ax.xaxis.label, *ax.texts]
    for legend in fig.legends:
        others += legend.get_texts()
    return ticks, [(t.get_text(), t.get_window_extent(renderer)) for t in others], fig.bbox


def _check(fig):
    ticks, others, box = _texts(fig)
    for labels in ticks:
        shown = [(s, b) for s, b in labels if s]
        for (s1, b1), (s2, b2) in itertools.pairwise(shown):
            assert b1.y1 <= b2.y0 or b2.y1 <= b1.y0, f"tick labels {s1!r} and {s2!r} overlap"
    for s, b in [*others, *(x for labels in ticks for x in labels)]:
        if not s:
            continue
        assert box.x0 - 0.5 <= b.x0 and b.x1 <= box.x1 + 0.5, f"{s!r} cut at a side"
        assert box.y0 - 0.5 <= b.y0 and b.y1 <= box.y1 + 0.5, f"{s!r} cut at the top or bottom"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1.0, 60.0, 1000.0])
def test_widget_figure_text_neither_overlaps_nor_is_cut(dtype, scale):
    explorer = widgets.stability_explorer([1.0, 0.0, -1.0], scale=scale, dtype=dtype)
    _check(explorer.figure)


def test_notebook_figure_text_neither_overlaps_nor_is_cut():
    scales = np.geomspace(1, 1000, 61)
    sweeps = {
        dt: log_softmax_error([1.0, 0.0, -1.0], scales, dt, naive_log_softmax)
        for dt in ("float32", "float64")
    }
    fig = plots.error_vs_scale_figure(sweeps)
    try:
        _check(fig)
    finally:
        plt.close(fig)
