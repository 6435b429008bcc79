"""The student edition (``make student``) and its grading (``make autograde-demo``), with nbgrader.

- The release strips every solution and hidden test, and Run All on it finishes with no error
  cell, every check cell saying "not implemented yet".
- The autograde demo: the reference solution gets every autograded point; each fake student
  built from a mistake of :data:`softmax.mistakes.CATALOGUE` loses exactly the points of the
  parts that mistake breaks (:attr:`Mistake.parts`), and their feedback HTML names the mistake;
  a student whose code raises, and one that calls the package's reference loss, lose every
  point of the loss exercises and keep the others.
- The exercise notebooks are not lecture notebooks: no deck, no lab-test notebook.
"""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import student  # noqa: E402
from browser_util import notebook_paths  # noqa: E402

from softmax.mistakes import CATALOGUE  # noqa: E402

# The autograde demo grades about 25 notebooks (a few CPU-minutes); on a machine shared with
# other jobs it can pass the suite's 600 s per test.
pytestmark = pytest.mark.timeout(1200)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def source_cells():
    for path in student.exercise_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            yield path, cell


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> list[Path]:
    return student.release(tmp_path_factory.mktemp("student") / "student")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("demo") / "out"
    start = time.perf_counter()
    summary = student.autograde_demo(out, jobs=2)
    summary["out"] = out
    print(f"\nautograde demo: {time.perf_counter() - start:.0f} s\n{student.score_table(summary)}")
    return summary


# --------------------------------------------------------------------------- the sources


def test_exercises_are_separate_from_the_lecture_notebooks():
    """Decks and the lab test use notebooks/*.ipynb only: the exercises (solutions inside) are
    never built into slides."""
    lectures = notebook_paths()
    assert lectures and all(p.parent.name == "notebooks" for p in lectures)
    assert not set(student.exercise_notebooks()) & set(lectures)


def test_every_graded_part_has_a_hidden_test_the_tool_can_read():
    """Each autograded cell tests one part of one report (GRADED_RE), or the training outcome;
    each report variable is set by a read-only check cell; points are positive."""
    reports = {report for _, report in student.SOLUTION_CELLS.values()}
    for path, cell in source_cells():
        meta = nbgrader_meta(cell)
        if not (meta.get("grade") and cell.cell_type == "code"):
            continue
        assert meta["points"] > 0 and meta["locked"] and not meta["solution"]
        assert "### BEGIN HIDDEN TESTS" in cell.source, (path.name, meta["grade_id"])
        m = student.GRADED_RE.search(cell.source)
        assert m or "training_report.ok" in cell.source, cell.source
        if m:
            assert m["report"] in reports
    assert student._parts_of("vectorized_report") == {
        "loss",
        "gradient",
        "stability",
        "side-effects",
        "vectorization",
    }


def test_every_catalogue_mistake_has_a_graded_place():
    """Every part a mistake breaks is graded in the cells the fake student fills, so every
    mistake costs points."""
    for mistake in CATALOGUE.values():
        cells = student.MISTAKE_CELLS[mistake.check]
        for grade_id in cells:
            _, report = student.SOLUTION_CELLS[grade_id]
            graded = student._parts_of(report)
            assert mistake.parts - {"interface"} <= graded, (mistake.id, report, graded)


# --------------------------------------------------------------------------- the release


def test_release_has_stubs_and_no_solution_or_hidden_test(released):
    assert [p.name for p in released] == [p.name for p in student.exercise_notebooks()]
    assert (released[0].parent / "README.md").is_file()
    for path in released:
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", ".wrong"):
            assert marker not in text, (path.name, marker)
        nb = nbformat.read(path, as_version=4)
        solutions = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
        assert solutions
        for cell in solutions:
            if cell.cell_type == "code":
                assert cell.source.rstrip().endswith("raise NotImplementedError()"), cell.source
            else:
                assert cell.source == "YOUR ANSWER HERE"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_run_all_on_the_release_says_not_implemented_and_no_error(released):
    """What a student sees on opening the edition and pressing Run All."""
    for path in released:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        errors = [
            (cell.source.splitlines()[0], out.get("ename"))
            for cell in nb.cells
            for out in cell.get("outputs", [])
            if out.output_type == "error"
        ]
        assert errors == [], f"{path.name}: {errors}"
        checks = [c for c in nb.cells if nbgrader_meta(c).get("grade_id", "").startswith("check_")]
        assert checks
        for cell in checks:
            shown = "".join(
                out.get("text", "") + out.get("data", {}).get("text/plain", "")
                for out in cell.outputs
            )
            assert "not implemented yet" in shown, (path.name, cell.source, shown)


# --------------------------------------------------------------------------- autograding


def rows_by_student(demo) -> dict[str, dict]:
    return {row["student"]: row for row in demo["students"]}


