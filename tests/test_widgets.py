"""softmax.display.widgets: the explorers of notebooks 01 and 02, driven from code (no browser)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from softmax import log_softmax, softmax
from softmax.display import widgets
from softmax.display._style import PALETTE

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class TestLogitsExplorer:
    def test_initial_state(self):
        w = widgets.logits_explorer([2.0, 1.0, 0.1, -1.0], true_class=0)
        assert isinstance(w, ipywidgets.HBox)
        np.testing.assert_allclose(w.probabilities, softmax([2.0, 1.0, 0.1, -1.0]))
        assert w.loss == pytest.approx(-math.log(w.probabilities[0]))
        assert bytes(w.image.value).startswith(PNG)
        heights = [bar.get_height() for bar in w.figure.axes[0].patches]
        np.testing.assert_allclose(heights, w.probabilities)
        assert "0.4493" in w.readout.value  # -ln p_0
        assert (
            repr(w)
            == "LogitsExplorer(logits=[2.0, 1.0, 0.1, -1.0], temperature=1.00, true_class=0)"
        )

    def test_moving_a_logit_slider_updates_everything(self):
        w = widgets.logits_explorer([2.0, 1.0, 0.1, -1.0], true_class=0)
        before = w.image.value
        w.logit_sliders[3].value = 4.0
        expected = softmax([2.0, 1.0, 0.1, 4.0])
        np.testing.assert_allclose(w.probabilities, expected)
        np.testing.assert_allclose([b.get_height() for b in w.figure.axes[0].patches], expected)
        assert w.image.value != before and bytes(w.image.value).startswith(PNG)
        assert f"{expected[3]:.4f}" in w.readout.value
        assert w.figure.axes[0].get_title().endswith(f"loss = {-math.log(expected[0]):.3f}")

    def test_temperature_and_true_class(self):
        w = widgets.logits_explorer([2.0, 1.0, 0.1, -1.0], true_class=0)
        w.temperature_slider.value = 0.5
        s = np.array([2.0, 1.0, 0.1, -1.0])
        np.testing.assert_allclose(w.probabilities, softmax(s / 0.5))
        w.true_class_picker.value = 3
        assert w.loss == pytest.approx(-log_softmax(s / 0.5)[3])
        colors = [to_hex(b.get_facecolor()) for b in w.figure.axes[0].patches]
        assert colors[3] == PALETTE[1].lower() and colors[0] == PALETTE[0].lower()
        assert w.summary() == (
            "T = 0.50, true class 3: p = [0.8619, 0.1166, 0.0193, 0.0021], loss = −ln p_y = 6.1486"
        )

    def test_temperature_values_are_exact_after_a_browser_round_trip(self):
        w = widgets.logits_explorer([2.0, 1.0, 0.1, -1.0], temperature=0.5)
        slider = w.temperature_slider
        assert 0.5 in widgets.TEMPERATURES and 1.0 in widgets.TEMPERATURES
        assert min(widgets.TEMPERATURES) == 0.1 and max(widgets.TEMPERATURES) == 10.0
        # The front end holds only the index; setting the state it sends back must give
        # the exact value and label (a FloatLogSlider turned 0.5 into 0.501 here).
        state = slider.get_state()
        assert "value" not in state
        for i, t in enumerate(widgets.TEMPERATURES):
            slider.set_state({"index": i})
            assert slider.value == t and w.temperature == t
            assert slider.label == f"{t:g}"
            np.testing.assert_array_equal(w.probabilities, softmax(w.logits / t))
        slider.set_state({"index": state["index"]})
        assert w.temperature == 0.5
        assert w.summary().startswith("T = 0.50,")

    def test_equal_logits_give_ln_c(self):
        w = widgets.logits_explorer([1.0, 1.0, 1.0], true_class=1)
        assert w.loss == pytest.approx(math.log(3))

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="2 to 6"):
            widgets.logits_explorer([1.0])
        with pytest.raises(ValueError, match=r"\[-6, 6\]"):
            widgets.logits_explorer([10.0, 0.0])
        with pytest.raises(ValueError, match="true_class"):
            widgets.logits_explorer([1.0, 0.0], true_class=2)
        with pytest.raises(TypeError, match="true_class"):
            widgets.logits_explorer([1.0, 0.0], true_class="0")
        with pytest.raises(ValueError, match="temperature"):
            widgets.logits_explorer([1.0, 0.0], temperature=100)
        with pytest.raises(ValueError, match="temperature must be one of"):
            widgets.logits_explorer([1.0, 0.0], temperature=0.501)


class TestStabilityExplorer:
    def test_initial_state_is_fine_at_small_scale(self):
        w = widgets.stability_explorer([1.0, 0.0, -1.0], scale=10.0, dtype="float64")
        assert isinstance(w, ipywidgets.VBox)
        r = w.results()
        # |log p| < 1e-4 for class 0: the naive log(1 - tiny) keeps only ~1e-12 relative.
        np.testing.assert_allclose(r["naive"], r["exact"], rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(r["shifted"], r["exact"], rtol=1e-14, atol=1e-15)
        assert r["warnings"] == []
        assert bytes(w.image.value).startswith(PNG)
        assert "naive warnings:</b> none" in w.readout.value
        assert (
            repr(w)
            == "StabilityExplorer(base_scores=[1.0, 0.0, -1.0], scale=10.0, dtype='float64')"
        )

    def test_float32_past_the_underflow_edge(self):
        w = widgets.stability_explorer([1.0, 0.0, -1.0])
        w.dtype_toggle.value = "float32"
        w.scale_slider.value = 60.0
        assert w.scores.dtype == np.float32
        rows = w.rows()
        assert rows[2] == ("2", "-60", "-inf", "-120", "-120")
        assert "divide by zero encountered in log" in w.summary()
        assert "-inf" in w.readout.value
        ax = w.figure.axes[0]
        assert ax.get_title() == "float32: naive vs max-shifted log-softmax"
        current = [line for line in ax.lines if line.get_label() == "current scale"]
        assert current[0].get_xdata()[0] == pytest.approx(60.0)

    def test_overflow_gives_nan_and_the_shifted_column_stays_exact(self):
        w = widgets.stability_explorer([1.0, 0.0, -1.0], dtype="float32")
        w.scale_slider.value = 100.0
        r = w.results()
        assert np.isnan(r["naive"][0])
        np.testing.assert_allclose(r["shifted"], r["exact"], rtol=1e-6, atol=1e-30)
        assert "RuntimeWarning: overflow encountered in exp" in r["warnings"]

    def test_switching_dtype_redraws(self):
        w = widgets.stability_explorer([1.0, 0.0, -1.0], scale=500.0, dtype="float64")
        assert np.isinf(w.results()["naive"][2])  # e^-1000 underflows even in float64
        before = w.image.value
        w.dtype_toggle.value = "float32"
        assert w.image.value != before
        assert w.figure.axes[0].get_title().startswith("float32")
        assert set(w.sweeps) == {"float32", "float64"}

    def test_scale_values_are_exact_and_straddle_every_edge(self):
        w = widgets.stability_explorer([1.0, 0.0, -1.0], scale=60.0, dtype="float32")
        state = w.scale_slider.get_state()
        assert "value" not in state  # the front end sends an index
        w.scale_slider.set_state({"index": widgets.SCALES.index(100)})
        assert w.scale == 100.0 and w.scores.dtype == np.float32
        w.scale_slider.set_state({"index": state["index"]})
        assert w.scale == 60.0
        # Each edge lies between two neighbouring slider values, and the naive result
        # changes there: finite below, -inf (p_2 underflows) or nan (exp overflows) above.
        for dtype in ("float32", "float64"):
            info = np.finfo(dtype)
            underflow = -(math.log(float(info.smallest_subnormal)) - math.log(2)) / 2
            overflow = math.log(float(info.max))
            w.dtype_toggle.value = dtype
            for edge, fails in ((underflow, np.isinf), (overflow, np.isnan)):
                below = max(v for v in widgets.SCALES if v < edge)
                above = min(v for v in widgets.SCALES if v > edge)
                assert above - below <= 5, (dtype, edge, below, above)
                w.scale_slider.value = float(below)
                assert not fails(w.results()["naive"]).any(), (dtype, below)
                w.scale_slider.value = float(above)
                assert fails(w.results()["naive"]).any(), (dtype, above)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="2 to 6"):
            widgets.stability_explorer([1.0])
        with pytest.raises(ValueError, match="scale"):
            widgets.stability_explorer(scale=0.5)
        with pytest.raises(ValueError, match="scale must be one of"):
            widgets.stability_explorer(scale=61.0)
        with pytest.raises(ValueError, match="dtype"):
            widgets.stability_explorer(dtype="float16")
        with pytest.raises(ValueError, match=r"\[-10, 10\]"):
            widgets.stability_explorer([100.0, 0.0])
