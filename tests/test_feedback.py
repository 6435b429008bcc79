"""softmax.feedback: each catalogue mistake is named, right code passes, the checks never raise."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.special

import softmax
from softmax import feedback, gradcheck, mistakes
from softmax import loss as loss_module
from softmax.feedback import (
    _loss,
    _run,
    check_gradient_check,
    check_loss,
    check_numerical_gradient,
    check_softmax,
    check_training,
    check_vectorized,
)
from softmax.mistakes import CATALOGUE, GALLERY, SECTIONS

ROOT = Path(__file__).resolve().parents[1]
CHECKS = {
    "loss": check_loss,
    "softmax": check_softmax,
    "numerical_gradient": check_numerical_gradient,
}
ENTRIES = [(m, style) for m in CATALOGUE.values() for style in ("loop", "vectorized")]


def assert_clean(report):
    assert report.ok, str(report)
    assert report.wrong == set() and report.mistakes == [] and report.findings == []
    assert str(report).splitlines()[0] == "✓ all checks passed"


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_covers_the_issue():
    loss_ids = {m.id for m in CATALOGUE.values() if m.check == "loss"}
    assert len(loss_ids) >= 15
    assert {
        "missing-mean",
        "mean-missing-in-dW",
        "reg-loss-halved",
        "reg-grad-halved",
        "reg-missing-in-loss",
        "reg-missing-in-dW",
        "reg-grad-divided-by-N",
        "no-max-shift",
        "log-of-probability",
        "no-minus-one",
        "gradient-sign-flipped",
        "softmax-over-examples",
        "loss-over-all-classes",
        "dW-transposed",
        "inputs-mutated",
    } <= loss_ids
    assert {m.check for m in CATALOGUE.values()} == set(CHECKS)
    for m in CATALOGUE.values():
        assert m.parts and m.diagnosis and m.hint and m.section in SECTIONS
        assert m.loop is not m.vectorized


@pytest.mark.parametrize(("mistake", "style"), ENTRIES, ids=[f"{m.id}-{s}" for m, s in ENTRIES])
def test_each_mistake_is_diagnosed_with_exactly_its_id_and_parts(mistake, style):
    report = CHECKS[mistake.check](getattr(mistake, style))
    assert report.mistakes == [mistake.id], str(report)
    assert report.wrong == set(mistake.parts), str(report)
    assert not report.ok and not report.not_implemented
    text = str(report)
    assert text.splitlines()[0] == "✗ 1 problem"
    assert f"[{mistake.id}]" in text and mistake.diagnosis in text
    assert feedback.section_ref(mistake.section) in text
    page = report._repr_html_()
    assert "✗ 1 problem" in page and mistake.id in page


def test_gallery_entries_are_catalogue_mistakes():
    for bug in GALLERY:
        assert bug.mistake in CATALOGUE
        assert check_loss(bug.loss_fn).mistakes == [bug.mistake]


def test_the_loop_and_vectorized_implementations_agree():
    """Two code paths for one mistake give the same numbers (on ordinary inputs)."""
    rng = np.random.default_rng(5)
    W, X, y = rng.normal(size=(5, 4)), rng.normal(size=(7, 5)), rng.integers(4, size=7)
    for m in CATALOGUE.values():
        if m.check != "loss":
            continue
        a = m.loop(W.copy(), X.copy(), y, 0.3)
        b = m.vectorized(W.copy(), X.copy(), y, 0.3)
        assert a[0] == pytest.approx(b[0], rel=1e-12), m.id
        np.testing.assert_allclose(a[1], b[1], rtol=1e-10, atol=1e-13, err_msg=m.id)


def test_every_section_a_hint_names_is_a_heading_of_its_notebook():
    for key, (number, heading) in SECTIONS.items():
        [path] = ROOT.glob(f"notebooks/{number}_*.ipynb")
        cells = json.loads(path.read_text())["cells"]
        headings = {
            line.lstrip("#").strip()
            for c in cells
            if c["cell_type"] == "markdown"
            for line in "".join(c["source"]).splitlines()
            if line.startswith("#")
        }
        assert heading in headings, (key, path.name)


def test_thresholds_are_notebook_03s():
    from softmax.display import checks

    assert feedback.GRADCHECK_GOOD == checks.GRADCHECK_GOOD
    assert feedback.GRADCHECK_WRONG == checks.GRADCHECK_WRONG


# --------------------------------------------------------------------------- right code passes


@pytest.mark.parametrize(
    "fn",
    [softmax.softmax_loss_naive, softmax.softmax_loss_vectorized, softmax.softmax_loss_fast],
    ids=lambda f: f.__name__,
)
def test_the_references_pass(fn):
    assert_clean(check_loss(fn))


def _one_hot_loss(W, X, y, reg):
    S = X @ W
    Y = np.eye(W.shape[1])[y]
    log_p = S - scipy.special.logsumexp(S, axis=1, keepdims=True)
    N = X.shape[0]
    loss = -np.sum(Y * log_p) / N + reg * np.sum(W * W)
    dW = X.T @ (np.exp(log_p) - Y) / N + 2 * reg * W
    return loss, dW


def _einsum_list_loss(W, X, y, reg):
    S = np.einsum("nd,dc->nc", X, W)
    S = S - S.max(axis=1)[:, None]
    P = np.exp(S) / np.exp(S).sum(axis=1)[:, None]
    N = len(y)
    loss = np.mean(np.log(np.exp(S).sum(axis=1)) - S[np.arange(N), y])
    P[np.arange(N), y] -= 1
    return [
        np.float64(loss + reg * np.einsum("dc,dc->", W, W)),
        np.einsum("nd,nc->dc", X, P) / N + 2 * reg * W,
    ]


def _float32_loss(W, X, y, reg):
    W32, X32 = W.astype(np.float32), X.astype(np.float32)
    S = X32 @ W32
    S -= S.max(axis=1, keepdims=True)
    lse = np.log(np.exp(S).sum(axis=1))
    N = X.shape[0]
    loss = np.float32(np.mean(lse - S[np.arange(N), y]) + reg * np.sum(W32**2))
    P = np.exp(S - lse[:, None])
    P[np.arange(N), y] -= 1
    return loss, X32.T @ P / N + np.float32(2 * reg) * W32


def _loop_loss(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(N):
        s = [sum(X[i, d] * W[d, j] for d in range(W.shape[0])) for j in range(C)]
        m = max(s)
        z = sum(np.exp(v - m) for v in s)
        loss += np.log(z) - (s[y[i]] - m)
        for j in range(C):
            dW[:, j] += (np.exp(s[j] - m) / z - (j == y[i])) * X[i]
    return np.array(loss / N + reg * (W**2).sum()), dW / N + 2 * reg * W


@pytest.mark.parametrize("fn", [_one_hot_loss, _einsum_list_loss, _float32_loss, _loop_loss])
def test_right_losses_written_differently_pass(fn):
    assert_clean(check_loss(fn))


def _softmax_float32(S):
    Z = S.astype(np.float32)
    Z = np.exp(Z - Z.max(axis=1, keepdims=True))
    return Z / Z.sum(axis=1, keepdims=True)


def _softmax_loop(S):
    out = []
    for row in S:
        e = np.exp(row - max(row))
        out.append(e / e.sum())
    return out  # a list of rows


@pytest.mark.parametrize(
    "fn",
    [
        softmax.softmax,
        lambda S: scipy.special.softmax(S, axis=1),
        lambda S: np.exp(S - scipy.special.logsumexp(S, axis=1, keepdims=True)),
        _softmax_loop,
        _softmax_float32,
    ],
)
def test_right_softmaxes_pass(fn):
    assert_clean(check_softmax(fn))


def _numgrad_vectorized(f, x, h=1e-5):
    grad = np.empty(x.size)
    for k, e in enumerate(np.eye(x.size)):
        e = e.reshape(x.shape)
        grad[k] = (f(x + h * e) - f(x - h * e)) / (2 * h)
    return grad.reshape(x.shape)


@pytest.mark.parametrize("fn", [gradcheck.numerical_gradient, _numgrad_vectorized])
def test_right_numerical_gradients_pass(fn):
    assert_clean(check_numerical_gradient(fn))


# --------------------------------------------------------------------------- mistakes not in the catalogue


def test_an_unknown_gradient_mistake_gives_parts_and_numbers():
    def loss_fn(W, X, y, reg):
        S = X @ W
        S -= S.max(axis=1, keepdims=True)
        sums = np.exp(S).sum(axis=1, keepdims=True)
        P = np.exp(S) / sums
        N = len(y)
        loss = np.mean(np.log(sums[:, 0]) - S[np.arange(N), y]) + reg * np.sum(W**2)
        P[np.arange(N), y] -= 1
        return loss, 0.5 * (X.T @ P / N + 2 * reg * W)  # the gradient halved: no catalogue entry

    report = check_loss(loss_fn)
    assert not report.ok and report.wrong == {"gradient"} and report.mistakes == []
    text = str(report)
    assert "expected dW[" in text and "got" in text and "relative error" in text
    assert "-0.5·the right dW" in text  # the decomposition read from the numbers


def test_an_unknown_loss_mistake_is_described():
    def loss_fn(W, X, y, reg):
        loss, dW = _one_hot_loss(W, X, y, reg)
        return loss / np.log(2), dW  # the loss in bits

    report = check_loss(loss_fn)
    assert report.wrong == {"loss"} and report.mistakes == []
    assert "expected" in str(report) and "times the right one" in str(report)


def test_an_unknown_softmax_mistake_and_an_unknown_numgrad_mistake():
    report = check_softmax(lambda S: np.exp(S - S.max()) / np.exp(S - S.max()).sum())
    assert report.wrong == {"values"} and report.mistakes == []
    assert "expected P[" in str(report)
    report = check_numerical_gradient(lambda f, x, h=1e-5: _numgrad_vectorized(f, x, 30 * h))
    assert report.wrong == {"values"} and report.mistakes == []
    assert "expected grad[" in str(report)


def test_combined_mistakes_are_each_named():
    # no /N anywhere and no max shift; passed itself (student code calling the catalogue
    # is reported as calling the package, tests/test_feedback_isolation.py)
    loss_fn = functools.partial(mistakes._buggy_loss, mean=False, shift=False)
    report = check_loss(loss_fn)
    assert report.mistakes == ["missing-mean", "no-max-shift"]
    assert report.wrong == {"loss", "gradient", "stability"}


# --------------------------------------------------------------------------- robustness


def test_exceptions_are_shown_with_the_students_line():
    def loss_fn(W, X, y, reg):
        S = X @ W
        wrong_shapes = S @ X  # the line that raises
        return wrong_shapes, S

    report = check_loss(loss_fn)
    assert "interface" in report.wrong and not report.ok
    text = str(report)
    assert "ValueError" in text and "wrong_shapes = S @ X" in text and "in loss_fn, line" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "check", [check_loss, check_softmax, check_numerical_gradient, check_vectorized]
)
def test_not_implemented(check):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    report = check(stub)
    assert report.not_implemented and not report.ok and report.wrong == set()
    assert str(report).splitlines()[0] == "✗ not implemented yet"
    assert "not implemented yet" in report._repr_html_()


def test_not_implemented_in_the_two_function_checks():
    def stub(*args, **kwargs):
        raise NotImplementedError

    assert check_gradient_check(stub, gradcheck.numerical_gradient).not_implemented
    assert check_gradient_check(softmax.softmax_loss_vectorized, stub).not_implemented
    assert check_training(stub, softmax.softmax_loss_vectorized).not_implemented


def test_a_non_function_is_reported_not_raised():
    report = check_loss(None)
    assert report.wrong == {"interface"} and "a function" in str(report)


@pytest.mark.parametrize(
    ("returned", "words"),
    [
        (lambda W, X, y: (1.0, W, 3), "length 3"),
        (lambda W, X, y: 1.0, "float"),
        (lambda W, X, y: (np.ones(len(y)), W), "expected one number"),
        (lambda W, X, y: (1.0, W.ravel()), "expected W's shape"),
        (lambda W, X, y: None, "returned None"),
    ],
)
def test_wrong_return_types_are_interface_problems(returned, words):
    report = check_loss(lambda W, X, y, reg: returned(W, X, y))
    assert "interface" in report.wrong and words in str(report)


def test_a_slow_function_hits_the_time_limit():
    def endless(W, X, y, reg):
        while True:
            pass

    start = time.perf_counter()
    report = check_loss(endless, time_limit=0.3)
    assert report.wrong == {"interface"}
    assert "did not finish within the time limit of 0.3 s" in str(report)
    assert all(f.__code__ is _run._ORIGINAL_CODE[id(f)] for f, _ in _run._REFERENCES)
    assert time.perf_counter() - start < 30  # returned at all (a hang would never get here)


def test_calling_the_reference_is_reported_and_the_references_come_back():
    from softmax import softmax_loss_vectorized as imported_early

    originals = {id(f): f.__code__ for f, _ in _run._REFERENCES}

    def cheat(W, X, y, reg):
        return imported_early(W, X, y, reg)

    def cheat_softmax(S):
        return softmax.softmax(S)

    for report, name in [
        (check_loss(cheat), "softmax_loss_vectorized"),
        (check_softmax(cheat_softmax), "softmax"),
        (
            check_numerical_gradient(lambda f, x, h=1e-5: softmax.numerical_gradient(f, x, h)),
            "numerical_gradient",
        ),
    ]:
        assert report.wrong == {"interface"} and f"softmax.{name}" in str(report)
    assert {id(f): f.__code__ for f, _ in _run._REFERENCES} == originals
    W, X, y = np.zeros((3, 4)), np.ones((2, 3)), np.array([0, 1])
    assert imported_early(W, X, y, 0.0)[0] == pytest.approx(np.log(4))
    np.testing.assert_allclose(softmax.softmax(np.zeros((1, 4))), 0.25)


def test_references_are_restored_when_the_student_code_raises_through_them():
    def catches_everything(W, X, y, reg):
        try:
            return loss_module.softmax_loss_naive(W, X, y, reg)
        except BaseException:  # a student swallowing the checker's signal
            return 0.0, np.zeros_like(W)

    report = check_loss(catches_everything)
    assert "interface" in report.wrong and "softmax_loss_naive" in str(report)
    assert loss_module.softmax_loss_naive(np.zeros((3, 2)), np.ones((1, 3)), [0], 0.0)[0] > 0


def test_inputs_are_fresh_for_every_call_and_never_shared():
    seen = []

    def spy(W, X, y, reg):
        seen.append((W.copy(), X.copy(), y.copy()))
        out = _one_hot_loss(W.copy(), X.copy(), y, reg)
        W += 1.0  # mutate what we were given
        X[:] = 0.0
        return out

    first = check_loss(spy)
    assert first.wrong == {"side-effects"}
    calls = list(seen)
    seen.clear()
    check_loss(spy)
    assert len(seen) == len(calls)
    for (W1, X1, y1), (W2, X2, y2) in zip(calls, seen, strict=True):
        np.testing.assert_array_equal(W1, W2)  # same seeded numbers, not the mutated ones
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)


def test_probe_labels_cover_every_class_and_shapes_differ():
    probes = _loss._loss_probes(0)
    assert any(p.args[1].shape[0] == 1 for p in probes)
    shapes = [(p.args[1].shape[0], *p.args[0].shape) for p in probes if not p.large]
    assert any(D == C != N for N, D, C in shapes) and any(N == C != D for N, D, C in shapes)
    assert {p.args[0].dtype for p in probes} == {np.dtype(np.float32), np.dtype(np.float64)}
    assert {p.args[3] for p in probes} >= {0.0, 0.5}
    for p in probes:
        W, X, y, _ = p.args
        N, C = X.shape[0], W.shape[1]
        if N >= C:
            assert set(y) == set(range(C))
        if p.large:
            S = X @ W
            assert 900 < np.abs(S).max() < 1100


def test_reports_are_deterministic():
    a = str(check_loss(mistakes.loss_half_reg))
    b = str(check_loss(mistakes.loss_half_reg))
    assert a == b and "relative error" in a


# --------------------------------------------------------------------------- check_vectorized


def test_check_vectorized_passes_the_reference_and_reports_the_speed():
    report = check_vectorized(softmax.softmax_loss_vectorized, softmax.softmax_loss_naive)
    assert_clean(report)  # graded by counting Python events, not by the clock
    assert any(
        "faster than the package's softmax_loss_naive at N = 500, D = 3073, C = 10" in n
        or n == "speed not measured (time limit reached; not graded)"  # a very busy machine
        for n in report.notes
    )


def test_check_vectorized_finds_loops():
    looped = CATALOGUE["missing-mean"].loop
    report = check_vectorized(looped)
    assert {"vectorization", "loss", "gradient"} <= report.wrong
    text = str(report)
    assert "(a loop over the examples)" in text and "(a loop over the classes)" in text


# --------------------------------------------------------------------------- gradient check and training


def test_gradient_check_passes_and_says_what_it_means():
    report = check_gradient_check(softmax.softmax_loss_vectorized, gradcheck.numerical_gradient)
    assert_clean(report)
    assert "does not say that the loss is right" in report.notes[0]
    # A loss that is wrong but consistent with its gradient passes the gradient check.
    assert check_gradient_check(mistakes.loss_missing_mean, gradcheck.numerical_gradient).ok


def test_gradient_check_tells_which_side_is_wrong():
    report = check_gradient_check(mistakes.loss_missing_minus_one, gradcheck.numerical_gradient)
    assert report.wrong == {"gradient"} and "above 1e-4: wrong" in str(report)
    report = check_gradient_check(softmax.softmax_loss_vectorized, CATALOGUE["h-not-2h"].loop)
    assert report.wrong == {"values"}


def _train(loss_fn, X, y, *, lr, reg, num_iters, batch_size, rng, step=-1.0, keep=True):
    W = 0.001 * rng.standard_normal((X.shape[1], int(y.max()) + 1))
    history = []
    for _ in range(num_iters):
        batch = rng.choice(len(y), batch_size, replace=False)
        loss, dW = loss_fn(W, X[batch], y[batch], reg)
        if keep:
            W = W + step * lr * dW
        history.append(loss)
    return W, history


def test_training_reports_validation_accuracy():
    report = check_training(_train, softmax.softmax_loss_vectorized)
    assert_clean(report)
    assert report.notes[0].startswith("validation accuracy 0.9")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"step": +1.0}, "the loss rose"),
        ({"keep": False}, "stays at ln C"),
        ({"step": -1e5}, "|1 − 2·lr·reg| < 1"),
    ],
)
def test_training_diagnoses(kwargs, words):
    def train(loss_fn, X, y, **settings):
        return _train(loss_fn, X, y, **settings, **kwargs)

    report = check_training(train, _one_hot_loss)
    assert report.wrong == {"values"} and words in str(report)


@pytest.mark.parametrize("helper", ["softmax", "log_softmax", "logsumexp"])
def test_a_loss_built_on_the_packages_softmax_is_reported(helper):
    def loss_fn(W, X, y, reg):
        S = X @ W
        getattr(softmax, helper)(S, axis=1)
        return _one_hot_loss(W, X, y, reg)

    report = check_loss(loss_fn)
    assert report.wrong == {"interface"} and f"softmax.{helper}" in str(report)
    assert softmax.logsumexp(np.zeros(4)) == pytest.approx(np.log(4))


def test_html_escapes_and_carries_the_same_lines():
    def loss_fn(W, X, y, reg):
        raise ValueError("<script>")

    report = check_loss(loss_fn)
    page = report._repr_html_()
    assert "ValueError: &lt;script&gt;" in page and "<script>" not in page
    for line in str(report).splitlines():
        text = line.strip()
        if text[:1].isdigit():
            text = text.split(". ", 1)[1]
        assert feedback._report.html.escape(text) in page


def test_check_functions_never_raise_on_odd_students():
    odd = [
        lambda *a: (_ for _ in ()).throw(KeyError("x")),
        lambda *a: object(),
        lambda *a: (np.nan, np.full((5, 4), np.nan)),
        lambda *a, **k: [[1, 2], [3, 4]],
        lambda: None,  # wrong arity
    ]
    for fn in odd:
        for check in (check_loss, check_softmax, check_numerical_gradient):
            report = check(fn)
            assert not report.ok and report.wrong, (check.__name__, str(report))
        assert not check_gradient_check(fn, fn).ok
        assert not check_training(fn, fn).ok


def test_two_mistakes_one_in_the_loss_one_in_the_gradient():
    loss_fn = functools.partial(mistakes._buggy_loss, reg_loss=0.5, sign_flipped=True)
    report = check_loss(loss_fn)
    assert report.mistakes == ["reg-loss-halved", "gradient-sign-flipped"]
    assert [f.parts for f in report.findings] == [("loss",), ("gradient",)]


def test_feedback_stays_in_the_maths_layer():
    import subprocess
    import sys

    code = (
        "import sys, softmax.feedback\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets')"
        " or m.startswith(('softmax.display', 'softmax.bench'))]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_wrong_regulariser_not_in_the_catalogue_is_located_by_reg_0():
    def l1_loss(W, X, y, reg):  # an L1 penalty where L2 is asked for
        loss, dW = _one_hot_loss(W, X, y, 0.0)
        return loss + reg * np.abs(W).sum(), dW + reg * np.sign(W)

    report = check_loss(l1_loss)
    assert report.wrong == {"loss", "gradient"} and report.mistakes == []
    text = str(report)
    assert "your loss is right when reg = 0 but not here" in text
    assert "your dW is right when reg = 0 but not here" in text


def _row_loop_loss(W, X, y, reg):
    """Right, with a Python loop over the examples (numpy within each row)."""
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(X.shape[0]):
        s = X[i] @ W
        s = s - s.max()
        lse = np.log(np.exp(s).sum())
        loss += lse - s[y[i]]
        p = np.exp(s - lse)
        p[y[i]] -= 1
        dW += np.outer(X[i], p)
    return loss / X.shape[0] + reg * np.sum(W * W), dW / X.shape[0] + 2 * reg * W


def _hidden_row_loops(W, X, y, reg):
    return _row_loop_loss(W, X, y, reg)  # no loop in this source: only the clock can tell


def _hidden_python_loops(W, X, y, reg):
    return _loop_loss(W, X, y, reg)  # seconds per call at the dev shape


def test_a_loss_whose_loops_hide_in_a_helper_is_caught_by_the_count():
    report = check_vectorized(_hidden_row_loops, naive=_row_loop_loss)
    assert report.wrong == {"vectorization"}, str(report)
    text = str(report)
    assert "(a loop over the examples)" in text and "in _row_loop_loss" in text


def test_a_slow_python_loop_is_a_vectorization_problem():
    report = check_vectorized(_hidden_python_loops, naive=_loop_loss)
    assert report.wrong == {"vectorization"}, str(report)
    assert "(a loop over the features)" in str(report)
