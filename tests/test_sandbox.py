"""Grading untrusted code: tools/sandbox.py runs each submission's kernel in a bwrap sandbox.

One course, graded once (two nbgrader processes at once, as ``jobs=2``): two honest students and
one hostile student per attack. Each attack has its own test below, which reads what the hostile
code reported from inside the sandbox (a ``REPORT`` line in its autograded notebook) and checks
it was refused; every test also checks that the honest students got full marks, each hostile
student 0 (its code never defines the function), and that none of the instructor's files was
read or changed. The honest students sort last, so each nbgrader process grades one after the
attacks. Then: the refusal without bwrap, and one real exercise graded in the sandbox.

Without bwrap these tests skip, unless ``SOFTMAX_REQUIRE_SANDBOX=1`` (.ci/run sets it).
"""

from __future__ import annotations

import ast
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
import sandbox_course as sc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import sandbox  # noqa: E402
import student  # noqa: E402

REQUIRE_ENV = "SOFTMAX_REQUIRE_SANDBOX"
PROBLEM = sandbox.bwrap_problem()
if PROBLEM and os.environ.get(REQUIRE_ENV) == "1":
    raise RuntimeError(f"{REQUIRE_ENV}=1 but the sandbox cannot run: bwrap {PROBLEM}")
needs_bwrap = pytest.mark.skipif(
    PROBLEM is not None,
    reason=f"bwrap {PROBLEM} (install bubblewrap; {REQUIRE_ENV}=1 makes this an error)",
)
pytestmark = pytest.mark.timeout(900)

#: Small limits for the test course, so that the CPU hog is stopped in seconds.
LIMITS = sandbox.Limits(cpu_seconds=5, memory_bytes=2 * 2**30, processes=128)
#: nbgrader's Execute.timeout (wall seconds per cell) in the test course: long enough for the
#: CPU hog's 5 CPU-seconds on a busy 2-core machine.
TIMEOUT = 30
FORK_BOUND = 3000  # the fork bomb stops here even if the limit did not hold
HONEST = ["zz-honest-1", "zz-honest-2"]

# Each attack prints one line "REPORT {python literal}" before failing; {root} is the course.
ATTACKS = {
    "read-solutions": """
import glob, os
found = {{}}
for path in ["{root}/source/ps1/add.ipynb", "{root}/source/canary.txt", "{root}/gradebook.db",
             "{root}/release/ps1/add.ipynb", "{root}/nbgrader_config.py",
             "{root}/submitted/zz-honest-1/ps1/add.ipynb", "{home}/.bash_history",
             "/etc/shadow", "{repo}/notebooks/exercises/02_loss.ipynb"]:
    try:
        found[path] = open(path, errors="replace").read()
    except OSError as exc:
        found[path] = type(exc).__name__
seen = sorted(glob.glob("{root}/**", recursive=True)) + sorted(glob.glob("{repo}/*"))
print("REPORT", repr({{"found": found, "seen": seen}}))
""",
    "network": """
import socket
result = {{}}
for host, port in [("127.0.0.1", {port}), ("192.0.2.1", 80)]:
    try:
        socket.create_connection((host, port), timeout=5).close()
        result[host] = "connected"
    except OSError as exc:
        result[host] = type(exc).__name__
print("REPORT", repr(result))
""",
    "write-gradebook": """
import sqlite3
result = {{}}
try:
    db = sqlite3.connect("{root}/gradebook.db")
    db.execute("UPDATE grade SET auto_score = 99")
    db.commit()
    result["sqlite"] = "written"
except Exception as exc:
    result["sqlite"] = type(exc).__name__
try:
    open("{root}/gradebook.db", "wb").write(b"gone")
    result["file"] = "written"
except OSError as exc:
    result["file"] = type(exc).__name__
print("REPORT", repr(result))
""",
    "delete-files": """
import os, shutil
result = {{}}
for path in ["{root}/source", "{root}/nbgrader_config.py", "{root}/gradebook.db",
             "{root}/submitted", "{repo}/softmax/__init__.py", "{home}"]:
    try:
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        result[path] = "deleted"
    except OSError as exc:
        result[path] = type(exc).__name__
print("REPORT", repr(result))
""",
    "fork-bomb": """
import os, time
children = 0
error = None
while children < {bound}:
    try:
        pid = os.fork()
    except OSError as exc:
        error = type(exc).__name__
        break
    if pid == 0:
        time.sleep(600)
        os._exit(0)
    children += 1
print("REPORT", repr({{"children": children, "error": error}}))
""",
    "memory": """
try:
    hog = bytearray(8 * 2**30)
    result = "allocated"
except MemoryError:
    result = "MemoryError"
print("REPORT", repr({{"result": result}}))
""",
    "cpu-forever": """
import subprocess, sys
child = subprocess.run([sys.executable, "-c", "while True: pass"])
print("REPORT", repr({{"child": child.returncode}}), flush=True)
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
""",
    "idle-forever": """
import time
print("REPORT", repr({{"started": True}}), flush=True)
while True:
    try:
        time.sleep(1000)
    except BaseException:
        pass
""",
}


