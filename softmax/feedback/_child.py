"""Running one call of student code in a child process: fork, guard, deadline, plain results.

:func:`run_in_child` forks (Linux, macOS), runs ``fn(*args, **kwargs)`` in the child
and sends back what happened through a pipe as plain data; the parent waits until a
deadline and then kills the child's process group with SIGKILL. So whatever the
function does (``while True`` with ``except BaseException: pass``, ignoring SIGALRM,
``exit()``, ``os._exit``, a crash in compiled code, patching modules or numpy), the call
comes back within its time limit plus the kill, and nothing it changes reaches the
caller's process: module attributes, signal handlers, numpy's error state and
``sys.modules`` stay as they were.

Cost (measured on the project's 2-core machine, Python 3.11, a process of 380 MB with
numpy, matplotlib, ipywidgets and scipy imported and a second thread running, as in a
Jupyter kernel): fork + pipe + wait of an empty call, median 8 ms (max 13 ms of 20).
One child per call keeps the rules simple (each call starts from the caller's state);
a check makes 8-15 calls.

The guard. In the child, a trace hook (:func:`sys.settrace`, every thread) raises
:class:`ReferenceCalled` when a function of the ``softmax`` package (any module but
:mod:`softmax.feedback` and the helpers ``softmax._validation``/``softmax._timing``)
starts while no *spared* function is on the stack: the package's reference losses,
``softmax.fast``'s blocked loss, the catalogue's implementations, and any function
rebuilt from their code objects (recognised by file name, and by byte code when the
file name was changed). Spared are the function under check itself (so the package's
own functions and the catalogue's mistakes can be checked) and what the caller names.
A student's ``except BaseException`` that swallows the exception does not hide it:
the first use is recorded. Cost: the hook runs once per Python function started
(it traces no line and sees no call of compiled code); a vectorized loss starts a few
dozen (well under 1 ms); a naive loss written with loops ran 4% and 26% slower
(two student-style loops at N = 500, D = 3073, C = 10, min of 5, on a loaded machine).

Results come back as plain data (numbers, strings, bytes, tuples, lists, dicts and numeric
numpy arrays and scalars); anything else becomes a stand-in object that only carries
its type's name (so it reads as an interface error). The parent never unpickles a
class: :class:`_PlainUnpickler` refuses every global.

Windows has no fork: there :func:`softmax.feedback._run._call` runs the function in
the caller's process as before (the references' code swapped, exceptions caught,
no time limit, SystemExit caught but ``os._exit`` not).
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import io
import os
import pickle
import select
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

CAN_FORK = hasattr(os, "fork") and hasattr(os, "killpg") and sys.platform != "win32"
_OUTPUT_LIMIT = 4000  # characters of printed output relayed per call
_KINDS = "biufcSU"  # numpy kinds sent as arrays


# --------------------------------------------------------------------------- plain data


class Opaque:
    """Stands for a returned object that is not plain data; only its type's name survives."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object>"


def encode(value, depth: int = 0):
    """Plain data of a returned value (runs in the child, student's objects allowed)."""
    kind = type(value)
    if isinstance(value, np.ndarray | np.generic):
        if value.dtype.kind in _KINDS and not value.dtype.fields:
            a = np.asarray(value)  # tobytes() is in C order whatever the strides
            tag = "a" if isinstance(value, np.ndarray) else "g"
            return (tag, a.dtype.str, a.shape, a.tobytes())
        return ("o", kind.__name__)
    if value is None or kind in (bool, int, float, str, bytes):
        return ("p", value)
    if kind is complex:
        return ("c", value.real, value.imag)
    if isinstance(value, tuple | list) and depth < 4 and len(value) <= 10**6:
        return ("t" if isinstance(value, tuple) else "l", [encode(v, depth + 1) for v in value])
    if kind is dict and depth < 4 and len(value) <= 10**4:  # e.g. check_training's evidence
        return ("d", [(encode(k, depth + 1), encode(v, depth + 1)) for k, v in value.items()])
    if isinstance(value, bool | int | float | str | bytes):  # a subclass: its base value
        base = next(b for b in (bool, int, float, str, bytes) if isinstance(value, b))
        return ("p", base(value))
    if hasattr(value, "__array__"):
        try:
            a = np.asarray(value)
        except Exception:  # student object
            return ("o", kind.__name__)
        if a.dtype.kind in _KINDS:
            return ("a", a.dtype.str, a.shape, a.tobytes())
    return ("o", kind.__name__)


def decode(item):
    tag = item[0]
    if tag == "p":
        return item[1]
    if tag == "c":
        return complex(item[1], item[2])
    if tag in ("a", "g"):
        a = np.frombuffer(item[3], dtype=np.dtype(item[1])).reshape(item[2]).copy()
        return a if tag == "a" else a[()]
    if tag in ("t", "l"):
        items = [decode(v) for v in item[1]]
        return tuple(items) if tag == "t" else items
    if tag == "d":
        pairs = [(decode(k), decode(v)) for k, v in item[1]]
        return {k: v for k, v in pairs if isinstance(k, str | int | float | bytes | tuple)}
    return type(str(item[1]), (Opaque,), {})()


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refused: {module}.{name}")


