"""Figure builders for the derivation notebooks 01-04.

Each builder draws with the package style (:mod:`softmax.display._style`: Okabe-Ito
colours, projector-sized fonts) and returns the :class:`matplotlib.figure.Figure`
so that tests can read back titles, labels and plotted data. Pass ``ax`` to draw
into an existing axes (the widgets of :mod:`softmax.display.widgets` do, on a figure that
pyplot does not manage); otherwise a new pyplot figure is created, which a
notebook shows with ``plt.show()``.

========================  ==================================================  ========
builder                   shows                                               notebook
========================  ==================================================  ========
probability_bars          softmax probabilities, true class highlighted       01
temperature_figure        p_j(T) against the temperature T                    01
surprisal_figure          the loss -ln p of the true class against p          01
exp_range_figure          where exp overflows / underflows, per dtype          02
error_vs_scale_figure     naive vs max-shifted log-softmax error vs scale     02
p_minus_y_heatmap         P - Y, each row summing to 0                        03
h_sweep_figure            centred-difference error vs h (the U curve)         04
gradcheck_vs_reg_figure   gradient-check error of each bug against reg        04
========================  ==================================================  ========
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from .._validation import as_float_array
from ..functions import softmax
from . import _style
from ._style import BLUE, GREEN, GREY, PURPLE, VERMILLION
from .describe import describe

__all__ = [
    "ERROR_FLOOR",
    "error_rows",
    "error_vs_scale_figure",
    "exp_range_figure",
    "gradcheck_vs_reg_figure",
    "h_sweep_figure",
    "p_minus_y_heatmap",
    "probability_bars",
    "surprisal_figure",
    "temperature_figure",
    "update_probability_bars",
]


def _axes(ax, figsize):
    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _class_names(names, C: int) -> list[str]:
    if names is None:
        return [f"class {j}" for j in range(C)]
    names = [str(n) for n in names]
    if len(names) != C:
        raise ValueError(f"class_names must have {C} entries; got {len(names)}")
    return names


_LINESTYLES = ("-", "--", "-.", ":")


def _num(x: float) -> str:
    """A number for a description: 3 significant digits, a real minus sign."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "infinity" if x > 0 else "−infinity"
    text = f"{x:.3g}" if 1e-3 <= abs(x) < 1e4 or x == 0 else f"{x:.1e}"
    return text.replace("-", "−")


def _size(x: float) -> str:
    """An error for a description: its value if >= 1e-3, else the power of ten it is below.

    Errors at round-off level differ in their digits between CPUs and BLAS kernels; the
    description (shown as alt text, compared by strict nbval) keeps what is stable.
    """
    x = float(x)
    if not math.isfinite(x) or x >= 1e-3 or x <= 0:
        return _num(x)
    return f"below 1e−{-(math.floor(math.log10(x)) + 1)}"


def _check_class(true_class, C: int) -> int | None:
    if true_class is None:
        return None
    if isinstance(true_class, bool) or not isinstance(true_class, int | np.integer):
        raise TypeError(f"true_class must be an int; got {type(true_class).__name__}")
    if not 0 <= true_class < C:
        raise ValueError(f"true_class must be in [0, {C}); got {true_class}")
    return int(true_class)


# --------------------------------------------------------------------------- notebook 01


