"""softmax.display.compare: notebook 05's measurements, figures and panel compute what they show."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from softmax import softmax_loss_fast, softmax_loss_naive, softmax_loss_vectorized
from softmax.display import compare


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- inputs, agreement


def test_make_inputs_shapes_dtypes_and_seed():
    W, X, y = compare.make_inputs(7, 5, 3, dtype="float32", rng=1)
    assert (W.shape, X.shape, y.shape) == ((5, 3), (7, 5), (7,))
    assert W.dtype == X.dtype == np.float32
    assert ((y >= 0) & (y < 3)).all()
    W2, X2, y2 = compare.make_inputs(7, 5, 3, dtype="float32", rng=1)
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(W, W2)
    assert np.std(W) == pytest.approx(1e-2, rel=0.5)


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"N": 0, "D": 3, "C": 2}, ValueError),
        ({"N": 2, "D": 3, "C": 1}, ValueError),
        ({"N": 2.5, "D": 3, "C": 2}, TypeError),
        ({"N": 2, "D": 3, "C": 2, "dtype": "int32"}, ValueError),
        ({"N": 2, "D": 3, "C": 2, "weight_scale": 0.0}, ValueError),
        ({"N": 2, "D": 3, "C": 2, "rng": "seed"}, TypeError),
    ],
)
def test_make_inputs_rejects_bad_arguments(kwargs, exc):
    with pytest.raises(exc):
        compare.make_inputs(**kwargs)


def test_dev_inputs_are_cs231n_shape():
    W, X, y = compare.dev_inputs(0)
    assert W.shape == (3073, 10) and X.shape == (500, 3073) and y.shape == (500,)


def test_agreement_measures_the_differences_it_reports():
    W, X, y = compare.make_inputs(30, 8, 4, rng=0)
    a = compare.agreement(W, X, y, 0.5, ("vectorized", "naive"))
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, 0.5)
    loss_n, dW_n = softmax_loss_naive(W, X, y, 0.5)
    assert a.loss == (loss_v, loss_n)
    assert a.loss_abs_diff == abs(loss_v - loss_n)
    assert a.dW_fro_diff == pytest.approx(np.linalg.norm(dW_v - dW_n), abs=1e-300)
    assert a.dW_rel_diff == pytest.approx(a.dW_fro_diff / np.linalg.norm(dW_n), abs=1e-300)
    assert a.within(1e-12)


def test_agreement_sees_a_wrong_implementation():
    def half_reg(W, X, y, reg):  # the classic 1/2-vs-2 regulariser bug
        return softmax_loss_vectorized(W, X, y, reg / 2)

    W, X, y = compare.make_inputs(30, 8, 4, rng=0)
    impls = {"wrong": half_reg, "naive": softmax_loss_naive}
    a = compare.agreement(W, X, y, 0.5, ("wrong", "naive"), impls)
    assert not a.within(1e-6)
    assert a.loss_rel_diff > 1e-4
    with pytest.raises(ValueError, match="unknown implementation"):
        compare.agreement(W, X, y, 0.5, ("numba", "naive"))


# --------------------------------------------------------------------------- timing


def test_time_implementations_rounds_and_ratios():
    W, X, y = compare.make_inputs(20, 6, 3, rng=0)
    timing = compare.time_implementations(
        W, X, y, 0.1, ("naive", "vectorized", "fast", "gemm_bound"), rounds=5
    )
    assert set(timing.times) == {"naive", "vectorized", "fast", "gemm_bound"}
    assert all(len(t) == 5 and min(t) > 0 for t in timing.times.values())
    assert timing.median("naive") == pytest.approx(float(np.median(timing.times["naive"])))
    per_round = np.array(timing.times["naive"]) / np.array(timing.times["vectorized"])
    assert timing.speedup("naive", "vectorized") == pytest.approx(float(np.median(per_round)))
    assert timing.ratio("vectorized", "vectorized") == 1.0
    with pytest.raises(ValueError, match="unknown"):
        compare.time_implementations(W, X, y, 0.1, ("numba",))


def test_fit_loglog_slope_recovers_a_power_law():
    x = np.array([10.0, 100.0, 1000.0, 5000.0])
    slope, intercept = compare.fit_loglog_slope(x, 3.0 * x**1.5)
    assert slope == pytest.approx(1.5)
    assert intercept == pytest.approx(math.log10(3.0))
    with pytest.raises(ValueError, match="positive"):
        compare.fit_loglog_slope([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="length"):
        compare.fit_loglog_slope([1.0], [1.0])


def test_scaling_experiment_and_its_figure():
    result = compare.scaling_experiment([8, 32, 16, 16], D=5, C=3, rounds=1, rng=0)
    np.testing.assert_array_equal(result.Ns, [8, 16, 32])  # sorted, duplicates dropped
    assert set(result.times) == {"naive", "vectorized", "gemm_bound"}
    for name, t in result.times.items():
        assert t.shape == (3,) and (t > 0).all()
        assert result.slopes[name] == pytest.approx(compare.fit_loglog_slope(result.Ns, t)[0])
    fig = compare.plot_scaling(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert "N" in ax.get_xlabel() and ax.get_title()
    assert "per example" in ax.get_ylabel() and "µs" in ax.get_ylabel()
    lines = ax.get_lines()
    assert len(lines) == 3
    for line, (name, t) in zip(lines, result.times.items(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), result.Ns)
        np.testing.assert_allclose(line.get_ydata(), t / result.Ns * 1e6)  # µs per example
        assert line.get_color() == compare.IMPL_COLORS[name]
        low, high = ax.get_ylim()
        assert low < line.get_ydata().min() and line.get_ydata().max() < high
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == [compare.IMPL_LABELS[n] for n in result.times]
    assert not any("bound" in label or "floor" in label for label in labels)
    with pytest.raises(ValueError, match="two"):
        compare.scaling_experiment([8, 8], D=5, C=3, rounds=1)


def test_speedup_vs_D_and_its_figure():
    result = compare.speedup_vs_D([3, 1, 9], N=30, C=3, rounds=3, rng=0)
    np.testing.assert_array_equal(result.Ds, [1, 3, 9])
    assert result.speedup.shape == result.naive_s.shape == result.vectorized_s.shape == (3,)
    assert (result.speedup > 1).all()  # loops over 30 x 3 scores are never faster
    fig = compare.plot_speedup_vs_D(result)
    ax = fig.axes[0]
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), result.Ds)
    np.testing.assert_array_equal(line.get_ydata(), result.speedup)
    hundred = ax.get_lines()[1]
    assert list(hundred.get_ydata()) == [100, 100]
    assert "D" in ax.get_xlabel() and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 2  # no model given, no model drawn


def exact_speedup_result(model, Ds):
    """A SpeedupResult whose times follow ``model`` exactly."""
    Ds = np.asarray(Ds)
    naive, vec = model.naive_s(Ds), model.vectorized_s(Ds)
    return compare.SpeedupResult(Ds, model.N, model.C, naive, vec, naive / vec)


def test_fit_cost_model_recovers_known_costs_and_its_limits():
    truth = compare.CostModel(N=1000, C=10, t_py=4e-6, t_dot=2e-9, t0=2e-5, t_v=2e-10)
    result = exact_speedup_result(truth, [1, 3, 10, 30, 100, 300, 1000, 3073])
    fit = compare.fit_cost_model(result)
    for name in ("t_py", "t_dot", "t0", "t_v"):
        assert getattr(fit, name) == pytest.approx(getattr(truth, name), rel=1e-6), name
    np.testing.assert_allclose(fit.speedup(result.Ds), result.speedup, rtol=1e-6)
    # The two ends of the curve: interpreter cost against fixed cost, loop body against GEMM.
    assert fit.small_D_limit == pytest.approx(1000 * 10 * 4e-6 / 2e-5)
    assert fit.large_D_limit == pytest.approx(2e-9 / 2e-10)
    assert fit.speedup(1e-9) == pytest.approx(fit.small_D_limit, rel=1e-6)
    assert fit.speedup(1e12) == pytest.approx(fit.large_D_limit, rel=1e-3)
    with pytest.raises(ValueError, match="two"):
        compare.fit_cost_model(exact_speedup_result(truth, [10]))


def test_speedup_figure_overlays_the_model():
    truth = compare.CostModel(N=100, C=10, t_py=4e-6, t_dot=2e-9, t0=2e-5, t_v=2e-10)
    result = exact_speedup_result(truth, [1, 10, 100, 1000])
    fig = compare.plot_speedup_vs_D(result, truth)
    measured, _hundred, model = fig.axes[0].get_lines()
    np.testing.assert_array_equal(measured.get_ydata(), result.speedup)
    assert model.get_xdata()[0] == 1 and model.get_xdata()[-1] == pytest.approx(1000)
    np.testing.assert_allclose(model.get_ydata(), truth.speedup(model.get_xdata()))
    assert "cost model" in model.get_label()


def test_read_bandwidth_is_bytes_over_time():
    X = np.ones((200, 500))
    rate = compare.read_bandwidth(X, rounds=3)
    assert 1e7 < rate < 1e13  # bytes per second: between 10 MB/s and 10 TB/s
    with pytest.raises(ValueError, match="2-D"):
        compare.read_bandwidth(np.ones(10))
    with pytest.raises(ValueError, match="rounds"):
        compare.read_bandwidth(X, rounds=0)


# --------------------------------------------------------------------------- the panel


def small_panel(**kwargs):
    args = {"N": 60, "D": 20, "C": 4, "reg": 0.3, "seed": 3}
    args.update(kwargs)
    return compare.comparison_panel(**args)


def test_panel_shows_what_it_computed():
    panel = small_panel()
    r = panel.last
    assert (r["N_requested"], r["N"], r["D"], r["C"], r["dtype"]) == (60, 60, 20, 4, "float64")
    assert not r["capped"] and r["agree"] and r["rtol"] == 1e-12
    # The outputs are those of the package's functions on the panel's seeded inputs.
    rng = np.random.default_rng(3)
    compare.make_inputs(60, 20, 4, rng=rng)  # the probe draw
    W, X, y = compare.make_inputs(60, 20, 4, rng=rng)
    for name, fn in [
        ("naive", softmax_loss_naive),
        ("vectorized", softmax_loss_vectorized),
        ("fast", softmax_loss_fast),
    ]:
        loss, dW = fn(W, X, y, 0.3)
        assert r["outputs"][name][0] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(r["outputs"][name][1], dW, rtol=1e-10, atol=1e-15)
    # The agreement numbers are computed from those outputs.
    (loss_n, dW_n), (loss_v, dW_v) = r["outputs"]["naive"], r["outputs"]["vectorized"]
    assert r["loss_rel_diff"] >= abs(loss_v - loss_n) / abs(loss_n)
    assert r["dW_rel_diff"] >= np.linalg.norm(dW_v - dW_n) / np.linalg.norm(dW_n)
    # The bar chart's bars are the median times in ms; the readout prints them.
    bars = panel.figure.axes[0].patches
    np.testing.assert_allclose(
        [b.get_height() for b in bars],
        [r["times"][n] * 1e3 for n in ("naive", "vectorized", "fast")],
    )
    text = panel.readout.value
    assert f"fast / vectorized {r['fast_ratio']:.2f}" in text
    assert "✓ agree to 1e-12" in text and "capped" not in text
    assert panel.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert repr(panel) == "ComparisonPanel(N=60, D=20, C=4, reg=3.0e-01, dtype='float64')"


def test_run_button_reruns_with_the_slider_values():
    panel = small_panel()
    panel.c_slider.value = 7
    panel.dtype_picker.value = "float32"
    panel.run_button.click()
    r = panel.last
    assert (r["C"], r["dtype"], r["rtol"]) == (7, "float32", 1e-5)
    assert r["outputs"]["fast"][1].dtype == np.float32 and r["outputs"]["fast"][1].shape == (20, 7)
    assert r["agree"]


def test_naive_time_budget_caps_N_and_says_so():
    panel = small_panel(budget_s=1e-3)  # far less than 60 rows of loops take
    r = panel.last
    per_row = r["naive_estimate_s"] / r["N_requested"]
    assert r["capped"] and r["N"] < r["N_requested"]
    assert r["N"] == max(10, int(0.5 * 1e-3 / per_row))
    assert f"N capped at {r['N']}" in panel.readout.value
    assert f"you asked for {r['N_requested']}" in panel.readout.value
    with pytest.raises(ValueError, match="budget_s"):
        compare.comparison_panel(budget_s=0)


def test_panel_speedup_agrees_with_the_times_it_shows():
    """What a reader sees: the printed speedup is the printed naive time over the
    printed vectorized time (up to their rounding), in the readout and the title."""
    import re

    panel = small_panel(N=200)
    r = panel.last
    assert r["calls"]["vectorized"] == r["calls"]["fast"] == 5 and 1 <= r["calls"]["naive"] <= 5
    assert r["speedup"] == r["times"]["naive"] / r["times"]["vectorized"]
    assert r["fast_ratio"] == r["times"]["fast"] / r["times"]["vectorized"]
    text = panel.readout.value
    shown = {
        name: float(re.search(rf"{name} ([0-9.,]+) ms", text).group(1).replace(",", ""))
        for name in ("naive", "vectorized", "fast")
    }
    printed = re.search(r"speedup ([0-9.]+)×", text).group(1)
    speedup = float(printed)
    # The times print with 3 significant digits (each off by at most 0.5 in the third), the
    # speedup with the decimals it shows (off by at most half its last digit): the printed
    # speedup must agree with the printed times within those roundings, no more.
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    from_times = shown["naive"] / shown["vectorized"]
    assert abs(speedup - from_times) <= 0.5 * 10.0**-decimals + from_times * 0.011, (
        printed,
        shown,
    )
    ratio = float(re.search(r"fast / vectorized ([0-9.]+)", text).group(1))
    assert ratio == pytest.approx(shown["fast"] / shown["vectorized"], rel=0.015, abs=0.006)
    title = panel.figure.axes[0].get_title()
    assert (
        title
        == f"vectorized {re.search(r'speedup ([0-9.]+×)', text).group(1)} faster than the loops"
    )
    bars = panel.figure.axes[0].patches
    heights = [b.get_height() for b in bars]
    assert heights[0] / heights[1] == pytest.approx(r["speedup"])


def test_differences_of_two_results():
    dW = np.array([[3.0, 0.0], [0.0, 4.0]])  # ‖dW‖_F = 5
    d = compare.differences((2.0, dW + 0.1 * np.eye(2)), (2.5, dW), names=("x", "ref"))
    assert d.names == ("x", "ref") and d.loss == (2.0, 2.5)
    assert d.loss_abs_diff == pytest.approx(0.5) and d.loss_rel_diff == pytest.approx(0.2)
    assert d.dW_fro_diff == pytest.approx(0.1 * math.sqrt(2))
    assert d.dW_rel_diff == pytest.approx(0.1 * math.sqrt(2) / 5)
    assert not d.within(0.1) and d.within(0.2)
    with pytest.raises(ValueError, match="shapes"):
        compare.differences((0.0, np.zeros((2, 2))), (0.0, np.zeros((2, 3))))


def test_time_block_rows_names_and_what_it_times():
    W, X, y = compare.make_inputs(40, 6, 3, rng=0)
    timing = compare.time_block_rows(W, X, y, 0.1, (8, None, 500), rounds=3)
    # None is the default block size (40 rows here: all of N), 500 is clipped to N.
    assert list(timing.times) == ["vectorized", "gemm_bound", "fast@8", "fast@40"]
    assert all(len(t) == 3 and min(t) > 0 for t in timing.times.values())
    with pytest.raises(ValueError, match="block_rows"):
        compare.time_block_rows(W, X, y, 0.1, (0,))


def test_time_callables_counts_every_call():
    calls = {"a": 0, "b": 0}

    def bump(name):
        calls[name] += 1

    timing = compare.time_callables({n: (lambda n=n: bump(n)) for n in calls}, rounds=4)
    assert calls == {"a": 5, "b": 5}  # one warm-up and 4 rounds each
    assert [len(t) for t in timing.times.values()] == [4, 4]
    with pytest.raises(TypeError, match="callable"):
        compare.time_callables({"a": 3})


def test_column_costs_times_the_four_operations():
    W, X, _ = compare.make_inputs(2, 50, 4, rng=0)
    timing = compare.column_costs(W, X[0], rounds=3)
    assert list(timing.times) == ["dot, column", "dot, row", "update, column", "update, row"]
    assert all(len(t) == 3 and min(t) > 0 for t in timing.times.values())
    with pytest.raises(ValueError, match=r"\(D, C\)"):
        compare.column_costs(W, X[0, :10])
