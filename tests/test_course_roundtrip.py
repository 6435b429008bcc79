"""A course run for real: nbgrader's own commands through an exchange directory.

Who runs what: as root (CI), the instructor and three students are separate Unix users made
with ``useradd`` (removed afterwards) and each step runs as its user (``runuser``); otherwise
every step runs as the current user with a separate HOME per person, and the permission
checks between users are skipped (they need separate users).

Where this machine's Python lives under a directory other users cannot enter (pyenv in
/root, mode 0700), the users' steps run in a private mount namespace (``unshare -m``) in which
that directory is replaced by an empty tmpfs holding only the interpreter and the venv: the
users reach the same Python and nothing else of root's. On a course machine the venv would sit
in a directory everyone reads; nothing else differs.

The round trip, as the README's "For instructors" has it: the instructor ``make course``, ``nbgrader
generate_assignment``, ``release_assignment``; each student ``fetch_assignment``, writes their
answers to 02_loss, ``submit``; the instructor ``collect``, grades (``tools/course.py grade``:
every kernel in the bubblewrap sandbox, run by the instructor's own unprivileged user),
``generate_feedback``, ``release_feedback``; each student ``fetch_feedback``. Students:

- ``ok``: the reference solution;
- ``mean``: the catalogue's missing-mean mistake written by hand (sums, no division by N);
- ``edit``: the no-minus-one mistake in the naive loss, and they edit the locked check cell to
  check the package's own loss instead of theirs, delete the graded cell of the naive gradient
  and duplicate another graded cell. The locked cell is restored, the deleted one put back and
  graded: they lose the naive gradient's points as if they had touched nothing.

Asserts the gradebook's scores cell by cell, that each student's feedback names their mistake
and holds no hidden-test line, and that a student can reach neither another's submission nor
the instructor's course directory. The seconds of each step are printed.
"""

from __future__ import annotations

import html
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import course  # noqa: E402
import course_config  # noqa: E402
import student  # noqa: E402
from notebook_env import NOTEBOOK_ENV  # noqa: E402

from softmax.mistakes import CATALOGUE  # noqa: E402

# Fourteen nbgrader runs, each a few seconds of CPU: 13 minutes on this shared 2-core machine
# with a load of 15, a few minutes when it is idle.
pytestmark = pytest.mark.timeout(2400)

AS_ROOT = os.geteuid() == 0 and shutil.which("useradd") and shutil.which("runuser")
NOTEBOOK = "02_loss"
STUDENTS = ("ok", "mean", "edit")


# --------------------------------------------------------------------------- users


def _closed_ancestor(path: Path) -> Path | None:
    """The highest ancestor of ``path`` (itself included) that others cannot enter, or None."""
    for parent in [*reversed(path.parents), path]:
        if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
            return parent
    return None


def _namespace_script(needed: list[Path], stash: Path) -> str:
    """Shell commands that, in a private mount namespace, hide each directory closed to others
    above ``needed`` behind an empty tmpfs and bind the needed paths back into it ("" if none)."""
    closed: dict[Path, list[Path]] = {}
    for path in needed:
        top = _closed_ancestor(path)
        if top is not None:
            closed.setdefault(top, []).append(path)
    keep, hide = [], []
    for k, (top, paths) in enumerate(closed.items()):
        hide.append(f"mount -t tmpfs -o mode=755 tmpfs '{top}'")
        for i, path in enumerate(paths):
            kept = stash / f"{k}-{i}"
            kept.mkdir(parents=True)
            keep.append(f"mount --bind '{path}' '{kept}'")
            hide.append(f"mkdir -p '{path}' && mount --bind '{kept}' '{path}'")
    return " && ".join(keep + hide)