def probability_bars(probabilities, true_class=None, *, class_names=None, title=None, ax=None):
    """Bar chart of class probabilities; the true class in vermillion, others in blue.

    Parameters
    ----------
    probabilities : array_like, shape (C,), entries in [0, 1]
    true_class : int in [0, C), optional
        Highlighted bar; the title then reports the loss ``-ln p[true_class]``.
    class_names : sequence of C str, optional
    title : str, optional
        Overrides the default title.
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure
        ``ax.patches`` are the C bars (heights = probabilities), each annotated
        with its value; a dashed line marks the uniform 1/C. Redraw with
        :func:`update_probability_bars`. Used in notebook 01 and its widget.
    """
    p = as_float_array("probabilities", probabilities, ndim=1)
    C = p.size
    names = _class_names(class_names, C)
    with _style.style():
        fig, ax = _axes(ax, (7, 4.2))
        ax.bar(range(C), p, color=BLUE, edgecolor="black", linewidth=0.6)
        for j in range(C):
            ax.text(j, 0.0, "", ha="center", va="bottom", fontsize=13)
        ax.axhline(
            1 / C, color=GREY, linestyle="--", linewidth=1.5, label=f"uniform 1/C = {1 / C:.2f}"
        )
        ax.set_xticks(range(C), names)
        ax.set_ylim(0, 1.3)  # room above the bars for the legend
        ax.set_xlabel("class")
        ax.set_ylabel("probability $p_j$")
        ax.legend(loc="upper right")
        ax.grid(axis="x", visible=False)
    update_probability_bars(fig, p, true_class, title=title)
    return fig


def update_probability_bars(fig, probabilities, true_class=None, *, title=None) -> None:
    """Redraw a :func:`probability_bars` figure in place (heights, colours, labels, title)."""
    ax = fig.axes[0]
    p = as_float_array("probabilities", probabilities, ndim=1)
    if p.size != len(ax.patches):
        raise ValueError(f"probabilities must have {len(ax.patches)} entries; got {p.size}")
    true_class = _check_class(true_class, p.size)
    for j, (bar, label) in enumerate(zip(ax.patches, ax.texts, strict=True)):
        bar.set_height(p[j])
        bar.set_color(VERMILLION if j == true_class else BLUE)
        bar.set_edgecolor("black")
        label.set_position((j, p[j] + 0.01))
        label.set_text(f"{p[j]:.3f}")
    if title is None:
        title = "softmax probabilities"
        if true_class is not None:
            loss = -math.log(p[true_class]) if p[true_class] > 0 else math.inf
            title = f"true class {true_class}: loss = −ln p = {loss:.3f}"
    with _style.style():
        ax.set_title(title)
    names = [t.get_text() for t in ax.get_xticklabels()] or [str(j) for j in range(p.size)]
    top = int(np.argmax(p))
    text = (
        f"Bar chart, {title}: the softmax probabilities of {p.size} classes, "
        + ", ".join(f"{names[j]} {p[j]:.3f}" for j in range(p.size))
        + f"; the largest is {names[top]}. A dashed line marks the uniform 1/C = {1 / p.size:.2f}."
    )
    if true_class is not None:
        text += f" The true class, {names[true_class]}, is the bar drawn in vermillion."
    describe(ax, text)


def temperature_figure(scores, temperatures=None, *, ax=None):
    """Probabilities ``softmax(scores / T)`` against the temperature T (log axis).

    Parameters
    ----------
    scores : array_like, shape (C,)
    temperatures : array_like, shape (K,), positive; default 200 values from 0.05 to 20
    ax : Axes, optional

    Returns
    -------
    Figure with one line per class (x = T, y = p_j(T)) and a dashed uniform 1/C.
    Notebook 01: small T -> one-hot argmax, large T -> uniform.
    """
    z = as_float_array("scores", scores, ndim=1)
    T = (
        np.geomspace(0.05, 20, 200)
        if temperatures is None
        else as_float_array("temperatures", temperatures, ndim=1)
    )
    if (T <= 0).any():
        raise ValueError("temperatures must be > 0")
    P = softmax(z[None, :] / T[:, None])
    with _style.style():
        fig, ax = _axes(ax, (8, 4.5))
        for j in range(z.size):
            # A line style per class as well as a colour (never colour alone).
            ax.plot(T, P[:, j], linestyle=_LINESTYLES[j % 4], label=f"class {j} (s = {z[j]:g})")
        ax.axhline(1 / z.size, color=GREY, linestyle="--", linewidth=1.5, label="uniform 1/C")
        ax.axvline(1.0, color="black", linestyle=":", linewidth=1.2)
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("temperature T (log scale)")
        ax.set_ylabel("$p_j = $ softmax$(s / T)_j$")
        ax.set_title("Temperature: T → 0 picks the argmax, T → ∞ flattens")
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    top = int(np.argmax(z))
    describe(
        ax,
        f"Line chart: the probability of each of {z.size} classes against the temperature T "
        f"(log scale, {_num(T[0])} to {_num(T[-1])}). At T = {_num(T[0])} class {top} "
        f"(the largest score, {z[top]:g}) has p = {P[0, top]:.2f}; at T = {_num(T[-1])} "
        f"the probabilities lie between {P[-1].min():.2f} and {P[-1].max():.2f}, "
        f"close to the uniform 1/C = {1 / z.size:.2f} (dashed line). "
        "Small T picks the argmax, large T flattens.",
    )
    return fig


