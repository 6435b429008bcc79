"""check_gradient_check and check_training."""

from __future__ import annotations

import math

import numpy as np

from .. import data
from ._loss import _parse_loss_value
from ._report import Finding, Report, _round_sig, section_ref
from ._run import (
    GRADCHECK_GOOD,
    GRADCHECK_WRONG,
    TIME_LIMIT,
    TRAINING_TIME_LIMIT,
    _bad_function,
    _Budget,
    _call,
    _call_kind,
    _call_problem,
    _describe,
    _floats,
    _labels,
    _non_finite,
    _rel_err,
    _shape,
    _worst_entry,
)
from ._trusted import gradcheck

# --------------------------------------------------------------------------- check_gradient_check


def _power(x: float) -> str:
    """A power of ten as text: 1e-07 -> "1e-7"."""
    return f"1e{round(math.log10(x)):d}"


def check_gradient_check(
    loss_fn, numerical_gradient_fn, *, seed: int = 0, time_limit: float = TIME_LIMIT
) -> Report:
    """The student's gradient check: their numerical gradient of their own loss against their dW.

    ``loss_fn(W, X, y, reg) -> (loss, dW)``; ``numerical_gradient_fn(f, x, h) -> grad``.
    On a small float64 problem (D = 5, C = 4, N = 8, reg = 0.1, W of order 0.5),
    computes ``rel_error(numerical, dW)`` (largest element-wise relative error) and
    reads it with notebook 04's thresholds: below 1e-7 right, above 1e-4 wrong, in
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
    if problem:
        problem.kind = _call_kind(first)
    out = _parse_loss_value(first.value, W) if problem is None else None
    if problem is None and out.problem:
        problem = Finding(
            ("interface",),
            f"what {what} returned on {label}",
            "(loss, dW)",
            out.problem,
            kind="returned",
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
    if problem:
        problem.kind = _call_kind(second)
    if problem is None and _shape(second.value) != W.shape:
        problem = Finding(
            ("interface",),
            f"what {num_what} returned",
            f"an array of W's shape {W.shape}",
            f"shape {_shape(second.value)}",
            kind="returned",
        )
    if problem:
        report.findings.append(problem)
        return report
    numerical = _floats(second.value)
    for value, name, whose in ((dW, "dW", what), (numerical, "grad", num_what)):
        bad = "not numbers" if value is None else _non_finite(value)
        if bad:
            report.findings.append(
                Finding(
                    ("gradient",) if name == "dW" else ("values",),
                    f"your numerical gradient vs your dW ({label})",
                    f"finite numbers in {name}",
                    f"{name} from {whose} has {bad}",
                    diagnosis="a relative error cannot be computed with inf/nan: "
                    "check_loss and check_numerical_gradient say where they come from",
                    hint=section_ref("thresholds"),
                    kind="gradient-check",
                )
            )
    if report.findings:
        return report
    rel = gradcheck.rel_error(numerical, dW)
    if rel < GRADCHECK_GOOD:
        report.notes.append(
            # No digits of a passing error: its round-off differs between BLAS builds.
            f"relative error below {_power(GRADCHECK_GOOD)}: your dW is the gradient of your "
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
                kind="gradient-check",
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
                kind="gradient-check",
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
                kind="gradient-check",
            )
        )
    return report


# --------------------------------------------------------------------------- check_training

TRAINING_SETTINGS = {"lr": 1.0, "reg": 1e-4, "num_iters": 1000, "batch_size": 100}
MIN_VAL_ACCURACY = 0.85  # notebook 06's settings reach about 0.95 on the digits


def check_training(train_fn, loss_fn, *, time_limit: float = TRAINING_TIME_LIMIT) -> Report:
    """Train with the student's SGD and loss on the digits, report validation accuracy.

    ``train_fn(loss_fn, X, y, *, lr, reg, num_iters, batch_size, rng) -> (W, loss_history)``
    runs on notebook 06's data (``data.load_digits(seed=0)``, preprocessed with
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
    recorder = _Recorder(loss_fn, X_tr, y_train)
    call = _call(
        recorder.train(train_fn),
        (recorder, X_tr.copy(), y_train.copy()),
        {**TRAINING_SETTINGS, "rng": np.random.default_rng(0)},
        budget=budget,
        spare=loss_fn,
    )
    evidence = {}
    if isinstance(call.value, tuple) and len(call.value) == 2 and isinstance(call.value[1], dict):
        call.value, evidence = call.value
    if call.not_implemented:
        report.not_implemented = True
        return report
    problem = _call_problem(call, what, budget.seconds, f"the digits ({settings})")
    if problem:
        problem.kind = _call_kind(call)
    value = call.value
    if problem is None and (not isinstance(value, tuple | list) or len(value) != 2):
        problem = Finding(
            ("interface",),
            f"what {what} returned",
            "a pair (W, loss_history)",
            type(value).__name__,
            kind="returned",
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
                kind="returned",
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
                kind="training",
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
                kind="training",
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
                + _stuck_cause(evidence),
                hint=f"print the loss and np.abs(dW).max() at each step; {section_ref('sanity-05')}",
                kind="training",
            )
        )
    elif accuracy < MIN_VAL_ACCURACY:
        mixed = _labels_mixed(evidence)
        report.findings.append(
            Finding(
                ("values",),
                f"validation accuracy ({settings})",
                f"at least {MIN_VAL_ACCURACY:g}",
                f"{accuracy:.2f}",
                diagnosis=f"the loss falls but the classifier is poor: {mixed}"
                if mixed
                else "the loss falls but the classifier is poor: check that each minibatch takes "
                "rows of X and their own labels (the same indices for both), and that W is returned "
                "after the last step",
                hint=sgd,
                kind="training",
            )
        )
    return report


