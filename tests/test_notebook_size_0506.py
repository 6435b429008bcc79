"""What goes beyond the course's line lives in notebooks/optional/ (so the core notebooks
stay within a sitting: tests/test_notebook_size.py): each optional notebook's first cell
says it is optional and what it needs, a core notebook links it, and `make execute` and
nbval run it. Every core notebook has one h1 and no skipped heading level.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ["05_naive_vs_vectorized", "06_training"]
OPTIONAL = sorted((ROOT / "notebooks" / "optional").glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def test_there_are_optional_notebooks_and_each_says_so_first():
    assert {p.stem for p in OPTIONAL} >= {"performance_lab", "training_deeper", "spiral"}
    for path in OPTIONAL:
        first = text(cells(path)[0])
        assert first.startswith("# Optional · "), path.name
        assert "optional" in first.lower().split("needs")[0], path.name
        assert "needs" in first, f"{path.name}: the first cell says what it needs"


def test_core_notebooks_link_their_optional_notebooks():
    linked = set()
    for name in CORE:
        source = (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        linked |= set(re.findall(r"\]\(optional/(\w+)\.ipynb\)", source))
    assert linked == {p.stem for p in OPTIONAL}


def test_make_execute_runs_the_optional_notebooks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "notebooks/optional/*.ipynb" in makefile.split("NOTEBOOKS :=")[1].splitlines()[0]


@pytest.mark.parametrize("name", CORE + [f"optional/{p.stem}" for p in OPTIONAL])
def test_headings_one_h1_no_skipped_levels(name):
    levels = []
    for cell in cells(ROOT / "notebooks" / f"{name}.ipynb"):
        if cell["cell_type"] == "markdown":
            in_fence = False
            for line in text(cell).splitlines():
                in_fence ^= line.startswith("```")
                match = re.match(r"(#{1,6}) ", line)
                if match and not in_fence:
                    levels.append(len(match.group(1)))
    assert levels.count(1) == 1 and levels[0] == 1, f"{name}: headings {levels}"
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"{name}: h{before} followed by h{after}"
