"""Running student code safely (references disabled, time limit, exceptions caught),
comparing numbers, and recognising catalogue mistakes from them."""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .. import fast, functions, gradcheck
from .. import loss as _loss_module
from . import _child
from ._report import Finding, Report, _num, section_ref

# Relative-error thresholds of a float64 gradient check, as in notebook 04
# (softmax.display.checks uses the same numbers; a test keeps them equal).
GRADCHECK_GOOD = 1e-7
GRADCHECK_WRONG = 1e-4

TIME_LIMIT = 10.0  # seconds of student code per check (training: TRAINING_TIME_LIMIT)
TRAINING_TIME_LIMIT = 30.0
DEV_SHAPE = (500, 3073, 10)  # N, D, C of check_vectorized's timing
MIN_SPEEDUP = 5.0

# When a number is wrong: its relative error (largest |got - expected| over the largest
# |expected|) is above _WRONG on an ordinary probe, above _WRONG_LARGE on a large-score one.
# A student may compute in float32 whatever the input's dtype, so both allow float32
# arithmetic: below 1e-6 on the ordinary probes and up to 2.3e-4 on the large ones (measured,
# 6 seeds). A dW from centred or forward differences with h = 1e-5 is within ~1e-5. Every
# catalogue mistake moves a number by more than 1e-2 on ordinary probes, and the stability
# mistakes give inf/nan or errors above 0.5 on large ones.
_WRONG = GRADCHECK_WRONG
_WRONG_LARGE = 1e-2
# float64 arithmetic stays below this on these probes: an error between it and _WRONG is
# accepted and reported in a note.
_ROUND_OFF64 = 1e-9


# --------------------------------------------------------------------------- running student code


class _ReferenceCalled(BaseException):
    """Raised by a disabled reference function; records its name."""

    used: ClassVar[list] = []

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name
        _ReferenceCalled.used.append(name)


class _TimeLimit(BaseException):
    pass


def _disabled(*args, **kwargs):  # its code object replaces a reference function's
    raise __import__("softmax.feedback._run", fromlist=["_"])._ReferenceCalled(
        __import__("sys")._getframe().f_code.co_name
    )


def _reference_functions() -> list[tuple[object, str]]:
    """(function whose code is swapped, public name): the inner function of a
    decorated loss, so that every alias of the wrapper reaches it."""
    items = [
        (_loss_module.softmax_loss_naive.__wrapped__, "softmax_loss_naive"),
        (_loss_module.softmax_loss_vectorized.__wrapped__, "softmax_loss_vectorized"),
        (fast.softmax_loss_fast.__wrapped__, "softmax_loss_fast"),
        (functions.softmax, "softmax"),
        (functions.log_softmax, "log_softmax"),
        (functions.logsumexp, "logsumexp"),
        (gradcheck.numerical_gradient, "numerical_gradient"),
        (gradcheck.grad_check_sparse, "grad_check_sparse"),
    ]
    return [(f, name) for f, name in items if inspect.isfunction(f)]


_REFERENCES = _reference_functions()
_ORIGINAL_CODE = {id(f): f.__code__ for f, _ in _REFERENCES}
_RAISERS = {
    id(f): _disabled.__code__.replace(
        co_name=f"softmax.{name}",
        # co_qualname exists from Python 3.11 on; 3.10's tracebacks show co_name
        **({"co_qualname": f"softmax.{name}"} if sys.version_info >= (3, 11) else {}),
    )
    for f, name in _REFERENCES
}


@contextlib.contextmanager
def _references_disabled(*checked):
    """Make the package's reference functions raise :class:`_ReferenceCalled`,
    except the ``checked`` ones (so that the references pass their own checks)."""
    flat = [f for c in checked for f in (c if isinstance(c, tuple) else (c,))]
    spared = {id(f) for c in flat for f in (c, getattr(c, "__wrapped__", None))}
    targets = [f for f, _ in _REFERENCES if id(f) not in spared]
    try:
        for f in targets:
            f.__code__ = _RAISERS[id(f)]
        yield
    finally:
        for f in targets:
            f.__code__ = _ORIGINAL_CODE[id(f)]


@dataclass
class _Call:
    value: object = None
    error: BaseException | None = None  # the student's exception (a _StudentError from a child)
    not_implemented: bool = False
    timed_out: bool = False
    reference: str | None = None  # the reference function it called
    seconds: float = 0.0
    output: str = ""  # what the function printed (relayed to the caller's output)


