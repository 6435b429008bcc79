"""The student edition and its grading, with nbgrader (``make student``, ``make autograde-demo``).

Usage:
    python tools/student.py release [--out build/student]
    python tools/student.py autograde-demo [--out build/autograde-demo] [--jobs 2]

``release`` copies the exercise notebooks (notebooks/exercises/, with solutions and hidden
tests) into a temporary nbgrader course directory, runs ``nbgrader generate_assignment``
(solutions become ``raise NotImplementedError()`` stubs, hidden tests are removed, outputs
cleared) and writes the released notebooks and a short README for students to ``--out``.

``autograde-demo`` builds temporary course directories, submits the reference solution and one
fake student per mistake of :data:`softmax.mistakes.CATALOGUE` (plus one whose code raises and
one that calls the package's reference loss), runs ``nbgrader autograde`` and ``nbgrader
generate_feedback`` with a real course's settings (tools/course.py: feedback without the
hidden tests, see tools/course_config.py), and prints a score table. The students are split over ``--jobs`` course
directories graded at the same time (each has its own SQLite gradebook; nbgrader grades the
students of one course one after another). The feedback HTML and ``scores.json`` land in
``--out``.

After the demo, ``--time-students N`` (default 4) reference submissions are graded with
``tools/sandbox.py`` (each kernel sandboxed, one nbgrader process per core) and the time per
student and for a class of 200 is printed (and written to ``class-timing.json``).

A fake student submits only the notebook where their mistake lives (nbgrader scores a missing
notebook 0 and does not run it): the table shows "-" for those.

nbgrader runs every submitted notebook with your rights, unsandboxed: grade only code you would
run yourself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from course import config_text

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
ASSIGNMENT = "softmax"
COURSE_ID = "softmax-notebooks"

# Which solution cell (its nbgrader grade_id) holds which function, and which report
# variable of the check cells judges it. A hidden test reads
# `assert not R.not_implemented` then `assert not {"interface", PART} & R.wrong` (GRADED_RE).
SOLUTION_CELLS = {
    "softmax": ("softmax", "softmax_report"),
    "loss_naive": ("softmax_loss_naive", "naive_report"),
    "loss_vectorized": ("softmax_loss_vectorized", "vectorized_report"),
    "numerical_gradient": ("numerical_gradient", "numgrad_report"),
}
# Per catalogue check: the solution cells a fake student fills with the mistake, and which
# implementation of the Mistake each one gets.
MISTAKE_CELLS = {
    "softmax": {"softmax": "vectorized"},
    "loss": {"loss_naive": "loop", "loss_vectorized": "vectorized"},
    "numerical_gradient": {"numerical_gradient": "loop"},
}
GRADED_RE = re.compile(
    r"assert not (?P<report>\w+)\.not_implemented\n"
    r'assert not \{"interface", "(?P<part>[\w-]+)"\} & (?P=report)\.wrong'
)

STUDENT_README = """\
# softmax-notebooks: exercises

Three notebooks, each done where the course notebooks stop for it, before they show the
package's own solution: `01_softmax` after notebook 02 (up to *log-softmax*); `02_loss` parts 2.1
and 2.2 when notebook 03 has derived dW (then compare with its code reading), part 2.3 after
notebook 04's centred differences; `03_training` after notebook 06's sanity checks, before its SGD section.

| notebook | you write |
| --- | --- |
| `01_softmax.ipynb` | a numerically stable `softmax(S)` |
| `02_loss.ipynb` | `softmax_loss_naive` (loops), `softmax_loss_vectorized` (no loops), `numerical_gradient` and a gradient check of your own loss |
| `03_training.ipynb` | minibatch SGD (`train`) on the handwritten digits with your own loss |

Each also has written questions, answered in the Markdown cell that says YOUR ANSWER HERE.

## How to work

1. Open the folder in JupyterLab: from the softmax-notebooks repository, `make lab` serves the
   course notebooks; for the exercises run `.venv/bin/jupyter lab build/student` (or, with the
   package installed in your own environment, `pip install .` from the repository, then
   `jupyter lab` in this folder). The checks need the `softmax` package.