@dataclass
class People:
    """The instructor and the students: Unix users (as root) or HOMEs (otherwise)."""

    base: Path
    names: dict[str, str] = field(default_factory=dict)  # role -> user name
    homes: dict[str, Path] = field(default_factory=dict)
    prefix: str = ""

    def create(self, roles: list[str]) -> None:
        tag = f"sfx{os.getpid() % 100000}"
        for role in roles:
            name = f"{tag}{role}"
            if AS_ROOT:
                subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True)
                self.homes[role] = Path(pwd.getpwnam(name).pw_dir)
            else:
                self.homes[role] = self.base / "home" / name
                self.homes[role].mkdir(parents=True)
            self.names[role] = name
        if AS_ROOT:
            needed = [Path(sys.base_prefix).resolve(), Path(sys.prefix), ROOT]
            script = _namespace_script(needed, self.base / "mounts")
            self.prefix = script + " && " if script else ""

    def remove(self) -> None:
        if AS_ROOT:
            for name in self.names.values():
                subprocess.run(["pkill", "-KILL", "-u", name], check=False)
                subprocess.run(["userdel", "-r", name], check=False, capture_output=True)

    def run(self, role: str, *cmd: str, cwd: Path | None = None, check: bool = True):
        """Run ``cmd`` as ``role`` in ``cwd`` (default: their HOME)."""
        home = self.homes[role]
        env = {
            **os.environ,
            "HOME": str(home),
            "PATH": os.pathsep.join(
                [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
            ),
        }
        env.pop("JUPYTER_CONFIG_DIR", None)
        env.pop("JUPYTER_DATA_DIR", None)
        cwd = cwd or home
        if AS_ROOT:
            keys = ["HOME", "PATH", *NOTEBOOK_ENV]
            user_env = [f"{k}={env[k]}" for k in keys] + ["LC_ALL=C.UTF-8"]
            inner = [
                "runuser",
                "-u",
                self.names[role],
                "--",
                "env",
                "-i",
                "-C",
                str(cwd),
                *user_env,
                *cmd,
            ]
            argv = [
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                self.prefix + 'exec "$@"',
                "sh",
                *inner,
            ]
            proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        else:
            proc = subprocess.run(
                list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False
            )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{role}: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
            )
        return proc

    def give(self, role: str, path: Path) -> None:
        """Make ``path`` (written by the test) belong to ``role``, as if they had written it."""
        if AS_ROOT:
            shutil.chown(path, self.names[role], self.names[role])


# --------------------------------------------------------------------------- answers


