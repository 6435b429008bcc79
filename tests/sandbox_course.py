"""A minimal nbgrader course for the sandbox tests: one notebook, one function, two graded cells.

``make_course(root)`` writes nbgrader_config.py, source/ASSIGNMENT/add.ipynb and
source/canary.txt (both with a canary line that no student may read), runs ``nbgrader generate_assignment``;
``submit(root, student, code)`` writes a submission whose solution cell holds ``code``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import sandbox  # noqa: E402

ASSIGNMENT = "ps1"
COURSE_ID = "sandbox-test"
CANARY = "CANARY-7f3a9c-the-solutions-must-stay-hidden"
HONEST = "def add(a, b):\n    return a + b"
POINTS = 2


def _cell(source: str, grade_id: str, *, solution: bool = False, points: int = 0):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": points > 0,
        "solution": solution,
        "locked": not solution,
        "grade_id": grade_id,
        "schema_version": 3,
        **({"points": points} if points else {}),
    }
    return cell


def make_course(root: Path, *, timeout: int = 30) -> Path:
    """A course directory with the assignment generated (gradebook.db holds it)."""
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    nb = new_notebook(
        cells=[
            _cell(
                f"def add(a, b):\n    ### BEGIN SOLUTION\n    # {CANARY}\n    return a + b\n"
                "    ### END SOLUTION",
                "answer",
                solution=True,
            ),
            _cell("assert add(1, 2) == 3", "test_small", points=1),
            _cell(
                "assert add(20, 22) == 42\n### BEGIN HIDDEN TESTS\nassert add(-1, 1) == 0\n"
                "### END HIDDEN TESTS",
                "test_hidden",
                points=1,
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, source / "add.ipynb")
    (root / "source" / "canary.txt").write_text(f"instructor's notes: {CANARY}\n")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.Execute.timeout = {timeout}\n"
    )
    sandbox.nbgrader_command(root, ["generate_assignment", ASSIGNMENT, "--force"], sandbox=None)
    return root


def submit(root: Path, student: str, code: str) -> Path:
    """submitted/STUDENT/ASSIGNMENT/add.ipynb: the released notebook with ``code`` as the answer."""
    nb = nbformat.read(root / "release" / ASSIGNMENT / "add.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["solution"]:
            cell.source = code
    dest = root / "submitted" / student / ASSIGNMENT
    dest.mkdir(parents=True)
    nbformat.write(nb, dest / "add.ipynb")
    return dest / "add.ipynb"


def scores(root: Path) -> dict[str, dict[str, float]]:
    """Per student, per graded cell: the auto score in the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            out[submission.student.id] = {
                g.name: g.auto_score for nb in submission.notebooks for g in nb.grades
            }
    return out


def outputs(root: Path, student: str) -> str:
    """Every output of the student's autograded notebook, as text."""
    nb = nbformat.read(root / "autograded" / student / ASSIGNMENT / "add.ipynb", as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [str(v) for v in out.get("data", {}).values()]
            if out.output_type == "error":
                parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def protected_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every instructor file: source/, release/, submitted/, nbgrader_config.py.

    (gradebook.db changes by grading; the tests compare its scores instead.)
    """
    files = [root / "nbgrader_config.py"]
    for folder in ("source", "release", "submitted"):
        files += sorted(p for p in (root / folder).rglob("*") if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
