"""Shared figure style and drawing helpers for the plots and widgets.

A colour-blind-safe palette and sizes readable on a projector, PNG rendering for
widgets, and a lock so that widget redraws never overlap.

Every plotting helper in the package draws with these colours (Okabe & Ito's
palette, distinguishable with the common forms of colour blindness) and the
``rc`` settings below, so figures look alike across notebooks and slides.
"""

from __future__ import annotations

import functools
import io
import threading
from contextlib import contextmanager

import matplotlib as mpl

__all__ = [
    "BLUE",
    "DIVERGING_CMAP",
    "GREEN",
    "GREY",
    "MIN_TEXT_PT",
    "OKABE_ITO",
    "ORANGE",
    "PALETTE",
    "PURPLE",
    "SEQUENTIAL_CMAP",
    "SKY",
    "VERMILLION",
    "one_redraw_at_a_time",
    "pin_tick_sizes",
    "render_png",
    "style",
]

OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
# Order used for successive lines/bars: strong contrasts first.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY = PALETTE[:6]
GREY = "#7f7f7f"  # reference lines and annotations, not data
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"

MIN_TEXT_PT = 13

RC = {
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "figure.dpi": 100,
    # No text under MIN_TEXT_PT: at 100 dpi that is 18 px, and a figure shown at its own
    # size on a 1280 x 720 slide keeps it above two thirds of the 26 px body text.
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 15,
    "legend.fontsize": MIN_TEXT_PT,
    "xtick.labelsize": MIN_TEXT_PT,
    "ytick.labelsize": MIN_TEXT_PT,
    "lines.linewidth": 2.2,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": SEQUENTIAL_CMAP,
}


@contextmanager
def style():
    """Context manager: draw a figure with the package's style."""
    with mpl.rc_context(RC):
        yield


def pin_tick_sizes(artist) -> None:
    """Keep the style's tick label size on ticks matplotlib creates later, at draw time.

    Ticks are made lazily (a log axis adds some when it is drawn), and a tick takes its
    label size from the rc settings in force when it is made: drawn outside :func:`style`
    (``plt.show()``, ``savefig``) it would get matplotlib's 10 pt. ``tick_params`` stores
    the size on the axis itself. ``artist``: a Figure, SubFigure or Axes (every Axes of
    its figure is pinned, colour bars included).
    """
    for ax in artist.get_figure(root=True).axes:
        ax.tick_params(axis="x", which="both", labelsize=RC["xtick.labelsize"])
        ax.tick_params(axis="y", which="both", labelsize=RC["ytick.labelsize"])


def render_png(fig) -> bytes:
    """The figure as PNG bytes (what the widgets show in an ``ipywidgets.Image``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# JupyterLab >= 4.4 may deliver widget messages on a kernel subshell thread, so a
# slider's callback can run while the next cell changes the same widget. Two
# threads drawing one matplotlib figure at once leave it blank for good.
_REDRAW_LOCK = threading.RLock()


def one_redraw_at_a_time(method):
    """Decorator for widget callbacks that redraw a figure: run them one at a time."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _REDRAW_LOCK:
            return method(*args, **kwargs)

    return wrapper
