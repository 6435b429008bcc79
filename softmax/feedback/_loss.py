"""check_loss and check_vectorized: the softmax loss ``fn(W, X, y, reg) -> (loss, dW)``."""

from __future__ import annotations

import contextlib
import gc
import linecache
import math
import os
import sys
import sysconfig
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._timing import interleaved_times, median_ratio
from ._report import Finding, Report, _num, _round_sig, section_ref
from ._run import (
    _LARGE_KINDS,
    _ROUND_OFF64,
    _WRONG,
    DEV_SHAPE,
    TIME_LIMIT,
    _agree,
    _bad_function,
    _Budget,
    _Call,
    _call,
    _call_kind,
    _call_problem,
    _changed_inputs,
    _copy_args,
    _describe,
    _exception_text,
    _findings,
    _labels,
    _large_results,
    _large_scores,
    _mutated,
    _no_result,
    _non_finite,
    _Probe,
    _recognise,
    _rel_err,
    _round_off_note,
    _shape,
    _side_effect_finding,
    _tol,
    _where_wrong,
    _worst_entry,
)
from ._trusted import CATALOGUE
from ._trusted import loss as _loss_module


def _loss_probes(seed: int) -> list[_Probe]:
    """Ordinary batches (pairs with reg = 0 and reg = 0.5 on the same W, X, y, in float64
    and float32; N = 1; D = C; N = C), then two batches of scores near ±1000 (float64)."""
    rng = np.random.default_rng(seed)
    probes = []
    for N, D, C, dtype, regs in [
        (9, 5, 4, np.float64, (0.0, 0.5)),
        (1, 4, 3, np.float64, (0.5,)),
        (7, 4, 4, np.float64, (0.5,)),  # D == C: a (C, D) dW has W's shape
        (5, 3, 5, np.float64, (0.5,)),  # N == C
        (11, 6, 4, np.float32, (0.0, 0.5)),
    ]:
        W = (0.5 * rng.standard_normal((D, C))).astype(dtype)
        X = rng.standard_normal((N, D)).astype(dtype)
        y = _labels(rng, N, C)
        for reg in regs:
            label = f"N = {N}, D = {D}, C = {C}, {np.dtype(dtype).name}, reg = {reg:g}"
            features = [np.dtype(dtype).name, "reg > 0" if reg else "reg = 0"]
            features += ["N = 1"] * (N == 1) + ["D = C"] * (D == C) + ["N = C"] * (N == C)
            probe = _Probe(label, (W, X, y, reg), ("W", "X", "y", "reg"), features=tuple(features))
            probe.extra["pair"] = (len(probes) - 1) if reg and len(regs) == 2 else None
            probes.append(probe)
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
                features=(_LARGE_KINDS[kind],),
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
    after: dict = field(default_factory=dict)  # the changed inputs, after the call


def _real_number(loss) -> float | None:
    """The loss as a float if it is one real number: a Python int or float, a numpy
    integer or floating scalar, or a 0-d array of those; None for a str, bytes, bool,
    complex, None, an array of another shape or any other object (an interface error:
    float() would accept "1.5" or take a complex's real part in silence)."""
    if isinstance(loss, bool | np.bool_ | str | bytes) or loss is None:
        return None
    if isinstance(loss, int | float) or (
        isinstance(loss, np.generic | np.ndarray) and np.shape(loss) == ()
    ):
        kind = np.asarray(loss).dtype.kind
        if kind in "iuf" or (isinstance(loss, int) and kind == "O"):  # a huge int: still a number
            try:
                return float(loss)
            except OverflowError:
                return math.inf if loss > 0 else -math.inf
    return None


def _parse_loss_value(value, W) -> _LossOut:
    out = _LossOut()
    if not isinstance(value, tuple | list) or len(value) != 2:
        kind = type(value).__name__ + (
            f" of length {len(value)}" if isinstance(value, tuple | list) else ""
        )
        out.problem = f"returned a {kind}; expected a pair (loss, dW)"
        return out
    loss, dW = value
    number = _real_number(loss)
    if number is None:
        shape = _shape(loss)
        of_shape = f" of shape {shape}" if isinstance(shape, tuple) and shape != () else ""
        out.problem = (
            f"the loss is a {type(loss).__name__}{of_shape}; expected one number (a real float)"
        )
        return out
    out.loss = number
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
    out.after = {n: a for n, a in zip(probe.names, args, strict=True) if n in out.mutated}
    return out


