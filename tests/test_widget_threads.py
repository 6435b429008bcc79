"""Widget redraws from two threads at once (JupyterLab's comm subshells do this).

JupyterLab >= 4.4 can run a slider's callback on a kernel subshell thread while
the next cell changes the same widget. Without serialised redraws the figure of
notebook 01's explorer came out blank (a fully transparent PNG) in the browser.
"""

from __future__ import annotations

import io
import threading

import matplotlib.image as mpimg

from softmax.display import _style
from softmax.display.widgets import TEMPERATURES, logits_explorer


def alpha_max(png: bytes) -> float:
    return float(mpimg.imread(io.BytesIO(png), format="png")[..., 3].max())


def hammer(setter, values, threads=2):
    errors = []

    def work(offset):
        try:
            for v in values[offset::threads]:
                setter(v)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors


def test_concurrent_slider_changes_leave_a_drawn_figure():
    explorer = logits_explorer()
    values = list(TEMPERATURES) * 3

    def set_temperature(value):
        explorer.temperature_slider.value = float(value)

    hammer(set_temperature, values)
    explorer.refresh()
    assert alpha_max(explorer.image.value) == 1.0, "the explorer's figure was left blank"


def test_redraws_do_not_overlap():
    inside, overlaps = [0], []

    @_style.one_redraw_at_a_time
    def redraw(_):
        inside[0] += 1
        overlaps.append(inside[0] > 1)
        sum(range(2000))  # some work while "drawing"
        inside[0] -= 1

    hammer(redraw, list(range(400)), threads=4)
    assert len(overlaps) == 400 and not any(overlaps)