class Listener:
    """A TCP server on the machine's 127.0.0.1 that counts connections (the sandbox must not reach it)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                self.sock.accept()[0].close()
                self.accepted += 1
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def sandbox_processes() -> list[str]:
    """Processes still running as one of the sandbox's uids."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid = int(next(line for line in text.splitlines() if line.startswith("Uid:")).split()[1])
        if sandbox.UID_BASE <= uid < sandbox.UID_BASE + 64:
            found.append(status.parent.name)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course graded once: {"root", "before", "after", "scores", "reports", "listener"}."""
    if PROBLEM:
        pytest.skip(f"bwrap {PROBLEM}")
    root = sc.make_course(tmp_path_factory.mktemp("course") / "course", timeout=TIMEOUT)
    listener = Listener()
    for name in HONEST:
        sc.submit(root, name, sc.HONEST)
    values = {
        "root": root,
        "port": listener.port,
        "bound": FORK_BOUND,
        "home": Path.home(),
        "repo": ROOT,
    }
    for name, code in ATTACKS.items():
        sc.submit(root, name, code.format(**values))
    before = sc.protected_hashes(root)
    try:
        sandbox.autograde(root, sc.ASSIGNMENT, jobs=2, limits=LIMITS)
    finally:
        listener.close()
    reports = {}
    for name in ATTACKS:
        text = sc.outputs(root, name)
        lines = [line for line in text.splitlines() if line.startswith("REPORT ")]
        reports[name] = ast.literal_eval(lines[0][len("REPORT ") :]) if lines else None
    return {
        "root": root,
        "before": before,
        "after": sc.protected_hashes(root),
        "scores": sc.scores(root),
        "reports": reports,
        "accepted": listener.accepted,
        "left": sandbox_processes(),
    }


def check_common(graded, attack: str) -> dict:
    """Honest students full marks, the attacker 0, instructor files intact, no canary leaked."""
    full = {"test_small": 1.0, "test_hidden": 1.0}
    for name in HONEST:
        assert graded["scores"][name] == full, name
    assert graded["scores"][attack] == {"test_small": 0.0, "test_hidden": 0.0}
    assert graded["after"] == graded["before"]
    root = graded["root"]
    for folder in ("autograded", "feedback"):
        for path in (
            (root / folder / attack).rglob("*") if (root / folder / attack).exists() else []
        ):
            if path.is_file():
                assert sc.CANARY not in path.read_text(errors="replace"), path
    assert graded["left"] == [], "sandboxed processes survived their kernel"
    report = graded["reports"][attack]
    assert report is not None, (
        f"{attack}: no REPORT line in its outputs:\n{sc.outputs(root, attack)}"
    )
    return report


@needs_bwrap
def test_reading_the_solutions_and_private_files_is_refused(graded):
    report = check_common(graded, "read-solutions")
    assert set(report["found"].values()) <= {"FileNotFoundError", "PermissionError"}, report
    root = graded["root"]
    own = root / "autograded" / "read-solutions" / sc.ASSIGNMENT
    # All it sees of the course is its own working folder (a copy, without notebooks).
    allowed = {root, root / "autograded", own.parent, own}
    in_course = [Path(p) for p in report["seen"] if Path(p).is_relative_to(root)]
    assert in_course and all(p in allowed or p.parent == own for p in in_course), in_course
    # Of the repository: only the package and its data, never notebooks/ (the solutions).
    assert {Path(p).name for p in report["seen"] if not Path(p).is_relative_to(root)} <= {
        ".venv",
        "softmax",
        "data",
    }


@needs_bwrap
def test_no_network_even_to_the_machines_loopback(graded):
    report = check_common(graded, "network")
    assert report["127.0.0.1"] == "ConnectionRefusedError", report
    assert report["192.0.2.1"] == "OSError", report  # ENETUNREACH: no route at all
    assert graded["accepted"] == 0


@needs_bwrap
def test_the_gradebook_cannot_be_written(graded):
    report = check_common(graded, "write-gradebook")
    assert report == {"sqlite": "OperationalError", "file": "PermissionError"}, report


@needs_bwrap
def test_the_course_files_cannot_be_deleted(graded):
    report = check_common(graded, "delete-files")
    assert "deleted" not in report.values(), report
    assert (graded["root"] / "source" / sc.ASSIGNMENT / "add.ipynb").is_file()


@needs_bwrap
def test_a_fork_bomb_stops_at_the_process_limit(graded):
    """As root too: the kernel runs as an unprivileged uid, for which RLIMIT_NPROC holds."""
    report = check_common(graded, "fork-bomb")
    assert report["error"] == "BlockingIOError", report
    assert report["children"] < LIMITS.processes, report


@needs_bwrap
def test_allocating_past_the_memory_limit_fails(graded):
    report = check_common(graded, "memory")
    assert report == {"result": "MemoryError"}


def stopped(graded, attack: str) -> list[str]:
    """The error names of the attack's notebook, cell by cell (None: no error)."""
    path = graded["root"] / "autograded" / attack / sc.ASSIGNMENT / "add.ipynb"
    nb = nbformat.read(path, as_version=4)
    return [
        next((o.ename for o in c.outputs if o.output_type == "error"), None)
        for c in nb.cells
        if c.cell_type == "code"
    ]


