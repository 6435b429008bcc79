"""check_softmax and check_numerical_gradient: functions that return one array."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._report import Finding, Report, _num, _round_sig, section_ref
from ._run import (
    _LARGE_KINDS,
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
    _findings,
    _floats,
    _large_results,
    _large_scores,
    _mutated,
    _no_result,
    _non_finite,
    _Probe,
    _recognise,
    _rel_err,
    _round_off_note,
    _side_effect_finding,
    _tol,
    _where_wrong,
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
    after: dict = field(default_factory=dict)  # the changed inputs, after the call


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
    out.after = {n: a for n, a in zip(probe.names, args, strict=True) if n in out.mutated}
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
        out.problem = f"returned an array of shape {value.shape}; expected shape {shape}"
    return out


def _fits(out: _ArrayOut, probe: _Probe) -> bool:
    return out.value is not None and out.value.shape == np.shape(probe.expected)


def _is_transposed(out: _ArrayOut, probe: _Probe) -> bool:
    """On a square input: the result is the transpose of the right one."""
    E = np.asarray(probe.expected)
    return (
        E.ndim == 2
        and E.shape[0] == E.shape[1]
        and _fits(out, probe)
        and not _agree(out.value, E, _tol(probe))
        and _agree(out.value, E.T, _tol(probe))
    )


@dataclass
class _ArraySummary:
    probes: list
    outs: list
    bad: list = field(default_factory=list)  # per ordinary probe: wrong values
    values_fail: tuple | None = None
    interface_bad: list = field(default_factory=list)
    shape_problem: tuple | None = None  # (probe, out, transposed)
    finite: bool = True  # finite on every ordinary probe
    stab: list = field(default_factory=list)
    stab_fail: tuple | None = None  # (probe, out, text, measured)
    side: tuple = ()
    round_off: set = field(default_factory=set)

    @property
    def ordinary(self):
        return [(p, o) for p, o in zip(self.probes, self.outs, strict=True) if not p.large]


def _large_array_result(s: _ArraySummary, p: _Probe, o: _ArrayOut) -> tuple[str, bool]:
    """(what went wrong on a large-score probe or "", whether it was measured)."""
    failed = _no_result(o.call, o.problem, _fits(o, p))
    if failed:
        return failed
    if not s.finite:
        return "your values are already inf/nan on ordinary scores", False
    bad = _non_finite(o.value)
    if bad:
        return bad, True
    if not any(s.bad) and not _agree(o.value, p.expected, _tol(p)):
        exp, got = _worst_entry(o.value, p.expected, "entry")
        return f"{exp} expected, got {got}", True
    return "", True


def _summarise_array(probes, outs) -> _ArraySummary:
    s = _ArraySummary(list(probes), list(outs))
    for p, o in s.ordinary:
        transposed = _is_transposed(o, p)
        s.interface_bad.append(bool(o.problem) or transposed)
        if (o.problem or transposed) and s.shape_problem is None:
            s.shape_problem = (p, o, transposed)
        rel = _rel_err(o.value, p.expected) if _fits(o, p) else 0.0
        s.bad.append(_fits(o, p) and not transposed and rel > _tol(p))
        if s.bad[-1] and s.values_fail is None:
            s.values_fail = (p, o, rel)
        if o.value is not None and not np.isfinite(_floats(o.value)).all():
            s.finite = False
    returned = all(_fits(o, p) for p, o in s.ordinary)
    if returned:
        s.stab, s.stab_fail = _large_results(
            probes, outs, lambda p, o: _large_array_result(s, p, o)
        )
    s.side, s.round_off = _changed_inputs(probes, outs)
    return s


def _match_array(part, mine: _ArraySummary, theirs: _ArraySummary, probes) -> bool:
    """Does the student's output on ``part`` agree with a mistake's own output on the same probes?"""
    triples = list(zip(probes, mine.outs, theirs.outs, strict=True))
    if part == "values":
        shown = [(p, a, b) for p, a, b in triples if not p.large and _fits(a, p)]
        return bool(shown) and all(
            b.value is not None and _agree(a.value, b.value, _tol(p)) for p, a, b in shown
        )
    if part == "stability":
        if not mine.finite:
            return False
        large = [(p, a, b) for p, a, b in triples if p.large]
        return len(mine.stab) == len(large) and all(
            _fits(a, p) and _fits(b, p) and _agree(a.value, b.value, _tol(p)) for p, a, b in large
        )
    if part == "side-effects":
        return mine.side == theirs.side and all(
            _agree(a.after[n], b.after[n], _tol(p))
            for (p, a, b), names in zip(triples, mine.side, strict=True)
            for n in names
        )
    return False


def _array_findings(fn, probes, budget, what, check, name, texts, notes=None) -> tuple[list, bool]:
    """Findings of a check whose function returns one array (softmax, numerical gradient).

    ``texts[part]`` = (what was checked, hint section key) for the unexplained parts.
    Not implemented: NotImplementedError on every ordinary input (the untouched stub).
    """
    outs = [_run_array(fn, p, budget) for p in probes]
    ordinary = [(p, o) for p, o in zip(probes, outs, strict=True) if not p.large]
    if all(o.call.not_implemented for _, o in ordinary):
        return [], True
    mine = _summarise_array(probes, outs)
    findings = []
    bad = next(((p, o) for p, o in ordinary if _call_problem(o.call, what, 0)), None)
    if bad is not None:
        p, o = bad
        f = _call_problem(o.call, what, budget.seconds, p.label)
        f.kind = _call_kind(o.call)
        findings.append(f)
        if o.call.reference or o.call.timed_out:
            return findings, False
    wrong = set()
    if mine.values_fail:
        wrong.add("values")
    if mine.stab_fail:
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
    if notes is not None and mine.round_off:
        notes.append(_round_off_note(mine.round_off))
    return findings, False


def _array_part_finding(part, s: _ArraySummary, what, name, texts) -> Finding:
    checked, key = texts[part]
    hint = section_ref(key)
    ordinary = [p for p, _ in s.ordinary]
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
            where_wrong=_where_wrong(ordinary, s.bad),
            kind="array-values",
        )
    if part == "stability":
        p, o, text, measured = s.stab_fail
        large = [q for q in s.probes if q.large]
        return Finding(
            ("stability",),
            f"{checked}: {p.label}",
            "finite values equal to the reference"
            if measured
            else "a usable result on large scores",
            text,
            None,
            (
                "your values are right on ordinary scores; on these large scores they are not"
                if not any(s.bad)
                else "large scores give inf/nan where ordinary scores give finite numbers"
            )
            if measured
            else "stability not measured: the point is withheld until large scores give a "
            "result that can be compared",
            f"shift each row by its maximum ({hint})",
            where_wrong=_where_wrong(large, [bool(t) for t in s.stab]),
            kind="stability" if measured else "not-measured",
        )
    if part == "side-effects":
        return _side_effect_finding(s.side, hint, _where_wrong(s.probes, [bool(c) for c in s.side]))
    p, o, transposed = s.shape_problem
    shape = np.shape(p.expected)
    if transposed:
        return Finding(
            ("interface",),
            f"what {what} returned on {p.label}",
            f"an array of shape {shape} equal to the right one",
            "the transpose of the right one",
            None,
            f"this input is square, so a transposed result has the right shape: {checked}",
            hint,
            where_wrong=_where_wrong(ordinary, s.interface_bad),
            kind="transposed",
        )
    return Finding(
        ("interface",),
        f"what {what} returned on {p.label}",
        f"an array of shape {shape}",
        o.problem.split("; expected")[0].removeprefix("returned "),
        None,
        checked,
        hint,
        where_wrong=_where_wrong(ordinary, s.interface_bad),
        kind="returned",
    )


# --------------------------------------------------------------------------- check_softmax


def _softmax_probes(seed: int) -> list[_Probe]:
    rng = np.random.default_rng(seed)
    probes = []
    for N, C, dtype in [
        (5, 3, np.float64),
        (1, 4, np.float64),
        (4, 7, np.float64),
        (4, 4, np.float64),  # N == C: a transposed result has the right shape
        (6, 4, np.float32),
    ]:
        S = (3 * rng.standard_normal((N, C))).astype(dtype)
        features = (np.dtype(dtype).name,) + ("N = 1",) * (N == 1) + ("N = C",) * (N == C)
        probes.append(
            _Probe(
                f"S of shape ({N}, {C}), {np.dtype(dtype).name}", (S,), ("S",), features=features
            )
        )
    for kind, text, (N, C) in [
        ("rows", "scores near +1000 in some rows, near -1000 in others", (6, 4)),
        ("within", "scores from -1000 to +1000 within each row", (5, 5)),
    ]:
        S = _large_scores(rng, N, C, kind)
        probes.append(
            _Probe(
                f"{text} (S of shape ({N}, {C}), float64)",
                (S,),
                ("S",),
                large=True,
                features=(_LARGE_KINDS[kind],),
            )
        )
    for p in probes:
        p.expected = functions.softmax(p.args[0].astype(np.float64), axis=1)
    return probes


def _explain_softmax(probe: _Probe, P: np.ndarray) -> str:
    """How wrong probabilities differ from the right ones, read from the numbers."""
    P = np.asarray(P, dtype=np.float64)
    E = np.asarray(probe.expected)
    bad = _non_finite(P)
    if bad:
        return f"your P has {bad} on ordinary scores"
    with np.errstate(all="ignore"):
        if _agree(np.exp(P), E, 1e-4):
            return (
                "your values are the logarithms of the right probabilities (a log-softmax): "
                "P = exp(s - max) / sum(exp(s - max)), without the log"
            )
        factors = P / E
    rows, cols = P.sum(axis=1), P.sum(axis=0)
    if np.allclose(factors, factors[:, :1], rtol=1e-6) and not np.allclose(rows, 1, atol=1e-4):
        return (
            f"each of your rows is the right one times a factor ({_num(factors[:, 0].min())} to "
            f"{_num(factors[:, 0].max())}): your rows sum to {_num(rows.min())} to "
            f"{_num(rows.max())}, not 1: divide each row by its own sum"
        )
    if P.shape[0] > 1 and np.allclose(cols, 1, atol=1e-4) and not np.allclose(rows, 1, atol=1e-4):
        return "your columns sum to 1, not your rows: the softmax ran over axis 0 (the examples)"
    if (P < 0).any():
        return f"your P has negative entries (down to {_num(P.min())}): probabilities are ≥ 0"
    if not np.allclose(rows, 1, atol=1e-4):
        return f"your rows sum to {_num(rows.min())} to {_num(rows.max())}, not 1"
    return "your rows sum to 1 but the values differ: each row must be exp(s - max) / sum(exp(s - max))"


def check_softmax(fn, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Report:
    """Check ``fn(S) -> P``, a batch softmax: S (N, C) scores, P (N, C) with rows summing to 1.

    Probes: several shapes (N = 1 and N = C included), float64 and float32, and scores
    up to ±1000 within a row and across rows. Parts ``interface``, ``values``,
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
    notes = []
    findings, ni = _array_findings(
        fn, _softmax_probes(seed), _Budget(time_limit), _describe(fn), "softmax", "P", texts, notes
    )
    return Report("check_softmax", findings, notes, not_implemented=ni)


