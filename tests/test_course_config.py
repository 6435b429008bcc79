"""The course directory (tools/course.py) and its nbgrader settings (tools/course_config.py),
piece by piece; tests/test_course_roundtrip.py runs them end to end."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import course  # noqa: E402
import course_config  # noqa: E402

HIDDEN = "assert not {'interface', 'loss'} & naive_report.wrong"


def graded_cell(score: float, points: float, outputs: list) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(
        f"# Graded by a hidden test: the loss ({points:g} points).\n"
        f"### BEGIN HIDDEN TESTS\n{HIDDEN}\n### END HIDDEN TESTS"
    )
    cell.metadata.nbgrader = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "naive_loss",
        "points": points,
        "score": score,
    }
    cell.outputs = outputs
    return cell


def hide(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb, _ = course_config.HideHiddenTests().preprocess(nb, {})
    return nb


def traceback(ename: str) -> dict:
    return nbformat.v4.new_output(
        "error", ename=ename, evalue="", traceback=["Traceback", f"----> 2 {HIDDEN}", ename]
    )


def test_a_failed_graded_cell_shows_its_points_and_verdict_not_the_traceback():
    nb = hide(graded_cell(0, 2, [traceback("AssertionError")]))
    (cell,) = nb.cells
    assert "HIDDEN" not in cell.source and HIDDEN not in cell.source
    assert cell.source.startswith("# Graded by a hidden test")
    (out,) = cell.outputs
    assert out.data["text/plain"].startswith("✗ 0 / 2 points: this part of the check failed")
    assert HIDDEN not in str(out)


def test_a_passed_graded_cell_shows_a_tick_and_an_other_error_is_named():
    assert (
        hide(graded_cell(2, 2, []))
        .cells[0]
        .outputs[0]
        .data["text/plain"]
        .startswith("✓ 2 / 2 points")
    )
    text = hide(graded_cell(0, 1, [traceback("NameError")])).cells[0].outputs[0].data["text/plain"]
    assert "✗ 0 / 1 points" in text and "NameError" in text


def test_any_output_quoting_a_hidden_line_is_removed():
    """A submission can print what it likes (e.g. the next cell's source, from a hook)."""
    student = nbformat.v4.new_code_cell("print(...)")
    student.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"next: {HIDDEN}\n"),
        nbformat.v4.new_output("stream", name="stdout", text="fine\n"),
    ]
    nb = hide(student, graded_cell(2, 2, []))
    assert [o.text for o in nb.cells[0].outputs] == [course_config.REMOVED_NOTICE + "\n", "fine\n"]


def test_hidden_test_lines_of_the_exercises():
    lines = set()
    for path in course.EXERCISES.glob("*.ipynb"):
        lines |= course_config.notebook_hidden_test_lines(path)
    assert "assert training_report.ok" in lines
    assert 'assert not {"interface", "loss"} & naive_report.wrong' in lines
    assert not any("Graded by a hidden test" in line for line in lines)


def test_maths_becomes_mathml_and_code_is_left_alone():
    html = (
        "<p>$$L = \\frac{1}{N}\\sum_i x_i$$</p><p>with $a &lt; b$ and "
        "<code>$x$</code> and 5 \\$ fee</p><pre>$$y$$</pre>"
    )
    out = course_config.math_to_mathml(html)
    assert out.count("<math") == 2
    assert 'display="block"' in out and "<mfrac>" in out
    assert "<mo>&lt;</mo>" in out or "<mo>&#x0003C;</mo>" in out
    assert "<code>$x$</code>" in out and "<pre>$$y$$</pre>" in out and "\\$ fee" in out
    assert "$$" not in re.sub(r"<pre>.*?</pre>", "", out)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_code_colours_meet_wcag_aa_on_the_feedback_page():
    """Every token colour of the feedback's Pygments style, on its own background and on the
    white of nbgrader's feedback cells (.input_area), is at least 4.5:1."""
    from pygments.styles import get_style_by_name

    style = get_style_by_name(course_config.PYGMENTS_STYLE)
    colours = {s["color"] for _, s in style if s["color"]}
    assert len(colours) >= 4
    for background in (style.background_color, "#ffffff"):
        worst = min(contrast("#" + c, background) for c in colours)
        assert worst >= 4.5, (background, worst)
    for pass_fail in (course_config.PASS_COLOUR, course_config.FAIL_COLOUR):
        assert contrast(pass_fail, "#ffffff") >= 4.5


def test_contrast_formula_on_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_new_course_directory(tmp_path):
    root = course.new(tmp_path / "c", tmp_path / "exchange")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "exchange").stat().st_mode) == 0o1777
    names = sorted(p.name for p in (root / "source" / "softmax").glob("*.ipynb"))
    assert names == sorted(p.name for p in course.EXERCISES.glob("*.ipynb"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    assert config.CourseDirectory.course_id == course.COURSE_ID
    assert config.CourseDirectory.root == str(root)
    assert config.Exchange.root == str(tmp_path / "exchange")
    assert config.OverwriteCells.add_missing_cells is True
    assert course_config.HideHiddenTests in config.GenerateFeedback.preprocessors
    assert course_config.DeduplicateIds in config.Autograde.sanitize_preprocessors
    assert config.CSSHTMLHeaderPreprocessor.style == course_config.PYGMENTS_STYLE
    students = PyFileConfigLoader("student_nbgrader_config.py", path=str(root)).load_config()
    assert students.Exchange.root == str(tmp_path / "exchange")
    with pytest.raises(FileExistsError):
        course.new(root, tmp_path / "exchange")


def test_grading_goes_through_the_sandbox(tmp_path, monkeypatch):
    """course.grade is sandbox.autograde (tests/test_sandbox.py tests what the sandbox stops)."""
    import sandbox

    calls = []
    monkeypatch.setattr(sandbox, "autograde", lambda *a, **k: calls.append((a, k)))
    course.grade(tmp_path, "softmax", ["ok"], 2, unsafe=False)
    assert calls == [((tmp_path, "softmax", ["ok"]), {"jobs": 2, "unsafe": False})]


def test_grading_without_bwrap_needs_unsafe(tmp_path, monkeypatch):
    (tmp_path / "submitted").mkdir()
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match="--unsafe"):
        course.grade(tmp_path, "softmax", None, None, unsafe=False)
