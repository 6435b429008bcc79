"""check_softmax and check_numerical_gradient: functions that return one array."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ._report import Finding, Report, _num, _round_sig, section_ref
from ._run import (
    TIME_LIMIT,
    _bad_function,
    _Budget,
    _Call,
    _call,
    _call_problem,
    _copy_args,
    _describe,
    _exception_text,
    _findings,
    _large_scores,
    _mutated,
    _Probe,
    _recognise,
    _rel_err,
    _side_effect_finding,
    _tol,
    _worst_entry,
)
from ._trusted import CATALOGUE, functions, gradcheck

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
    order = ("interface", "values", "stability", "side-effects")
    findings += _findings(
        wrong, recognised, order, lambda part: _array_part_finding(part, mine, what, name, texts)
    )
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
        return _side_effect_finding(s.side, hint)
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