def _loads(data: bytes):
    return _PlainUnpickler(io.BytesIO(data)).load()


# --------------------------------------------------------------------------- the guard


class ReferenceCalled(BaseException):
    """Raised in the child when student code starts a guarded function of the package."""


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_HARNESS = os.path.dirname(os.path.abspath(__file__)) + os.sep
_HELPERS = tuple(_PACKAGE + name for name in ("_validation.py", "_timing.py"))
_FINGERPRINTED = (
    "loss.py",
    "fast.py",
    "functions.py",
    "gradcheck.py",
    "mistakes.py",
    "classifier.py",
)
_FINGERPRINT_BYTES = 120  # byte code of at least ~20 statements' size
_FINGERPRINTS: dict = {}  # co_code + names of every guarded package code object -> its name


def _walk_code(code, prefix: str):
    yield code, f"{prefix}{code.co_name}"
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield from _walk_code(const, f"{prefix}{code.co_name}.")


def _fingerprints() -> dict:
    """Byte code of every function of the files that compute a loss, a softmax or a
    gradient, compiled from disk (once per process)."""
    if not _FINGERPRINTS:
        for name in _FINGERPRINTED:
            path = _PACKAGE + name
            try:
                with open(path, encoding="utf-8") as f:
                    module = compile(f.read(), path, "exec")
            except (OSError, SyntaxError, ValueError):  # pragma: no cover
                continue
            dotted = "softmax." + name[:-3]
            for code, qual in _walk_code(module, ""):
                # whole functions of some size only: a one-line helper or a generator
                # expression could be written the same way by a student
                if (
                    code is not module
                    and not code.co_name.startswith("<")
                    and len(code.co_code) >= _FINGERPRINT_BYTES
                ):
                    key = (code.co_code, code.co_names)
                    _FINGERPRINTS.setdefault(key, f"{dotted}.{qual.split('.', 1)[-1]}")
        _FINGERPRINTS.setdefault(None, "")
    return _FINGERPRINTS


def _public_names() -> dict:
    """code object -> "softmax.NAME" for the package's public functions (nicer messages)."""
    import softmax

    names = {}
    for name in getattr(softmax, "__all__", ()):
        f = getattr(softmax, name, None)
        while f is not None:
            if hasattr(f, "__code__"):
                names.setdefault(f.__code__, f"softmax.{name}")
            f = getattr(f, "__wrapped__", None)
    return names


def _guarded_name(code) -> str | None:
    """The package function this code object is (or was rebuilt from), or None."""
    path = code.co_filename
    if path.startswith(_PACKAGE):
        if path.startswith(_HARNESS) or path in _HELPERS:
            return None
        module = "softmax." + os.path.relpath(path[:-3], _PACKAGE).replace(os.sep, ".")
        return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"
    return _fingerprints().get((code.co_code, code.co_names))


def spared_codes(*callables) -> set:
    """The code objects of callables (through partials, wrappers and bound methods)."""
    codes, todo = set(), list(callables)
    while todo:
        c = todo.pop()
        if c is None or len(codes) > 64:
            continue
        if isinstance(c, tuple | list):
            todo.extend(c)
            continue
        code = getattr(c, "__code__", None)
        if code is not None:
            codes.add(code)
        for attr in ("func", "__wrapped__", "__func__"):
            inner = getattr(c, attr, None)
            if inner is not None and inner is not c:
                todo.append(inner)
    return codes


def _make_guard(spared: set, used: list):
    public = _public_names()
    verdicts: dict = {}
    # Only spared package code lets package code run below it: the student's own
    # function is spared too, and is always on the stack.
    permits = {c for c in spared if _guarded_name(c)}

    def guard(frame, event, arg):  # a global trace function: "call" events only
        code = frame.f_code
        name = verdicts.get(code, False)
        if name is False:
            name = verdicts[code] = None if code in spared else _guarded_name(code)
        if name is None:
            return
        f = frame.f_back
        while f is not None:
            if f.f_code in permits:
                return
            f = f.f_back
        name = public.get(code, name)
        used.append(name)
        raise ReferenceCalled(name)

    return guard


# --------------------------------------------------------------------------- the child


@dataclass
class Outcome:
    """What one call did, as the parent sees it."""

    kind: str = "value"  # value, error, reference, timeout, ended
    value: object = None
    error: tuple = ()  # (type name, "Type: message", student's line)
    not_implemented: bool = False
    reference: str | None = None
    seconds: float = 0.0
    output: str = ""
    args_after: list = field(default_factory=list)  # final contents of the array arguments
    ended: str = ""  # how the process ended when it did not report


def _exception_info(exc: BaseException, student_line, exception_text) -> tuple:
    return (type(exc).__name__, exception_text(exc), student_line(exc))


