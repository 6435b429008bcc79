"""A course directory for nbgrader, and its grading step (``make course``).

Usage:
    python tools/course.py new DIR [--exchange EXCHANGE] [--course-id ID]
    python tools/course.py grade DIR [--student ID ...] [--jobs N] [--unsafe]

``new`` makes DIR (mode 0700: only you read the solutions in ``source/``) with:

- ``nbgrader_config.py``: the course id, ``CourseDirectory.root``, ``Exchange.root``, a time
  limit per cell, deleted graded cells restored at autograde (``OverwriteCells.add_missing_cells``;
  duplicated ones are dropped by nbgrader's ``DeduplicateIds``, edited locked cells restored by
  checksum) and feedback without the hidden tests (``tools/course_config.py``);
- ``source/softmax/``: the exercise notebooks (notebooks/exercises/, solutions and hidden tests);
- ``student_nbgrader_config.py``: the two settings students' nbgrader needs (course id,
  exchange), to copy to ``/etc/jupyter/nbgrader_config.py`` on a shared machine;
- the exchange directory (default DIR/../exchange), created ``drwxrwxrwt`` like /tmp: every
  student must be able to write in it (nbgrader creates its ``inbound/``, ``outbound/`` and
  ``feedback/`` inside with the modes it needs); the sticky bit keeps a student from renaming
  or deleting the course's folder.

``grade`` is the documented grading step (:func:`grade`). Everything else is nbgrader's own
commands, run in DIR with this repository's ``.venv/bin`` on PATH (README, "For instructors").
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
EXERCISES = ROOT / "notebooks" / "exercises"
ASSIGNMENT = "softmax"
COURSE_ID = "softmax-notebooks"
CELL_TIMEOUT = 300  # seconds per cell under autograde (the training check takes < 30 s)
EXCHANGE_MODE = 0o1777
COURSE_MODE = 0o700


def config_text(root: Path, exchange: Path | None, course_id: str = COURSE_ID) -> str:
    """The course's ``nbgrader_config.py``; ``exchange=None`` leaves nbgrader's default exchange."""
    lines = [
        f'"""nbgrader configuration of the course {course_id!r} (written by tools/course.py)."""',
        "",
        "import sys",
        "",
        f"sys.path.insert(0, {str(TOOLS)!r})  # course_config: the feedback settings",
        "import course_config  # noqa: E402",
        "",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {course_id!r}",
        f"c.CourseDirectory.root = {str(root)!r}",
    ]
    if exchange is not None:
        lines.append(f"c.Exchange.root = {str(exchange)!r}")
    lines += [
        f"c.Execute.timeout = {CELL_TIMEOUT}  # seconds per cell",
        "# A graded cell the student deleted is put back from source/ and graded.",
        "c.OverwriteCells.add_missing_cells = True",
        "# Feedback: no hidden tests, each graded cell's verdict, maths offline, readable colours.",
        "course_config.configure(c)",
        "",
    ]
    return "\n".join(lines)


def student_config_text(exchange: Path, course_id: str = COURSE_ID) -> str:
    """What a student's nbgrader needs to fetch and submit: the course id and the exchange."""
    return (
        f'"""nbgrader settings for the students of {course_id!r}: copy to '
        '/etc/jupyter/nbgrader_config.py (every user) or ~/.jupyter/nbgrader_config.py."""\n\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )


def new(root: Path, exchange: Path | None = None, course_id: str = COURSE_ID) -> Path:
    """Make the course directory ``root`` (see the module docstring); return it.

    Raises ``FileExistsError`` if ``root`` exists and is not empty (a course is never overwritten),
    ``PermissionError`` if the exchange does not exist and cannot be made (checked first).
    """
    root = root.expanduser().resolve()
    exchange = (exchange or root.parent / "exchange").expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists and is not empty: choose a new course directory")
    if not exchange.exists():
        exchange.mkdir(parents=True)
        exchange.chmod(EXCHANGE_MODE)
    elif stat.S_IMODE(exchange.stat().st_mode) & 0o777 != 0o777:
        print(
            f"warning: the exchange {exchange} is not writable by everyone "
            f"(mode {stat.S_IMODE(exchange.stat().st_mode):o}): students cannot fetch or submit "
            f"until it is (chmod 1777 {exchange})",
            file=sys.stderr,
        )
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(COURSE_MODE)
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for nb in sorted(EXERCISES.glob("*.ipynb")):
        shutil.copy2(nb, source / nb.name)
    (root / "nbgrader_config.py").write_text(config_text(root, exchange, course_id))
    (root / "student_nbgrader_config.py").write_text(student_config_text(exchange, course_id))
    return root


def nbgrader_env() -> dict[str, str]:
    """The environment nbgrader needs: this venv's bin/ first on PATH (it runs ``alembic``)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path}


def grade(
    course_root: Path,
    assignment: str = ASSIGNMENT,
    students: list[str] | None = None,
    jobs: int | None = None,
    unsafe: bool = False,
) -> None:
    """Autograde ``assignment`` for ``students`` (every collected student if None).

    Scores go to the course's gradebook.db, written by nbgrader outside the sandbox: this is
    :func:`sandbox.autograde` (tools/sandbox.py), which runs every submitted notebook's kernel
    in a bubblewrap sandbox and grades ``jobs`` students at once (default: every core). It
    raises ``sandbox.SandboxUnavailable`` (a RuntimeError naming ``--unsafe``) when bwrap is
    missing or cannot run, unless ``unsafe=True``: then it grades unsandboxed after a loud
    warning. Raises ``RuntimeError`` with nbgrader's log if a step fails.
    """
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    import sandbox

    sandbox.autograde(Path(course_root), assignment, students, jobs=jobs, unsafe=unsafe)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    new_p = sub.add_parser("new", help="make a course directory")
    new_p.add_argument("dir", type=Path)
    new_p.add_argument(
        "--exchange", type=Path, help="the exchange directory (default: DIR/../exchange)"
    )
    new_p.add_argument("--course-id", default=COURSE_ID)
    grade_p = sub.add_parser("grade", help="autograde the collected submissions")
    grade_p.add_argument("dir", type=Path)
    grade_p.add_argument("--assignment", default=ASSIGNMENT)
    grade_p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade_p.add_argument("--jobs", type=int)
    grade_p.add_argument("--unsafe", action="store_true", help="grade without a sandbox")
    args = parser.parse_args(argv)
    if args.command == "new":
        try:
            root = new(args.dir, args.exchange, args.course_id)
        except FileExistsError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        except PermissionError as err:
            print(
                f"error: {err}\nA shared exchange is made once by an administrator: "
                "sudo mkdir -p EXCHANGE && sudo chmod 1777 EXCHANGE",
                file=sys.stderr,
            )
            return 1
        print(
            f"course directory {root} (source/{ASSIGNMENT}/: {len(list((root / 'source' / ASSIGNMENT).glob('*.ipynb')))} notebooks)\n"
            f"students' nbgrader settings: {root / 'student_nbgrader_config.py'} "
            "(copy to /etc/jupyter/nbgrader_config.py)"
        )
        return 0
    try:
        grade(args.dir.resolve(), args.assignment, args.student, args.jobs, args.unsafe)
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