def test_reference_gets_every_autograded_point(demo):
    ref = rows_by_student(demo)["reference"]
    total = sum(
        nbgrader_meta(c)["points"]
        for _, c in source_cells()
        if nbgrader_meta(c).get("grade") and c.cell_type == "code"
    )
    assert all(nb["submitted"] for nb in ref["notebooks"].values())
    assert sum(nb["score"] for nb in ref["notebooks"].values()) == total
    assert all(nb["score"] == nb["max"] for nb in ref["notebooks"].values())


@pytest.mark.parametrize("mistake_id", sorted(CATALOGUE))
def test_each_mistake_loses_the_points_of_the_parts_it_breaks(demo, mistake_id):
    row = rows_by_student(demo)[mistake_id]
    lost = {cell for cell, points in row["expected_cells"].items() if points == 0}
    submitted = {name for name, nb in row["notebooks"].items() if nb["submitted"]}
    assert any(cell.split("/")[0] in submitted for cell in lost), "the mistake costs nothing"
    assert row["cells"] == row["expected_cells"]


def feedback_text(demo, student_id: str, notebook: str) -> str:
    """The feedback HTML's text: tags removed, entities decoded, whitespace runs as one space."""
    path = demo["out"] / "feedback" / student_id / student.ASSIGNMENT / f"{notebook}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("mistake_id", sorted(CATALOGUE))
def test_feedback_html_names_the_mistake(demo, mistake_id):
    """The report in the feedback names the mistake ("[id]", not the fake student's own code,
    which says CATALOGUE['id']) and gives its diagnosis."""
    mistake = CATALOGUE[mistake_id]
    row = rows_by_student(demo)[mistake_id]
    (name,) = [n for n, nb in row["notebooks"].items() if nb["submitted"]]
    text = feedback_text(demo, mistake_id, name)
    assert f"[{mistake_id}]" in text
    assert re.sub(r"\s+", " ", mistake.diagnosis) in text


@pytest.mark.parametrize(
    ("student_id", "shown"),
    [
        ("raises", "got IndexError: index 4 is out of bounds"),
        ("calls-reference", "called the package's own softmax.softmax_loss_vectorized"),
    ],
)
def test_broken_students_lose_the_loss_exercises_only(demo, student_id, shown):
    row = rows_by_student(demo)[student_id]
    assert row["cells"] == row["expected_cells"]
    lost = {cell for cell, points in row["expected_cells"].items() if points == 0}
    loss_cells = {c for c in row["cells"] if c.startswith("02_loss/naive_")} | {
        c for c in row["cells"] if c.startswith("02_loss/vectorized_")
    }
    assert loss_cells and loss_cells <= lost
    assert row["notebooks"]["02_loss"]["score"] > 0  # the numerical gradient still counts
    assert shown in feedback_text(demo, student_id, "02_loss")


def test_no_feedback_page_shows_a_hidden_test(demo):
    """Every demo student's feedback HTML (tools/course_config.py's settings): none of the
    exercise notebooks' hidden-test lines, no hidden-test marker; each graded cell shows its
    verdict instead of what the hidden test printed."""
    import course_config

    hidden = set()
    for path in student.exercise_notebooks():
        hidden |= course_config.notebook_hidden_test_lines(path)
    assert hidden
    pages = sorted((demo["out"] / "feedback").glob(f"*/{student.ASSIGNMENT}/*.html"))
    assert {p.parts[-3] for p in pages} == {row["student"] for row in demo["students"]}
    for page in pages:
        raw = page.read_text()
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", raw)))
        assert [line for line in hidden if line in text or line in raw] == [], page
        assert "HIDDEN TESTS" not in raw, page
        assert "points: this part of the check" in text, page


@pytest.mark.browser
def test_feedback_pages_pass_axe(demo):
    """A student's feedback page (the reference's and a mistaken student's, every notebook) has
    no serious or critical WCAG 2.1 A/AA violation that axe-core finds (tests/a11y_util.py), and
    loads nothing from the network (its maths is MathML, no MathJax)."""
    from a11y_util import AXE, run_axe, serious
    from browser_util import (
        assert_offline,
        browser_context,
        new_page,
        require_browser,
        slides_missing_dependency,
    )

    require_browser()
    if not AXE.is_file():  # axe-core comes with the slide assets (npm ci, package-lock.json)
        from browser_util import require

        require(slides_missing_dependency())
        import build_slides

        build_slides.ensure_node_modules()
    pages = sorted(
        p
        for who in ("reference", "missing-mean")
        for p in (demo["out"] / "feedback" / who / student.ASSIGNMENT).glob("*.html")
    )
    assert len(pages) >= 2
    with browser_context() as context:
        page = new_page(context)
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            found = serious(run_axe(page, "html"))
            assert found == [], f"{path}: {found}"
        assert_offline(page)