2. In each exercise, replace `raise NotImplementedError()` in the cell marked `# YOUR CODE HERE`
   with your code, run the cell, then run the check cell right below it.
3. Read the check's report: ✓ when every part is right; otherwise ✗ and, for each problem, what
   was checked, expected vs got, the mistake it recognises ("your loss is N times the right one:
   the sum over examples was not divided by N") and the notebook section that explains it. Until
   you write a function, its check says "not implemented yet".
4. Leave the cells that start with `# Graded by a hidden test` as they are: your instructor's
   autograder fills them in. Save and hand in the notebooks as your instructor asks.

The checks call your functions on fresh random inputs every time, so run them again after every
change. A check always comes back: a function still running after 10 s (30 s for training) is
stopped and reported, and an exception (`exit()` too) is shown with its line. In `02_loss`,
vectorization is graded by counting the Python lines one call of your function runs at two sizes
of N, D and C (a loop over examples or classes shows as a line that runs more often), never by a
clock: your speed against the package's naive loss is shown for information only.
"""


# --------------------------------------------------------------------------- nbgrader plumbing


def exercise_notebooks() -> list[Path]:
    """The source notebooks of the assignment, in order."""
    return sorted(EXERCISES.glob("*.ipynb"))


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course``; raise with its log if it fails.

    nbgrader runs ``alembic`` (its database migrations) as a program, so this environment's
    ``bin/`` goes first on PATH (a venv that is not activated is not on PATH).
    """
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    return proc


def make_course(course: Path) -> Path:
    """A course directory: nbgrader_config.py (tools/course.py's) and source/softmax/ (the
    exercise notebooks)."""
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for nb in exercise_notebooks():
        shutil.copy2(nb, source / nb.name)
    # The same settings as a real course (tools/course.py): feedback without hidden tests...
    (course / "nbgrader_config.py").write_text(
        config_text(course, exchange=None, course_id=COURSE_ID)
    )
    return course


def release(out: Path) -> list[Path]:
    """Write the student edition (released notebooks + README.md) to ``out``; return the notebooks.

    ``out`` is emptied first.
    """
    with tempfile.TemporaryDirectory(prefix="softmax-release-") as tmp:
        course = make_course(Path(tmp))
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", "--no-db")
        released = sorted((course / "release" / ASSIGNMENT).glob("*.ipynb"))
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for nb in released:
            shutil.copy2(nb, out / nb.name)
    (out / "README.md").write_text(STUDENT_README)
    return sorted(out.glob("*.ipynb"))


# --------------------------------------------------------------------------- fake students


@dataclass
class Student:
    """A fake student: which solution cells they fill with what, and what they should lose.

    ``code`` maps a solution cell's grade_id to its new source; cells not named keep the
    reference solution. Only the notebooks holding a named cell are submitted (the reference
    submits all of them). ``breaks`` is the set of (report variable, part) the student's code
    gets wrong: the autograder must take exactly those points (an ``interface`` part takes
    every point of its report, see `_breaks`).
    """

    id: str
    code: dict[str, str]
    breaks: set[tuple[str, str]]
    mistake: str | None = None
    submit_all: bool = False
    notebooks: list[str] = field(default_factory=list)


def _without_markers(source: str) -> str:
    return "\n".join(
        line
        for line in source.splitlines()
        if line.strip() not in {"### BEGIN SOLUTION", "### END SOLUTION"}
    )


def _parts_of(report: str) -> set[str]:
    """Every part graded for ``report`` in the exercise notebooks."""
    parts = set()
    for path in exercise_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            for m in GRADED_RE.finditer(cell.source):
                if m["report"] == report:
                    parts.add(m["part"])
    return parts


def fake_students() -> list[Student]:
    """The reference, one student per catalogue mistake, one whose code raises, one that calls
    the package's reference loss."""
    from softmax.mistakes import CATALOGUE

    students = [Student("reference", {}, set(), submit_all=True)]
    for mistake in CATALOGUE.values():
        cells = MISTAKE_CELLS[mistake.check]
        code = {}
        breaks = set()
        for grade_id, style in cells.items():
            name, report = SOLUTION_CELLS[grade_id]
            code[grade_id] = (
                f"# Fake student: the catalogue's mistake {mistake.id!r}, {style} style.\n"
                "from softmax.mistakes import CATALOGUE\n\n"
                f"{name} = CATALOGUE[{mistake.id!r}].{style}"
            )
            breaks |= {(report, part) for part in mistake.parts}
        students.append(Student(mistake.id, code, breaks, mistake=mistake.id))
    unusable_losses = {("naive_report", "interface"), ("vectorized_report", "interface")}
    for student_id, template in (("raises", _RAISES), ("calls-reference", _CALLS)):
        code = {
            "loss_naive": template.format(name="softmax_loss_naive"),
            "loss_vectorized": template.format(name="softmax_loss_vectorized"),
        }
        students.append(Student(student_id, code, unusable_losses))
    return students


_RAISES = '''\
def {name}(W, X, y, reg):
    """Fake student: the scores of one class past the last (an IndexError)."""
    S = X @ W
    return S[np.arange(X.shape[0]), W.shape[1]].mean(), W'''
_CALLS = '''\
import softmax


def {name}(W, X, y, reg):
    """Fake student: hands the work to the package's own reference loss."""
    return softmax.{name}(W, X, y, reg)'''


def submit(course: Path, student: Student) -> list[str]:
    """Write ``student``'s notebooks to submitted/ID/softmax/; return their names.

    Each starts from the released notebook (stubs, no hidden tests), as a student's would.
    """
    release_dir = course / "release" / ASSIGNMENT
    source_dir = course / "source" / ASSIGNMENT
    dest = course / "submitted" / student.id / ASSIGNMENT
    dest.mkdir(parents=True)
    names = []
    for released in sorted(release_dir.glob("*.ipynb")):
        nb = nbformat.read(released, as_version=4)
        source = nbformat.read(source_dir / released.name, as_version=4)
        solutions = {
            c.metadata["nbgrader"]["grade_id"]: c.source
            for c in source.cells
            if c.metadata.get("nbgrader", {}).get("solution")
        }
        touched = False
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("solution"):
                continue
            grade_id = meta["grade_id"]
            if grade_id in student.code:
                cell.source = student.code[grade_id]
                touched = True
            else:
                cell.source = _without_markers(solutions[grade_id])
        if touched or student.submit_all:
            nbformat.write(nb, dest / released.name)
            names.append(released.name)
    student.notebooks = names
    return names


# --------------------------------------------------------------------------- grading


def grade_course(course: Path, students: list[Student]) -> dict[str, float]:
    """generate_assignment (with the gradebook), submit, autograde, generate_feedback.

    Returns the seconds each step took.
    """
    seconds = {}
    for step in ("generate_assignment", "submit", "autograde", "generate_feedback"):
        start = time.perf_counter()
        if step == "submit":
            for student in students:
                submit(course, student)
        else:
            nbgrader(course, step, ASSIGNMENT, "--force")
        seconds[step] = round(time.perf_counter() - start, 1)
    return seconds


def read_scores(course: Path, students: list[Student]) -> list[dict]:
    """Per student: per notebook auto score / max, and per graded cell its auto score."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        for student in students:
            submission = gb.find_submission(ASSIGNMENT, student.id)
            notebooks = {}
            cells = {}
            for nb in submission.notebooks:
                submitted = f"{nb.name}.ipynb" in student.notebooks
                auto = [g for g in nb.grades if g.cell_type == "code"]
                notebooks[nb.name] = {
                    "submitted": submitted,
                    "score": sum(g.auto_score or 0 for g in auto),
                    "max": sum(g.max_score for g in auto),
                    "manual_pending": sum(
                        g.max_score for g in nb.grades if g.cell_type == "markdown"
                    ),
                }
                for g in auto:
                    cells[f"{nb.name}/{g.name}"] = g.auto_score or 0
            rows.append({"student": student.id, "notebooks": notebooks, "cells": cells})
    return rows


def expected_cells(students: list[Student]) -> dict[str, dict[str, float]]:
    """Per student and graded cell, the points the autograder should give.

    Full points for a part the student's code does not break, 0 for a part it breaks (from
    :attr:`softmax.mistakes.Mistake.parts`), 0 for every cell of a notebook not submitted.
    """
    graded = {}  # "notebook/grade_id" -> (notebook file, report, part, points)
    for path in exercise_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code":
                m = GRADED_RE.search(cell.source)
                part = (m["report"], m["part"]) if m else None
                graded[f"{path.stem}/{meta['grade_id']}"] = (path.name, part, meta["points"])
    expected = {}
    for student in students:
        expected[student.id] = {
            key: 0 if nb not in student.notebooks or _breaks(student, part) else points
            for key, (nb, part, points) in graded.items()
        }
    return expected


def _breaks(student: Student, part: tuple[str, str] | None) -> bool:
    """Does ``student`` lose the graded ``(report, part)``? A function whose interface is wrong
    (it raises, returns the wrong shape or calls the reference) cannot be judged: it loses
    every part of its report, as the hidden tests say."""
    if part is None:
        return False
    report, _ = part
    return part in student.breaks or (report, "interface") in student.breaks


def autograde_demo(out: Path, jobs: int = 2) -> dict:
    """Grade every fake student; write feedback HTML and scores.json to ``out``; return a summary."""
    students = fake_students()
    shards = [students[i::jobs] for i in range(jobs)]
    start = time.perf_counter()
    cpu_start = _children_cpu()
    with tempfile.TemporaryDirectory(prefix="softmax-autograde-") as tmp:
        courses = [make_course(Path(tmp) / f"course{i}") for i in range(jobs)]
        with ThreadPoolExecutor(jobs) as pool:
            steps = list(pool.map(grade_course, courses, shards))
        rows = []
        if out.exists():
            shutil.rmtree(out)
        (out / "feedback").mkdir(parents=True)
        for course, shard in zip(courses, shards, strict=True):
            rows += read_scores(course, shard)
            for student in shard:
                shutil.copytree(course / "feedback" / student.id, out / "feedback" / student.id)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu_start
    order = {s.id: i for i, s in enumerate(students)}
    rows.sort(key=lambda r: order[r["student"]])
    expected = expected_cells(students)
    for row in rows:
        row["mistake"] = next(s.mistake for s in students if s.id == row["student"])
        row["expected_cells"] = expected[row["student"]]
        row["as_expected"] = row["cells"] == expected[row["student"]]
    summary = {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "jobs": jobs,
        "steps": steps,
        "students": rows,
    }
    (out / "scores.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes (nbgrader, kernels)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def score_table(summary: dict) -> str:
    """The scores as a Markdown table: per notebook auto score / max ("-": not submitted)."""
    rows = summary["students"]
    names = list(rows[0]["notebooks"])
    head = ["student", *names, "lost", "as expected"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    full = {n: rows[0]["notebooks"][n]["max"] for n in names}
    for row in rows:
        cells = []
        lost = 0
        for name in names:
            nb = row["notebooks"][name]
            if nb["submitted"]:
                cells.append(f"{nb['score']:g} / {nb['max']:g}")
                lost += full[name] - nb["score"]
            else:
                cells.append("-")
        ok = "yes" if row["as_expected"] else "NO"
        lines.append("| " + " | ".join([row["student"], *cells, f"{lost:g}", ok]) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- time for a class


def time_sandboxed_class(n_students: int, jobs: int | None = None, class_size: int = 200) -> dict:
    """Grade ``n_students`` copies of the reference submission (every notebook) with
    :func:`sandbox.autograde` (each kernel sandboxed, ``jobs`` nbgrader processes at once, default
    every core); return the measured and extrapolated times.

    Per student: CPU seconds (the nbgrader processes, plus the sandboxed kernels as they report
    it: bwrap's PID namespace hides them from this process's rusage) and wall seconds of one
    job (wall * jobs / n). For ``class_size`` students at the same parallelism: wall * size
    / n (each job grades its students one after another; its start-up is counted per student,
    so this slightly overestimates).
    """
    import sandbox

    jobs = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="softmax-class-") as tmp:
        course = make_course(Path(tmp) / "course")
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        students = [
            Student(f"student-{i:03d}", {}, set(), submit_all=True) for i in range(n_students)
        ]
        for fake in students:
            submit(course, fake)
        usage_log = Path(tmp) / "kernels-cpu.jsonl"
        cpu_start = _children_cpu()
        start = time.perf_counter()
        sandbox.autograde(course, ASSIGNMENT, jobs=jobs, usage_log=usage_log)
        wall = time.perf_counter() - start
        nbgrader_cpu = _children_cpu() - cpu_start  # the sandboxed kernels are not in it
        kernel_cpu, kernels = sandbox.kernel_cpu_seconds(usage_log)
        cpu = nbgrader_cpu + kernel_cpu
        rows = read_scores(course, students)
    full = expected_cells(students)
    return {
        "students": n_students,
        "jobs": jobs,
        "cores": os.cpu_count(),
        "all_full_marks": all(row["cells"] == full[row["student"]] for row in rows),
        "kernels": kernels,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "kernel_cpu_seconds": round(kernel_cpu, 1),
        "nbgrader_cpu_seconds": round(nbgrader_cpu, 1),
        "cpu_per_student": round(cpu / n_students, 1),
        "wall_per_student_per_job": round(wall * jobs / n_students, 1),
        "class_size": class_size,
        "class_wall_minutes": round(wall * class_size / n_students / 60, 1),
        "class_cpu_minutes": round(cpu * class_size / n_students / 60, 1),
    }


def timing_line(t: dict) -> str:
    """One paragraph for the demo's output."""
    return (
        f"sandboxed grading (tools/sandbox.py): {t['students']} submissions of every notebook in "
        f"{t['wall_seconds']} s with {t['jobs']} jobs on {t['cores']} cores "
        f"({'all full marks' if t['all_full_marks'] else 'NOT all full marks'}); per student "
        f"{t['cpu_per_student']} CPU-s ({t['kernel_cpu_seconds']} CPU-s in {t['kernels']} "
        f"kernels, {t['nbgrader_cpu_seconds']} in nbgrader, for all), "
        f"{t['wall_per_student_per_job']} s of one job; "
        f"{t['class_size']} students at this parallelism: about {t['class_wall_minutes']} min "
        f"({t['class_cpu_minutes']} CPU-min)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="the student edition")
    rel.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    demo = sub.add_parser("autograde-demo", help="grade the reference and fake students")
    demo.add_argument("--out", type=Path, default=ROOT / "build" / "autograde-demo")
    demo.add_argument("--jobs", type=int, default=2, help="course directories graded at once")
    demo.add_argument(
        "--time-students",
        type=int,
        default=4,
        help="then time sandboxed grading of this many reference submissions (0: skip)",
    )
    args = parser.parse_args(argv)
    if args.command == "release":
        start = time.perf_counter()
        notebooks = release(args.out.resolve())
        for nb in notebooks:
            print(f"released {nb}")
        print(f"student edition in {args.out} ({time.perf_counter() - start:.1f} s)")
        return 0
    summary = autograde_demo(args.out.resolve(), jobs=max(1, args.jobs))
    print(score_table(summary))
    manual = sum(nb["manual_pending"] for nb in summary["students"][0]["notebooks"].values())
    print(
        f"\nauto-graded points per notebook; {manual:g} more points are written answers for a "
        "person to grade (JupyterLab's Formgrader).\n"
        f"feedback HTML: {args.out}/feedback/STUDENT/{ASSIGNMENT}/*.html; "
        f"graded {len(summary['students'])} students in {summary['seconds']} s, "
        f"{summary['cpu_seconds']} CPU-seconds ({summary['jobs']} course directories at once; "
        "seconds per step in each: "
        f"{summary['steps']})"
    )
    ok = all(r["as_expected"] for r in summary["students"])
    if args.time_students > 0:
        timing = time_sandboxed_class(args.time_students)
        (args.out / "class-timing.json").write_text(json.dumps(timing, indent=1) + "\n")
        print(timing_line(timing))
        ok = ok and timing["all_full_marks"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