def surprisal_figure(num_classes: int = 10, *, ax=None):
    """The per-example loss ``-ln p_y`` as a function of the true-class probability.

    Marks p = 1/C (the loss ln C of a classifier that knows nothing, W = 0) and
    p = 1 (loss 0). Notebook 01.

    Returns
    -------
    Figure; ``ax.lines[0]`` is the curve (x = p, y = -ln p).
    """
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, int | np.integer)
        or num_classes < 2
    ):
        raise ValueError(f"num_classes must be an int >= 2; got {num_classes!r}")
    p = np.linspace(0.005, 1.0, 400)
    with _style.style():
        fig, ax = _axes(ax, (7, 4.2))
        ax.plot(p, -np.log(p), color=BLUE, label="loss $= -\\ln p_y$")
        guess = 1 / num_classes
        ax.plot(
            [guess],
            [math.log(num_classes)],
            "o",
            color=VERMILLION,
            markersize=9,
            label=f"p = 1/C = {guess:g}: loss ln C = {math.log(num_classes):.3f}",
        )
        ax.plot([1.0], [0.0], "s", color=GREEN, markersize=9, label="p = 1: loss 0")
        ax.set_xlabel("probability of the true class $p_y$")
        ax.set_ylabel("loss (nats)")
        ax.set_ylim(-0.15, 5.5)
        ax.set_title("Cross-entropy: the surprisal of the true class")
        ax.legend(loc="upper right")
    describe(
        ax,
        "Line chart: the loss −ln p against the probability p of the true class. "
        f"It falls from {-math.log(p[0]):.1f} at p = {p[0]:g} to 0 at p = 1 (square marker); "
        f"a classifier that knows nothing gives p = 1/C = {guess:g} and pays "
        f"ln C = {math.log(num_classes):.3f} (round marker). Confident mistakes cost most.",
    )
    return fig


# --------------------------------------------------------------------------- notebook 02


