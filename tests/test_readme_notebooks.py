"""The README's notebook table and reading order describe the notebooks that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _table_rows() -> list[tuple[str, str]]:
    section = README.split("## The notebooks", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| \[`([^`]+)`\]\(notebooks/([^)]+)\.ipynb\) \|", section, re.M)


def _title_number(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return re.match(r"# (\d\d) · ", "".join(cells[0]["source"])).group(1)


def test_the_table_lists_every_notebook_once_in_file_order():
    listed = [target for _, target in _table_rows()]
    core = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    optional = sorted(p.stem for p in (ROOT / "notebooks" / "optional").glob("*.ipynb"))
    assert listed[: len(core)] == core
    assert sorted(listed[len(core) :]) == [f"optional/{n}" for n in optional]
    assert all(name == target for name, target in _table_rows())


def test_each_core_notebook_is_numbered_as_its_file_and_the_count_is_stated():
    core = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in core:
        assert _title_number(path) == path.stem[:2], path.name
    assert [p.stem[:2] for p in core] == [f"{i:02d}" for i in range(1, len(core) + 1)]
    assert f"Read the {WORDS[len(core)]} core notebooks in order" in README


def test_each_optional_notebook_names_a_core_notebook_it_comes_after():
    core_numbers = {p.stem[:2] for p in (ROOT / "notebooks").glob("*.ipynb")}
    for name, _ in _table_rows():
        if name.startswith("optional/"):
            row = README.split(f"[`{name}`]", 1)[1].split("\n", 1)[0]
            after = re.search(r"Optional, after (\d\d)", row)
            assert after and after.group(1) in core_numbers, name