@needs_bwrap
def test_cpu_loops_are_killed_at_the_cpu_time_limit(graded):
    """A child that spins dies of SIGXCPU at the limit; the kernel, spinning and ignoring
    interrupts, is killed too (or given up at the cell timeout): the rest of its notebook
    scores 0 and the notebook is still graded."""
    report = check_common(graded, "cpu-forever")
    assert report["child"] in (-signal.SIGXCPU, -signal.SIGKILL), report
    first, *rest = stopped(graded, "cpu-forever")
    assert first in ("DeadKernelError", "CellTimeoutError")
    assert set(rest) == {first}


@needs_bwrap
def test_a_sleep_that_ignores_interrupts_is_given_up(graded):
    """Idle forever: nbgrader's per-cell timeout gives up on it, the sandbox is torn down."""
    check_common(graded, "idle-forever")
    assert stopped(graded, "idle-forever") == ["CellTimeoutError"] * 3


# --------------------------------------------------------------------------- refusal without bwrap


def _path_without_bwrap(tmp_path: Path) -> str:
    """A PATH with this Python's bin/ and the system's tools, but no bwrap."""
    shadow = tmp_path / "bin"
    shadow.mkdir()
    for tool in ("sh", "env", "python3"):
        if shutil.which(tool):
            (shadow / tool).symlink_to(shutil.which(tool))
    return os.pathsep.join([str(Path(sys.executable).parent), str(shadow)])


