"""Checks that tell a student which mistake they made, not just that something is wrong.

Each check calls the student's function on fresh inputs (new arrays for every
call, drawn from a fixed seed so that the report's text is the same on every
run), compares what comes back with the package's reference, and returns a
:class:`Report`::

    >>> from softmax import feedback, mistakes
    >>> report = feedback.check_loss(mistakes.loss_missing_mean)
    >>> print(str(report).splitlines()[0])
    ✗ 1 problem
    >>> report.mistakes, sorted(report.wrong)
    (['missing-mean'], ['gradient', 'loss'])

The parts of a loss function judged separately (``report.wrong``):

``interface``     raises on valid input, or returns the wrong type, shape or arity,
                  or calls the package's own reference functions, or runs past
                  the time limit;
``loss``          the loss differs from the reference on ordinary inputs;
``gradient``      dW differs from the reference gradient on ordinary inputs (a
                  gradient right for the true loss is right even if the loss is
                  not);
``stability``     ordinary inputs pass, but scores of about ±1000 (within a row
                  and across the rows of one batch) give inf/nan or wrong values;
``side-effects``  an input array was modified;
``values``        for :func:`check_softmax` and :func:`check_numerical_gradient`
                  (and the outcome of :func:`check_training`), the numbers returned;
``vectorization`` (:func:`check_vectorized` only) a Python loop, or less than 5x
                  faster than the student's naive version at the dev shape.

A mistake is recognised from the numbers, never from the code: each wrong part's
output is compared with what each mistake of :data:`softmax.mistakes.CATALOGUE`
returns on the same inputs (a loss N times too large, dW off by exactly 2·reg·W
or by Xᵀ·Y/N, failures on exactly the large-score batches where a missing max
shift fails, ...). A mistake that is not in the catalogue still gets the wrong
parts, expected vs got, and a description of how the numbers differ.

While a check runs the student's code, the package's reference functions
(``softmax_loss_naive``, ``softmax_loss_vectorized``, ``softmax_loss_fast``,
``softmax``, ``log_softmax``, ``logsumexp``, ``numerical_gradient``,
``grad_check_sparse``) raise if called, however they were imported; they are
restored afterwards, also when the check fails. Checks never raise because of a
student's error: an exception is shown with its type, message and the line of
the student's code; a function still running after the time limit is
interrupted (on the main thread, with SIGALRM) and reported.

Maths layer: numpy and the standard library only.
"""

from __future__ import annotations

import ast
import contextlib
import html
import inspect
import math
import os
import signal
import textwrap
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from . import data, fast, functions, gradcheck
from . import loss as _loss_module
from ._timing import interleaved_times, median_ratio
from .mistakes import CATALOGUE, SECTIONS

__all__ = [
    "GRADCHECK_GOOD",
    "GRADCHECK_WRONG",
    "Finding",
    "Report",
    "check_gradient_check",
    "check_loss",
    "check_numerical_gradient",
    "check_softmax",
    "check_training",
    "check_vectorized",
    "section_ref",
]

# Relative-error thresholds of a float64 gradient check, as in notebook 03
# (softmax.display.checks uses the same numbers; a test keeps them equal).
GRADCHECK_GOOD = 1e-7
GRADCHECK_WRONG = 1e-4

TIME_LIMIT = 10.0  # seconds of student code per check (training: TRAINING_TIME_LIMIT)
TRAINING_TIME_LIMIT = 30.0
DEV_SHAPE = (500, 3073, 10)  # N, D, C of check_vectorized's timing
MIN_SPEEDUP = 5.0

# Relative tolerances: float64 results agree with the reference to ~1e-14, float32
# ones to ~1e-6; every catalogue mistake moves a number by more than 1e-2.
_TOL64 = 1e-6
_TOL32 = 1e-4


def section_ref(key: str) -> str:
    """``"notebook 03, section 'A batch: (P - Y) / N'"`` for a key of :data:`softmax.mistakes.SECTIONS`."""
    notebook, heading = SECTIONS[key]
    plain = heading.replace("$", "").replace("\\ln", "ln").replace("\\times", "×")
    return f"notebook {notebook}, section '{plain}'"


# --------------------------------------------------------------------------- the report


@dataclass
class Finding:
    """One problem a check found.

    Attributes
    ----------
    parts : tuple of str
        The parts found wrong (see the module docstring).
    checked : str
        What was checked, in words.
    expected, got : str
        The reference's and the student's numbers (rounded), or what was expected.
    rel_error : float or None
        Relative error of the first differing result, if numbers were compared.
    diagnosis : str
        What the numbers say, in plain words.
    hint : str
        What to look at, ending with the notebook section that explains it.
    mistake : str or None
        The catalogue id recognised, if any.
    where : str
        For an exception: the line of the student's code that raised it.
    evidence : str
        For a recognised mistake: what the numbers show on the probe (e.g. "your dW =
        right dW -0.5·2·reg·W"), when the difference has an exact simple form.
    """

    parts: tuple
    checked: str
    expected: str = ""
    got: str = ""
    rel_error: float | None = None
    diagnosis: str = ""
    hint: str = ""
    mistake: str | None = None
    where: str = ""
    evidence: str = ""

    def lines(self) -> list[str]:
        head = " and ".join(self.parts)
        if self.mistake:
            head += f" [{self.mistake}]"
        out = [f"{head}: {self.checked}"]
        if self.expected or self.got:
            diff = f"expected {self.expected}, got {self.got}"
            if self.rel_error is not None and math.isfinite(self.rel_error):
                diff += f" (relative error {_round_sig(self.rel_error)})"
            out.append(diff)
        if self.where:
            out.append(self.where)
        if self.evidence:
            out.append(f"the numbers: {self.evidence}")
        if self.diagnosis:
            out.append(self.diagnosis)
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