def _loss_errors(out: _LossOut, probe: _Probe) -> tuple[float, float]:
    """Relative errors of the loss and of dW against the reference (inf if missing)."""
    ref_loss, ref_dW = probe.expected
    le = _rel_err(out.loss, ref_loss) if out.loss is not None else math.inf
    ge = _rel_err(out.dW, ref_dW) if out.dW is not None else math.inf
    return le, ge


def _usable(out: _LossOut, probe: _Probe) -> bool:
    """A loss and a dW of W's shape came back."""
    return out.loss is not None and out.dW is not None and out.dW.shape == probe.expected[1].shape


def _is_transposed(out: _LossOut, probe: _Probe) -> bool:
    """On a square W (D == C): dW is the transpose of the right one, not the right one."""
    G = probe.expected[1]
    return (
        G.shape[0] == G.shape[1]
        and _usable(out, probe)
        and not _agree(out.dW, G, _tol(probe))
        and _agree(out.dW, G.T, _tol(probe))
    )


@dataclass
class _LossSummary:
    """What one function did on every probe, per part."""

    probes: list
    outs: list
    loss_bad: list = field(default_factory=list)  # per ordinary probe: the loss is wrong
    grad_bad: list = field(default_factory=list)
    loss_fail: tuple | None = None  # (probe, out, rel) of the first wrong one
    grad_fail: tuple | None = None
    interface_bad: list = field(default_factory=list)  # per ordinary probe
    shape_problem: tuple | None = None  # (probe, out, transposed)
    stab: list = field(default_factory=list)  # per large probe: "" or what went wrong
    stab_fail: tuple | None = None  # (probe, out, text, measured)
    side: tuple = ()  # per probe: the inputs changed (beyond round-off)
    round_off: set = field(default_factory=set)  # inputs changed by round-off only
    finite: dict = field(default_factory=dict)  # "loss"/"gradient": finite on ordinary probes
    largest: dict = field(default_factory=dict)  # part -> (rel, probe) of the accepted errors

    @property
    def ordinary(self):
        return [(p, o) for p, o in zip(self.probes, self.outs, strict=True) if not p.large]

    def pair_right(self, probe, part: str) -> bool:
        """Is ``part`` right on the reg = 0 batch with the same W, X, y as ``probe``?"""
        k = probe.extra.get("pair")
        if k is None:
            return False
        bad = self.loss_bad if part == "loss" else self.grad_bad
        return not bad[k] and _usable(self.outs[k], self.probes[k])


def _large_result(s: _LossSummary, p: _Probe, o: _LossOut) -> tuple[str, bool]:
    """(what went wrong on a large-score probe or "", whether it was measured)."""
    failed = _no_result(o.call, o.problem, _usable(o, p))
    if failed:
        return failed
    wrong, unmeasured = [], []
    for part, got, ref in (("loss", o.loss, p.expected[0]), ("gradient", o.dW, p.expected[1])):
        name = "loss" if part == "loss" else "dW"
        bad_on_ordinary = any(s.loss_bad if part == "loss" else s.grad_bad)
        nonfinite = _non_finite(got)
        if not s.finite[part]:
            unmeasured.append(f"your {name} is already inf/nan on ordinary scores")
        elif nonfinite:
            wrong.append(f"{name} {nonfinite}" if part == "gradient" else f"loss {nonfinite}")
        elif not bad_on_ordinary and not _agree(got, ref, _tol(p)):
            if part == "loss":
                wrong.append(f"loss {_num(got)} where the right one is {_num(ref)}")
            else:
                exp, val = _worst_entry(got, ref, "dW")
                wrong.append(f"{exp} expected, got {val}")
    if wrong:
        return "; ".join(wrong), True
    if unmeasured:
        return " and ".join(unmeasured), False
    return "", True