def _solutions(notebook: str) -> dict[str, str]:
    nb = nbformat.read(course.EXERCISES / f"{notebook}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: student._without_markers(c.source)
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def _replace(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def answer(role: str, path: Path) -> None:
    """Write ``role``'s answers into their fetched 02_loss notebook."""
    nb = nbformat.read(path, as_version=4)
    code = _solutions(NOTEBOOK)
    if role == "mean":
        naive = _replace(code["loss_naive"], "loss = loss / N + reg", "loss = loss + reg")
        code["loss_naive"] = _replace(naive, "dW = dW / N + 2", "dW = dW + 2")
        vec = _replace(
            code["loss_vectorized"], "np.mean(np.log(sums[:, 0])", "np.sum(np.log(sums[:, 0])"
        )
        code["loss_vectorized"] = _replace(vec, "dW = X.T @ P / N + 2", "dW = X.T @ P + 2")
    if role == "edit":
        code["loss_naive"] = _replace(code["loss_naive"], "(p - (j == y[i])) * X[i]", "p * X[i]")
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = code[grade_id]
        if role == "edit" and grade_id == "check_naive":  # a locked cell: checks the package's loss
            cell.source = (
                "from softmax import softmax_loss_naive as _ref\nnaive_report = check_loss(_ref)"
            )
        if role == "edit" and grade_id == "naive_gradient":  # a graded cell, deleted
            continue
        cells.append(cell)
        if role == "edit" and grade_id == "naive_loss":  # a graded cell, duplicated
            cells.append(nbformat.from_dict(json.loads(json.dumps(cell))))
    nb.cells = cells
    nbformat.write(nb, path)


BREAKS = {
    "ok": set(),
    "mean": {
        (r, p)
        for r in ("naive_report", "vectorized_report")
        for p in CATALOGUE["missing-mean"].parts
    },
    "edit": {("naive_report", p) for p in CATALOGUE["no-minus-one"].parts},
}
NAMED = {"mean": "missing-mean", "edit": "no-minus-one"}


# --------------------------------------------------------------------------- the round trip


@pytest.fixture(scope="module")
def trip():
    base = Path(tempfile.mkdtemp(prefix="softmax-course-", dir="/tmp" if AS_ROOT else None))
    base.chmod(0o755)
    people = People(base)
    seconds = {}

    cpu = {}

    def step(name, fn):
        start, cpu_start = time.perf_counter(), student._children_cpu()
        result = fn()
        seconds[name] = seconds.get(name, 0) + time.perf_counter() - start
        cpu[name] = cpu.get(name, 0) + student._children_cpu() - cpu_start
        return result

    py = sys.executable
    try:
        people.create(["instr", *STUDENTS])
        shared = base / "srv"  # where the instructor may create the exchange
        shared.mkdir()
        people.give("instr", shared)
        exchange = shared / "exchange"
        root = people.homes["instr"] / "course"

        def nbg(role, *args, cwd=None):
            return people.run(role, py, "-m", "nbgrader", *args, cwd=cwd)

        step(
            "make course",
            lambda: people.run(
                "instr",
                "make",
                "--no-print-directory",
                "-C",
                str(ROOT),
                "course",
                f"COURSE={root}",
                f"EXCHANGE={exchange}",
            ),
        )
        step(
            "generate_assignment", lambda: nbg("instr", "generate_assignment", "softmax", cwd=root)
        )
        step("release_assignment", lambda: nbg("instr", "release_assignment", "softmax", cwd=root))
        student_config = (root / "student_nbgrader_config.py").read_text()
        for role in STUDENTS:
            home = people.homes[role]
            (home / "nbgrader_config.py").write_text(student_config)
            people.give(role, home / "nbgrader_config.py")
            step("fetch_assignment", lambda role=role: nbg(role, "fetch_assignment", "softmax"))
            answer(role, home / "softmax" / f"{NOTEBOOK}.ipynb")
            step("submit", lambda role=role: nbg(role, "submit", "softmax"))
        step("collect", lambda: nbg("instr", "collect", "softmax", cwd=root))
        step(
            "grade (autograde)",
            lambda: people.run("instr", py, str(ROOT / "tools" / "course.py"), "grade", str(root)),
        )
        step("generate_feedback", lambda: nbg("instr", "generate_feedback", "softmax", cwd=root))
        step("release_feedback", lambda: nbg("instr", "release_feedback", "softmax", cwd=root))
        for role in STUDENTS:
            step("fetch_feedback", lambda role=role: nbg(role, "fetch_feedback", "softmax"))
        probes = {role: probe(people, role, root, exchange) for role in STUDENTS} if AS_ROOT else {}
        print("\nround trip (3 students): wall and CPU seconds per step")
        for name, s in seconds.items():
            print(f"  {name:<22} {s:6.1f} {cpu[name]:6.1f}")
        print(f"  {'total':<22} {sum(seconds.values()):6.1f} {sum(cpu.values()):6.1f}")
        yield {
            "root": root,
            "exchange": exchange,
            "people": people,
            "seconds": seconds,
            "probes": probes,
        }
    finally:
        people.remove()
        shutil.rmtree(base, ignore_errors=True)


PROBE = r"""
import glob, json, os, sys
root, exchange, course_id, others = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
inbound = os.path.join(exchange, course_id, "inbound")
def attempt(fn):
    try:
        fn()
        return "allowed"
    except PermissionError:
        return "PermissionError"
    except OSError as err:
        return type(err).__name__
out = {
    "list inbound": attempt(lambda: os.listdir(inbound)),
    "glob others' submissions": sorted(g for o in others for g in glob.glob(os.path.join(inbound, o + "+*"))),
    "list released feedback": attempt(lambda: os.listdir(os.path.join(exchange, course_id, "feedback"))),
    "read source": attempt(lambda: open(os.path.join(root, "source", "softmax", "02_loss.ipynb")).read()),
    "list course": attempt(lambda: os.listdir(root)),
    "read gradebook": attempt(lambda: open(os.path.join(root, "gradebook.db"), "rb").read()),
    "list submitted": attempt(lambda: os.listdir(os.path.join(root, "submitted"))),
    "change the release": attempt(lambda: open(os.path.join(exchange, course_id, "outbound", "softmax", "02_loss.ipynb"), "a").write(" ")),
    "remove the course from the exchange": attempt(lambda: os.rename(os.path.join(exchange, course_id), os.path.join(exchange, "x"))),
}
print(json.dumps(out))
"""


def probe(people: People, role: str, root: Path, exchange: Path) -> dict:
    """What ``role`` can reach of the others' and the instructor's files."""
    others = [people.names[r] for r in STUDENTS if r != role]
    proc = people.run(
        role, sys.executable, "-c", PROBE, str(root), str(exchange), course.COURSE_ID, *others
    )
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------- assertions


def feedback_html(trip, role: str) -> str:
    found = sorted((trip["people"].homes[role] / "softmax" / "feedback").glob(f"*/{NOTEBOOK}.html"))
    assert len(found) == 1, found
    return found[0].read_text()


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def scores(trip) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{trip['root'] / 'gradebook.db'}", course.COURSE_ID) as gb:
        for role in STUDENTS:
            sub = gb.find_submission(course.ASSIGNMENT, trip["people"].names[role])
            out[role] = {
                f"{nb.name}/{g.name}": g.auto_score or 0
                for nb in sub.notebooks
                for g in nb.grades
                if g.cell_type == "code"
            }
    return out


def test_scores_in_the_gradebook(trip):
    """02_loss: full points but for the parts each mistake breaks (the edited student's deleted
    graded cell included); 01 and 03 were left unanswered: 0."""
    expected_students = [
        student.Student(role, {}, BREAKS[role], notebooks=[f"{NOTEBOOK}.ipynb"])
        for role in STUDENTS
    ]
    expected = student.expected_cells(expected_students)
    got = scores(trip)
    for role in STUDENTS:
        assert got[role] == expected[role], role
    assert (
        sum(v for k, v in got["ok"].items() if k.startswith(NOTEBOOK))
        == sum(v for k, v in expected["ok"].items() if k.startswith(NOTEBOOK))
        > 0
    )
    assert got["edit"][f"{NOTEBOOK}/naive_gradient"] == 0
    assert got["edit"][f"{NOTEBOOK}/naive_loss"] > 0


@pytest.mark.parametrize("role", STUDENTS)
def test_feedback_names_the_mistake_and_holds_no_hidden_test(trip, role):
    page = feedback_html(trip, role)
    text = text_of(page)
    hidden = set()
    for nb in course.EXERCISES.glob("*.ipynb"):
        hidden |= course_config.notebook_hidden_test_lines(nb)
    assert hidden
    leaked = [line for line in hidden if line in text or line in page or html.escape(line) in page]
    assert leaked == []
    assert "HIDDEN TESTS" not in page and "Traceback" not in text and "AssertionError" not in text
    if role in NAMED:
        mistake = CATALOGUE[NAMED[role]]
        assert f"[{mistake.id}]" in text
        assert re.sub(r"\s+", " ", mistake.diagnosis) in text
        assert "✗ 0 / 2 points" in text
    else:  # (the notebook's own prose mentions ✗: look for a report or a verdict)
        assert not re.search(r"✗ \d+ problem|✗ \d+ / \d+ points", text)
        assert "✓ 2 / 2 points" in text


def test_students_reach_no_one_elses_files(trip):
    if not AS_ROOT:
        pytest.skip("one Unix user: the permission checks need separate users (run as root)")
    for role, seen in trip["probes"].items():
        assert seen["list inbound"] == "PermissionError", role
        assert seen["glob others' submissions"] == [], role
        assert seen["list released feedback"] == "PermissionError", role
        for what in (
            "read source",
            "list course",
            "read gradebook",
            "list submitted",
            "change the release",
        ):
            assert seen[what] == "PermissionError", (role, what)
        assert seen["remove the course from the exchange"] == "PermissionError", role
