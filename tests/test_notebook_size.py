"""Core notebooks a student can finish in one sitting (issue 17 §2): at most about 2,000 words
of prose (Markdown cells, speaker notes included) and at most 50 cells each.

Notebooks over a limit today are expected failures in KNOWN_OVERSIZE, with strict=True: a
notebook that comes under the limits makes its entry fail until it is taken off the list.
The 04/05 notebooks' owner adds theirs to CORE.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MAX_WORDS = 2000
MAX_CELLS = 50

CORE = ["01_cross_entropy", "02_log_sum_exp", "03_gradient"]
# Over a limit today (cells, words at the time of listing); the lead empties this list.
KNOWN_OVERSIZE = {
    "02_log_sum_exp": "61 cells",
    "03_gradient": "85 cells, 2.7k words: to be split (derivation / gradient checking)",
}


def prose_words(nb: dict) -> int:
    """Whitespace-separated words of every Markdown cell."""
    return sum(
        len("".join(c["source"]).split()) for c in nb["cells"] if c["cell_type"] == "markdown"
    )


def test_prose_words_counts_markdown_only():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["two words\n", "and $x$ three"]},
            {"cell_type": "code", "source": ["print('not prose at all')"]},
        ]
    }
    assert prose_words(nb) == 5


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                name in KNOWN_OVERSIZE, reason=KNOWN_OVERSIZE.get(name, ""), strict=True
            ),
        )
        for name in CORE
    ],
)
def test_core_notebook_size(name):
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    cells, words = len(nb["cells"]), prose_words(nb)
    assert cells <= MAX_CELLS and words <= MAX_WORDS, f"{name}: {cells} cells, {words} words"