def test_grading_refuses_without_bwrap(tmp_path, monkeypatch):
    root = sc.make_course(tmp_path / "course")
    sc.submit(root, "someone", sc.HONEST)
    monkeypatch.setenv("PATH", _path_without_bwrap(tmp_path))
    with pytest.raises(sandbox.SandboxUnavailable, match=r"bwrap.*not installed.*--unsafe"):
        sandbox.autograde(root, sc.ASSIGNMENT)
    assert not (root / "autograded").exists()
    cli = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sandbox.py"), "autograde", str(root), sc.ASSIGNMENT],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert cli.returncode == 2
    assert "refusing to grade" in cli.stderr and "--unsafe" in cli.stderr
    assert not (root / "autograded").exists()


def test_unsafe_grades_without_bwrap_with_a_warning(tmp_path, monkeypatch):
    root = sc.make_course(tmp_path / "course")
    sc.submit(root, "someone", sc.HONEST)
    monkeypatch.setenv("PATH", _path_without_bwrap(tmp_path))
    with pytest.warns(UserWarning, match="WITHOUT a sandbox"):
        sandbox.autograde(root, sc.ASSIGNMENT, unsafe=True)
    assert sc.scores(root)["someone"] == {"test_small": 1.0, "test_hidden": 1.0}


# --------------------------------------------------------------------------- a real exercise


@needs_bwrap
def test_a_real_exercise_is_graded_right_in_the_sandbox(tmp_path):
    """notebooks/exercises/02_loss.ipynb (the checks, the package, its data) runs in the sandbox
    with the default limits: a catalogue mistake loses exactly the points it should."""
    course = student.make_course(tmp_path / "course")
    sandbox.nbgrader_command(
        course, ["generate_assignment", student.ASSIGNMENT, "--force"], sandbox=None
    )
    fakes = [s for s in student.fake_students() if s.id == "reg-missing-in-dW"]
    for fake in fakes:
        student.submit(course, fake)
    sandbox.autograde(course, student.ASSIGNMENT, jobs=2)
    row = student.read_scores(course, fakes)[0]
    expected = student.expected_cells(fakes)[fakes[0].id]
    assert row["cells"] == expected
    lost = {cell for cell, points in expected.items() if points == 0}
    # it loses the gradient cells of its notebook, and keeps the others it submitted
    assert any(cell.startswith("02_loss/") for cell in lost)
    assert any(cell.startswith("02_loss/") and points > 0 for cell, points in expected.items())
    assert all(points > 0 for cell, points in row["cells"].items() if cell not in lost)


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_a_checkout_under_tmp_stays_visible_behind_the_private_tmp(tmp_path, monkeypatch):
    """A clone under /tmp (its venv, softmax/, data/) is bound on top of the sandbox's own /tmp,
    not hidden by it; the rest of the host's /tmp stays hidden."""
    assert tmp_path.is_relative_to("/tmp")
    checkout = tmp_path / "clone" / ".venv"
    checkout.mkdir(parents=True)
    (checkout / "marker.txt").write_text("visible")
    secret = tmp_path / "secret.txt"
    secret.write_text("host tmp")
    real = sandbox.readable_paths()
    monkeypatch.setattr(sandbox, "readable_paths", lambda: [*real, checkout])
    work, runtime = tmp_path / "work", tmp_path / "runtime"
    work.mkdir()
    runtime.mkdir()
    probe = (
        f"import os; print(open({str(checkout / 'marker.txt')!r}).read(), "
        f"os.path.exists({str(secret)!r}))"
    )
    argv = sandbox.bwrap_argv(
        bwrap=shutil.which("bwrap"),
        workdir=work,
        scratch_work=work,
        runtime=runtime,
        hide=[],
        uid=None,
        limits=sandbox.Limits(),
        env={"PATH": "/usr/bin"},
        command=[sys.executable, "-I", "-c", probe],
    )
    tmpfs, bind = (
        argv.index("/tmp", argv.index("--tmpfs", argv.index("/dev/shm"))),
        argv.index(str(checkout)),
    )
    assert tmpfs < bind
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["visible", "False"]