# --------------------------------------------------------------------------- check_numerical_gradient


def _numgrad_probes(seed: int) -> list[_Probe]:
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((5, 5))
    A = M @ M.T / 5 + np.eye(5)
    b = rng.standard_normal(5)

    def f_vector(x):  # a quadratic with coupled coordinates plus a cubic: f''' != 0
        return float(0.5 * x @ A @ x + np.sum(x**3) / 3 + b @ x)

    def matrix_function(shape):
        c = rng.uniform(0.5, 2.0, size=shape)

        def f_matrix(x):  # its gradient 2c·x + sum(x) + cos(x) is not symmetric
            return float(np.sum(c * x**2) + np.sum(x) ** 2 / 2 + np.sum(np.sin(x)))

        return f_matrix

    probes = []
    for f, shape, h, text, features in [
        (f_vector, (5,), 1e-3, "x of shape (5,), h = 1e-3", ("1-D x",)),
        (matrix_function((3, 4)), (3, 4), 1e-3, "x of shape (3, 4), h = 1e-3", ()),
        (f_vector, (5,), None, "x of shape (5,), h not given (default 1e-5)", ("1-D x",)),
        (matrix_function((4, 4)), (4, 4), 1e-3, "x of shape (4, 4), h = 1e-3", ("a square x",)),
        (matrix_function((1, 5)), (1, 5), 1e-3, "x of shape (1, 5), h = 1e-3", ("one row",)),
    ]:
        x = rng.standard_normal(shape)
        args = (f, x) if h is None else (f, x, h)
        p = _Probe(text, args, ("f", "x", "h")[: len(args)], features=features)
        # Any centred difference with this h agrees with the reference to ~1e-9 here (the
        # same formula, round-off of f / h); a step other than h is off by more than 1e-6.
        p.extra["tol"] = 1e-6
        p.expected = gradcheck.numerical_gradient(f, x, 1e-5 if h is None else h)
        probes.append(p)
    return probes


def _explain_numgrad(probe: _Probe, g: np.ndarray) -> str:
    G = probe.expected
    g = np.asarray(g, dtype=np.float64)
    bad = _non_finite(g)
    if bad:
        return f"your gradient has {bad}"
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
    notes = []
    findings, ni = _array_findings(
        fn,
        _numgrad_probes(seed),
        _Budget(time_limit),
        _describe(fn),
        "numerical_gradient",
        "grad",
        texts,
        notes,
    )
    return Report("check_numerical_gradient", findings, notes, not_implemented=ni)