def exp_range_figure(dtypes=("float32", "float64")):
    """``exp(x)`` on a log axis, one panel per dtype, with its overflow and underflow edges.

    The edges are computed from ``np.finfo``: ``ln(max)`` (88.72 in float32,
    709.78 in float64) beyond which ``exp`` is inf, and ``ln(smallest_subnormal / 2)``
    (-103.97, -745.13) below which it rounds to 0. Notebook 02.

    Returns
    -------
    Figure with one Axes per dtype; each has the curve (y = log10 exp(x), the
    axis labelled in powers of ten) and two vertical lines whose x positions are
    those edges.
    """
    dtypes = [np.dtype(d) for d in dtypes]
    with _style.style():
        fig, axes = plt.subplots(
            1, len(dtypes), figsize=(6 * len(dtypes), 4.4), layout="constrained", squeeze=False
        )
        for ax, dt in zip(axes[0], dtypes, strict=True):
            info = np.finfo(dt)
            hi = float(np.log(info.max))
            # exp(x) rounds to 0 once it is below half the smallest subnormal.
            lo = float(np.log(np.float64(info.smallest_subnormal))) - math.log(2)
            x = np.linspace(1.12 * lo, 1.12 * hi, 800).astype(dt)
            with np.errstate(over="ignore", under="ignore"):
                e = np.exp(x)
            shown = (e > 0) & np.isfinite(e)
            # Plotted as log10 exp(x) on a linear axis labelled 10^k: a log-scaled axis
            # spanning 1e-320 to 1e308 makes matplotlib itself overflow float64.
            ax.plot(
                x[shown], np.log10(e[shown].astype(np.float64)), color=BLUE, label=f"exp(x) in {dt}"
            )
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{v:g}}}$"))
            ax.set_xlim(x[0], x[-1])
            ax.axvline(
                hi, color=VERMILLION, linestyle="--", label=f"ln(max) = {hi:.2f}: inf beyond"
            )
            ax.axvline(
                lo, color=PURPLE, linestyle=":", label=f"ln(min subnormal / 2) = {lo:.2f}: 0 below"
            )
            ax.axvspan(hi, x[-1], color=VERMILLION, alpha=0.12)
            ax.axvspan(x[0], lo, color=PURPLE, alpha=0.12)
            ax.set_xlabel("x")
            ax.set_ylabel("exp(x)")
            ax.set_title(f"{dt}: exp is finite and > 0 only in between")
            ax.legend(loc="upper left", fontsize=_style.MIN_TEXT_PT)
            describe(
                ax,
                f"{dt} panel: exp(x) on a log scale against x. exp(x) is finite and above 0 "
                f"only for x between {_num(lo)} (dotted line: 0 below, underflow) and "
                f"{_num(hi)} (dashed line: inf beyond, overflow).",
            )
    describe(
        fig,
        f"Line charts, one per dtype ({', '.join(str(d) for d in dtypes)}): "
        + " ".join(getattr(ax, "_softmax_description", "") for ax in axes[0]),
    )
    return fig


# Rows of the error-vs-scale figure (log y axis). Finite errors are drawn between
# ERROR_FLOOR and 10; a non-zero error below ERROR_FLOOR as a down-pointing triangle on
# the floor ("smaller than this"); an exact 0 in its own row below, -inf and nan in
# their own row above, so neither reads as a measured error.
ERROR_FLOOR = 1e-20
_ZERO_ROW = 1e-25
_FAIL_ROW = 1e3
_ERROR_CURVES = (
    # key, colour, line width, marker, marker size, filled, label
    ("naive", VERMILLION, 5.0, "o", 9, False, r"naive  $\ln(e^z / \Sigma\, e^z)$"),
    ("shifted", BLUE, 1.8, "s", 4, True, r"shifted  $z - m - \ln \Sigma\, e^{z - m}$"),
)


