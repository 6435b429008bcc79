"""softmax.display.plots: figures of notebooks 01-03, read back from their artists."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from softmax import softmax
from softmax.display import plots
from softmax.display._style import PALETTE
from softmax.display.checks import h_sweep, log_softmax_error
from softmax.mistakes import naive_log_softmax

BLUE, VERMILLION = PALETTE[0], PALETTE[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _vlines_x(ax):
    """x positions of the vertical lines (axvline) of an Axes."""
    return [
        line.get_xdata()[0]
        for line in ax.lines
        if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]
    ]


class TestProbabilityBars:
    p = softmax([2.0, 1.0, 0.1, -1.0])

    def test_bars_are_the_probabilities(self):
        fig = plots.probability_bars(self.p, true_class=2)
        ax = fig.axes[0]
        heights = [bar.get_height() for bar in ax.patches]
        np.testing.assert_allclose(heights, self.p)
        colors = [to_hex(bar.get_facecolor()) for bar in ax.patches]
        assert colors == [BLUE.lower(), BLUE.lower(), VERMILLION.lower(), BLUE.lower()]
        assert [t.get_text() for t in ax.texts] == [f"{v:.3f}" for v in self.p]
        assert ax.get_title() == f"true class 2: loss = −ln p = {-math.log(self.p[2]):.3f}"
        assert ax.get_ylabel() == "probability $p_j$"
        assert [t.get_text() for t in ax.get_xticklabels()] == [f"class {j}" for j in range(4)]
        uniform = [line for line in ax.lines if line.get_label().startswith("uniform")]
        assert uniform and uniform[0].get_ydata()[0] == pytest.approx(0.25)

    def test_update_redraws_in_place(self):
        fig = plots.probability_bars(self.p, true_class=0)
        new = softmax([0.0, 0.0, 3.0, 0.0])
        plots.update_probability_bars(fig, new, 1, title="custom")
        ax = fig.axes[0]
        np.testing.assert_allclose([b.get_height() for b in ax.patches], new)
        assert to_hex(ax.patches[1].get_facecolor()) == VERMILLION.lower()
        assert to_hex(ax.patches[0].get_facecolor()) == BLUE.lower()
        assert ax.get_title() == "custom"

    def test_no_true_class_and_class_names(self):
        fig = plots.probability_bars([0.5, 0.5], class_names=["cat", "dog"])
        ax = fig.axes[0]
        assert ax.get_title() == "softmax probabilities"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="true_class must be in"):
            plots.probability_bars(self.p, true_class=4)
        with pytest.raises(TypeError, match="true_class must be an int"):
            plots.probability_bars(self.p, true_class=1.0)
        with pytest.raises(ValueError, match="class_names must have 4"):
            plots.probability_bars(self.p, class_names=["a"])
        fig = plots.probability_bars(self.p)
        with pytest.raises(ValueError, match="must have 4 entries"):
            plots.update_probability_bars(fig, [0.5, 0.5])


def test_temperature_figure_lines_are_softmax_of_scaled_scores():
    s = np.array([2.0, 1.0, 0.1, -1.0])
    T = np.geomspace(0.1, 10, 7)
    fig = plots.temperature_figure(s, T)
    ax = fig.axes[0]
    class_lines = [line for line in ax.lines if line.get_label().startswith("class")]
    assert len(class_lines) == 4
    expected = softmax(s[None, :] / T[:, None])
    for j, line in enumerate(class_lines):
        np.testing.assert_allclose(line.get_xdata(), T)
        np.testing.assert_allclose(line.get_ydata(), expected[:, j])
    assert ax.get_xscale() == "log"
    assert "temperature" in ax.get_xlabel()
    assert "Temperature" in ax.get_title()
    with pytest.raises(ValueError, match="temperatures must be > 0"):
        plots.temperature_figure(s, [0.0, 1.0])


def test_surprisal_figure():
    fig = plots.surprisal_figure(num_classes=10)
    ax = fig.axes[0]
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_ydata(), -np.log(curve.get_xdata()))
    marker = ax.lines[1]
    assert marker.get_xdata()[0] == pytest.approx(0.1)
    assert marker.get_ydata()[0] == pytest.approx(math.log(10))
    assert "2.303" in marker.get_label()
    assert ax.get_xlabel() == "probability of the true class $p_y$"
    with pytest.raises(ValueError, match="num_classes"):
        plots.surprisal_figure(num_classes=1)


def test_exp_range_figure_edges_come_from_finfo():
    fig = plots.exp_range_figure()
    assert len(fig.axes) == 2
    expected = {
        "float32": (88.72, -103.97),
        "float64": (709.78, -745.13),
    }
    for ax, (dtype, (top, bottom)) in zip(fig.axes, expected.items(), strict=True):
        assert ax.get_title().startswith(dtype)
        xs = sorted(_vlines_x(ax))
        assert xs[1] == pytest.approx(top, abs=0.005)
        assert xs[0] == pytest.approx(bottom, abs=0.005)
        curve = ax.lines[0]
        x, y = curve.get_xdata(), curve.get_ydata()
        normal = x > math.log(float(np.finfo(dtype).tiny))  # subnormals lose digits
        np.testing.assert_allclose(y[normal], x[normal] / math.log(10), rtol=1e-5)  # log10 exp(x)
        assert x.max() < top and x.min() > bottom  # inf and 0 are not drawn
        assert ax.yaxis.get_major_formatter()(100, 0) == "$10^{100}$"


def _by_gid(ax):
    return {line.get_gid(): line for line in ax.lines if line.get_gid()}


def test_error_vs_scale_figure_shows_the_sweep_and_the_failures():
    scales = np.geomspace(1, 1000, 31)
    sweeps = {
        dt: log_softmax_error([1.0, 0.0, -1.0], scales, dt, naive_log_softmax)
        for dt in ("float32", "float64")
    }
    fig = plots.error_vs_scale_figure(sweeps, current_scale=100.0)
    assert len(fig.axes) == 2
    for ax, (dt, sweep) in zip(fig.axes, sweeps.items(), strict=True):
        assert ax.get_title() == f"{dt}: naive vs max-shifted log-softmax"
        assert ax.get_xscale() == ax.get_yscale() == "log"
        lines = _by_gid(ax)
        ticks = dict(
            zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
        )
        bottom, top = ax.get_ylim()
        for key in ("naive", "shifted"):
            err = sweep[key]
            # The line holds the measured errors >= the floor, and nothing else.
            shown = lines[f"{key}:shown"]
            np.testing.assert_allclose(shown.get_xdata(), scales)
            drawn = np.asarray(shown.get_ydata(), dtype=float)
            in_range = np.isfinite(err) & (err >= plots.ERROR_FLOOR)
            np.testing.assert_array_equal(np.isfinite(drawn), in_range)
            np.testing.assert_allclose(drawn[in_range], err[in_range])
            # Every other scale sits in exactly one row, at that row's own height.
            rows = {
                "below": (err > 0) & (err < plots.ERROR_FLOOR),
                "zero": err == 0,
                "neginf": np.isinf(err),
                "nan": np.isnan(err),
            }
            assert sum(rows.values()).tolist() == (~in_range).astype(int).tolist()
            heights = set()
            for row, mask in rows.items():
                if not mask.any():
                    assert f"{key}:{row}" not in lines
                    continue
                marker = lines[f"{key}:{row}"]
                np.testing.assert_allclose(marker.get_xdata(), scales[mask])
                heights.add((row, marker.get_ydata()[0]))
            for row, y in heights:
                assert bottom < y < top
                label = ticks.get(y)
                if row == "zero":
                    assert label == "0"  # an exact 0 is labelled 0, below every error
                    assert y < plots.ERROR_FLOOR / 100
                elif row in ("neginf", "nan"):
                    assert label == "fails" and y > 10  # above any error
                else:
                    assert y == plots.ERROR_FLOOR
        # -inf and nan have different markers; each panel names its own eps.
        assert lines["naive:neginf"].get_marker() != lines["naive:nan"].get_marker()
        eps = float(np.finfo(dt).eps)
        assert lines["eps"].get_ydata()[0] == pytest.approx(eps)
        assert [t.get_text() for t in ax.texts] == [f"{dt} eps = {eps:.1e}"]
        assert ax.get_legend() is None
        assert 100.0 in _vlines_x(ax)
    # float64: the naive line is drawn wider than the shifted one, so where the two
    # coincide (scales 20 to 350 here) both stay visible.
    lines = _by_gid(fig.axes[1])
    same = sweeps["float64"]["naive"] == sweeps["float64"]["shifted"]
    assert same.sum() >= 10
    assert lines["naive:shown"].get_linewidth() > 2 * lines["shifted:shown"].get_linewidth()
    # One legend for the figure, naming no dtype (each eps is labelled in its panel).
    assert len(fig.legends) == 1
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "naive: result −inf" in labels and "naive: result nan" in labels
    assert "shifted: exactly 0" in labels and not any("eps" in t for t in labels)
    with pytest.raises(ValueError, match="at least one"):
        plots.error_vs_scale_figure({})


def test_error_vs_scale_redraw_keeps_one_legend():
    scales = np.geomspace(1, 1000, 7)
    sweep = log_softmax_error([1.0, 0.0, -1.0], scales, "float32", naive_log_softmax)
    fig = plots.error_vs_scale_figure({"float32": sweep})
    ax = fig.axes[0]
    ax.clear()
    plots.error_vs_scale_figure({"float32": sweep}, axes=[ax])
    assert len(fig.legends) == 1


def test_error_rows_puts_each_error_in_one_row():
    rows = plots.error_rows([1e-3, 1e-25, 0.0, np.inf, np.nan])
    assert {k: v.tolist() for k, v in rows.items()} == {
        "shown": [True, False, False, False, False],
        "below": [False, True, False, False, False],
        "zero": [False, False, True, False, False],
        "neginf": [False, False, False, True, False],
        "nan": [False, False, False, False, True],
    }
    with pytest.raises(ValueError, match=">= 0"):
        plots.error_rows([-1.0])
    with pytest.raises(ValueError, match="1-D"):
        plots.error_rows([[1.0]])


def test_error_vs_scale_png_draws_both_float64_curves():
    """Read the PNG back: where naive and shifted coincide, both colours show."""
    import io

    from matplotlib.colors import to_rgb

    # Notebook 02's sweep from 25 to 160, where both float64 errors are round-off: the scales
    # where they coincide to 10% (a log axis over 24 decades cannot tell them apart). Which
    # scales those are depends on the machine's exp/log (SIMD paths differ by an ulp), so
    # they are picked from the computed sweep, not hard-coded.
    scales = np.geomspace(1, 1000, 61)[28:45]
    full = log_softmax_error([1.0, 0.0, -1.0], scales, "float64", naive_log_softmax)
    naive, shifted = np.asarray(full["naive"]), np.asarray(full["shifted"])
    same = (np.abs(naive - shifted) <= 0.1 * shifted) & (naive >= plots.ERROR_FLOOR)
    assert same.sum() >= 4, (naive, shifted)
    sweep = log_softmax_error([1.0, 0.0, -1.0], scales[same], "float64", naive_log_softmax)
    fig = plots.error_vs_scale_figure({"float64": sweep})
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    img = plt.imread(io.BytesIO(buf.getvalue()))[..., :3]
    ax = fig.axes[0]
    # Pixels of the plotting area only (not the legend below it).
    x0, y0, x1, y1 = ax.get_window_extent().extents / fig.dpi * 60
    h = img.shape[0]
    area = img[int(h - y1) : int(h - y0), int(x0) : int(x1)]

    def near(color, tol=0.12):
        return (np.abs(area - np.array(to_rgb(color))) < tol).all(axis=-1).sum()

    assert near(BLUE) > 20
    # The naive line is translucent vermillion on white: lighter than VERMILLION itself.
    light_vermillion = 0.55 * np.array(to_rgb(VERMILLION)) + 0.45
    assert (np.abs(area - light_vermillion) < 0.08).all(axis=-1).sum() > 20


def test_p_minus_y_heatmap():
    rng = np.random.default_rng(0)
    P = softmax(rng.normal(size=(5, 3)))
    y = np.array([0, 2, 1, 1, 0])
    fig = plots.p_minus_y_heatmap(P, y)
    ax = fig.axes[0]
    G = ax.images[0].get_array()
    np.testing.assert_allclose(G, P - np.eye(3)[y])
    np.testing.assert_allclose(G.sum(axis=1), 0, atol=1e-15)
    assert ax.images[0].get_clim() == (-1, 1)
    sums = [t.get_text() for t in ax.texts if t.get_text().startswith("Σ")]
    assert sums == ["Σ = 0.00"] * 5
    outlined = sorted((round(p.get_x() + 0.47), round(p.get_y() + 0.47)) for p in ax.patches)
    assert outlined == sorted((int(y[i]), i) for i in range(5))
    assert ax.get_title() == "P − Y: every row sums to 0"
    with pytest.raises(ValueError, match="labels in"):
        plots.p_minus_y_heatmap(P, np.array([0, 3, 1, 1, 0]))
    with pytest.raises(ValueError, match="shape"):
        plots.p_minus_y_heatmap(P, np.array([0, 1]))


def test_h_sweep_figure():
    hs = np.geomspace(1e-8, 1e-1, 8)
    W = np.array([1.0, 2.0])
    errors = {
        "float64": h_sweep(lambda w: float(np.sum(w**3)), W, 3 * W**2, hs),
        "float32": h_sweep(lambda w: float(np.sum(w**3)), W.astype(np.float32), 3 * W**2, hs),
    }
    fig = plots.h_sweep_figure(hs, errors)
    ax = fig.axes[0]
    curves = {line.get_label(): line for line in ax.lines}
    for dt, err in errors.items():
        np.testing.assert_allclose(curves[dt].get_xdata(), hs)
        np.testing.assert_allclose(curves[dt].get_ydata(), np.maximum(err, 1e-16))
    h_stars = sorted(_vlines_x(ax))
    expected = sorted((3 * float(np.finfo(dt).eps)) ** (1 / 3) for dt in ("float64", "float32"))
    np.testing.assert_allclose(h_stars, expected)
    assert ax.get_xlabel() == "step h"
    with pytest.raises(ValueError, match="must have shape"):
        plots.h_sweep_figure(hs, {"float64": np.ones(3)})


def test_gradcheck_vs_reg_figure():
    regs = np.geomspace(1e-8, 1e2, 6)
    errors = {"correct": np.full(6, 1e-10), "bug": 1e-3 * regs, "zero": np.zeros(6)}
    fig = plots.gradcheck_vs_reg_figure(regs, errors, marks=(5e-6, 5e1))
    ax = fig.axes[0]
    curves = {line.get_label(): line for line in ax.lines}
    for name, err in errors.items():
        np.testing.assert_allclose(curves[name].get_xdata(), regs)
        np.testing.assert_allclose(curves[name].get_ydata(), np.maximum(err, 1e-12))
    assert sorted(_vlines_x(ax)) == [5e-6, 5e1]
    assert [t.get_text() for t in ax.texts] == ["λ = 5e-6", "λ = 5e1"]
    levels = sorted(float(line.get_ydata()[0]) for line in ax.lines if line.get_label()[:2] == "1e")
    assert levels == [1e-7, 1e-4]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="must have shape"):
        plots.gradcheck_vs_reg_figure(regs, {"bug": np.ones(3)})
    with pytest.raises(ValueError, match="> 0"):
        plots.gradcheck_vs_reg_figure(np.array([0.0, 1.0]), {"bug": np.ones(2)})
    with pytest.raises(ValueError, match="must not be empty"):
        plots.gradcheck_vs_reg_figure(regs, {})
