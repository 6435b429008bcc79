"""Interactive explorers for notebooks 01 and 02 (ipywidgets).

Each builder returns a widget (an ``HBox``) that a notebook displays as the last
line of a cell. The widget keeps its state in plain attributes and redraws in
:meth:`refresh`, which the slider callbacks call: setting a slider's ``value``
from code (a test, or the next notebook cell) updates everything without a
browser. The figure is a matplotlib figure that pyplot does not manage, rendered
to PNG into an ``ipywidgets.Image``, so the widget also shows in static exports
that embed widget state. ``repr()`` is short and deterministic, which keeps
strict nbval happy when the widget is displayed.

- :func:`logits_explorer` (notebook 01): sliders for the logits and the
  temperature, a true-class picker, the probability bar chart and the loss.
- :func:`stability_explorer` (notebook 02): a score-scale slider and a
  float32/float64 toggle; naive and max-shifted log-softmax side by side, and
  their error against the scale.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._validation import as_float_array
from ..functions import log_softmax, softmax
from ..mistakes import naive_log_softmax
from . import _style, plots
from .checks import capture_warnings, log_softmax_error, reference_log_softmax
from .describe import DescribedImage

__all__ = [
    "SCALES",
    "TEMPERATURES",
    "LogitsExplorer",
    "StabilityExplorer",
    "logits_explorer",
    "stability_explorer",
]

# The temperature slider's values, exact: about 2 to 4 steps per factor of 2 from 0.1 to 10.
TEMPERATURES = (
    0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
    1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0,
)  # fmt: skip
# The score-scale slider's values (notebook 02), exact, with a value on each side of
# every edge: float32 underflow of p_2 (52.0) and overflow (88.72), float64 (372.6, 709.78).
SCALES = (
    1, 2, 5, 10, 20, 30, 40, 50, 55, 60, 80, 88, 89, 100, 150, 200, 300,
    372, 373, 400, 500, 600, 700, 709, 710, 800, 1000,
)  # fmt: skip


def _em(n: float) -> str:
    """``n`` times the widget font size, at least ``n`` times 16 px.

    The widget font is 26 px on a slide (the deck CSS sets --jp-widgets-font-size), so
    labels, readouts and slider tracks keep their proportions there; in JupyterLab
    (13 px) the 16 px floor leaves room for a label such as "temperature T". (Plain
    ``em`` would follow the surrounding text, larger still in a reveal.js section.)
    """
    return f"max({n * 16:g}px, calc({n:g} * var(--jp-widgets-font-size, 13px)))"


# Labels of one column share a width, so the slider tracks line up.
_LABEL = {"description_width": _em(7.2)}


def _row() -> widgets.Layout:
    """Controls left, figure right, both top-aligned: a stretched row would distort the PNG."""
    return widgets.Layout(align_items="flex-start", width="100%")


def _image(max_width: str) -> widgets.Layout:
    """The figure takes the rest of the row, up to ``max_width``, keeping its aspect ratio.

    ``min_width`` 0: a flex item does not shrink below its PNG's own width otherwise,
    and a narrow notebook column would cut the figure off."""
    return widgets.Layout(
        flex="1 1 auto", min_width="0", max_width=max_width, height="auto", object_fit="contain"
    )


def _full_width() -> widgets.Layout:
    return widgets.Layout(width="100%")


def _fmt(values) -> str:
    return "[" + ", ".join(f"{float(v):.4f}" for v in values) + "]"


class LogitsExplorer(widgets.HBox):
    """Logit and temperature sliders driving a probability bar chart and the loss.

    Built by :func:`logits_explorer`. Attributes that tests and notebook cells use:

    logit_sliders : list of FloatSlider, one per class
    temperature_slider : SelectionSlider over the exact values :data:`TEMPERATURES`
    true_class_picker : Dropdown
    readout : HTML (the loss and the probabilities as text)
    image : Image (the bar chart as PNG)
    figure : matplotlib Figure (the chart; ``figure.axes[0].patches`` are the bars)
    """

    def __init__(self, logits, *, true_class: int = 0, temperature: float = 1.0):
        z = as_float_array("logits", logits, ndim=1)
        if not 2 <= z.size <= 6:
            raise ValueError(f"logits must hold 2 to 6 scores; got {z.size}")
        if (np.abs(z) > 6).any():
            raise ValueError("logits must lie in [-6, 6] (the slider range)")
        if isinstance(true_class, bool) or not isinstance(true_class, int | np.integer):
            raise TypeError(f"true_class must be an int; got {type(true_class).__name__}")
        if not 0 <= true_class < z.size:
            raise ValueError(f"true_class must be in [0, {z.size}); got {true_class}")
        if isinstance(temperature, bool) or float(temperature) not in TEMPERATURES:
            raise ValueError(
                f"temperature must be one of the slider's values {TEMPERATURES}; "
                f"got {temperature!r}"
            )
        self.logit_sliders = [
            widgets.FloatSlider(
                value=float(v),
                min=-6,
                max=6,
                step=0.1,
                description=f"score {j}",
                readout_format=".1f",
                style=_LABEL,
                layout=_full_width(),
            )
            for j, v in enumerate(z)
        ]
        # A slider over exact values: the browser sends back an index, never a float
        # rounded on a log grid (a FloatLogSlider returned T = 0.5 as 0.501).
        self.temperature_slider = widgets.SelectionSlider(
            options=[(f"{t:g}", t) for t in TEMPERATURES],
            value=float(temperature),
            description="temperature T",
            style=_LABEL,
            layout=_full_width(),
        )
        self.true_class_picker = widgets.Dropdown(
            options=[(f"class {j}", j) for j in range(z.size)],
            value=int(true_class),
            description="true class y",
            style=_LABEL,
            layout=widgets.Layout(width="70%"),
        )
        self.readout = widgets.HTML()
        self.image = DescribedImage(format="png", layout=_image("640px"))
        with _style.style():
            self.figure = Figure(figsize=(6.4, 4.0), layout="constrained")
            plots.probability_bars(
                self.probabilities, self.true_class, ax=self.figure.add_subplot()
            )
        controls = widgets.VBox(
            [*self.logit_sliders, self.temperature_slider, self.true_class_picker, self.readout],
            layout=widgets.Layout(width=_em(21), flex="0 0 auto", margin=f"0 {_em(1)} 0 0"),
        )
        super().__init__([controls, self.image], layout=_row())
        for w in [*self.logit_sliders, self.temperature_slider, self.true_class_picker]:
            w.observe(self._on_change, names="value")
        self.refresh()

    @property
    def logits(self) -> np.ndarray:
        """Current scores s, shape (C,), float64."""
        return np.array([s.value for s in self.logit_sliders], dtype=np.float64)

    @property
    def temperature(self) -> float:
        return float(self.temperature_slider.value)

    @property
    def true_class(self) -> int:
        return int(self.true_class_picker.value)

    @property
    def probabilities(self) -> np.ndarray:
        """``softmax(s / T)``, shape (C,)."""
        return softmax(self.logits / self.temperature)

    @property
    def loss(self) -> float:
        """``-log softmax(s / T)[y]`` (via log-softmax, finite even when p_y underflows)."""
        return float(-log_softmax(self.logits / self.temperature)[self.true_class])

    def summary(self) -> str:
        """One deterministic line: temperature, true class, probabilities, loss."""
        return (
            f"T = {self.temperature:.2f}, true class {self.true_class}: "
            f"p = {_fmt(self.probabilities)}, loss = −ln p_y = {self.loss:.4f}"
        )

    def _on_change(self, change) -> None:
        self.refresh()

    @_style.one_redraw_at_a_time
    def refresh(self) -> None:
        """Recompute, redraw the chart and the readout (the sliders' callback)."""
        p = self.probabilities
        plots.update_probability_bars(
            self.figure,
            p,
            self.true_class,
            title=f"softmax(s / T), T = {self.temperature:.2f}: loss = {self.loss:.3f}",
        )
        self.image.show_figure(self.figure)
        self.readout.value = (
            f"<b>loss = −ln p<sub>{self.true_class}</sub> = {self.loss:.4f}</b>"
            f" (ln C = {np.log(p.size):.4f})<br>p = {_fmt(p)}"
        )

    def __repr__(self) -> str:
        return (
            f"LogitsExplorer(logits={self.logits.round(2).tolist()}, "
            f"temperature={self.temperature:.2f}, true_class={self.true_class})"
        )


def logits_explorer(logits=(2.0, 1.0, 0.1, -1.0), *, true_class: int = 0, temperature: float = 1.0):
    """Widget of notebook 01: move the logits and the temperature, watch p and the loss.

    Parameters
    ----------
    logits : array_like, shape (C,), 2 <= C <= 6, values in [-6, 6]
    true_class : int in [0, C)
    temperature : float, one of :data:`TEMPERATURES` (0.1 to 10)

    Returns
    -------
    LogitsExplorer
        Display it; set ``.logit_sliders[j].value``, ``.temperature_slider.value``
        or ``.true_class_picker.value`` from code and read ``.probabilities``,
        ``.loss`` or ``.summary()``.
    """
    return LogitsExplorer(logits, true_class=true_class, temperature=temperature)


class StabilityExplorer(widgets.VBox):
    """Score-scale slider and dtype toggle: naive vs max-shifted log-softmax.

    Built by :func:`stability_explorer`. The scores are ``scale * base_scores``
    in the chosen dtype. Attributes:

    scale_slider : SelectionSlider over the exact values :data:`SCALES`
    dtype_toggle : ToggleButtons ("float32", "float64")
    readout : HTML (the table of :meth:`rows` and the warnings numpy raised)
    image : Image (the error-vs-scale plot as PNG)
    figure : matplotlib Figure
    sweeps : dict dtype -> :func:`softmax.display.checks.log_softmax_error` result
    """

    def __init__(
        self, base_scores, *, scale: float = 10.0, dtype: str = "float64", num_scales: int = 61
    ):
        base = as_float_array("base_scores", base_scores, ndim=1)
        if not 2 <= base.size <= 6:
            raise ValueError(f"base_scores must hold 2 to 6 scores; got {base.size}")
        if np.max(np.abs(base)) > 10:
            raise ValueError("base_scores must lie in [-10, 10] (the scale slider goes to 1000)")
        if isinstance(scale, bool) or float(scale) not in SCALES:
            raise ValueError(f"scale must be one of the slider's values {SCALES}; got {scale!r}")
        if dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}")
        self.base_scores = base
        scales = np.geomspace(1, 1000, num_scales)
        self.sweeps = {
            dt: log_softmax_error(base, scales, dt, naive_log_softmax)
            for dt in ("float32", "float64")
        }
        # Exact values, as for the temperature; a pair on each side of every edge.
        self.scale_slider = widgets.SelectionSlider(
            options=[(f"{v:g}", float(v)) for v in SCALES],
            value=float(scale),
            description="scale",
            continuous_update=False,
            style={"description_width": _em(3)},
            layout=widgets.Layout(width=_em(22)),
        )
        # No description: the buttons name the dtype, and a label beside them wraps
        # onto a line of its own at the slides' 26 px.
        self.dtype_toggle = widgets.ToggleButtons(
            options=["float32", "float64"],
            value=dtype,
            tooltips=["single precision", "double precision"],
            style={"button_width": _em(5)},
        )
        self.readout = widgets.HTML(layout=widgets.Layout(width=_em(20), flex="0 0 auto"))
        self.image = DescribedImage(format="png", layout=_image("600px"))
        with _style.style():
            self.figure = Figure(figsize=(6.0, 3.85), layout="constrained")  # 600 px, as shown
            self.figure.add_subplot()
        controls = widgets.HBox([self.scale_slider, self.dtype_toggle], layout=_row())
        below = widgets.HBox([self.readout, self.image], layout=_row())
        super().__init__([controls, below], layout=widgets.Layout(width="100%"))
        self.scale_slider.observe(self._on_change, names="value")
        self.dtype_toggle.observe(self._on_change, names="value")
        self.refresh()

    @property
    def scale(self) -> float:
        return float(self.scale_slider.value)

    @property
    def dtype(self) -> str:
        return str(self.dtype_toggle.value)

    @property
    def scores(self) -> np.ndarray:
        """``scale * base_scores`` in the chosen dtype, shape (C,)."""
        return (self.scale * self.base_scores).astype(self.dtype)

    def results(self) -> dict:
        """Naive, shifted and exact log-softmax of :attr:`scores`, and the naive warnings."""
        z = self.scores
        naive, caught = capture_warnings(naive_log_softmax, z)
        return {
            "naive": naive,
            "shifted": log_softmax(z),
            "exact": reference_log_softmax(z),
            "warnings": caught,
        }

    def rows(self, digits: int = 6) -> list[tuple[str, ...]]:
        """Table rows (class, score, naive, shifted, exact), values to ``digits`` significant digits."""
        r = self.results()
        return [
            (str(j), *(f"{float(v):.{digits}g}" for v in values))
            for j, values in enumerate(
                zip(self.scores, r["naive"], r["shifted"], r["exact"], strict=True)
            )
        ]

    def summary(self) -> str:
        """The readout as plain text (deterministic: for a notebook cell to print)."""
        lines = [
            f"{self.dtype}, scale {self.scale:g}: log-softmax of scale × {self.base_scores.tolist()}",
            f"{'class':>5s} {'score':>10s} {'naive':>14s} {'shifted':>14s} {'exact':>14s}",
        ]
        lines += [f"{c:>5s} {s:>10s} {a:>14s} {b:>14s} {e:>14s}" for c, s, a, b, e in self.rows()]
        caught = self.results()["warnings"]
        lines.append(
            "naive warnings:" + ("".join(f"\n  {w}" for w in caught) if caught else " none")
        )
        return "\n".join(lines)

    def _on_change(self, change) -> None:
        self.refresh()

    @_style.one_redraw_at_a_time
    def refresh(self) -> None:
        """Redraw the table and the error plot for the current scale and dtype."""
        ax = self.figure.axes[0]
        with _style.style():
            ax.clear()  # inside the style: clear() resets fonts from the current rc
            plots.error_vs_scale_figure(
                {self.dtype: self.sweeps[self.dtype]}, current_scale=self.scale, axes=[ax]
            )
        self.image.show_figure(self.figure)
        # On a slide the readout is as large as the text (26 px): 4 digits keep the
        # table narrow; the warnings are named without "RuntimeWarning: ... encountered".
        head = "".join(
            f"<th>{h}</th>" for h in ("class", "score", "naive ln p", "shifted ln p", "exact")
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in self.rows(digits=4)
        )
        caught = [
            w.removeprefix("RuntimeWarning: ").replace(" encountered", "")
            for w in self.results()["warnings"]
        ]
        warn = "; ".join(html.escape(w) for w in caught) if caught else "none"
        self.readout.value = (
            f'<table style="font-size: 90%"><tr>{head}</tr>{body}</table>'
            f"<p><b>naive warnings:</b> {warn}</p>"
        )

    def __repr__(self) -> str:
        return (
            f"StabilityExplorer(base_scores={self.base_scores.tolist()}, "
            f"scale={self.scale:.1f}, dtype={self.dtype!r})"
        )


def stability_explorer(
    base_scores=(1.0, 0.0, -1.0), *, scale: float = 10.0, dtype: str = "float64"
):
    """Widget of notebook 02: scale the scores, switch dtype, watch the naive formula fail.

    Parameters
    ----------
    base_scores : array_like, shape (C,), 2 <= C <= 6, values in [-10, 10]
    scale : float, one of :data:`SCALES` (1 to 1000)
        Initial slider position; the scores are ``scale * base_scores``.
    dtype : "float32" or "float64"

    Returns
    -------
    StabilityExplorer
        Display it; set ``.scale_slider.value`` or ``.dtype_toggle.value`` from code
        and read ``.rows()`` or ``.summary()``.
    """
    return StabilityExplorer(base_scores, scale=scale, dtype=dtype)