class _StudentError(Exception):
    """An exception raised in the child, as text: its type's name, "Type: message" and
    the student's line (the exception object itself stays in the child)."""

    def __init__(self, type_name: str, text: str, line: str = ""):
        super().__init__(text)
        self.type_name, self.text, self.line = type_name, text, line


class _Budget:
    """Seconds of student code left for one check."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.end - time.monotonic()


@contextlib.contextmanager
def _alarm(seconds: float):
    """Raise :class:`_TimeLimit` in the main thread after ``seconds`` (no-op elsewhere).

    Only for the in-process fallback (no fork): see :func:`_call`."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def handler(signum, frame):
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call(fn, args=(), kwargs=None, budget: _Budget | None = None, spare=None) -> _Call:
    """Run student code: ``fn(*args, **kwargs)``, the package's reference paths disabled
    (except ``fn`` itself and ``spare``), warnings silenced, within the budget's time.

    On Linux and macOS in a forked child (:mod:`softmax.feedback._child`): the call
    always comes back within the time left plus the time to kill the child, every
    exception (SystemExit and KeyboardInterrupt raised by the function included) and an
    ended process become ``error``, and the caller's state is untouched; the array
    arguments get the child's final contents (so that side effects show). What the
    function printed is relayed to ``sys.stdout`` after the call. The user's own
    interrupt (Ctrl-C, the kernel's stop button) interrupts the check: the child is
    killed and KeyboardInterrupt propagates.
    """
    result = _Call()
    seconds = budget.left() if budget is not None else TIME_LIMIT
    if seconds <= 0:
        result.timed_out = True
        return result
    if not _child.CAN_FORK:
        return _call_in_process(fn, args, kwargs, seconds, spare)
    spared = _child.spared_codes(fn, spare)
    outcome = _child.run_in_child(
        fn, tuple(args), dict(kwargs or {}), seconds, spared, (_student_line, _exception_text)
    )
    _child.copy_back(args, outcome.args_after)
    result.seconds = outcome.seconds
    result.output = outcome.output
    if outcome.output:
        sys.stdout.write(outcome.output)
    if outcome.kind == "timeout":
        result.timed_out = True
    elif outcome.kind == "reference":
        result.reference = outcome.reference
    elif outcome.kind == "ended":
        result.error = _StudentError("SystemExit", outcome.ended)
    elif outcome.kind == "error":
        result.error = _StudentError(*outcome.error)
        result.not_implemented = outcome.not_implemented
    else:
        result.value = outcome.value
    return result