def _child_main(fn, args, kwargs, spared, write_fd, texts) -> None:
    """Runs in the child; never returns (os._exit)."""
    status = 0
    try:
        os.setpgid(0, 0)
        faulthandler.disable()  # a crash is reported as a finding, not dumped on stderr
        for sig in (signal.SIGINT, signal.SIGALRM, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        out = io.StringIO()
        sys.stdout = sys.stderr = out
        warnings.simplefilter("ignore")
        np.seterr(all="ignore")
        used: list = []
        guard = _make_guard(spared, used)
        report: dict = {"kind": "value"}
        start = time.perf_counter()
        sys.settrace(guard)
        threading.settrace(guard)
        try:
            value = fn(*args, **kwargs)
        except ReferenceCalled as exc:
            report = {"kind": "reference", "reference": str(exc)}
        except BaseException as exc:  # SystemExit, KeyboardInterrupt too
            report = {
                "kind": "error",
                "error": _exception_info(exc, *texts),
                "not_implemented": isinstance(exc, NotImplementedError),
            }
        else:
            report["value"] = encode(value)
            if sys.gettrace() is not guard:  # switched off by the function itself
                report = {
                    "kind": "error",
                    "error": (
                        "RuntimeError",
                        "the check's guard was switched off (sys.settrace)",
                        "",
                    ),
                }
        finally:
            sys.settrace(None)
            threading.settrace(None)
        report["seconds"] = time.perf_counter() - start
        if used:
            report = {"kind": "reference", "reference": used[0], "seconds": report["seconds"]}
        report["output"] = out.getvalue()[:_OUTPUT_LIMIT]
        report["args_after"] = [encode(a) if isinstance(a, np.ndarray) else None for a in args]
        data = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
    except BaseException:  # the child must never return into the caller
        status = 70
        with contextlib.suppress(BaseException):
            os.write(2, traceback.format_exc().encode()[-2000:])
    finally:
        os._exit(status)


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """All bytes until EOF, or (what came, True) when the deadline passed first."""
    chunks = []
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), True
        if not poller.poll(max(1, int(left * 1000))):
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            target()


def run_in_child(fn, args, kwargs, seconds: float, spared: set, texts) -> Outcome:
    """Call ``fn(*args, **kwargs)`` in a forked child; at most ``seconds`` of waiting.

    ``texts`` = (student_line, exception_text): how the child describes an exception.
    The array arguments are updated in place with the child's final contents, so that
    a caller comparing them with copies sees what the function did to them.
    """
    _fingerprints()  # compiled once, in the parent, so that children share it
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python >= 3.12 warns that forking a multi-threaded process (a Jupyter kernel)
        # may deadlock in the child: the child only runs the student's function and
        # is killed at the deadline, so a deadlock there is a time-out, not a hang.
        warnings.simplefilter("ignore", DeprecationWarning)
        # The child's collector never visits (or finalises) the caller's objects; a
        # caller that froze objects itself keeps them frozen.
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            pid = os.fork()
        except BaseException:
            if freeze:
                gc.unfreeze()
            os.close(read_fd)
            os.close(write_fd)
            raise
    if pid == 0:  # pragma: no cover - runs in the child, which ends with os._exit
        os.close(read_fd)
        _child_main(fn, args, kwargs, spared, write_fd, texts)
    if freeze:
        gc.unfreeze()
    os.close(write_fd)
    try:
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        data, late = _read_until(read_fd, time.monotonic() + max(seconds, 0.05))
    finally:  # also on the user's KeyboardInterrupt: the child never outlives the call
        os.close(read_fd)
        _kill(pid)
        _, status = os.waitpid(pid, 0)
    if late:
        return Outcome(kind="timeout", seconds=seconds)
    try:
        report = _loads(data) if data else None
    except Exception:  # a truncated report: the process died while writing
        report = None
    if not isinstance(report, dict):
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
            how = f"the process was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
        else:
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
            how = f"the process ended with exit status {code} before returning (os._exit?)"
        return Outcome(kind="ended", ended=how)
    outcome = Outcome(
        kind=report["kind"],
        error=tuple(report.get("error", ())),
        not_implemented=bool(report.get("not_implemented")),
        reference=report.get("reference"),
        seconds=float(report.get("seconds", 0.0)),
        output=str(report.get("output", "")),
    )
    if "value" in report:
        outcome.value = decode(report["value"])
    outcome.args_after = [decode(a) if a is not None else None for a in report["args_after"]]
    return outcome


def copy_back(args, after) -> None:
    """Write the child's final array contents into the caller's argument arrays."""
    for a, b in zip(args, after, strict=False):
        if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
            continue
        try:
            if a.shape != b.shape and a.size == b.size:
                a.shape = b.shape
            if a.dtype != b.dtype and a.dtype.itemsize == b.dtype.itemsize:
                a.dtype = b.dtype
            np.copyto(a, b, casting="unsafe")
        except (ValueError, TypeError, AttributeError):
            pass