def _summarise_loss(probes, outs) -> _LossSummary:
    s = _LossSummary(list(probes), list(outs))
    for p, o in s.ordinary:
        le, ge = _loss_errors(o, p)
        transposed = _is_transposed(o, p)
        usable = _usable(o, p)
        s.interface_bad.append(bool(o.problem) or transposed)
        if (o.problem or transposed) and s.shape_problem is None:
            s.shape_problem = (p, o, transposed)
        s.loss_bad.append(o.loss is not None and le > _tol(p))
        s.grad_bad.append(usable and not transposed and ge > _tol(p))
        if s.loss_bad[-1] and s.loss_fail is None:
            s.loss_fail = (p, o, le)
        if s.grad_bad[-1] and s.grad_fail is None:
            s.grad_fail = (p, o, ge)
        for part, rel, bad in (("loss", le, s.loss_bad[-1]), ("gradient", ge, s.grad_bad[-1])):
            accepted = (
                usable and not transposed and not bad and p.dtype == np.float64
            ) and rel > _ROUND_OFF64
            if accepted and rel > s.largest.get(part, (0.0,))[0]:
                s.largest[part] = (rel, p)
    s.finite = {
        "loss": all(o.loss is None or math.isfinite(o.loss) for _, o in s.ordinary),
        "gradient": all(o.dW is None or bool(np.isfinite(o.dW).all()) for _, o in s.ordinary),
    }
    returned = all(_usable(o, p) for p, o in s.ordinary)
    if returned:
        s.stab, s.stab_fail = _large_results(probes, outs, lambda p, o: _large_result(s, p, o))
    s.side, s.round_off = _changed_inputs(probes, outs)
    return s


def _match_loss(part: str, mine: _LossSummary, theirs: _LossSummary, probes) -> bool:
    """Does the student's output on ``part`` agree with a mistake's own output on the same
    probes (to the tolerance of a wrong result)?"""
    pairs = [
        (p, a, b) for p, a, b in zip(probes, mine.outs, theirs.outs, strict=True) if not p.large
    ]
    if part == "loss":
        shown = [(p, a, b) for p, a, b in pairs if a.loss is not None]
        return bool(shown) and all(
            b.loss is not None and _agree(a.loss, b.loss, _tol(p)) for p, a, b in shown
        )
    if part == "gradient":
        shown = [(p, a, b) for p, a, b in pairs if _usable(a, p)]
        return bool(shown) and all(
            b.dW is not None and _agree(a.dW, b.dW, _tol(p)) for p, a, b in shown
        )
    if part == "interface":
        return all(
            a.dW is not None and b.dW is not None and _agree(a.dW, b.dW, _tol(p))
            for p, a, b in pairs
        )
    if part == "stability":
        # Named only from results on large scores that ordinary scores do not already
        # explain: a loss or dW that is inf/nan on ordinary scores contradicts it.
        if not (mine.finite["loss"] and mine.finite["gradient"]):
            return False
        large = [
            (p, a, b) for p, a, b in zip(probes, mine.outs, theirs.outs, strict=True) if p.large
        ]
        return len(mine.stab) == len(large) and all(
            _usable(a, p)
            and _usable(b, p)
            and _agree(a.loss, b.loss, _tol(p))
            and _agree(a.dW, b.dW, _tol(p))
            for p, a, b in large
        )
    if part == "side-effects":
        return mine.side == theirs.side and all(
            _agree(a.after[n], b.after[n], _tol(p))
            for p, a, b, names in zip(probes, mine.outs, theirs.outs, mine.side, strict=True)
            for n in names
        )
    return False


# --------------------------------------------------------------------------- check_loss


def _explain_loss(probe: _Probe, got: float, right_at_reg0: bool = False) -> str:
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
    if right_at_reg0:
        return (
            f"your loss is right when reg = 0 but not here (same W, X, y): your regulariser adds "
            f"{_num(got - (ref - penalty))} where reg·ΣW² = {_num(penalty)}"
        )
    ratio = got / ref if ref else math.inf
    times = f", {_num(ratio)} times the right one" if abs(ratio - 1) > 1e-2 else ""
    return (
        f"your loss is off by {_num(got - ref)} ({_num(got)} instead of {_num(ref)}{times}): "
        "compare each step with −log p[i, y_i] averaged over the examples, plus reg·ΣW²"
    )