# What the loss function saw during training: the first calls are recorded.
_RECORDED_CALLS = 20


class _Recorder:
    """The student's loss, wrapped to record what train_fn passes to it: whether W changes
    from one call to the next, and whether each minibatch's labels are its rows' own.

    :meth:`train` wraps train_fn so that the evidence comes back with its result (also when
    the student's code runs in another process)."""

    def __init__(self, loss_fn, X, y):
        self.loss_fn = loss_fn
        self.__wrapped__ = loss_fn
        self.labels = {}
        for row, label in zip(X, y, strict=True):
            self.labels.setdefault(np.ascontiguousarray(row).tobytes(), set()).add(int(label))
        self.calls = 0
        self.same_W = 0  # recorded calls whose W equals the previous call's
        self.rows_found = 0
        self.rows_mislabelled = 0
        self.previous = None

    def __call__(self, *args, **kwargs):
        if self.calls < _RECORDED_CALLS and len(args) >= 3:
            self._record(*args[:3])
        self.calls += 1
        return self.loss_fn(*args, **kwargs)

    def _record(self, W, X, y):
        try:
            W_now = np.array(W, dtype=np.float64)
            if self.previous is not None and np.array_equal(W_now, self.previous):
                self.same_W += 1
            self.previous = W_now
            rows = np.asarray(X, dtype=np.float64)
            labels = np.asarray(y).ravel()
            for row, label in zip(rows, labels, strict=False):
                own = self.labels.get(np.ascontiguousarray(row).tobytes())
                if own is not None:
                    self.rows_found += 1
                    self.rows_mislabelled += int(label) not in own
        except (TypeError, ValueError):  # odd arguments: the loss itself will say so
            pass

    def evidence(self) -> dict:
        return {
            "calls": self.calls,
            "recorded": min(self.calls, _RECORDED_CALLS),
            "same_W": self.same_W,
            "rows_found": self.rows_found,
            "rows_mislabelled": self.rows_mislabelled,
        }

    def train(self, train_fn):
        def traced(*args, **kwargs):
            value = train_fn(*args, **kwargs)
            return value, self.evidence()

        traced.__wrapped__ = train_fn
        traced.__name__ = getattr(train_fn, "__name__", "train")
        return traced


def _labels_mixed(evidence: dict) -> str:
    """A measured sentence if the minibatches' labels are mostly not their rows' own."""
    found, wrong = evidence.get("rows_found", 0), evidence.get("rows_mislabelled", 0)
    if found >= 50 and wrong > found / 2:
        return (
            f"in the first {evidence['recorded']} minibatches, {wrong} of {found} examples came "
            "with a label that is not their row's own: X and y were indexed with different "
            "indices (draw the indices once, then take X[idx] and y[idx])"
        )
    return ""


def _stuck_cause(evidence: dict) -> str:
    """Why the loss stays at ln C, from what the loss function saw."""
    mixed = _labels_mixed(evidence)
    if mixed:
        return mixed
    recorded = evidence.get("recorded", 0)
    if recorded > 1 and evidence.get("same_W") == recorded - 1:
        return (
            f"the W passed to your loss was the same in each of the first {recorded} steps: "
            "W is not updated (the new W assigned to another name, or a copy updated)"
        )
    if recorded > 1:
        return (
            "W changes from step to step and each minibatch's labels are its rows' own: "
            "the steps are too small (learning rate) or dW is about zero"
        )
    return (
        "W is not updated (the new W assigned to another name, or a copy updated), "
        "the learning rate is far too small, or dW is zero"
    )