def _call_in_process(fn, args, kwargs, seconds: float, spare) -> _Call:
    """The fallback without fork (Windows): the references' code swapped, SIGALRM where
    it exists, exceptions but KeyboardInterrupt caught."""
    result = _Call()
    _ReferenceCalled.used.clear()
    start = time.perf_counter()
    try:
        # The alarm is cancelled before the references are restored, so that a late
        # alarm can never interrupt the restoring.
        with (
            _references_disabled(fn, spare),
            _alarm(seconds),
            np.errstate(all="ignore"),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            result.value = fn(*args, **(kwargs or {}))
    except _TimeLimit:
        result.timed_out = True
    except _ReferenceCalled as exc:
        result.reference = exc.name
    except NotImplementedError as exc:
        result.not_implemented = True
        result.error = exc
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit is a finding too
        result.error = exc
    result.seconds = time.perf_counter() - start
    if result.reference is None and _ReferenceCalled.used:  # caught by the student's code
        result.reference = _ReferenceCalled.used[0]
        result.value = None
    return result


_OWN_DIRS = (
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,  # softmax/
    os.path.dirname(os.path.abspath(np.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(contextlib.__file__)) + os.sep,
)


def _student_line(exc: BaseException) -> str:
    """``"in my_loss, line 7: loss = ..."``: the last frame of the student's own code."""
    if isinstance(exc, _StudentError):
        return exc.line
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not os.path.abspath(f.filename).startswith(_OWN_DIRS)]
    if not mine:
        return ""
    frame = mine[-1]
    text = f"in {frame.name}, line {frame.lineno}"
    line = (frame.line or "").strip()
    return f"{text}: {line}" if line else text


def _exception_text(exc: BaseException) -> str:
    if isinstance(exc, _StudentError):
        return exc.text
    message = str(exc).strip().splitlines()
    first = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    return first if len(first) <= 200 else first[:197] + "..."


def _call_problem(call: _Call, what: str, limit: float, on: str = "") -> Finding | None:
    """The interface finding for a call that did not return normally, or None."""
    on = f" on {on}" if on else ""
    if call.reference:
        return Finding(
            ("interface",),
            f"{what}{on} called the package's own {call.reference}",
            diagnosis="the check disables the package's reference functions: your function must "
            "compute the result itself",
            hint="write the computation in your function; use only numpy (and scipy)",
        )
    if call.timed_out:
        return Finding(
            ("interface",),
            f"{what}{on} did not finish within the time limit of {limit:g} s",
            diagnosis="stopped: an endless loop, or much slower than it should be",
            hint="check that every loop ends; run the function on a small input by hand",
        )
    if call.error is not None:
        return Finding(
            ("interface",),
            f"calling {what}{on}",
            "a result",
            _exception_text(call.error),
            where=_student_line(call.error),
            diagnosis="a valid input must not raise: read the message and that line",
            hint="run that line alone with the shapes above and print the shapes of its operands",
        )
    return None


def _shape(value) -> tuple | str:
    """``np.shape(value)``, or a word if value is not array-like (a ragged list, an object)."""
    try:
        return np.shape(value)
    except (TypeError, ValueError):
        return "not an array"


def _copy_args(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _mutated(names, before, after) -> tuple:
    return tuple(
        name
        for name, b, a in zip(names, before, after, strict=True)
        if isinstance(b, np.ndarray) and not np.array_equal(a, b, equal_nan=True)
    )


def _describe(fn) -> str:
    name = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", None)
    return f"{name}" if name else "your function"


# --------------------------------------------------------------------------- comparing numbers


def _tol(probe=None) -> float:
    """Relative error above which a result on ``probe`` is wrong (see _WRONG), unless the
    probe sets its own (``extra["tol"]``)."""
    if probe is not None and "tol" in probe.extra:
        return probe.extra["tol"]
    return _WRONG_LARGE if probe is not None and probe.large else _WRONG


def _floats(value) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _rel_err(got, expected) -> float:
    """Largest |got - expected| over the largest |expected| (inf if shapes or the
    positions of non-finite values differ)."""
    g, e = _floats(got), _floats(expected)
    if g is None or e is None or g.shape != e.shape:
        return math.inf
    fg, fe = np.isfinite(g), np.isfinite(e)
    if not np.array_equal(fg, fe) or not np.array_equal(g[~fg], e[~fe], equal_nan=True):
        return math.inf
    if not fe.any():
        return 0.0
    scale = max(float(np.abs(e[fe]).max()), 1e-12)
    return float(np.abs(g[fg] - e[fe]).max()) / scale


def _agree(got, expected, tol: float) -> bool:
    """Same shape, inf/nan at the same entries (an overflow gives inf or nan depending on
    the order of operations: they count as one), within ``tol`` relative elsewhere."""
    g, e = _floats(got), _floats(expected)
    if g is None or e is None or g.shape != e.shape:
        return False
    fg, fe = np.isfinite(g), np.isfinite(e)
    if not np.array_equal(fg, fe):
        return False
    if not fe.any():
        return True
    scale = max(float(np.abs(e[fe]).max()), 1e-12)
    return float(np.abs(g[fg] - e[fe]).max()) <= tol * scale


def _non_finite(value) -> str:
    """``"nan in 3 of its 20 entries"`` (or inf), ``""`` if every entry is finite."""
    v = _floats(value)
    if v is None or np.isfinite(v).all():
        return ""
    kinds = [w for w, m in (("nan", np.isnan(v)), ("inf", np.isinf(v))) if m.any()]
    count = int(np.count_nonzero(~np.isfinite(v)))
    if v.ndim == 0:
        return " and ".join(kinds)
    return f"{'/'.join(kinds)} in {count} of its {v.size} entries"


def _worst_entry(got, expected, name: str) -> tuple[str, str]:
    """(expected, got) of the entry that differs most, as text (a non-finite entry first)."""
    g, e = _floats(got), _floats(expected)
    if g is None:
        return f"{name} of shape {np.shape(expected)}", f"a {type(got).__name__}"
    if g.shape != e.shape:
        return f"{name} of shape {e.shape}", f"shape {g.shape}"
    with np.errstate(invalid="ignore"):
        diff = np.where(np.isfinite(g), np.abs(g - e), np.inf)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    label = f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name
    return f"{label} = {_num(e[index])}", _num(g[index])


def _round_off_only(before, after) -> bool:
    """An array changed by no more than a few units in the last place (e.g. x + h - 2h + h)."""
    b, a = np.asarray(before), np.asarray(after)
    if b.shape != a.shape or b.dtype.kind != "f" or not np.isfinite(a).all():
        return False
    scale = max(float(np.abs(b).max(initial=0.0)), np.finfo(b.dtype).tiny)
    return float(np.abs(a - b).max(initial=0.0)) <= 8 * np.finfo(b.dtype).eps * scale


def _no_result(call, problem: str | None, usable: bool) -> tuple[str, bool] | None:
    """(what happened, measured) for a call on a large-score probe that gave no usable
    result; None if it gave one."""
    if call is not None and call.timed_out:
        return "no result: the time limit was reached", False
    if call is not None and call.reference:
        return f"it called the package's own {call.reference}", True
    if call is not None and call.error is not None:
        return _exception_text(call.error), True
    if not usable:
        text = (problem or "no usable result").removeprefix("returned ")
        return text.split("; expected")[0], True
    return None


def _large_results(probes, outs, result) -> tuple[list, tuple | None]:
    """Per large-score probe: what went wrong ("" if nothing), from ``result(probe, out)`` =
    (text, measured); and the finding's (probe, out, text, measured): the first measured
    failure, else the first unmeasured one."""
    texts, first = [], None
    for p, o in zip(probes, outs, strict=True):
        if not p.large:
            continue
        text, measured = result(p, o)
        texts.append(text)
        if text and (first is None or (measured and not first[3])):
            first = (p, o, text, measured)
    return texts, first


def _changed_inputs(probes, outs) -> tuple[tuple, set]:
    """(per probe: the inputs changed beyond round-off; the inputs changed by round-off only)."""
    side, round_off = [], set()
    for p, o in zip(probes, outs, strict=True):
        changed = []
        for name in o.mutated:
            before = p.args[p.names.index(name)]
            if name in o.after and _round_off_only(before, o.after[name]):
                round_off.add(name)
            else:
                changed.append(name)
        side.append(tuple(changed))
    return tuple(side), round_off


def _round_off_note(names) -> str:
    return (
        f"note: {', '.join(sorted(names))} changed by round-off only (a few units in the last "
        "digit): accepted; setting the entries back to their saved values leaves them unchanged"
    )


# --------------------------------------------------------------------------- probes


@dataclass
class _Probe:
    label: str
    args: tuple  # the inputs (the student gets copies)
    names: tuple  # argument names, for side effects
    large: bool = False
    expected: object = None  # the reference's result
    extra: dict = field(default_factory=dict)
    features: tuple = ()  # what sets it apart ("float32", "reg > 0", "N = 1", "D = C", ...)

    @property
    def dtype(self):
        return next(
            (a.dtype for a in self.args if isinstance(a, np.ndarray) and a.dtype.kind == "f"), None
        )


def _labels(rng, N: int, C: int) -> np.ndarray:
    """N labels covering every class when N >= C."""
    return rng.permutation(np.arange(N) % C).astype(np.int64)


_LARGE_KINDS = {
    "rows": "rows near +1000 or -1000",
    "within": "scores from -1000 to +1000 within a row",
}


def _large_scores(rng, N: int, C: int, kind: str) -> np.ndarray:
    if kind == "rows":  # narrow rows around +1000 and -1000, alternating
        centre = np.where(np.arange(N) % 2 == 0, 1000.0, -1000.0)[:, None]
        return centre + rng.uniform(-3, 3, size=(N, C))
    base = np.array([1000.0, -1000.0, 300.0, -500.0, 0.0, 700.0][:C])  # wide within a row
    return np.stack([rng.permutation(base) for _ in range(N)]) + rng.uniform(-1, 1, size=(N, C))


def _where_wrong(probes, failed) -> str:
    """Where a part is wrong, measured: "wrong on 2 of 8 inputs: exactly the float32 ones"."""
    bad = [p for p, f in zip(probes, failed, strict=True) if f]
    good = [p for p, f in zip(probes, failed, strict=True) if not f]
    if not bad:
        return ""
    if not good:
        return f"wrong on all {len(bad)} inputs tried"
    others = "the other input" if len(good) == 1 else f"the other {len(good)} inputs"
    head = f"wrong on {len(bad)} of {len(probes)} inputs"
    features = {f for p in probes for f in p.features}
    for feature in sorted(features):
        if all(feature in p.features for p in bad) and not any(feature in p.features for p in good):
            return f"{head}: exactly those with {feature}; right on {others}"
    shown = "; ".join(p.label for p in bad[:3]) + ("; ..." if len(bad) > 3 else "")
    return f"{head} ({shown}); right on {others}"


# The parts measured on ordinary inputs: a diagnosis of one of them speaks of the others
# (e.g. "your loss is averaged but dW is not"), so it needs every wrong one explained.
_VALUE_PARTS = frozenset({"interface", "loss", "gradient", "values"})


def _recognise(wrong: set, catalogue, matches) -> list:
    """The catalogue mistakes whose own output the student's reproduces.

    ``matches(mistake, part)`` says whether the student's output on ``part`` agrees with
    the mistake's own output on the same probes (to round-off). A mistake is named only if
    it breaks nothing the student got right and the student's output matches it on every
    part it breaks. A mistake of the values on ordinary inputs is named only if every wrong
    value part is explained by the named mistakes (two mistakes in one function: the loss
    of one, the gradient of another): otherwise its diagnosis would be contradicted by a
    finding. Returns ``(mistake, parts)`` pairs.
    """
    candidates = [m for m in catalogue if m.parts <= wrong and all(matches(m, p) for p in m.parts)]
    chosen, covered = [], set()
    for m in sorted(candidates, key=lambda m: -len(m.parts)):
        if m.parts - covered:
            chosen.append(m)
            covered |= m.parts
    if (wrong & _VALUE_PARTS) - covered:
        chosen = [m for m in chosen if not m.parts & _VALUE_PARTS]
    out, covered = [], set()
    for m in chosen:
        out.append((m, m.parts - covered))
        covered |= m.parts
    return out


# Tests of the checks pass the package's own functions as stand-ins for a correct student
# (tests/conftest.py sets this); a student's notebook never does.
ALLOW_PACKAGE_FUNCTIONS = False


def _package_reference(fn) -> str | None:
    """The public name of the package function ``fn`` is (through functools.partial and
    decorators, or a function rebuilt from its code object), else None."""
    seen = 0
    while fn is not None and seen < 10:
        seen += 1
        for f, name in _REFERENCES:
            if fn is f or getattr(fn, "__code__", None) is _ORIGINAL_CODE[id(f)]:
                return name
        fn = getattr(fn, "func", None) or getattr(fn, "__wrapped__", None)
    return None


def _bad_function(fn, check: str) -> Report | None:
    if callable(fn):
        name = None if ALLOW_PACKAGE_FUNCTIONS else _package_reference(fn)
        if name is None:
            return None
        return Report(
            check,
            [
                Finding(
                    ("interface",),
                    f"the function given to {check}",
                    "your own code",
                    f"the package's own {name}",
                    diagnosis=f"this name is bound to softmax's {name}, not to code you "
                    "wrote: write the function yourself",
                    kind="reference-called",
                )
            ],
        )
    return Report(
        check,
        [
            Finding(
                ("interface",),
                f"the argument of {check}",
                "a function",
                type(fn).__name__,
                diagnosis="pass the function itself (its name, without parentheses)",
                kind="not-a-function",
            )
        ],
    )


# Descriptions of a wrong loss or gradient that are not an exact simple form: not
# shown as "the numbers" of a recognised mistake.
_INEXACT = (
    "the difference is not",
    "your loss is off by",
    "your loss is inf",
    "your loss is nan",
    "your dW has",
)


def _call_kind(call) -> str:
    if call.reference:
        return "reference-called"
    if call.timed_out:
        return "time-limit"
    return "exception"


def _findings(wrong: set, recognised: list, order: tuple, part_finding) -> list:
    """One finding per recognised mistake (covering its wrong parts) and one per wrong
    part no mistake explains, in the order of ``order`` (interface, values on ordinary
    inputs, stability, side effects). ``part_finding(part)`` builds the finding with
    expected vs got and a description of the difference."""
    findings, explained = [], set()
    for m, explains in recognised:
        parts = tuple(p for p in order if p in explains)
        f = part_finding(parts[0])
        f.parts, f.mistake = parts, m.id
        if parts[0] in ("loss", "gradient") and not f.diagnosis.startswith(_INEXACT):
            f.evidence = f.diagnosis
        f.diagnosis, f.hint = m.diagnosis, f"{m.hint} ({section_ref(m.section)})"
        findings.append(f)
        explained |= set(parts)
    findings += [part_finding(p) for p in order if p in wrong and p not in explained]
    return sorted(findings, key=lambda f: order.index(f.parts[0]))


def _side_effect_finding(side: tuple, hint: str, where_wrong: str = "") -> Finding:
    """The finding for inputs changed by the call; ``side`` holds the changed names per call."""
    names = ", ".join(sorted({n for changed in side for n in changed}))
    return Finding(
        ("side-effects",),
        "the inputs after the call",
        f"{names} unchanged",
        f"{names} changed",
        None,
        f"your function modified {names}: the caller's arrays must stay as they were",
        f"work on new arrays (x = x - ..., not x -= ...) or put back what you changed ({hint})",
        where_wrong=where_wrong,
        kind="side-effects",
    )