def _explain_gradient(probe: _Probe, g: np.ndarray, right_at_reg0: bool = False) -> str:
    """Fit g − G ≈ a·G + b·2·reg·W + c·Xᵀ·Y/N; describe it when the fit is exact."""
    bad = _non_finite(g)
    if bad:
        return f"your dW has {bad} on ordinary scores"
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
    terms = [f"{c:+.3g}·{n}" for (n, _), c in zip(basis, coef, strict=True) if abs(c) > 1e-3]
    if residual > 1e-3 and right_at_reg0:
        return (
            "your dW is right when reg = 0 but not here (same W, X, y): the regulariser's "
            "gradient is wrong; the gradient of reg·ΣW² is 2·reg·W"
        )
    if residual > 1e-3 or not terms:
        return (
            "the difference is not a multiple of the right dW, of 2·reg·W or of Xᵀ·Y/N: "
            "compare your dW with Xᵀ(P − Y)/N + 2·reg·W term by term"
        )
    return f"your dW = right dW {' '.join(terms)}"


def _loss_findings(fn, probes, budget, what: str, notes: list | None = None) -> tuple[list, bool]:
    """Findings of check_loss (and the loss part of check_vectorized); second item: not
    implemented (NotImplementedError on every ordinary batch: the untouched stub).
    Information that is not a problem is appended to ``notes``."""
    outs = [_run_loss(fn, p, budget) for p in probes]
    ordinary = [(p, o) for p, o in zip(probes, outs, strict=True) if not p.large]
    if all(o.call is not None and o.call.not_implemented for _, o in ordinary):
        return [], True
    mine = _summarise_loss(probes, outs)

    findings = []
    bad_call = next(((p, o) for p, o in ordinary if _call_problem(o.call, what, 0)), None)
    if bad_call:
        p, o = bad_call
        f = _call_problem(o.call, what, budget.seconds, f"a batch with {p.label}")
        f.kind = _call_kind(o.call)
        findings.append(f)
        if o.call.reference or o.call.timed_out:
            return findings, False

    wrong = set()
    if mine.loss_fail:
        wrong.add("loss")
    if mine.grad_fail:
        wrong.add("gradient")
    if mine.stab_fail:
        wrong.add("stability")
    if any(mine.side):
        wrong.add("side-effects")
    if mine.shape_problem:
        wrong.add("interface")

    recognised = []
    if wrong:
        theirs = {}

        def matches(m, part):
            if m.id not in theirs:
                outs_m = [_run_loss(m.vectorized, p, None) for p in probes]
                theirs[m.id] = _summarise_loss(probes, outs_m)
            return _match_loss(part, mine, theirs[m.id], probes)

        recognised = _recognise(
            wrong, [m for m in CATALOGUE.values() if m.check == "loss"], matches
        )

    order = ("interface", "loss", "gradient", "stability", "side-effects")
    findings += _findings(wrong, recognised, order, lambda part: _part_finding(part, mine, what))
    if notes is not None:
        notes += _loss_notes(mine)
    return findings, False


def _loss_notes(s: _LossSummary) -> list:
    notes = []
    for part, name in (("loss", "loss"), ("gradient", "dW")):
        if part in s.largest:
            rel, p = s.largest[part]
            notes.append(
                f"note: your {name} agrees with the reference to {_round_sig(rel)} relative "
                f"(largest on {p.label}): accepted, a wrong result is off by more than "
                f"{_sci(_WRONG)}; float64 arithmetic alone stays below {_sci(_ROUND_OFF64)} here"
            )
    if s.round_off:
        notes.append(_round_off_note(s.round_off))
    return notes


def _sci(x: float) -> str:
    """1e-4, not 0.0001."""
    return f"{x:.0e}".replace("e-0", "e-")


