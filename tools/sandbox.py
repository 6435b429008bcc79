"""Grade untrusted notebooks: ``nbgrader autograde`` with every submission's kernel in a sandbox.

Usage:
    python tools/sandbox.py autograde COURSE ASSIGNMENT [--student ID ...] [--jobs N] [--unsafe]

nbgrader itself (and so the gradebook, ``source/`` and the scores it writes) runs outside the
sandbox, with your rights. Only the kernel that runs a student's notebook is sandboxed, by
bubblewrap (``bwrap``), with IPC sockets instead of TCP so that nbgrader can talk to it across
the sandbox's own network namespace. Inside the sandbox the kernel:

- sees the system read-only and only in part: ``/usr`` (and the ``/bin``, ``/lib*`` links to it),
  a few files of ``/etc`` (no ``shadow``), the Python installation and virtual environment
  nbgrader runs from, the editable packages installed in it (this project's ``softmax/``) and
  its ``data/``; nothing else of the course directory, of ``/home``, ``/root`` or ``/work``;
- works in a private copy of its own ``autograded/STUDENT/ASSIGNMENT`` folder (the files nbgrader
  copied there, without any notebook), thrown away afterwards, and a size-limited ``/tmp``;
- has no network (its own empty network namespace: even 127.0.0.1 is the sandbox's own);
- runs as an unprivileged user (when grading as root: a dedicated uid per parallel job, so that
  the process-count limit holds; root is exempt from it) with limits on CPU time, address space,
  process count and file size; its process tree lives in its own PID namespace and dies with it.

A submission that breaks a limit loses the cells it breaks (nbgrader records an error, or a
dead kernel, for them); the other students are graded as usual.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The environment variable that carries the sandbox's settings from :func:`autograde` to the
#: kernel manager inside the nbgrader process.
CONFIG_ENV = "SOFTMAX_SANDBOX_CONFIG"
#: When grading as root, job ``i`` runs its kernels as uid/gid ``UID_BASE + i`` (no
#: /etc/passwd entry needed). Far above the uids distributions and subuid ranges hand out.
UID_BASE = 1_900_000_000
#: Files of /etc the kernel may need (dynamic linker, time zone, user names); never shadow.
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "passwd",
    "group",
    "nsswitch.conf",
    "hosts",
    "alternatives",
    "mime.types",
    "fonts",
)
MISSING_MESSAGE = (
    "refusing to grade: the sandbox tool bubblewrap ('bwrap') {why}. nbgrader would run every "
    "submitted notebook with your rights: it could read source/ (the solutions), change "
    "gradebook.db, delete your files or reach the network. Install it (Debian/Ubuntu: "
    "sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap), or pass --unsafe "
    "(unsafe=True) to grade without a sandbox code you would run yourself."
)
UNSAFE_WARNING = (
    "WARNING: grading WITHOUT a sandbox (--unsafe): the sandbox tool bubblewrap ('bwrap') {why}. "
    "Every submitted notebook runs with your rights and can read the solutions, change the "
    "gradebook, delete your files and reach the network."
)


class SandboxUnavailable(RuntimeError):
    """bwrap is missing, or cannot make a sandbox on this machine (user namespaces restricted)."""


@dataclass(frozen=True)
class Limits:
    """What one kernel (one notebook of one student) may use.

    ``cpu_seconds``: CPU time of the kernel process (RLIMIT_CPU: SIGXCPU then SIGKILL; a
    notebook that only sleeps is stopped by nbgrader's own ``Execute.timeout`` per cell).
    ``memory_bytes``: address space of each process (RLIMIT_AS: an allocation past it raises
    MemoryError). ``processes``: processes and threads of the sandbox's user (RLIMIT_NPROC).
    ``file_bytes``: largest file it may write (RLIMIT_FSIZE). ``tmp_bytes``: size of its /tmp
    and of its /dev/shm (both in memory).
    """

    cpu_seconds: int = 600
    memory_bytes: int = 3 * 2**30
    processes: int = 256
    file_bytes: int = 256 * 2**20
    tmp_bytes: int = 256 * 2**20


# --------------------------------------------------------------------------- the sandbox


def bwrap_problem(bwrap: str | None = None) -> str | None:
    """Why no sandbox can be made here (None: bwrap works).

    Runs ``bwrap ... true`` once: a bwrap that exists but cannot create its namespaces (e.g.
    Ubuntu 24.04's AppArmor restriction of unprivileged user namespaces) counts as missing.
    """
    bwrap = bwrap or shutil.which("bwrap")
    if bwrap is None:
        return "is not installed (not found on PATH)"
    probe = [bwrap, "--ro-bind", "/usr", "/usr", *_usr_links(), "--proc", "/proc", "--dev", "/dev"]
    probe += ["--unshare-net", "--unshare-pid", "--die-with-parent", "true"]
    proc = subprocess.run(probe, capture_output=True, text=True)
    if proc.returncode != 0:
        return f"cannot make a sandbox here ({proc.stderr.strip() or proc.returncode})"
    return None


def _usr_links() -> list[str]:
    """bwrap arguments for /bin, /sbin, /lib*: symlinks into /usr (merged /usr) or bind mounts."""
    args = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def readable_paths() -> list[Path]:
    """What the kernel may read besides /usr: this Python, its venv, editable packages, data/."""
    paths = {Path(sys.prefix), Path(sys.base_prefix).resolve(), Path(sys.exec_prefix)}
    paths |= {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
    paths |= _editable_packages()
    data = ROOT / "data"
    if data.is_dir():
        paths.add(data)
    return sorted(p for p in paths if p.exists())


def _editable_packages() -> set[Path]:
    """The folders of packages installed in editable mode (they live outside site-packages).

    Only the package folders: the repository around them (notebooks/exercises/ holds the
    solutions) stays hidden.
    """
    import importlib.metadata
    import importlib.util

    found = set()
    for top, _ in importlib.metadata.packages_distributions().items():
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        locations = list(spec.submodule_search_locations or [])
        if not locations and spec.origin and spec.origin not in {"built-in", "frozen"}:
            locations = [spec.origin]
        for loc in locations:
            path = Path(loc).resolve()
            inside = any(
                path.is_relative_to(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix)
            )
            if not inside:
                found.add(path)
    return found


def bwrap_argv(
    *,
    bwrap: str,
    workdir: Path,
    scratch_work: Path,
    runtime: Path,
    hide: list[Path],
    uid: int | None,
    limits: Limits,
    env: dict[str, str],
    command: list[str],
) -> list[str]:
    """The command that runs ``command`` in the sandbox, in ``workdir`` (backed by ``scratch_work``).

    ``runtime`` (connection file, IPC sockets) is shared with the outside at the same path.
    ``hide``: paths covered by an empty tmpfs (the course directory, in case it lies under a
    path the kernel may read). ``uid``: the unprivileged uid to switch to (when run as root).
    """
    argv = [bwrap, "--ro-bind", "/usr", "/usr", *_usr_links()]
    for name in ETC_FILES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--dev", "/dev", "--proc", "/proc"]
    argv += ["--size", str(limits.tmp_bytes), "--tmpfs", "/dev/shm"]
    # The private /tmp comes before the binds: a checkout (its venv, softmax/, data/) that
    # lies under /tmp is then bound on top of it instead of being hidden by it.
    argv += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    readable = readable_paths()
    # bwrap makes missing parent folders mode 0700: make them 0755 first, or the
    # unprivileged uid could not reach what is bound below them.
    parents = {a for p in [*readable, *hide, workdir, runtime] for a in p.parents}
    for parent in sorted(
        parents - {Path("/"), Path("/tmp"), Path("/usr")}, key=lambda p: len(p.parts)
    ):
        if not any(parent.is_relative_to(p) for p in readable):
            argv += ["--perms", "0755", "--dir", str(parent)]
    for path in readable:
        argv += ["--ro-bind", str(path), str(path)]
    for path in hide:
        argv += ["--perms", "0755", "--size", str(1 << 20), "--tmpfs", str(path)]
    inner = {a for p in (workdir, runtime) for a in p.parents} - {Path("/"), Path("/tmp")}
    for parent in sorted(inner, key=lambda p: len(p.parts)):
        if any(parent.is_relative_to(h) for h in hide):
            argv += ["--perms", "0755", "--dir", str(parent)]
    argv += ["--bind", str(scratch_work), str(workdir), "--bind", str(runtime), str(runtime)]
    argv += ["--chdir", str(workdir), "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    argv += ["--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent"]
    usage = str(runtime / "usage.json")
    spec = {"uid": uid, "limits": asdict(limits), "argv": command, "usage": usage}
    return [*argv, sys.executable, "-I", "-S", "-c", LAUNCHER, json.dumps(spec)]


#: Runs inside the sandbox (this file is not visible there): drop to the unprivileged uid, run
#: the kernel with the limits, then write the CPU seconds it and its children used to
#: runtime/usage.json (bwrap's PID namespace hides them from the grader's own rusage).
#: Its argument: JSON with uid, limits (see Limits), argv, usage.
LAUNCHER = """\
import json, os, resource, signal, sys
spec = json.loads(sys.argv[1])
limits = spec["limits"]
if spec["uid"] is not None and os.getuid() == 0:
    os.setgroups([])
    os.setresgid(spec["uid"], spec["uid"], spec["uid"])
    os.setresuid(spec["uid"], spec["uid"], spec["uid"])
pid = os.fork()
if pid == 0:
    for rlimit, value in (
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_AS, limits["memory_bytes"]),
        (resource.RLIMIT_NPROC, limits["processes"]),
        (resource.RLIMIT_FSIZE, limits["file_bytes"]),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(rlimit, (value, value))
    os.execv(spec["argv"][0], spec["argv"])
signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are for the kernel (same group)
status = os.waitpid(pid, 0)[1]
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if spec["usage"]:
    with open(spec["usage"], "w") as f:
        json.dump({"cpu_seconds": usage.ru_utime + usage.ru_stime}, f)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def kernel_env(workdir: Path) -> dict[str, str]:
    """The kernel's environment: nothing of the instructor's but thread-count settings."""
    env = {
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": "/tmp",
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PWD": str(workdir),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        # Each thread's malloc arena reserves 64 MB of address space: keep RLIMIT_AS for data.
        "MALLOC_ARENA_MAX": "2",
    }
    for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


try:
    from jupyter_client.manager import AsyncKernelManager
except ImportError:  # the CLI's refusal message must not need Jupyter
    AsyncKernelManager = object


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the bwrap sandbox, reached over IPC sockets.

    Set as ``Execute.kernel_manager_class`` for nbgrader's autograde by :func:`autograde`; reads
    its settings from the environment variable ``SOFTMAX_SANDBOX_CONFIG`` (JSON: ``bwrap``,
    ``uid``, ``hide``, ``limits``).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self._scratch: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        self._cleanup_scratch()
        self._scratch = Path(tempfile.mkdtemp(prefix="softmax-sandbox-"))
        runtime = self._scratch / "run"
        runtime.mkdir()
        self.connection_file = str(runtime / "kernel.json")
        self.ip = str(runtime / "kernel-ipc")
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        config = json.loads(os.environ[CONFIG_ENV])
        workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        scratch_work = self._scratch / "work"
        # symlinks stay links (their targets outside are not visible inside)
        shutil.copytree(
            workdir, scratch_work, symlinks=True, ignore=shutil.ignore_patterns("*.ipynb")
        )
        runtime = self._scratch / "run"
        uid = config["uid"] if os.getuid() == 0 else None
        if uid is not None:
            for path in (self._scratch, runtime, Path(self.connection_file)):
                os.chown(path, uid, uid)
            for dirpath, dirnames, filenames in os.walk(scratch_work):
                for name in [*dirnames, *filenames, ""]:
                    os.chown(Path(dirpath) / name, uid, uid, follow_symlinks=False)
        kw["env"] = {}  # bwrap --clearenv; the kernel gets kernel_env() only
        argv = bwrap_argv(
            bwrap=config["bwrap"],
            workdir=workdir,
            scratch_work=scratch_work,
            runtime=runtime,
            hide=[Path(p) for p in config["hide"]],
            uid=uid,
            limits=Limits(**config["limits"]),
            env=kernel_env(workdir),
            command=kernel_cmd,
        )
        kw["cwd"] = str(self._scratch)
        await super()._async_launch_kernel(argv, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._cleanup_scratch()

    cleanup_resources = _async_cleanup_resources

    def _cleanup_scratch(self) -> None:
        if self._scratch is not None:
            usage = self._scratch / "run" / "usage.json"
            log = json.loads(os.environ.get(CONFIG_ENV, "{}")).get("usage_log")
            if log and usage.is_file():
                with open(log, "a") as f:
                    f.write(usage.read_text().strip() + "\n")
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


# --------------------------------------------------------------------------- grading

STOPPED_MESSAGE = (
    "{error}: the grader stopped this notebook here ({why}). This cell and every cell after "
    "it score 0."
)


def install_stopped_kernel_handling() -> None:
    """Make nbgrader's Execute score the rest of a notebook 0 when its kernel dies or hangs.

    Without this, a kernel killed by a limit (or ``os._exit``), or one that ignores the
    interrupt sent at ``Execute.timeout``, makes nbgrader drop the student's whole autograded
    notebook; and a cell that is never run has no error output, which nbgrader would count as
    full marks. Here the cell that stopped gets an error output, and so does every code cell
    after it (not sent to the dead or hung kernel).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_output
    from nbgrader.preprocessors import Execute

    if getattr(Execute, "_softmax_stop_handling", False):
        return
    preprocess, preprocess_cell = Execute.preprocess, Execute.preprocess_cell

    def stopped_output(error: str, why: str):
        text = STOPPED_MESSAGE.format(error=error, why=why)
        return new_output("error", ename=error, evalue=text, traceback=[text])

    def new_preprocess(self, nb, resources=None, km=None):
        self._softmax_stopped = None
        return preprocess(self, nb, resources, km)

    def new_preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return preprocess_cell(self, cell, resources, index)
        if getattr(self, "_softmax_stopped", None):
            cell.outputs = [stopped_output(*self._softmax_stopped)]
            return cell, self.resources
        try:
            return preprocess_cell(self, cell, resources, index)
        except DeadKernelError:
            why = "the kernel died: killed by a limit of the grading sandbox (CPU time, memory) or it exited"
            self._softmax_stopped = ("DeadKernelError", why)
        except CellTimeoutError:
            why = f"no reply within {self.timeout} s, even after an interrupt"
            self._softmax_stopped = ("CellTimeoutError", why)
        cell.outputs.append(stopped_output(*self._softmax_stopped))
        return cell, self.resources

    Execute.preprocess = new_preprocess
    Execute.preprocess_cell = new_preprocess_cell
    Execute._softmax_stop_handling = True


def _run_nbgrader(args: list[str]) -> None:
    """``nbgrader ARGS`` in this process, with :func:`install_stopped_kernel_handling`."""
    install_stopped_kernel_handling()
    from nbgrader.apps.nbgraderapp import main as nbgrader_main

    sys.argv = ["nbgrader", *args]
    nbgrader_main()


def _db_url(course_root: Path) -> str:
    """The course's gradebook URL (its nbgrader_config.py's, else nbgrader's default) with a
    long SQLite busy timeout, so that parallel nbgrader processes wait for each other's writes."""
    url = f"sqlite:///{course_root / 'gradebook.db'}"
    config_file = course_root / "nbgrader_config.py"
    if config_file.is_file():
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(config_file.name, str(course_root)).load_config()
        if "db_url" in config.CourseDirectory:
            url = config.CourseDirectory.db_url
    if url.startswith("sqlite") and "timeout=" not in url:
        url += ("&" if "?" in url else "?") + "timeout=600"
    return url


def submitted_students(course_root: Path, assignment: str) -> list[str]:
    """The students with a submission of ``assignment`` in ``course_root/submitted``."""
    return sorted(
        p.parent.name for p in (course_root / "submitted").glob(f"*/{assignment}") if p.is_dir()
    )


def nbgrader_command(
    course_root: Path,
    args: list[str],
    *,
    sandbox: dict | None,
    job: int = 0,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course_root`` (kernels sandboxed unless ``sandbox`` is None).

    Usable for any nbgrader command that executes notebooks (``autograde``, and
    ``generate_feedback`` when its preprocessors re-execute the notebook). nbgrader runs with
    :func:`install_stopped_kernel_handling`.
    """
    env = {**os.environ, **(env or {})}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    argv = [sys.executable, __file__, "_nbgrader", *args]
    if sandbox is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
        env[CONFIG_ENV] = json.dumps({**sandbox, "uid": UID_BASE + job})
        argv.append("--Execute.kernel_manager_class=sandbox.SandboxKernelManager")
    proc = subprocess.run(argv, cwd=course_root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    return proc


def sandbox_settings(
    course_root: Path, *, unsafe: bool = False, limits: Limits | None = None
) -> dict | None:
    """The sandbox's settings for :func:`nbgrader_command`; None (with a warning) when unsafe.

    Raises SandboxUnavailable (one message saying what to do) when bwrap is missing or cannot
    run here and ``unsafe`` is false.
    """
    bwrap = shutil.which("bwrap")
    why = bwrap_problem(bwrap)
    if why is not None:
        if not unsafe:
            raise SandboxUnavailable(MISSING_MESSAGE.format(why=why))
        warnings.warn(UNSAFE_WARNING.format(why=why), stacklevel=3)
        print(UNSAFE_WARNING.format(why=why), file=sys.stderr)
        return None
    return {"bwrap": bwrap, "hide": [str(course_root)], "limits": asdict(limits or Limits())}


def autograde(
    course_root: Path,
    assignment: str,
    students: list[str] | None = None,
    *,
    jobs: int | None = None,
    unsafe: bool = False,
    limits: Limits | None = None,
    usage_log: Path | None = None,
) -> None:
    """``nbgrader autograde ASSIGNMENT`` for ``students`` (default: every submission), sandboxed.

    ``course_root`` is a standard nbgrader course directory (nbgrader_config.py, source/,
    submitted/STUDENT/ASSIGNMENT/*.ipynb, gradebook.db with the assignment). nbgrader runs
    outside the sandbox and writes the scores; each notebook's kernel runs in the sandbox
    (see the module's docstring) with ``limits`` (default :class:`Limits`).

    ``jobs`` (default: every core) nbgrader processes grade disjoint sets of students at the
    same time, one student after another each, all on the same gradebook (SQLite, with a long
    busy timeout: each process writes a few rows per notebook, between minutes of execution).

    ``usage_log``: a file to which each kernel that exits normally appends one JSON line, the
    CPU seconds it and its children used (:func:`kernel_cpu_seconds` sums them).

    Raises SandboxUnavailable if bwrap is missing or cannot run, unless ``unsafe`` is true
    (then grades without a sandbox, after a loud warning). Raises RuntimeError with nbgrader's
    log if a process fails.
    """
    course_root = Path(course_root).resolve()
    if not (course_root / "submitted").is_dir():
        raise ValueError(f"course_root: {course_root} has no submitted/ folder")
    sandbox = sandbox_settings(course_root, unsafe=unsafe, limits=limits)
    if sandbox is not None and usage_log is not None:
        sandbox["usage_log"] = str(Path(usage_log).resolve())
    everyone = submitted_students(course_root, assignment)
    students = everyone if students is None else list(students)
    unknown = sorted(set(students) - set(everyone))
    if unknown:
        raise ValueError(f"students: no submitted/{{id}}/{assignment} for {unknown}")
    if not students:
        return
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(students)))
    shards = [students[i::jobs] for i in range(jobs)]
    db_url = _db_url(course_root)

    def grade(job: int) -> None:
        others = sorted(set(everyone) - set(shards[job]))
        args = ["autograde", assignment, "--force", f"--CourseDirectory.db_url={db_url}"]
        if others:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
        nbgrader_command(course_root, args, sandbox=sandbox, job=job)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(grade, range(jobs)))


def kernel_cpu_seconds(usage_log: Path) -> tuple[float, int]:
    """(total CPU seconds, number of kernels) of an ``autograde(..., usage_log=...)`` log."""
    lines = Path(usage_log).read_text().splitlines() if Path(usage_log).is_file() else []
    return sum(json.loads(line)["cpu_seconds"] for line in lines), len(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_nbgrader"]:  # what nbgrader_command runs
        _run_nbgrader(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("autograde", help="nbgrader autograde with sandboxed kernels")
    grade.add_argument("course", type=Path, help="the course directory (nbgrader_config.py)")
    grade.add_argument("assignment")
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument(
        "--jobs", type=int, default=None, help="students graded at once (default: cores)"
    )
    grade.add_argument(
        "--unsafe", action="store_true", help="grade WITHOUT a sandbox if bwrap is missing"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        autograde(args.course, args.assignment, args.student, jobs=args.jobs, unsafe=args.unsafe)
    except SandboxUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"graded in {time.perf_counter() - start:.1f} s; scores in the course's gradebook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