@dataclass
class Report:
    """What a check found. ``ok`` is True only if every part passed.

    Attributes
    ----------
    check : str
        The check's name, e.g. ``"check_loss"``.
    findings : list of Finding
    notes : list of str
        Information that is not a problem (validation accuracy, speed).
    not_implemented : bool
        The function raised NotImplementedError: nothing else was checked.
    """

    check: str
    findings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    not_implemented: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings and not self.not_implemented

    @property
    def wrong(self) -> set:
        return {p for f in self.findings for p in f.parts}

    @property
    def mistakes(self) -> list:
        return [f.mistake for f in self.findings if f.mistake]

    @property
    def verdict(self) -> str:
        if self.not_implemented:
            return "✗ not implemented yet"
        if self.ok:
            return "✓ all checks passed"
        n = len(self.findings)
        return f"✗ {n} problem{'s' if n > 1 else ''}"

    def __str__(self) -> str:
        lines = [self.verdict]
        if self.not_implemented:
            lines.append(
                "write the function above (replace raise NotImplementedError), run its cell, then this one"
            )
        for k, finding in enumerate(self.findings, 1):
            first, *rest = finding.lines()
            lines.append(f"{k}. {first}")
            lines.extend(f"   {line}" for line in rest)
        lines.extend(self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        parts = [
            '<div class="softmax-feedback">',
            f'<p style="color:{colour};font-weight:bold">{html.escape(self.verdict)}</p>',
        ]
        if self.not_implemented:
            parts.append(f"<p>{html.escape(str(self).splitlines()[1])}</p>")
        if self.findings:
            parts.append("<ol>")
            for finding in self.findings:
                first, *rest = finding.lines()
                items = "".join(f"<br>{html.escape(line)}" for line in rest)
                parts.append(f"<li><b>{html.escape(first)}</b>{items}</li>")
            parts.append("</ol>")
        parts.extend(f"<p>{html.escape(note)}</p>" for note in self.notes)
        parts.append("</div>")
        return "".join(parts)


def _round_sig(x: float, digits: int = 2) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def _num(x) -> str:
    """A number rounded for the report (low bits differ between BLAS builds)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.5g}"


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
    raise __import__("softmax.feedback", fromlist=["_"])._ReferenceCalled(
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
    id(f): _disabled.__code__.replace(co_name=f"softmax.{name}", co_qualname=f"softmax.{name}")
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
    error: BaseException | None = None  # the student's exception
    not_implemented: bool = False
    timed_out: bool = False
    reference: str | None = None  # the reference function it called
    seconds: float = 0.0


class _Budget:
    """Seconds of student code left for one check."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.end - time.monotonic()


@contextlib.contextmanager
def _alarm(seconds: float):
    """Raise :class:`_TimeLimit` in the main thread after ``seconds`` (no-op elsewhere)."""
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
    """Run student code with the references disabled (except ``spare``), warnings
    silenced and a time limit."""
    result = _Call()
    if budget is not None and budget.left() <= 0:
        result.timed_out = True
        return result
    _ReferenceCalled.used.clear()
    start = time.perf_counter()
    try:
        with (
            _alarm(budget.left() if budget else TIME_LIMIT),
            np.errstate(all="ignore"),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            with _references_disabled(fn, spare):
                result.value = fn(*args, **(kwargs or {}))
    except _TimeLimit:
        result.timed_out = True
    except _ReferenceCalled as exc:
        result.reference = exc.name
    except NotImplementedError as exc:
        result.not_implemented = True
        result.error = exc
    except Exception as exc:
        result.error = exc
    result.seconds = time.perf_counter() - start
    if result.reference is None and _ReferenceCalled.used:  # caught by the student's code
        result.reference = _ReferenceCalled.used[0]
        result.value = None
    return result


_OWN_DIRS = (
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
    os.path.dirname(os.path.abspath(np.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(contextlib.__file__)) + os.sep,
)


def _student_line(exc: BaseException) -> str:
    """``"in my_loss, line 7: loss = ..."``: the last frame of the student's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not os.path.abspath(f.filename).startswith(_OWN_DIRS)]
    if not mine:
        return ""
    frame = mine[-1]
    text = f"in {frame.name}, line {frame.lineno}"
    line = (frame.line or "").strip()
    return f"{text}: {line}" if line else text


def _exception_text(exc: BaseException) -> str:
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


def _tol(*dtypes) -> float:
    return _TOL32 if any(np.dtype(d) == np.float32 for d in dtypes if d is not None) else _TOL64


def _rel_err(got, expected) -> float:
    """Largest |got - expected| over the largest |expected| (inf if shapes or the
    positions of non-finite values differ)."""
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return math.inf
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return math.inf
    fg, fe = np.isfinite(g), np.isfinite(e)
    if not np.array_equal(fg, fe) or not np.array_equal(g[~fg], e[~fe], equal_nan=True):
        return math.inf
    if not fe.any():
        return 0.0
    scale = max(float(np.abs(e[fe]).max()), 1e-12)
    return float(np.abs(g[fg] - e[fe]).max()) / scale


def _worst_entry(got, expected, name: str) -> tuple[str, str]:
    """(expected, got) of the entry that differs most, as text."""
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return f"{name} of shape {e.shape}", f"shape {g.shape}"
    with np.errstate(invalid="ignore"):
        diff = np.where(np.isfinite(g), np.abs(g - e), np.inf)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    label = f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name
    return f"{label} = {_num(e[index])}", _num(g[index])


# --------------------------------------------------------------------------- probes


@dataclass
class _Probe:
    label: str
    args: tuple  # the inputs (the student gets copies)
    names: tuple  # argument names, for side effects
    large: bool = False
    expected: object = None  # the reference's result
    extra: dict = field(default_factory=dict)

    @property
    def dtype(self):
        return next(
            (a.dtype for a in self.args if isinstance(a, np.ndarray) and a.dtype.kind == "f"), None
        )


def _labels(rng, N: int, C: int) -> np.ndarray:
    """N labels covering every class when N >= C."""
    return rng.permutation(np.arange(N) % C).astype(np.int64)


def _large_scores(rng, N: int, C: int, kind: str) -> np.ndarray:
    if kind == "rows":  # narrow rows around +1000 and -1000, alternating
        centre = np.where(np.arange(N) % 2 == 0, 1000.0, -1000.0)[:, None]
        return centre + rng.uniform(-3, 3, size=(N, C))
    base = np.array([1000.0, -1000.0, 300.0, -500.0, 0.0, 700.0][:C])  # wide within a row
    return np.stack([rng.permutation(base) for _ in range(N)]) + rng.uniform(-1, 1, size=(N, C))


def _loss_probes(seed: int) -> list[_Probe]:
    rng = np.random.default_rng(seed)
    probes = []
    for N, D, C, dtype, reg in [
        (9, 5, 4, np.float64, 0.0),
        (9, 5, 4, np.float64, 0.5),
        (1, 4, 3, np.float64, 0.5),
        (7, 3, 5, np.float64, 0.5),
        (11, 6, 4, np.float32, 0.5),
    ]:
        W = (0.5 * rng.standard_normal((D, C))).astype(dtype)
        X = rng.standard_normal((N, D)).astype(dtype)
        y = _labels(rng, N, C)
        label = f"N = {N}, D = {D}, C = {C}, {np.dtype(dtype).name}, reg = {reg:g}"
        probes.append(_Probe(label, (W, X, y, reg), ("W", "X", "y", "reg")))
    for kind, text, reg in [
        ("rows", "scores near +1000 in some rows, near -1000 in others", 0.1),
        ("within", "scores from -1000 to +1000 within each row", 0.0),
    ]:
        N, D, C = 8, 6, 4
        W = rng.standard_normal((D, C))
        X = _large_scores(rng, N, C, kind) @ np.linalg.pinv(W)
        y = _labels(rng, N, C)
        probes.append(
            _Probe(
                f"{text} (N = {N}, D = {D}, C = {C}, float64)",
                (W, X, y, reg),
                ("W", "X", "y", "reg"),
                large=True,
            )
        )
    for p in probes:
        W, X, y, reg = p.args
        p.expected = _loss_module.softmax_loss_vectorized(
            W.astype(np.float64), X.astype(np.float64), y, reg
        )
    return probes


@dataclass
class _LossOut:
    """What one loss function returned on one probe."""

    loss: float | None = None
    dW: np.ndarray | None = None
    problem: str | None = None  # interface problem with the returned value
    mutated: tuple = ()
    call: _Call | None = None


def _parse_loss_value(value, W) -> _LossOut:
    out = _LossOut()
    if not isinstance(value, tuple | list) or len(value) != 2:
        kind = type(value).__name__ + (
            f" of length {len(value)}" if isinstance(value, tuple | list) else ""
        )
        out.problem = f"returned a {kind}; expected a pair (loss, dW)"
        return out
    loss, dW = value
    try:
        if np.ndim(loss) != 0:
            raise TypeError
        out.loss = float(np.asarray(loss).real if np.iscomplexobj(loss) else loss)
    except (TypeError, ValueError):
        out.problem = (
            f"the loss is a {type(loss).__name__} of shape {np.shape(loss)}; expected one number"
        )
        return out
    try:
        arr = np.asarray(dW, dtype=np.float64) if not isinstance(dW, np.ndarray) else dW
        if arr.dtype.kind not in "fiu":
            raise TypeError
    except (TypeError, ValueError):
        out.problem = f"dW is a {type(dW).__name__}; expected an array of W's shape {W.shape}"
        return out
    out.dW = arr
    if arr.shape != W.shape:
        out.problem = f"dW has shape {arr.shape}; expected W's shape {W.shape}"
    return out


def _run_loss(fn, probe: _Probe, budget: _Budget | None) -> _LossOut:
    args = _copy_args(probe.args)
    call = _call(fn, args, budget=budget) if budget is not None else None
    if call is None:  # a catalogue implementation: run directly
        call = _Call()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                call.value = fn(*args)
            except Exception as exc:  # pragma: no cover - catalogue code does not raise here
                call.error = exc
    if call.value is None or call.error is not None:
        out = _LossOut(call=call)
        if call.value is None and not (call.error or call.timed_out or call.reference):
            out.problem = (
                "returned None; expected a pair (loss, dW) (is a return statement missing?)"
            )
    else:
        out = _parse_loss_value(call.value, probe.args[0])
        out.call = call
    out.mutated = _mutated(probe.names, probe.args, args)
    return out


def _loss_errors(out: _LossOut, probe: _Probe) -> tuple[float, float]:
    """Relative errors of the loss and of dW against the reference (inf if missing)."""
    ref_loss, ref_dW = probe.expected
    le = _rel_err(out.loss, ref_loss) if out.loss is not None else math.inf
    ge = _rel_err(out.dW, ref_dW) if out.dW is not None else math.inf
    return le, ge


def _loss_tol(out: _LossOut, probe: _Probe) -> float:
    return _tol(probe.dtype, out.dW.dtype if isinstance(out.dW, np.ndarray) else None)


@dataclass
class _LossSummary:
    """Per part: the first failing probe, or None; plus signatures for matching."""

    outs: list
    loss_fail: tuple | None = None  # (probe, out, rel)
    grad_fail: tuple | None = None
    stability: tuple = ()  # one bool per large probe: failed
    stab_fail: tuple | None = None
    side: tuple = ()  # mutated names per probe
    shape_problem: tuple | None = None


def _summarise_loss(probes, outs) -> _LossSummary:
    s = _LossSummary(outs)
    ordinary = [(p, o) for p, o in zip(probes, outs, strict=True) if not p.large]
    for p, o in ordinary:
        if o.call is not None and (o.call.error or o.call.timed_out or o.call.reference):
            continue
        if o.problem and s.shape_problem is None:
            s.shape_problem = (p, o)
        le, ge = _loss_errors(o, p)
        tol = _loss_tol(o, p)
        if o.loss is not None and le > tol and s.loss_fail is None:
            s.loss_fail = (p, o, le)
        if (
            o.dW is not None
            and o.dW.shape == p.expected[1].shape
            and ge > tol
            and s.grad_fail is None
        ):
            s.grad_fail = (p, o, ge)
    fine = s.loss_fail is None and s.grad_fail is None
    returned = all(o.loss is not None and o.dW is not None for p, o in ordinary)
    fails = []
    for p, o in zip(probes, outs, strict=True):
        if not p.large or not returned:
            continue
        if o.loss is None or o.dW is None or o.dW.shape != p.expected[1].shape:
            failed = o.call is not None and o.call.error is not None
        else:
            finite = math.isfinite(o.loss) and bool(np.isfinite(o.dW).all())
            le, ge = _loss_errors(o, p)
            failed = not finite or (fine and max(le, ge) > _loss_tol(o, p))
        fails.append(failed)
        if failed and s.stab_fail is None:
            s.stab_fail = (p, o)
    s.stability = tuple(fails)
    s.side = tuple(o.mutated for o in outs)
    return s


def _match_loss(part: str, mine: _LossSummary, theirs: _LossSummary, probes) -> bool:
    """Does the student's output agree with a mistake's on this part?"""
    pairs = [
        (p, a, b) for p, a, b in zip(probes, mine.outs, theirs.outs, strict=True) if not p.large
    ]
    if part == "loss":
        return all(
            a.loss is None or _rel_err(a.loss, b.loss) <= _loss_tol(a, p) for p, a, b in pairs
        )
    if part == "gradient":
        return all(
            a.dW is None or a.dW.shape != b.dW.shape or _rel_err(a.dW, b.dW) <= _loss_tol(a, p)
            for p, a, b in pairs
            if a.dW is None or a.dW.shape == p.expected[1].shape
        ) and any(a.dW is not None for _, a, _ in pairs)
    if part == "stability":
        return mine.stability == theirs.stability
    if part == "side-effects":
        return mine.side == theirs.side
    if part == "interface":
        return all(
            a.dW is not None
            and b.dW is not None
            and a.dW.shape == b.dW.shape
            and _rel_err(a.dW, b.dW) <= _loss_tol(a, p)
            for p, a, b in pairs
        )
    return False


def _recognise(wrong: set, catalogue, matches) -> list:
    """Greedy cover of the wrong parts by catalogue mistakes that match them.

    ``matches(mistake, part)`` says whether the student's output on ``part``
    agrees with the mistake's. A mistake is a candidate if it matches every wrong
    part it breaks; mistakes that break only wrong parts come first.
    """
    candidates = []
    for m in catalogue:
        shared = m.parts & wrong
        if shared and all(matches(m, p) for p in shared):
            candidates.append((not m.parts <= wrong, -len(shared), m))
    chosen, covered = [], set()
    for _, _, m in sorted(candidates, key=lambda c: c[:2]):
        if m.parts & wrong - covered:
            chosen.append(m)
            covered |= m.parts & wrong
    return chosen


# --------------------------------------------------------------------------- check_loss


def _loss_shapes_text(probes) -> str:
    n = sum(not p.large for p in probes)
    return f"{n} ordinary batches (N = 1 included; float64 and float32; reg 0 and 0.5)"


_INEXACT = ("the difference is not", "your loss is off by", "your loss is inf", "your loss is nan")


def _explain_loss(probe: _Probe, got: float) -> str:
    """How a wrong loss differs from the right one, read from the numbers."""
    W, X, _, reg = probe.args
    N = X.shape[0]
    ref = probe.expected[0]
    penalty = reg * float(np.sum(np.square(W, dtype=np.float64)))
    if not math.isfinite(got):
        return f"your loss is {got} on ordinary scores"
    if N > 1 and abs(got / ref - N) < 1e-3 * N:
        return f"your loss is {N} times the right one, with N = {N}"
    if penalty > 0:
        c = (got - ref) / penalty
        if abs(c - round(c * 2) / 2) < 1e-3:
            return (
                f"your loss differs from the right one by {c:+.3g}·reg·ΣW²: look at the regulariser"
            )
    return (
        f"your loss is off by {_num(got - ref)} ({_num(got / ref if ref else math.inf)} times the right one): "
        "compare each step with −log p[i, y_i] averaged over the examples, plus reg·ΣW²"
    )


def _explain_gradient(probe: _Probe, g: np.ndarray) -> str:
    """Fit g − G ≈ a·G + b·2·reg·W + c·Xᵀ·Y/N; describe it when the fit is exact."""
    W, X, y, reg = (
        a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
        for a in probe.args
    )
    N, C = X.shape[0], W.shape[1]
    G = probe.expected[1]
    Y = np.eye(C)[y]
    basis = [("the right dW", G), ("2·reg·W", 2 * reg * W), ("Xᵀ·Y/N", X.T @ Y / N)]
    basis = [(n, b) for n, b in basis if np.abs(b).max() > 1e-12]
    delta = (np.asarray(g, dtype=np.float64) - G).ravel()
    A = np.stack([b.ravel() for _, b in basis], axis=1)
    coef, *_ = np.linalg.lstsq(A, delta, rcond=None)
    residual = np.abs(A @ coef - delta).max() / max(np.abs(delta).max(), 1e-300)
    if residual > 1e-3:
        return (
            "the difference is not a multiple of the right dW, of 2·reg·W or of Xᵀ·Y/N: "
            "compare your dW with Xᵀ(P − Y)/N + 2·reg·W term by term"
        )
    terms = [f"{c:+.3g}·{n}" for (n, _), c in zip(basis, coef, strict=True) if abs(c) > 1e-3]
    return f"your dW = right dW {' '.join(terms)}"


def _loss_findings(fn, probes, budget, what: str) -> tuple[list, bool]:
    """Findings of check_loss (and the loss part of check_vectorized); second item: not implemented."""
    outs = []
    for p in probes:
        out = _run_loss(fn, p, budget)
        if out.call.not_implemented:
            return [], True
        outs.append(out)
    mine = _summarise_loss(probes, outs)

    findings = []
    calls = [(p, o) for p, o in zip(probes, outs, strict=True) if not p.large]
    bad_call = next(((p, o) for p, o in calls if _call_problem(o.call, what, 0)), None)
    if bad_call:
        p, o = bad_call
        findings.append(_call_problem(o.call, what, budget.seconds, f"a batch with {p.label}"))
        if o.call.reference or o.call.timed_out:
            return findings, False

    wrong = set()
    if mine.loss_fail:
        wrong.add("loss")
    if mine.grad_fail:
        wrong.add("gradient")
    if any(mine.stability):
        wrong.add("stability")
    if any(mine.side):
        wrong.add("side-effects")
    if mine.shape_problem:
        wrong.add("interface")

    recognised = []
    if wrong - {"interface"} or mine.shape_problem:
        theirs = {}

        def matches(m, part):
            if m.id not in theirs:
                outs_m = [_run_loss(m.vectorized, p, None) for p in probes]
                theirs[m.id] = _summarise_loss(probes, outs_m)
            return _match_loss(part, mine, theirs[m.id], probes)

        recognised = _recognise(
            wrong, [m for m in CATALOGUE.values() if m.check == "loss"], matches
        )

    explained = set()
    for m in recognised:
        parts = tuple(
            p
            for p in ("interface", "loss", "gradient", "stability", "side-effects")
            if p in m.parts & wrong
        )
        f = _part_finding(parts[0], mine, what)
        f.parts, f.mistake = parts, m.id
        if parts[0] in ("loss", "gradient") and not f.diagnosis.startswith(_INEXACT):
            f.evidence = f.diagnosis
        f.diagnosis, f.hint = m.diagnosis, f"{m.hint} ({section_ref(m.section)})"
        findings.append(f)
        explained |= set(parts)
    for part in ("interface", "loss", "gradient", "stability", "side-effects"):
        if part in wrong and part not in explained:
            findings.append(_part_finding(part, mine, what))
    return findings, False


def _part_finding(part: str, s: _LossSummary, what: str) -> Finding:
    """A finding for one wrong part, with expected vs got and a description from the numbers."""
    if part == "loss":
        p, o, rel = s.loss_fail
        return Finding(
            ("loss",),
            f"the loss on {p.label}",
            _num(p.expected[0]),
            _num(o.loss),
            rel,
            _explain_loss(p, o.loss),
            f"check the data term and the regulariser ({section_ref('loss')})",
        )
    if part == "gradient":
        p, o, rel = s.grad_fail
        exp, got = _worst_entry(o.dW, p.expected[1], "dW")
        return Finding(
            ("gradient",),
            f"dW on {p.label}",
            exp,
            got,
            rel,
            _explain_gradient(p, o.dW),
            f"dW = Xᵀ(P − Y)/N + 2·reg·W ({section_ref('batch')})",
        )
    if part == "stability":
        p, o = s.stab_fail
        if o.call is not None and o.call.error is not None:
            got = _exception_text(o.call.error)
        else:
            got = (
                f"loss {_num(o.loss)}, dW {'finite' if np.isfinite(o.dW).all() else 'with inf/nan'}"
            )
        return Finding(
            ("stability",),
            f"large scores: {p.label}",
            f"loss {_num(p.expected[0])}, dW finite",
            got,
            None,
            "right on ordinary scores, wrong when the scores are large",
            f"shift each row by its maximum and never take the log of a probability ({section_ref('shift')})",
        )
    if part == "side-effects":
        names = sorted({n for m in s.side for n in m})
        return Finding(
            ("side-effects",),
            "the inputs after the call",
            "W, X and y unchanged",
            f"{', '.join(names)} changed",
            None,
            f"your function modified {', '.join(names)}: the caller's arrays must stay as they were",
            f"work on new arrays (x = x - ..., not x -= ...) ({section_ref('weights')})",
        )
    p, o = s.shape_problem
    return Finding(
        ("interface",),
        f"what {what} returned on {p.label}",
        "(loss, dW) with a number and an array of W's shape",
        o.problem,
        None,
        "the function must return a pair: the loss as one number and dW with W's shape (D, C)",
        section_ref("weights"),
    )


def _bad_function(fn, check: str) -> Report | None:
    if callable(fn):
        return None
    return Report(
        check,
        [
            Finding(
                ("interface",),
                f"the argument of {check}",
                "a function",
                type(fn).__name__,
                diagnosis="pass the function itself (its name, without parentheses)",
            )
        ],
    )


def check_loss(fn, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Report:
    """Check ``fn(W, X, y, reg) -> (loss, dW)`` against the reference softmax loss.

    Parameters
    ----------
    fn : callable
        The student's loss: W (D, C), X (N, D), y (N,) int labels, reg float >= 0;
        returns the loss (a number) and dW (D, C), float32 or float64.
    seed : int
        Seed of the inputs (new arrays for each call; the same numbers each run).
    time_limit : float
        Seconds of the student's code allowed in total.

    Returns
    -------
    Report
        Parts ``interface``, ``loss``, ``gradient``, ``stability``, ``side-effects``.
    """
    bad = _bad_function(fn, "check_loss")
    if bad:
        return bad
    probes = _loss_probes(seed)
    findings, not_implemented = _loss_findings(fn, probes, _Budget(time_limit), _describe(fn))
    return Report("check_loss", findings, not_implemented=not_implemented)


# --------------------------------------------------------------------------- functions returning one array


@dataclass
class _ArrayOut:
    value: np.ndarray | None = None
    problem: str | None = None
    mutated: tuple = ()
    call: _Call | None = None


def _run_array(fn, probe: _Probe, budget: _Budget | None) -> _ArrayOut:
    args = _copy_args(probe.args)
    if budget is None:  # a catalogue implementation
        call = _Call()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call.value = fn(*args)
    else:
        call = _call(fn, args, budget=budget)
    out = _ArrayOut(call=call, mutated=_mutated(probe.names, probe.args, args))
    if call.value is None or call.error is not None:
        if call.value is None and not (call.error or call.timed_out or call.reference):
            out.problem = "returned None; expected an array (is a return statement missing?)"
        return out
    shape = np.shape(probe.expected)
    try:
        value = np.asarray(call.value)
        if value.dtype.kind not in "fiu":
            raise TypeError
    except (TypeError, ValueError):
        out.problem = f"returned a {type(call.value).__name__}; expected an array of shape {shape}"
        return out
    out.value = value
    if value.shape != shape:
        out.problem = f"returned shape {value.shape}; expected {shape}"
    return out


def _array_tol(out: _ArrayOut, probe: _Probe) -> float:
    return probe.extra.get("tol") or _tol(
        probe.dtype, out.value.dtype if out.value is not None else None
    )


@dataclass
class _ArraySummary:
    outs: list
    values_fail: tuple | None = None
    stability: tuple = ()
    stab_fail: tuple | None = None
    side: tuple = ()
    shape_problem: tuple | None = None


def _summarise_array(probes, outs) -> _ArraySummary:
    s = _ArraySummary(outs)
    ordinary = [(p, o) for p, o in zip(probes, outs, strict=True) if not p.large]
    for p, o in ordinary:
        if o.problem and s.shape_problem is None:
            s.shape_problem = (p, o)
        if o.value is not None and o.value.shape == np.shape(p.expected):
            rel = _rel_err(o.value, p.expected)
            if rel > _array_tol(o, p) and s.values_fail is None:
                s.values_fail = (p, o, rel)
    returned = all(o.value is not None for _, o in ordinary)
    fails = []
    for p, o in zip(probes, outs, strict=True):
        if not p.large or not returned:
            continue
        if o.value is None or o.value.shape != np.shape(p.expected):
            failed = o.call is not None and o.call.error is not None
        else:
            finite = bool(np.isfinite(o.value).all())
            failed = not finite or (
                s.values_fail is None and _rel_err(o.value, p.expected) > _array_tol(o, p)
            )
        fails.append(failed)
        if failed and s.stab_fail is None:
            s.stab_fail = (p, o)
    s.stability = tuple(fails)
    s.side = tuple(o.mutated for o in outs)
    return s


def _match_array(part, mine: _ArraySummary, theirs: _ArraySummary, probes) -> bool:
    if part == "values":
        pairs = [
            (p, a, b) for p, a, b in zip(probes, mine.outs, theirs.outs, strict=True) if not p.large
        ]
        return all(
            a.value is None or b.value is None or _rel_err(a.value, b.value) <= _array_tol(a, p)
            for p, a, b in pairs
        )
    if part == "stability":
        return mine.stability == theirs.stability
    if part == "side-effects":
        return mine.side == theirs.side
    return False


def _array_findings(fn, probes, budget, what, check, name, texts) -> tuple[list, bool]:
    """Findings of a check whose function returns one array (softmax, numerical gradient).

    ``texts[part]`` = (what was checked, hint section key) for the unexplained parts.
    """
    outs = []
    for p in probes:
        out = _run_array(fn, p, budget)
        if out.call.not_implemented:
            return [], True
        outs.append(out)
    mine = _summarise_array(probes, outs)
    findings = []
    bad = next(
        (
            o
            for p, o in zip(probes, outs, strict=True)
            if not p.large and _call_problem(o.call, what, 0)
        ),
        None,
    )
    if bad is not None:
        p = probes[outs.index(bad)]
        findings.append(_call_problem(bad.call, what, budget.seconds, p.label))
        if bad.call.reference or bad.call.timed_out:
            return findings, False
    wrong = set()
    if mine.values_fail:
        wrong.add("values")
    if any(mine.stability):
        wrong.add("stability")
    if any(mine.side):
        wrong.add("side-effects")
    if mine.shape_problem:
        wrong.add("interface")
    theirs = {}

    def matches(m, part):
        if m.id not in theirs:
            theirs[m.id] = _summarise_array(
                probes, [_run_array(m.vectorized, p, None) for p in probes]
            )
        return _match_array(part, mine, theirs[m.id], probes)

    recognised = _recognise(wrong, [m for m in CATALOGUE.values() if m.check == check], matches)
    explained = set()
    for m in recognised:
        parts = tuple(
            p for p in ("interface", "values", "stability", "side-effects") if p in m.parts & wrong
        )
        f = _array_part_finding(parts[0], mine, what, name, texts)
        f.parts, f.mistake = parts, m.id
        f.diagnosis, f.hint = m.diagnosis, f"{m.hint} ({section_ref(m.section)})"
        findings.append(f)
        explained |= set(parts)
    for part in ("interface", "values", "stability", "side-effects"):
        if part in wrong and part not in explained:
            findings.append(_array_part_finding(part, mine, what, name, texts))
    return findings, False


def _array_part_finding(part, s: _ArraySummary, what, name, texts) -> Finding:
    checked, key = texts[part]
    hint = section_ref(key)
    if part == "values":
        p, o, rel = s.values_fail
        exp, got = _worst_entry(o.value, p.expected, name)
        return Finding(
            ("values",),
            f"{checked} on {p.label}",
            exp,
            got,
            rel,
            texts["explain"](p, o.value),
            hint,
        )
    if part == "stability":
        p, o = s.stab_fail
        got = (
            _exception_text(o.call.error)
            if o.value is None and o.call.error
            else "inf or nan"
            if not np.isfinite(o.value).all()
            else "wrong values"
        )
        return Finding(
            ("stability",),
            f"{checked}: {p.label}",
            "finite values equal to the reference",
            got,
            None,
            "right on ordinary scores, wrong when the scores are large",
            f"shift each row by its maximum ({hint})",
        )
    if part == "side-effects":
        names = sorted({n for m in s.side for n in m})
        return Finding(
            ("side-effects",),
            "the inputs after the call",
            f"{', '.join(names)} unchanged",
            f"{', '.join(names)} changed",
            None,
            f"your function modified {', '.join(names)}: the caller's arrays must stay as they were",
            f"work on a new array, or put back what you changed ({hint})",
        )
    p, o = s.shape_problem
    return Finding(
        ("interface",), f"what {what} returned on {p.label}", "", o.problem, None, checked, hint
    )


# --------------------------------------------------------------------------- check_softmax


def _softmax_probes(seed: int) -> list[_Probe]:
    rng = np.random.default_rng(seed)
    probes = []
    for N, C, dtype in [
        (5, 3, np.float64),
        (1, 4, np.float64),
        (4, 7, np.float64),
        (6, 4, np.float32),
    ]:
        S = (3 * rng.standard_normal((N, C))).astype(dtype)
        probes.append(_Probe(f"S of shape ({N}, {C}), {np.dtype(dtype).name}", (S,), ("S",)))
    for kind, text, (N, C) in [
        ("rows", "scores near +1000 in some rows, near -1000 in others", (6, 4)),
        ("within", "scores from -1000 to +1000 within each row", (5, 5)),
    ]:
        S = _large_scores(rng, N, C, kind)
        probes.append(_Probe(f"{text} (S of shape ({N}, {C}), float64)", (S,), ("S",), large=True))
    for p in probes:
        p.expected = functions.softmax(p.args[0].astype(np.float64), axis=1)
    return probes


def _explain_softmax(probe: _Probe, P: np.ndarray) -> str:
    P = np.asarray(P, dtype=np.float64)
    rows, cols = P.sum(axis=1), P.sum(axis=0)
    if np.allclose(cols, 1, atol=1e-4) and not np.allclose(rows, 1, atol=1e-4):
        return "your columns sum to 1, not your rows: the softmax ran over axis 0 (the examples)"
    if not np.allclose(rows, 1, atol=1e-4):
        return f"your rows sum to {_num(rows.min())} to {_num(rows.max())}, not 1: divide each row by its own sum"
    return "your rows sum to 1 but the values differ: each row must be exp(s - max) / sum(exp(s - max))"


def check_softmax(fn, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Report:
    """Check ``fn(S) -> P``, a batch softmax: S (N, C) scores, P (N, C) with rows summing to 1.

    Probes: several shapes (N = 1 included), float64 and float32, and scores up to
    ±1000 within a row and across rows. Parts ``interface``, ``values``,
    ``stability``, ``side-effects``. A float32 S may give a float32 or float64 P.
    """
    bad = _bad_function(fn, "check_softmax")
    if bad:
        return bad
    texts = {
        "values": ("the probabilities", "properties"),
        "stability": ("large scores", "shift"),
        "side-effects": ("", "shift"),
        "interface": ("the softmax must return an array of S's shape (N, C)", "properties"),
        "explain": _explain_softmax,
    }
    findings, ni = _array_findings(
        fn, _softmax_probes(seed), _Budget(time_limit), _describe(fn), "softmax", "P", texts
    )
    return Report("check_softmax", findings, not_implemented=ni)


# --------------------------------------------------------------------------- check_numerical_gradient


def _numgrad_probes(seed: int) -> list[_Probe]:
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((5, 5))
    A = M @ M.T / 5 + np.eye(5)
    b = rng.standard_normal(5)

    def f_vector(x):  # a quadratic with coupled coordinates plus a cubic: f''' != 0
        return float(0.5 * x @ A @ x + np.sum(x**3) / 3 + b @ x)

    c = rng.uniform(0.5, 2.0, size=(3, 4))

    def f_matrix(x):
        return float(np.sum(c * x**2) + np.sum(x) ** 2 / 2 + np.sum(np.sin(x)))

    probes = []
    for f, shape, h, text in [
        (f_vector, (5,), 1e-3, "x of shape (5,), h = 1e-3"),
        (f_matrix, (3, 4), 1e-3, "x of shape (3, 4), h = 1e-3"),
        (f_vector, (5,), None, "x of shape (5,), h not given (default 1e-5)"),
    ]:
        x = rng.standard_normal(shape)
        args = (f, x) if h is None else (f, x, h)
        p = _Probe(text, args, ("f", "x", "h")[: len(args)])
        p.expected = gradcheck.numerical_gradient(f, x, 1e-5 if h is None else h)
        probes.append(p)
    return probes


def _explain_numgrad(probe: _Probe, g: np.ndarray) -> str:
    G = probe.expected
    g = np.asarray(g, dtype=np.float64)
    ratio = np.sum(g * G) / np.sum(G * G)
    if np.allclose(g, ratio * G, rtol=1e-6, atol=1e-9) and abs(ratio - 1) > 1e-3:
        return f"your gradient is {_num(ratio)} times the centred difference"
    rel = _rel_err(g, G)
    return (
        f"your values differ from the centred difference by {_round_sig(rel)} relative: "
        "the centred difference (f(x + h) - f(x - h)) / (2h) is within ~1e-9 here"
    )


def check_numerical_gradient(fn, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Report:
    """Check ``fn(f, x, h=1e-5) -> grad``, centred differences of a scalar function f.

    f(x) -> float, x a float64 array of any shape, grad of x's shape. Probes: a
    1-D and a 2-D x, functions with a non-zero third derivative and coupled
    coordinates (so forward differences and a point left shifted show), h given
    and h left at its default. Parts ``interface``, ``values``, ``side-effects``.
    """
    bad = _bad_function(fn, "check_numerical_gradient")
    if bad:
        return bad
    texts = {
        "values": ("the gradient", "centred"),
        "stability": ("", "centred"),
        "side-effects": ("", "centred"),
        "interface": ("the function must return an array of x's shape", "centred"),
        "explain": _explain_numgrad,
    }
    findings, ni = _array_findings(
        fn,
        _numgrad_probes(seed),
        _Budget(time_limit),
        _describe(fn),
        "numerical_gradient",
        "grad",
        texts,
    )
    return Report("check_numerical_gradient", findings, not_implemented=ni)


# --------------------------------------------------------------------------- check_vectorized

_LOOP_NODES = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _python_loops(fn) -> list[tuple[int, str]] | None:
    """(line, code) of every for/while loop and comprehension in fn's source; None if unreadable."""
    target = inspect.unwrap(getattr(fn, "func", fn))
    try:
        lines, first = inspect.getsourcelines(target)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, _LOOP_NODES):
            found.setdefault(node.lineno, lines[node.lineno - 1].strip())
    return [(first + k - 1, text) for k, text in sorted(found.items())]


def _dev_problem(seed: int):
    N, D, C = DEV_SHAPE
    rng = np.random.default_rng(seed)
    W = 1e-4 * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    return W, X, _labels(rng, N, C), 5e-6


def _one_blas_thread():
    """One BLAS thread while timing: on a busy machine, BLAS threads waiting for each
    other made the vectorized time vary 6-fold between rounds (measured, 2 shared cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _speed(fn, naive, seed: int, budget: _Budget) -> tuple[list, list]:
    """(findings, notes) of the speed comparison at the dev shape."""
    N, D, C = DEV_SHAPE
    shape = f"N = {N}, D = {D}, C = {C}"
    args = _dev_problem(seed)
    notes, against = [], "your naive version"
    reference = _loss_module.softmax_loss_naive
    if naive is None or not callable(naive):
        naive, against = reference, "the package's softmax_loss_naive"
        notes.append(
            f"speed measured against {against} (pass naive=your naive function to compare with yours)"
        )
    first_naive = _call(naive, args, budget=budget)
    if naive is not reference and (
        first_naive.error or first_naive.reference or first_naive.value is None
    ):
        why = "is not implemented yet" if first_naive.not_implemented else "did not run"
        naive, against = reference, "the package's softmax_loss_naive"
        notes.append(f"your naive function {why}: speed measured against {against}")
        first_naive = _call(naive, args, budget=budget)
    first_fast = _call(fn, args, budget=budget)
    if first_naive.timed_out or first_fast.timed_out or first_fast.error:
        notes.append(f"speed not measured: the time limit of {budget.seconds:g} s was reached")
        return [], notes
    each = first_naive.seconds + first_fast.seconds
    rounds = 5 if each < 0.4 else 3
    with _one_blas_thread():
        timed = _call(
            interleaved_times,
            ({"naive": lambda: naive(*args), "vectorized": lambda: fn(*args)}, rounds),
            {"warmup": False},
            budget=budget,
            spare=(naive, fn),
        )
    if timed.value is None:
        notes.append(
            "speed not measured: "
            + (_exception_text(timed.error) if timed.error else "time limit reached")
        )
        return [], notes
    ratio = median_ratio(timed.value["naive"], timed.value["vectorized"])
    line = f"{ratio:.1f}× faster than {against} at {shape} (one BLAS thread, median of {rounds} interleaved rounds)"
    if ratio >= MIN_SPEEDUP:
        return [], [*notes, f"speed: {line}"]
    finding = Finding(
        ("vectorization",),
        f"speed against {against} at {shape}",
        f"at least {MIN_SPEEDUP:g}× faster",
        line,
        diagnosis="a vectorized loss spends its time in two matrix products (X @ W and X.T @ (P - Y)); "
        "anything done per example or per class in Python costs far more",
        hint=f"remove per-example work; time both versions ({section_ref('timing')})",
    )
    return [finding], notes


def check_vectorized(fn, naive=None, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Report:
    """Everything :func:`check_loss` checks, plus the part ``vectorization``.

    ``vectorization`` is wrong if fn's own source holds a Python loop (for, while,
    a comprehension), or if fn is less than 5 times faster than ``naive`` (the
    student's own naive loss) at N = 500, D = 3073, C = 10, measured here by
    interleaved repeats (median of the per-round ratios). Without a working
    ``naive`` the speed is measured against :func:`softmax.softmax_loss_naive`,
    and the report says so. The speed line is the only timing in a report's text.
    """
    bad = _bad_function(fn, "check_vectorized")
    if bad:
        return bad
    budget = _Budget(time_limit)
    what = _describe(fn)
    findings, ni = _loss_findings(fn, _loss_probes(seed), budget, what)
    if ni:
        return Report("check_vectorized", not_implemented=True)
    notes = []
    loops = _python_loops(fn)
    if loops is None:
        notes.append(f"the source of {what} could not be read: loops not checked")
    elif loops:
        findings.append(
            Finding(
                ("vectorization",),
                f"the source of {what}",
                "no Python loop over examples or classes",
                "; ".join(f"line {k}: {text}" for k, text in loops),
                diagnosis="a for/while loop or a comprehension runs Python code once per example "
                "or class: the vectorized loss does everything with whole-array operations",
                hint=f"replace the loop by matrix products and axis=1 reductions ({section_ref('vectorized')})",
            )
        )
    if "interface" not in {p for f in findings for p in f.parts}:
        speed_findings, speed_notes = _speed(
            fn, naive, seed, _Budget(max(budget.left(), 3 * time_limit / 4))
        )
        findings += speed_findings
        notes += speed_notes
    return Report("check_vectorized", findings, notes)


# --------------------------------------------------------------------------- check_gradient_check


def _power(x: float) -> str:
    """A power of ten as text: 1e-07 -> "1e-7"."""
    return f"1e{round(math.log10(x)):d}"


def _magnitude(x: float) -> str:
    """A relative error as an order of magnitude, stable across BLAS builds: "1e-10"."""
    if not x > 0:
        return "0"
    return f"1e{math.floor(math.log10(x)):d}"


def check_gradient_check(
    loss_fn, numerical_gradient_fn, *, seed: int = 0, time_limit: float = TIME_LIMIT
) -> Report:
    """The student's gradient check: their numerical gradient of their own loss against their dW.

    ``loss_fn(W, X, y, reg) -> (loss, dW)``; ``numerical_gradient_fn(f, x, h) -> grad``.
    On a small float64 problem (D = 5, C = 4, N = 8, reg = 0.1, W of order 0.5),
    computes ``rel_error(numerical, dW)`` (largest element-wise relative error) and
    reads it with notebook 03's thresholds: below 1e-7 right, above 1e-4 wrong, in
    between look closer. When it fails, the package's own centred differences of
    the student's loss tell which side is wrong: ``gradient`` (dW is not the
    gradient of the loss) or ``values`` (the numerical gradient is wrong).
    A passing gradient check says dW matches the student's loss, not that the loss
    is right: :func:`check_loss` says that.
    """
    for fn in (loss_fn, numerical_gradient_fn):
        bad = _bad_function(fn, "check_gradient_check")
        if bad:
            return bad
    rng = np.random.default_rng(seed)
    D, C, N, reg = 5, 4, 8, 0.1
    W = 0.5 * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = _labels(rng, N, C)
    budget = _Budget(time_limit)
    what = _describe(loss_fn)
    label = f"N = {N}, D = {D}, C = {C}, float64, reg = {reg:g}"
    report = Report("check_gradient_check")

    first = _call(loss_fn, (W.copy(), X.copy(), y.copy(), reg), budget=budget)
    if first.not_implemented:
        report.not_implemented = True
        return report
    problem = _call_problem(first, what, budget.seconds, label)
    out = _parse_loss_value(first.value, W) if problem is None else None
    if problem is None and out.problem:
        problem = Finding(
            ("interface",), f"what {what} returned on {label}", "(loss, dW)", out.problem
        )
    if problem:
        report.findings.append(problem)
        return report
    dW = out.dW

    def f(w):
        return float(loss_fn(w, X.copy(), y.copy(), reg)[0])

    num_what = _describe(numerical_gradient_fn)
    second = _call(numerical_gradient_fn, (f, W.copy(), 1e-5), budget=budget, spare=loss_fn)
    if second.not_implemented:
        report.not_implemented = True
        return report
    problem = _call_problem(
        second, num_what, budget.seconds, f"f(W) = your loss on {label}, h = 1e-5"
    )
    if problem is None and np.shape(second.value) != W.shape:
        problem = Finding(
            ("interface",),
            f"what {num_what} returned",
            f"an array of W's shape {W.shape}",
            f"shape {np.shape(second.value)}",
        )
    if problem:
        report.findings.append(problem)
        return report
    numerical = np.asarray(second.value, dtype=np.float64)
    rel = gradcheck.rel_error(numerical, dW)
    if rel < GRADCHECK_GOOD:
        report.notes.append(
            f"relative error of order {_magnitude(rel)} (below {_power(GRADCHECK_GOOD)}): your dW is the gradient of your "
            "loss. This does not say that the loss is right: check_loss does."
        )
        return report
    ours = _call(
        gradcheck.numerical_gradient,
        (f, W.copy(), 1e-5),
        budget=budget,
        spare=(gradcheck.numerical_gradient, loss_fn),
    )
    band = (
        f"above {_power(GRADCHECK_WRONG)}: wrong"
        if rel > GRADCHECK_WRONG
        else f"between {_power(GRADCHECK_GOOD)} and {_power(GRADCHECK_WRONG)}: look closer"
    )
    report.notes.append(f"your gradient check: relative error {_round_sig(rel)}, {band}")
    if ours.value is None:
        report.findings.append(
            Finding(
                ("gradient",),
                "your numerical gradient vs your dW",
                f"below {GRADCHECK_GOOD:g}",
                _round_sig(rel),
                rel,
            )
        )
        return report
    centred = np.asarray(ours.value)
    if gradcheck.rel_error(numerical, centred) > 1e-6:
        exp, got = _worst_entry(numerical, centred, "grad")
        report.findings.append(
            Finding(
                ("values",),
                f"{num_what} on f(W) = your loss, h = 1e-5",
                exp,
                got,
                _rel_err(numerical, centred),
                "your numerical gradient differs from centred differences of the same loss: "
                "check_numerical_gradient names the mistake",
                section_ref("centred"),
            )
        )
    rel_dW = gradcheck.rel_error(centred, dW)
    if rel_dW >= GRADCHECK_GOOD:
        exp, got = _worst_entry(dW, centred, "dW")
        report.findings.append(
            Finding(
                ("gradient",),
                f"your dW vs centred differences of your loss ({label})",
                exp,
                got,
                rel_dW,
                "your dW is not the gradient of your loss: one of the two has a mistake "
                "(check_loss tells which)",
                section_ref("thresholds"),
            )
        )
    return report


# --------------------------------------------------------------------------- check_training

TRAINING_SETTINGS = {"lr": 1.0, "reg": 1e-4, "num_iters": 1000, "batch_size": 100}
MIN_VAL_ACCURACY = 0.85  # notebook 05's settings reach about 0.95 on the digits


def check_training(train_fn, loss_fn, *, time_limit: float = TRAINING_TIME_LIMIT) -> Report:
    """Train with the student's SGD and loss on the digits, report validation accuracy.

    ``train_fn(loss_fn, X, y, *, lr, reg, num_iters, batch_size, rng) -> (W, loss_history)``
    runs on notebook 05's data (``data.load_digits(seed=0)``, preprocessed with
    ``data.preprocess(..., factor=1/16)``: X (1079, 65), 10 classes) with lr = 1,
    reg = 1e-4, 1000 steps of 100 examples and ``rng = np.random.default_rng(0)``.
    Diagnoses a loss that becomes inf/nan or rises (learning rate too large, wrong
    sign), one stuck at ln C (W not updated, learning rate too small, dW zero),
    and a validation accuracy below 0.85. Parts ``interface`` and ``values``.
    """
    for fn in (train_fn, loss_fn):
        bad = _bad_function(fn, "check_training")
        if bad:
            return bad
    (X_train, y_train), (X_val, y_val), _ = data.load_digits(seed=0)
    _, (X_tr, X_va) = data.preprocess(X_train, X_val, factor=1 / 16)
    C = int(y_train.max()) + 1
    ln_c = math.log(C)
    budget = _Budget(time_limit)
    what = _describe(train_fn)
    settings = ", ".join(f"{k} = {v:g}" for k, v in TRAINING_SETTINGS.items())
    report = Report("check_training")
    call = _call(
        train_fn,
        (loss_fn, X_tr.copy(), y_train.copy()),
        {**TRAINING_SETTINGS, "rng": np.random.default_rng(0)},
        budget=budget,
        spare=loss_fn,
    )
    if call.not_implemented:
        report.not_implemented = True
        return report
    problem = _call_problem(call, what, budget.seconds, f"the digits ({settings})")
    value = call.value
    if problem is None and (not isinstance(value, tuple | list) or len(value) != 2):
        problem = Finding(
            ("interface",),
            f"what {what} returned",
            "a pair (W, loss_history)",
            type(value).__name__,
        )
    if problem is None:
        W, history = value
        try:
            W = np.asarray(W, dtype=np.float64)
            hist = np.asarray(history, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            W, hist = np.empty(0), np.empty(0)
        if W.shape != (X_tr.shape[1], C) or hist.size == 0:
            problem = Finding(
                ("interface",),
                f"what {what} returned",
                f"W of shape {(X_tr.shape[1], C)} and a list of losses",
                f"W of shape {W.shape}, {hist.size} losses",
            )
    if problem:
        report.findings.append(problem)
        return report
    k = max(1, hist.size // 10)
    start, end = float(np.mean(hist[:k])), float(np.mean(hist[-k:]))
    lr_reg = TRAINING_SETTINGS["lr"] * TRAINING_SETTINGS["reg"]
    sgd = section_ref("sgd")
    if not (np.isfinite(hist).all() and np.isfinite(W).all()):
        bad_step = int(np.argmin(np.isfinite(hist))) if not np.isfinite(hist).all() else hist.size
        report.findings.append(
            Finding(
                ("values",),
                f"the loss history ({settings})",
                "finite losses",
                f"inf/nan from step {bad_step}",
                diagnosis="training diverged: a learning rate too large for this loss, or a wrong gradient. "
                f"The penalty alone multiplies W by (1 − 2·lr·reg) = {1 - 2 * lr_reg:g} each step, "
                "which must stay within (−1, 1): |1 − 2·lr·reg| < 1",
                hint=f"check W -= lr * dW and the gradient (check_loss); {section_ref('lr-reg')}",
            )
        )
        return report
    accuracy = float(np.mean(np.argmax(X_va @ W, axis=1) == y_val))
    report.notes.append(
        f"validation accuracy {accuracy:.2f} after {hist.size} steps; loss {start:.2f} (first {k} steps) "
        f"→ {end:.2f} (last {k})"
    )
    first = float(hist[0])
    if not 0.5 * ln_c < first < 2 * ln_c:
        report.notes.append(
            f"the first loss is {first:.2f}, not about ln C = {ln_c:.2f}: is the loss averaged over "
            "the batch, and W initialised small? (check_loss)"
        )
    if end > start + 0.05:
        report.findings.append(
            Finding(
                ("values",),
                f"the loss history ({settings})",
                "a falling loss",
                f"from {start:.2f} to {end:.2f}",
                diagnosis="the loss rose: W moves uphill (W += lr * dW, or a gradient with the wrong sign), "
                "or the learning rate is too large",
                hint=f"the step is W -= lr * dW; {sgd}",
            )
        )
    elif abs(end - ln_c) < 0.05:
        report.findings.append(
            Finding(
                ("values",),
                f"the loss history ({settings})",
                f"a loss falling below ln C = {ln_c:.2f}",
                f"{start:.2f} → {end:.2f}",
                diagnosis="the loss stays at ln C, the loss of a classifier that has learned nothing: "
                "W is not updated (the new W assigned to another name, or a copy updated), "
                "the learning rate is far too small, or dW is zero",
                hint=f"print the loss and np.abs(dW).max() at each step; {section_ref('sanity-05')}",
            )
        )
    elif accuracy < MIN_VAL_ACCURACY:
        report.findings.append(
            Finding(
                ("values",),
                f"validation accuracy ({settings})",
                f"at least {MIN_VAL_ACCURACY:g}",
                f"{accuracy:.2f}",
                diagnosis="the loss falls but the classifier is poor: check that each minibatch takes "
                "rows of X and their own labels (the same indices for both), and that W is returned "
                "after the last step",
                hint=sgd,
            )
        )
    return report