def error_rows(errors) -> dict[str, np.ndarray]:
    """Split errors of :func:`softmax.display.checks.log_softmax_error` into the figure's rows.

    Parameters
    ----------
    errors : array_like, shape (S,), float64 (>= 0, inf for -inf results, nan for NaN)

    Returns
    -------
    dict of boolean masks, shape (S,): ``"shown"`` (ERROR_FLOOR <= error < inf),
    ``"below"`` (0 < error < ERROR_FLOOR), ``"zero"`` (error == 0), ``"neginf"``
    (inf: the result held -inf) and ``"nan"``. Exactly one is true per scale.
    """
    try:
        err = np.asarray(errors, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("errors must be an array of real numbers") from exc
    if err.ndim != 1:
        raise ValueError(f"errors must be a 1-D array; got shape {err.shape}")
    if (err < 0).any():
        raise ValueError("errors must be >= 0 (inf and nan allowed)")
    with np.errstate(invalid="ignore"):
        return {
            "shown": np.isfinite(err) & (err >= ERROR_FLOOR),
            "below": (err > 0) & (err < ERROR_FLOOR),
            "zero": err == 0,
            "neginf": np.isinf(err),
            "nan": np.isnan(err),
        }


def _draw_error_vs_scale(ax, result, dtype, current_scale=None):
    scales = np.asarray(result["scales"], dtype=np.float64)
    for key, color, width, marker, size, filled, label in _ERROR_CURVES:
        err = np.asarray(result[key], dtype=np.float64)
        rows = error_rows(err)
        face = color if filled else "white"
        # Only the measured errors are joined by a line: NaN breaks it at the other rows.
        ax.plot(
            scales,
            np.where(rows["shown"], err, np.nan),
            color=color,
            linewidth=width,
            alpha=0.55 if not filled else 1.0,
            marker=marker,
            markersize=size,
            markerfacecolor=face,
            label=label,
            gid=f"{key}:shown",
        )
        for row, y, row_marker, what in (
            ("below", ERROR_FLOOR, "v", f"< {ERROR_FLOOR:.0e}, not 0"),
            ("zero", _ZERO_ROW, "o", "exactly 0"),
            ("neginf", _FAIL_ROW, "x", "result −inf"),
            ("nan", _FAIL_ROW, "D", "result nan"),
        ):
            mask = rows[row]
            if mask.any():
                ax.plot(
                    scales[mask],
                    np.full(mask.sum(), y),
                    linestyle="none",
                    marker=row_marker,
                    markersize=size if row_marker != "x" else 10,
                    markeredgewidth=2 if row_marker == "x" else 1,
                    color=color,
                    markerfacecolor=face if row_marker != "o" else "none",
                    label=f"{key}: {what}",
                    gid=f"{key}:{row}",
                )
    eps = float(np.finfo(np.dtype(dtype)).eps)
    ax.axhline(eps, color=GREY, linestyle="--", linewidth=1.2, gid="eps")
    ax.text(
        scales[0],
        eps * 3,
        f"{dtype} eps = {eps:.1e}",
        color=GREY,
        fontsize=_style.MIN_TEXT_PT,
        va="bottom",
    )
    if current_scale is not None:
        ax.axvline(
            current_scale, color="black", linestyle=":", linewidth=1.5, label="current scale"
        )
    # The special rows: grey bands with their own tick labels, apart from the data.
    ax.axhspan(_ZERO_ROW / 10, _ZERO_ROW * 10**1.5, color=GREY, alpha=0.15, linewidth=0)
    ax.axhspan(_FAIL_ROW / 10**1.5, _FAIL_ROW * 10, color=GREY, alpha=0.15, linewidth=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(_ZERO_ROW / 10, _FAIL_ROW * 10)
    ticks = [_ZERO_ROW, *(10.0**k for k in range(-20, -4, 5)), _FAIL_ROW]
    labels = ["0", *(f"$10^{{{k}}}$" for k in range(-20, -4, 5)), "fails"]
    ax.set_yticks(ticks, labels)
    ax.minorticks_off()
    ax.set_xlabel("score scale (scores = scale × base)")
    ax.set_ylabel("error of ln p\n(rel. if |ln p| > 1)")
    ax.set_title(f"{dtype}: naive vs max-shifted log-softmax")
    describe(ax, _error_vs_scale_text(result, dtype, scales))


def _error_vs_scale_text(result, dtype, scales) -> str:
    """Description of one panel: each formula's largest error and where it fails."""
    parts = []
    for key, *_ in _ERROR_CURVES:
        err = np.asarray(result[key], dtype=np.float64)
        rows = error_rows(err)
        fails = rows["neginf"] | rows["nan"]
        finite = err[~fails]
        worst = f"largest error {_size(finite.max())}" if finite.size else "no finite error"
        if fails.any():
            first = scales[np.argmax(fails)]
            parts.append(f"{key}: {worst}, fails (−inf or nan) from scale {_num(first)} on")
        else:
            parts.append(f"{key}: {worst}, never fails")
    return (
        f"{dtype} panel, log-log: the error of ln p against the score scale "
        f"({_num(scales[0])} to {_num(scales[-1])}). " + "; ".join(parts) + "."
    )


def error_vs_scale_figure(results: Mapping[str, Mapping], *, current_scale=None, axes=None):
    """Error of naive and max-shifted log-softmax against the score scale, per dtype.

    Parameters
    ----------
    results : mapping dtype name -> output of :func:`softmax.display.checks.log_softmax_error`
    current_scale : float, optional
        Draws a vertical line there (the widget's slider position).
    axes : sequence of Axes, optional, one per entry of ``results``

    Returns
    -------
    Figure. In each Axes (log-log, one per dtype), per formula: a line through the
    errors >= :data:`ERROR_FLOOR` (NaN elsewhere, so it breaks), down-pointing
    triangles on the floor for smaller non-zero errors, circles in a "0" row for
    exact zeros and, in a "fails" row, crosses where the result held -inf and
    diamonds where it held NaN (the :func:`error_rows`); the naive line is wide and
    translucent so that the shifted line stays visible where the two coincide; a
    dashed line at the dtype's own eps, labelled in its panel. One legend for the
    figure, below the panels (it is redrawn, not added again, when the widget
    redraws into the same figure). Notebook 02 and its widget.
    """
    if not results:
        raise ValueError("results must hold at least one dtype")
    with _style.style():
        if axes is None:
            _fig, axes = plt.subplots(
                1,
                len(results),
                figsize=(5.8 * len(results), 4.7),
                layout="constrained",
                squeeze=False,
            )
            axes = axes[0]
        if len(axes) != len(results):
            raise ValueError(f"axes must hold {len(results)} Axes; got {len(axes)}")
        for ax, (dtype, result) in zip(axes, results.items(), strict=True):
            _draw_error_vs_scale(ax, result, dtype, current_scale)
        fig = axes[0].figure
        handles = {}
        for ax in axes:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                handles.setdefault(label, handle)
        for old in list(fig.legends):
            old.remove()
        fig.legend(
            handles.values(),
            handles.keys(),
            loc="outside lower center",
            ncol=2 if len(axes) == 1 else 3,
            handlelength=1.3,
            columnspacing=0.6,
            handletextpad=0.4,
            fontsize=_style.MIN_TEXT_PT,
        )
    describe(
        fig,
        "Line charts of naive and max-shifted log-softmax errors. "
        + " ".join(getattr(ax, "_softmax_description", "") for ax in axes),
    )
    return fig


# --------------------------------------------------------------------------- notebooks 03 and 04


def p_minus_y_heatmap(P, y, *, ax=None):
    """Heat map of ``P - Y`` (N, C) with each row's sum written at its right.

    Parameters
    ----------
    P : array_like, shape (N, C), rows summing to 1 (softmax probabilities)
    y : array_like, shape (N,), int labels in [0, C)

    Returns
    -------
    Figure; ``ax.images[0]`` holds the (N, C) array P - Y on a diverging colour
    map centred at 0 (true class: negative, blue, outlined; other classes:
    positive, red); ``ax.patches`` are the N outlines of the true-class cells.
    Notebook 03: each row sums to 1 - 1 = 0.
    """
    P = as_float_array("P", P, ndim=2)
    y = np.asarray(y)
    if y.shape != (P.shape[0],) or y.dtype.kind not in "iu":
        raise ValueError(
            f"y must be an integer array of shape ({P.shape[0]},); got {y.dtype} {y.shape}"
        )
    if y.min() < 0 or y.max() >= P.shape[1]:
        raise ValueError(f"y must hold labels in [0, {P.shape[1]})")
    N, C = P.shape
    G = P.copy()
    G[np.arange(N), y] -= 1
    with _style.style():
        fig, ax = _axes(ax, (1.2 * C + 3.2, 0.55 * N + 1.8))
        im = ax.imshow(G, cmap=_style.DIVERGING_CMAP, vmin=-1, vmax=1, aspect="auto")
        for i in range(N):
            for j in range(C):
                ax.text(
                    j,
                    i,
                    f"{G[i, j]:+.2f}",
                    ha="center",
                    va="center",
                    fontsize=_style.MIN_TEXT_PT,
                    color="white" if abs(G[i, j]) > 0.6 else "black",
                )
            # The true class: outlined (its entry is p_y - 1 < 0).
            ax.add_patch(
                Rectangle((y[i] - 0.47, i - 0.47), 0.94, 0.94, fill=False, edgecolor="black", lw=2)
            )
            ax.text(
                C - 0.35,
                i,
                f"Σ = {abs(G[i].sum()):.2f}",
                ha="left",
                va="center",
                fontsize=_style.MIN_TEXT_PT,
            )
        ax.set_xticks(range(C), [f"{j}" for j in range(C)])
        ax.set_yticks(range(N), [f"{i} (y={y[i]})" for i in range(N)])
        ax.set_xlim(-0.5, C + 0.75)
        ax.grid(False)
        ax.set_xlabel("class j")
        ax.set_ylabel("example i (true class)")
        ax.set_title("P − Y: every row sums to 0")
        fig.colorbar(im, ax=ax, label="$p_{ij} - 1[j = y_i]$", shrink=0.9)
    true = G[np.arange(N), y]
    others = np.delete(G, y + C * np.arange(N)) if N else G
    describe(
        fig,
        f"Heat map of P − Y, {N} examples (rows) by {C} classes (columns), each value "
        f"printed in its cell. The true class's cell (outlined) is p − 1 < 0, from "
        f"{true.min():+.2f} to {true.max():+.2f}; every other cell is p ≥ 0, up to "
        f"{others.max():+.2f}. Each row sums to 0 (largest |row sum| "
        f"{np.abs(G.sum(axis=1)).max():.2f}).".replace("-", "−"),
    )
    return fig


def h_sweep_figure(hs, errors: Mapping[str, Sequence[float]], *, ax=None):
    """The U curve: error of a centred-difference gradient against the step h.

    Parameters
    ----------
    hs : array_like, shape (H,), positive
    errors : mapping dtype name -> (H,) errors (:func:`softmax.display.checks.h_sweep`)

    Returns
    -------
    Figure (log-log): one line per dtype, a dotted vertical line at each dtype's
    ``h* = (3 eps)^(1/3)`` (where truncation h² |f'''| / 6 and round-off eps |f| / h
    balance when |f| ≈ |f'''|) and the 1e-7 "good" threshold. Notebook 04.
    """
    hs = as_float_array("hs", hs, ndim=1)
    colors = {"float64": BLUE, "float32": VERMILLION}
    with _style.style():
        fig, ax = _axes(ax, (12, 4.8))
        for k, (dtype, err) in enumerate(errors.items()):
            err = as_float_array(f"errors[{dtype!r}]", err, ndim=1)
            if err.shape != hs.shape:
                raise ValueError(f"errors[{dtype!r}] must have shape {hs.shape}; got {err.shape}")
            color = colors.get(str(dtype), _style.PALETTE[k % len(_style.PALETTE)])
            ax.loglog(
                hs,
                np.maximum(err, 1e-16),
                marker="os^D"[k % 4],
                markersize=5,
                color=color,
                label=f"{dtype}",
            )
            h_star = (3 * float(np.finfo(np.dtype(dtype)).eps)) ** (1 / 3)
            ax.axvline(
                h_star,
                color=color,
                linestyle=":",
                linewidth=1.5,
                label=f"{dtype}: h* = (3 eps)^(1/3) = {h_star:.1e}",
            )
        ax.axhline(1e-7, color=GREY, linestyle="--", linewidth=1.2, label="1e-7: 'good' in float64")
        ax.set_xlabel("step h")
        ax.set_ylabel("max relative error of the gradient")
        ax.set_title("Centred differences: truncation (∝ h²) vs round-off (∝ eps / h)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_style.MIN_TEXT_PT)
    parts = []
    for dtype, err in errors.items():
        err = np.asarray(err, dtype=np.float64)
        best = int(np.nanargmin(err))
        parts.append(
            f"{dtype}: error {_size(err[0])} at h = {_num(hs[0])}, smallest "
            f"({_size(err[best])}) at h = {_num(hs[best])}, {_size(err[-1])} at h = {_num(hs[-1])}"
        )
    describe(
        ax,
        "Log-log line chart, a U curve: the error of a centred-difference gradient against "
        "the step h; round-off wins at small h, truncation at large h. "
        + "; ".join(parts)
        + ". Dotted lines mark each dtype's h* = (3 eps)^(1/3), a dashed line 1e-7.",
    )
    return fig


def gradcheck_vs_reg_figure(
    regs, errors: Mapping[str, Sequence[float]], *, marks: Sequence[float] = (), ax=None
):
    """Worst gradient-check error of each loss function against the regularisation strength.

    What the bug table cannot show: whether a check sees a bug depends on reg.
    A regulariser bug's error grows in proportion to reg; the other bugs' errors do not move.

    Parameters
    ----------
    regs : array_like, shape (R,), positive (log axis)
    errors : mapping name -> (R,) errors
        From :func:`softmax.display.checks.gradcheck_vs_reg`, one per loss function.
    marks : sequence of float
        reg values to mark with a vertical line (notebook 04: CS231n's 5e-6 and 5e1).

    Returns
    -------
    Figure (log-log, errors from 1e-12 to 10): one line per function (errors drawn
    at least at 1e-12), the
    float64 thresholds 1e-7 ("good" below) and 1e-4 ("wrong" above) as dashed
    lines, and a dotted vertical line per mark. Notebook 04.
    """
    regs = as_float_array("regs", regs, ndim=1)
    if (regs <= 0).any():
        raise ValueError("regs must all be > 0 (log axis)")
    if not errors:
        raise ValueError("errors must not be empty")
    markers = "osD^vP*X"
    with _style.style():
        fig, ax = _axes(ax, (12, 5.2))
        for k, (name, err) in enumerate(errors.items()):
            err = as_float_array(f"errors[{name!r}]", err, ndim=1)
            if err.shape != regs.shape:
                raise ValueError(f"errors[{name!r}] must have shape {regs.shape}; got {err.shape}")
            ax.loglog(
                regs,
                np.maximum(err, 1e-12),
                marker=markers[k % len(markers)],
                markersize=5,
                color=_style.PALETTE[k % len(_style.PALETTE)],
                label=name,
            )
        ax.axhline(1e-7, color=GREY, linestyle="--", linewidth=1.2, label="1e-7: good below")
        ax.axhline(1e-4, color=GREY, linestyle="-.", linewidth=1.2, label="1e-4: wrong above")
        for mark in marks:
            ax.axvline(float(mark), color=GREY, linestyle=":", linewidth=1.5)
            label = f"{float(mark):.0e}".replace("e-0", "e-").replace("e+0", "e")
            ax.annotate(
                f"λ = {label}",
                (float(mark), 0.03),
                xycoords=("data", "axes fraction"),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=_style.MIN_TEXT_PT,
                color=GREY,
            )
        ax.set_ylim(1e-12, 10.0)  # room below the curves for the marks' labels
        ax.set_xlabel("regularisation strength λ")
        ax.set_ylabel("gradient check: worst relative error")
        ax.set_title("A regulariser bug shows only when λ is large enough")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_style.MIN_TEXT_PT)
    parts = []
    for name, err in errors.items():
        err = np.maximum(np.asarray(err, dtype=np.float64), 1e-12)
        trend = "grows with λ" if err[-1] > 100 * err[0] else "does not grow with λ"
        parts.append(
            f"{name}: {_size(err[0])} at λ = {_num(regs[0])}, {_size(err[-1])} at "
            f"λ = {_num(regs[-1])} ({trend})"
        )
    describe(
        ax,
        "Log-log line chart: the worst gradient-check error of each loss function against "
        "the regularisation strength λ, with thresholds 1e-7 (good below) and 1e-4 (wrong "
        "above). " + "; ".join(parts) + ".",
    )
    return fig
