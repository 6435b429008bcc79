"""softmax.display.source: the code shown in the notebooks is the package's, line for line."""

from __future__ import annotations

import doctest
import inspect

import pytest
from IPython.lib.pretty import pretty

from softmax import softmax_loss_naive, softmax_loss_vectorized
from softmax.display import source
from softmax.display.source import show_source


def test_doctest():
    assert doctest.testmod(source, optionflags=doctest.ELLIPSIS).failed == 0


def test_whole_function_is_its_source():
    listing = show_source(softmax_loss_naive)
    lines, first = inspect.getsourcelines(softmax_loss_naive)
    assert listing.lines == tuple(line.rstrip("\n") for line in lines)
    assert listing.first_line == first
    assert listing.filename == "loss.py"
    assert set(listing.notes) == {""}


def test_start_stop_and_notes_pick_the_lines():
    listing = show_source(
        softmax_loss_vectorized,
        start="S = X @ W",
        stop="dW = X.T @ S",
        notes={"np.exp(S, out=S)": "exp", "S[rows, y] -= 1": "P - Y"},
    )
    assert listing.lines[0].strip() == "S = X @ W"
    assert listing.lines[-1].strip() == "dW = X.T @ S"
    (k_exp,) = [k for k, line in enumerate(listing.lines) if line.startswith("np.exp(S")]
    assert listing.notes[k_exp] == "exp"
    assert listing.notes.count("") == len(listing.lines) - 2
    source_lines, first = inspect.getsourcelines(softmax_loss_vectorized)
    k = listing.first_line - first
    assert source_lines[k].strip() == "S = X @ W"


def test_text_and_html_show_every_line_and_note():
    listing = show_source(
        softmax_loss_vectorized,
        start="S = X @ W",
        stop="check_scores",
        notes={"S = X @ W": "s = xW <&>"},
    )
    text = str(listing)
    assert f"loss.py:{listing.first_line}" in text and "# s = xW <&>" in text
    assert pretty(listing) == text  # the plain-text output of a notebook cell
    page = listing._repr_html_()
    assert "s = xW &lt;&amp;&gt;" in page and "softmax/loss.py" in page
    assert page.count("<tr>") == len(listing.lines)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "no such line"}, "start"),
        ({"start": "S = X @ W", "stop": "rows = np.arange(N)"}, "stop"),  # stop before start
        ({"notes": {"not in the code": "x"}}, "notes"),
    ],
)
def test_drift_is_an_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_source(softmax_loss_vectorized, **kwargs)


def test_not_a_function():
    with pytest.raises(TypeError, match="func"):
        show_source(len)


def _commented(x):
    """A docstring."""
    # a comment line
    y = x + 1  # a trailing comment
    label = "no # comment here"  # but one here
    return (  # an open bracket first
        y,
        label,
    )


def test_comments_false_leaves_out_comments_and_keeps_line_numbers():
    full = show_source(_commented, start="# a comment line", stop="return")
    bare = show_source(_commented, start="# a comment line", stop="return", comments=False)
    assert bare.lines == ("y = x + 1", 'label = "no # comment here"', "return (")
    source_lines, first = inspect.getsourcelines(_commented)
    for number, line in zip(bare.numbers(), bare.lines, strict=True):
        assert source_lines[number - first].strip().startswith(line)
    assert bare.numbers() == full.numbers()[1:]
    assert "loss.py" not in str(bare) and "test_source.py" in str(bare)
    with pytest.raises(ValueError, match="notes"):  # notes see only what is shown
        show_source(
            _commented, start="y = x", stop="return", comments=False, notes={"trailing": "x"}
        )