def _where(s: _LossSummary, flags: list) -> str:
    return _where_wrong([p for p, _ in s.ordinary], flags)


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
            _explain_loss(p, o.loss, s.pair_right(p, "loss")),
            f"check the data term and the regulariser ({section_ref('loss')})",
            where_wrong=_where(s, s.loss_bad),
            kind="loss-values",
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
            _explain_gradient(p, o.dW, s.pair_right(p, "gradient")),
            f"dW = Xᵀ(P − Y)/N + 2·reg·W ({section_ref('batch')})",
            where_wrong=_where(s, s.grad_bad),
            kind="gradient-values",
        )
    if part == "stability":
        p, o, text, measured = s.stab_fail
        large = [q for q in s.probes if q.large]
        ordinary_right = not (any(s.loss_bad) or any(s.grad_bad))
        before = (
            "your loss and dW are right on ordinary scores; on these large scores they are not"
            if ordinary_right
            else "large scores give inf/nan where ordinary scores give finite numbers"
        )
        return Finding(
            ("stability",),
            f"large scores: {p.label}",
            f"loss {_num(p.expected[0])} and a finite dW equal to the reference"
            if measured
            else "a usable result on large scores",
            text,
            None,
            before
            if measured
            else "stability not measured: the point is withheld until large scores give a "
            "result that can be compared",
            f"shift each row by its maximum and never take the log of a probability ({section_ref('shift')})",
            where_wrong=_where_wrong(large, [bool(t) for t in s.stab]),
            kind="stability" if measured else "not-measured",
        )
    if part == "side-effects":
        return _side_effect_finding(
            s.side, section_ref("weights"), _where_wrong(s.probes, [bool(c) for c in s.side])
        )
    p, o, transposed = s.shape_problem
    W = p.args[0]
    if transposed:
        return Finding(
            ("interface",),
            f"dW on {p.label}",
            f"dW of W's shape {W.shape} equal to the right gradient",
            "the transpose of the right dW",
            None,
            f"here D = C = {W.shape[0]}, so a (C, D) array has W's shape: your dW is computed "
            "as (C, D), and transposed or reshaped when the shapes differ",
            f"dW = X.T @ (P - Y) / N + 2 * reg * W has shape (D, C) ({section_ref('weights')})",
            where_wrong=_where(s, s.interface_bad),
            kind="transposed",
        )
    return Finding(
        ("interface",),
        f"what {what} returned on {p.label}",
        f"(loss, dW): one number and an array of W's shape {W.shape}",
        o.problem,
        None,
        "the function must return a pair: the loss as one number and dW with W's shape (D, C)",
        section_ref("weights"),
        where_wrong=_where(s, s.interface_bad),
        kind="returned",
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
    notes = []
    findings, not_implemented = _loss_findings(
        fn, probes, _Budget(time_limit), _describe(fn), notes
    )
    return Report("check_loss", findings, notes, not_implemented=not_implemented)


# --------------------------------------------------------------------------- check_vectorized

# The sizes at which check_vectorized counts the Python events of one call: a base
# batch, then the same with N, D or C multiplied by 8. A vectorized loss executes the
# same lines whatever the sizes; a loop over examples, features or classes runs its
# body once more per extra row, feature or class, here at least 28 more events.
COUNT_BASE = {"N": 16, "D": 8, "C": 4}
COUNT_FACTOR = 8
# A dimension is looped over when one call at the larger size executes at least this
# fraction of an event more per added row, feature or class (a loop executes >= 1).
LOOP_EVENTS_PER_ITEM = 0.25
SPEED_ROUNDS = 3  # interleaved rounds of the (ungraded) speed note
SPEED_SECONDS = 2.0  # at most this long for the speed note (about 0.7 s on an idle machine)


def _count_problems(seed: int) -> list[tuple[str, tuple]]:
    """(dimension changed or "base", (W, X, y, reg)) at the counting sizes."""
    rng = np.random.default_rng(seed)
    problems = []
    for dim in ("base", "N", "D", "C"):
        size = dict(COUNT_BASE)
        if dim != "base":
            size[dim] *= COUNT_FACTOR
        N, D, C = size["N"], size["D"], size["C"]
        W = 0.5 * rng.standard_normal((D, C))
        X = rng.standard_normal((N, D))
        problems.append((dim, (W, X, _labels(rng, N, C), 0.1)))
    return problems


def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(
        os.path.abspath(paths[k]) + os.sep for k in ("stdlib", "platstdlib", "purelib", "platlib")
    )


def _count_events(fn, problems) -> list:
    """Runs in the check's child: per problem, (Python line and call events of one call of
    fn, [(file, line, function, events, code)]) after an untraced warm-up call. Events in
    the standard library or site-packages (numpy's Python code, np.vectorize's loop) are
    counted for the nearest frame of other code that is running, i.e. the student's line
    that called them. The collector is off while counting, so that no finaliser runs."""
    library = _library_dirs()
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    own: dict = {}

    def is_own(code) -> bool:
        verdict = own.get(code)
        if verdict is None:
            path = os.path.abspath(code.co_filename)
            verdict = own[code] = path.startswith(package) or not path.startswith(library)
        return verdict

    results = []
    for _, args in problems:
        fn(*_copy_args(args))
        counts: dict = {}
        guard = sys.gettrace()  # the child's guard: still called for each function started

        def local(frame, event, arg, counts=counts, guard=guard):
            if event == "call" and guard is not None:
                guard(frame, event, arg)
            if event in ("line", "call"):
                f = frame
                while f is not None and not is_own(f.f_code):
                    f = f.f_back
                key = (f.f_code, f.f_lineno) if f is not None else None
                counts[key] = counts.get(key, 0) + 1
            return local

        copies = _copy_args(args)
        gc.disable()
        sys.settrace(local)
        try:
            fn(*copies)
        finally:
            sys.settrace(guard)
            gc.enable()
        lines = []
        for key, n in counts.items():
            if key is None:
                lines.append(("", 0, "", n, ""))
                continue
            code, lineno = key
            text = linecache.getline(code.co_filename, lineno).strip()
            lines.append((code.co_filename, lineno, code.co_name, n, text))
        results.append((sum(counts.values()), lines))
    return results


def _loop_finding(fn, seed: int, budget: _Budget, what: str) -> tuple[Finding | None, str | None]:
    """The vectorization finding from counted events (or None), and a note when not measured."""
    problems = _count_problems(seed)
    call = _call(_count_events, (fn, problems), budget=budget, spare=fn)
    if call.value is None or call.error is not None or call.reference or call.timed_out:
        why = (
            "the time limit was reached"
            if call.timed_out
            else (_exception_text(call.error) if call.error else "no count came back")
        )
        return None, f"Python loops not counted: {why}"
    counted = call.value
    base_total, base_lines = counted[0]
    base = {(f, k, n): c for f, k, n, c, _ in base_lines}
    looped = []
    for (dim, _), (total, lines) in zip(problems[1:], counted[1:], strict=True):
        added = COUNT_BASE[dim] * (COUNT_FACTOR - 1)
        if total - base_total >= LOOP_EVENTS_PER_ITEM * added:
            grown = sorted(
                ((c - base.get((f, k, n), 0), f, k, n, c, text) for f, k, n, c, text in lines),
                reverse=True,
            )
            looped.append((dim, total - base_total, grown[:2]))
    if not looped:
        return None, None
    names = {"N": "examples", "D": "features", "C": "classes"}
    got = []
    for dim, extra, grown in looped:
        small, large = COUNT_BASE[dim], COUNT_BASE[dim] * COUNT_FACTOR
        where = "; ".join(
            f"line {k} in {n} ({text or '?'}): {c - g} events at {dim} = {small}, {c} at {dim} = {large}"
            for g, _, k, n, c, text in grown
            if g > 0 and k
        )
        got.append(
            f"{extra} more Python events at {dim} = {large} than at {dim} = {small} "
            f"(a loop over the {names[dim]})" + (f": {where}" if where else "")
        )
    finding = Finding(
        ("vectorization",),
        f"the Python lines {what} executes, counted at two sizes of each of N, D and C",
        "the same count whatever N, D and C (no Python loop over examples, features or classes)",
        "; ".join(got),
        diagnosis="a loop, a comprehension, np.vectorize or np.apply_along_axis runs Python "
        "code once per example, feature or class: the vectorized loss does everything with "
        "whole-array operations",
        hint=f"replace the loop by matrix products and axis=1 reductions ({section_ref('vectorized')})",
        kind="vectorization",
    )
    return finding, None


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


def _time_pair(fn, reference, args, rounds: int) -> tuple[list, list]:
    """Runs in the check's child: interleaved times of the package's naive loss and fn."""
    with _one_blas_thread():
        times = interleaved_times(
            {"naive": lambda: reference(*args), "vectorized": lambda: fn(*args)}, rounds
        )
    return times["naive"], times["vectorized"]


def _speed_note(fn, seed: int, budget: _Budget) -> str:
    """Information only (never graded): the speed against the package's naive loss."""
    N, D, C = DEV_SHAPE
    reference = _loss_module.softmax_loss_naive
    args = _dev_problem(seed)
    call = _call(
        _time_pair, (fn, reference, args, SPEED_ROUNDS), budget=budget, spare=(fn, reference)
    )
    if not isinstance(call.value, tuple):
        why = "time limit reached" if call.timed_out else "the timing did not run"
        return f"speed not measured ({why}; not graded)"
    ratio = median_ratio(*call.value)
    return (
        f"speed (information, not graded): {ratio:.1f}× faster than the package's "
        f"softmax_loss_naive at N = {N}, D = {D}, C = {C} (one BLAS thread, median of "
        f"{SPEED_ROUNDS} interleaved rounds; depends on the machine and its load)"
    )


def check_vectorized(fn, naive=None, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Report:
    """Everything :func:`check_loss` checks, plus the part ``vectorization``.

    ``vectorization`` is graded by counting, never by a clock: one call of fn at a
    batch of N = 16, D = 8, C = 4 and one at each of N, D and C multiplied by 8 are
    traced (:func:`sys.settrace`, after a warm-up call), and every Python line executed
    and function started is counted, in fn, its helpers, lambdas given to
    ``np.vectorize`` and numpy's own Python code (``np.apply_along_axis``'s loop).
    A vectorized loss executes the same number whatever the sizes; fn is wrong when
    one larger size adds at least a quarter of an event per added example, feature or
    class (a loop adds at least one). The report then names the lines whose counts
    grew, with both counts. The same code gets the same grade on any machine, idle or
    busy: only the counts are compared.

    Loops driven by compiled code that call only compiled functions (``map(np.exp,
    rows)``) execute no Python line and are not seen.

    When no loop is found, the speed against the package's
    :func:`softmax.softmax_loss_naive` at N = 500, D = 3073, C = 10 (median of 3
    interleaved rounds, one BLAS thread, at most 2 s) is added as a note, for
    information: it depends on the machine and is not graded. ``naive`` is
    accepted for compatibility with earlier notebooks and not used.
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
    if "interface" not in {p for f in findings for p in f.parts}:
        finding, note = _loop_finding(fn, seed, budget, what)
        if finding:
            findings.append(finding)
        if note:
            notes.append(note)
            findings.append(
                Finding(
                    ("vectorization",),
                    f"the Python lines {what} executes",
                    "counted",
                    note,
                    diagnosis="not measured: no point is given without the count",
                    kind="not-measured",
                )
            )
        if not finding and not note:
            notes.append(
                f"no Python loop: one call executes the same number of Python lines at N = "
                f"{COUNT_BASE['N']}, D = {COUNT_BASE['D']}, C = {COUNT_BASE['C']} and at each "
                f"of them × {COUNT_FACTOR}"
            )
        if not finding:  # a loop's slowness needs no clock to be shown
            notes.append(
                _speed_note(fn, seed, _Budget(min(max(budget.left(), 1.0), SPEED_SECONDS)))
            )
    return Report("check_vectorized", findings, notes)
