"""Core notebooks a student can finish in one sitting (issue 17 §2): at most about 2,000 words
of prose (Markdown cells, speaker notes included; words are runs of letters, digits or
underscores, maths included, as the issue counted them) and at most 50 cells each.

Notebooks over a limit today are expected failures in KNOWN_OVERSIZE, with strict=True: a
notebook that comes under the limits makes its entry fail until it is taken off the list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MAX_WORDS = 2000
MAX_CELLS = 50

CORE = [
    "01_cross_entropy",
    "02_log_sum_exp",
    "03_gradient",
    "04_gradient_checking",
    "05_naive_vs_vectorized",
    "06_training",
]
# Over a limit today (cells, words at the time of listing); the lead empties this list.
KNOWN_OVERSIZE: dict[str, str] = {}


def prose_words(nb: dict) -> int:
    """Words (runs of letters, digits or underscores) of every Markdown cell."""
    return sum(
        len(re.findall(r"\w+", "".join(c["source"])))
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
    )


def test_prose_words_counts_markdown_only():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["The loss $L = -\\ln p_y$\n", "(03)."]},
            {"cell_type": "code", "source": ["print('not prose at all')"]},
        ]
    }
    assert prose_words(nb) == 6  # The, loss, L, ln, p_y, 03: nothing from the code cell


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
