"""softmax.feedback, tried as a class of students would try it (issue 14, §1, §2, §5, §7).

Every implementation here is written the way a student writes it (loops, odd but correct
variants, float32 throughout, no scipy), not built from softmax/mistakes.py's code:

- no point without evidence: a probe that gives no usable result fails the part it probes or
  withholds it as "not measured"; "not implemented" only for the untouched stub;
- a catalogue id only when the output is that mistake's own, and the findings in the order
  interface, values, stability, side effects;
- probes with D == C, N == C, N == 1 catch a result transposed only when it does not fit;
- every message states what was measured (one text test per kind of finding).
"""

from __future__ import annotations

import ast
import math
import time
from pathlib import Path

import numpy as np
import pytest

from softmax import feedback
from softmax.feedback import (
    check_gradient_check,
    check_loss,
    check_numerical_gradient,
    check_softmax,
    check_training,
    check_vectorized,
)
from softmax.feedback._report import FINDING_KINDS
from softmax.mistakes import CATALOGUE

SEEDS = range(6)
FEEDBACK = Path(feedback.__file__).parent


def verdict(report) -> str:
    return str(report).splitlines()[0]


def assert_ok(report):
    assert report.ok and report.findings == [] and report.mistakes == [], str(report)


# --------------------------------------------------------------------------- correct students


def loss_loops(W, X, y, reg):
    """Everything with Python loops and math.exp."""
    N, D = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = np.zeros((D, C))
    for i in range(N):
        scores = [sum(float(X[i, d]) * float(W[d, j]) for d in range(D)) for j in range(C)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        loss += math.log(total) - (scores[y[i]] - top)
        for j in range(C):
            p = exps[j] / total
            for d in range(D):
                dW[d, j] += (p - (1 if j == y[i] else 0)) * X[i, d]
    loss = loss / N
    for d in range(D):
        for j in range(C):
            loss += reg * W[d, j] * W[d, j]
            dW[d, j] = dW[d, j] / N + 2 * reg * W[d, j]
    return loss, dW


def loss_float32_everywhere(W, X, y, reg):
    """Casts to float32 first and returns float32 numbers."""
    W = W.astype(np.float32)
    X = X.astype(np.float32)
    N = X.shape[0]
    S = X @ W
    S = S - np.max(S, axis=1, keepdims=True)
    E = np.exp(S)
    P = E / np.sum(E, axis=1, keepdims=True)
    loss = np.mean(np.log(np.sum(E, axis=1)) - S[np.arange(N), y]) + np.float32(reg) * np.sum(W * W)
    P[np.arange(N), y] -= 1
    dW = X.T @ P / np.float32(N) + np.float32(2 * reg) * W
    return np.float32(loss), dW.astype(np.float32)


def loss_float32_returned_float64(W, X, y, reg):
    loss, dW = loss_float32_everywhere(W, X, y, reg)
    return float(loss), dW.astype(np.float64)


def loss_one_hot_no_scipy(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    Y = np.zeros((N, C))
    Y[np.arange(N), y] = 1
    S = X.dot(W)
    m = S.max(axis=1)[:, None]
    log_p = S - m - np.log(np.exp(S - m).sum(axis=1))[:, None]
    loss = -(Y * log_p).sum() / N + reg * (W**2).sum()
    return loss, X.T.dot(np.exp(log_p) - Y) / N + 2 * reg * W


def loss_centred_differences(W, X, y, reg):
    """The loss is right; dW by centred differences of it (h = 1e-5)."""
    loss, _ = loss_one_hot_no_scipy(W, X, y, reg)
    dW = np.zeros(W.shape)
    h = 1e-5
    for d in range(W.shape[0]):
        for j in range(W.shape[1]):
            Wp, Wm = W.astype(np.float64), W.astype(np.float64)
            Wp[d, j] += h
            Wm[d, j] -= h
            dW[d, j] = (
                loss_one_hot_no_scipy(Wp, X, y, reg)[0] - loss_one_hot_no_scipy(Wm, X, y, reg)[0]
            ) / (2 * h)
    return loss, dW


def loss_forward_differences(W, X, y, reg):
    """The loss is right; dW by forward differences (error about h, here ~1e-5 relative)."""
    W = W.astype(np.float64)
    loss = loss_one_hot_no_scipy(W, X, y, reg)[0]
    dW = np.zeros(W.shape)
    for index in np.ndindex(*W.shape):
        W_plus = W.copy()
        W_plus[index] += 1e-5
        dW[index] = (loss_one_hot_no_scipy(W_plus, X, y, reg)[0] - loss) / 1e-5
    return loss, dW


def loss_list_and_numpy_scalar(W, X, y, reg):
    N = len(y)
    S = np.einsum("nd,dc->nc", X, W)
    S -= S.max(axis=1, keepdims=True)
    P = np.exp(S)
    P /= P.sum(axis=1, keepdims=True)
    lse = np.log(np.exp(S).sum(axis=1))
    loss = np.float64((lse - S[range(N), y]).mean() + reg * np.vdot(W, W))
    P[range(N), y] -= 1
    return [loss, X.T @ P / N + reg * 2 * W]


CORRECT_LOSSES = [
    loss_loops,
    loss_float32_everywhere,
    loss_float32_returned_float64,
    loss_one_hot_no_scipy,
    loss_centred_differences,
    loss_forward_differences,
    loss_list_and_numpy_scalar,
]


@pytest.mark.parametrize("fn", CORRECT_LOSSES, ids=lambda f: f.__name__)
def test_correct_losses_pass_on_six_seeds(fn):
    for seed in SEEDS:
        report = check_loss(fn, seed=seed)
        assert_ok(report)


def test_an_accepted_error_above_float64_round_off_is_a_note():
    for fn in (loss_float32_returned_float64, loss_forward_differences):
        report = check_loss(fn)
        assert_ok(report)
        assert any("agrees with the reference to" in n and "accepted" in n for n in report.notes)
    assert check_loss(loss_one_hot_no_scipy).notes == []


def softmax_rows(S):
    out = np.zeros_like(S, dtype=float)
    for i, row in enumerate(S):
        e = np.exp(row - np.max(row))
        out[i] = e / np.sum(e)
    return out


def softmax_float32(S):
    S = np.asarray(S, dtype=np.float32)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def softmax_log_sum_exp(S):
    m = np.max(S, axis=1, keepdims=True)
    return np.exp(S - m - np.log(np.sum(np.exp(S - m), axis=1, keepdims=True)))


def softmax_list(S):
    return [list(np.exp(r - max(r)) / sum(np.exp(r - max(r)))) for r in S]


@pytest.mark.parametrize(
    "fn",
    [softmax_rows, softmax_float32, softmax_log_sum_exp, softmax_list],
    ids=lambda f: f.__name__,
)
def test_correct_softmaxes_pass_on_six_seeds(fn):
    for seed in SEEDS:
        assert_ok(check_softmax(fn, seed=seed))


def numgrad_nditer(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def numgrad_copies(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for k in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp.flat[k] += h
        xm.flat[k] -= h
        grad.flat[k] = (f(xp) - f(xm)) / (2 * h)
    return grad


def numgrad_plus_minus_plus(f, x, h=1e-5):
    """Moves x[i] by +h, -2h, +h: x comes back changed by round-off (about 1e-17)."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        x[i] += h
        grad[i] = (fp - fm) / (2 * h)
    return grad


@pytest.mark.parametrize(
    "fn", [numgrad_nditer, numgrad_copies, numgrad_plus_minus_plus], ids=lambda f: f.__name__
)
def test_correct_numerical_gradients_pass_on_six_seeds(fn):
    for seed in SEEDS:
        assert_ok(check_numerical_gradient(fn, seed=seed))


def test_x_changed_by_round_off_is_a_note_not_x_not_restored():
    report = check_numerical_gradient(numgrad_plus_minus_plus)
    assert_ok(report)
    assert "x-not-restored" not in str(report)
    assert any("x changed by round-off only" in n for n in report.notes)


# --------------------------------------------------------------------------- §1 no point without evidence


def _large(X, W) -> bool:
    return np.abs(X @ W).max() > 100


def loss_none_on_large(W, X, y, reg):
    if _large(X, W):
        return None
    return loss_one_hot_no_scipy(W, X, y, reg)


def loss_wrong_type_on_large(W, X, y, reg):
    if _large(X, W):
        return "overflow", W
    return loss_one_hot_no_scipy(W, X, y, reg)


def loss_not_implemented_on_large(W, X, y, reg):
    if _large(X, W):
        raise NotImplementedError("large scores: todo")
    return loss_one_hot_no_scipy(W, X, y, reg)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (loss_none_on_large, "got None"),
        (loss_wrong_type_on_large, "the loss is a str"),
        (loss_not_implemented_on_large, "NotImplementedError: large scores: todo"),
    ],
)
def test_no_usable_result_on_large_scores_fails_stability(fn, words):
    report = check_loss(fn)
    assert not report.ok and not report.not_implemented
    assert report.wrong == {"stability"}, str(report)
    assert verdict(report) != "✗ not implemented yet"
    assert words in str(report)


def test_a_loss_that_hangs_on_large_scores_is_not_measured_not_passed():
    def hangs_on_large(W, X, y, reg):
        while _large(X, W):
            pass
        return loss_one_hot_no_scipy(W, X, y, reg)

    report = check_loss(hangs_on_large, time_limit=1.0)
    assert not report.ok and "stability" in report.wrong, str(report)
    [finding] = [f for f in report.findings if "stability" in f.parts]
    assert finding.kind == "not-measured" and "not measured" in str(report)


def test_a_slow_correct_loss_never_passes_unmeasured():
    def slow(W, X, y, reg):
        time.sleep(0.1)
        return loss_one_hot_no_scipy(W, X, y, reg)

    report = check_loss(slow, time_limit=0.75)
    assert not report.ok and {"stability", "interface"} & report.wrong, str(report)
    if "interface" not in report.wrong:  # the ordinary batches ran, the large ones did not
        assert "not measured" in str(report)


def test_softmax_without_a_result_on_large_scores_fails_stability():
    def none_on_large(S):
        return None if np.abs(S).max() > 100 else softmax_rows(S)

    report = check_softmax(none_on_large)
    assert report.wrong == {"stability"} and "got None" in str(report)


def test_only_the_untouched_stub_is_not_implemented():
    def stub(W, X, y, reg):
        raise NotImplementedError()

    assert check_loss(stub).not_implemented

    def half_done(W, X, y, reg):  # float32 left for later
        if X.dtype == np.float32:
            raise NotImplementedError
        return loss_one_hot_no_scipy(W, X, y, reg)

    report = check_loss(half_done)
    assert not report.not_implemented and report.wrong == {"interface"}
    assert "NotImplementedError" in str(report)


# --------------------------------------------------------------------------- §2 the named cause is true


def loss_mean_shift(W, X, y, reg):
    """Shifts each row by its mean instead of its max."""
    N = X.shape[0]
    S = X @ W
    S = S - S.mean(axis=1, keepdims=True)
    E = np.exp(S)
    P = E / E.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(E.sum(axis=1)) - S[np.arange(N), y]) + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W


def loss_right_dW_unshifted(W, X, y, reg):
    """The loss is computed stably; dW from exp of the raw scores."""
    loss, _ = loss_one_hot_no_scipy(W, X, y, reg)
    N = X.shape[0]
    E = np.exp(X @ W)
    P = E / E.sum(axis=1, keepdims=True)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W


def test_a_row_mean_shift_is_a_stability_problem_without_a_catalogue_name():
    report = check_loss(loss_mean_shift)
    assert report.wrong == {"stability"} and report.mistakes == [], str(report)
    text = str(report)
    assert "log-of-probability" not in text and "your loss takes −log" not in text
    assert "scores from -1000 to +1000 within each row" in text
    assert "right on the other input" in text  # the rows near ±1000 pass


def test_a_dW_that_overflows_is_not_called_a_log_of_probability():
    report = check_loss(loss_right_dW_unshifted)
    assert report.wrong == {"stability"} and report.mistakes == [], str(report)
    text = str(report)
    assert "dW nan" in text and "loss " not in text.split("got ")[1].split("\n")[0]


def test_a_loss_wrong_on_ordinary_scores_comes_first_and_is_not_called_right():
    def loss_sum_unshifted(W, X, y, reg):  # no 1/N and no max shift
        N = X.shape[0]
        E = np.exp(X @ W)
        P = E / E.sum(axis=1, keepdims=True)
        loss = -np.sum(np.log(P[np.arange(N), y])) + reg * np.sum(W**2)
        P[np.arange(N), y] -= 1
        return loss, X.T @ P + 2 * reg * W

    report = check_loss(loss_sum_unshifted)
    assert [f.parts[0] for f in report.findings] == ["loss", "stability"], str(report)
    assert "right on ordinary scores" not in str(report)

    def loss_nan_everywhere(W, X, y, reg):  # log of a negative number, no shift in dW
        _, dW = loss_right_dW_unshifted(W, X, y, reg)
        return float(np.log(-np.sum(W))) if np.sum(W) > 0 else math.nan, dW

    report = check_loss(loss_nan_everywhere)
    assert report.findings[0].parts == ("loss",), str(report)
    assert "your loss is nan on ordinary scores" in str(report)
    assert report.mistakes == [] and "right on ordinary scores" not in str(report)


def test_a_loss_right_in_float64_wrong_in_float32_is_located_by_dtype():
    def loss_half_precision_for_float32(W, X, y, reg):
        if X.dtype == np.float32:  # "save memory": float16 scores
            X, W = X.astype(np.float16), W.astype(np.float16)
        return loss_one_hot_no_scipy(W, X, y, reg)

    report = check_loss(loss_half_precision_for_float32)
    assert report.mistakes == [] and report.wrong <= {"loss", "gradient"}, str(report)
    text = str(report)
    assert "exactly those with float32" in text
    assert "regulariser's gradient" not in text and "reg = 0 but not here" not in text


def test_a_mistake_whose_diagnosis_another_finding_contradicts_is_not_named():
    def loss_and_dW_times_n(W, X, y, reg):  # the whole loss times N, dW's data term times N
        loss, dW = loss_one_hot_no_scipy(W, X, y, reg)
        N = X.shape[0]
        return loss * N, (dW - 2 * reg * W) * N + 2 * reg * W

    # dW is exactly mean-missing-in-dW's, but that mistake says "your loss is averaged",
    # and the loss is not: no name, the numbers only.
    report = check_loss(loss_and_dW_times_n)
    assert report.wrong == {"loss", "gradient"} and report.mistakes == [], str(report)
    assert "9 times the right one" in str(report)


def test_a_values_mistake_is_still_named_beside_an_unknown_stability_problem():
    def loss_summed_none_on_large(W, X, y, reg):  # no 1/N; None on large scores
        if _large(X, W):
            return None
        loss, dW = loss_one_hot_no_scipy(W, X, y, 0.0)
        N = X.shape[0]
        return loss * N + reg * np.sum(W * W), dW * N + 2 * reg * W

    report = check_loss(loss_summed_none_on_large)
    assert report.mistakes == ["missing-mean"], str(report)
    assert [f.parts for f in report.findings] == [("loss", "gradient"), ("stability",)]
    assert "got None" in str(report)


def test_two_catalogue_mistakes_written_by_hand_are_both_named():
    def loss_no_mean_no_shift(W, X, y, reg):
        N = X.shape[0]
        E = np.exp(X @ W)
        P = E / E.sum(axis=1, keepdims=True)
        loss = np.sum(np.log(E.sum(axis=1)) - (X @ W)[np.arange(N), y]) + reg * np.sum(W * W)
        P[np.arange(N), y] -= 1
        return loss, X.T @ P + 2 * reg * W

    report = check_loss(loss_no_mean_no_shift)
    assert report.mistakes == ["missing-mean", "no-max-shift"], str(report)
    assert [f.parts for f in report.findings] == [("loss", "gradient"), ("stability",)]


def test_training_with_mismatched_minibatch_indices_is_not_called_w_not_updated():
    def train(loss_fn, X, y, *, lr, reg, num_iters, batch_size, rng):
        W = 0.001 * rng.standard_normal((X.shape[1], int(y.max()) + 1))
        history = []
        for _ in range(num_iters):
            X_batch = X[rng.choice(len(y), batch_size)]
            y_batch = y[rng.choice(len(y), batch_size)]  # other indices
            loss, dW = loss_fn(W, X_batch, y_batch, reg)
            W -= lr * dW
            history.append(loss)
        return W, history

    report = check_training(train, loss_one_hot_no_scipy)
    assert report.wrong == {"values"}, str(report)
    text = str(report)
    assert "W is not updated" not in text
    assert "indexed with different indices" in text


def test_training_that_never_updates_w_is_told_so_from_what_the_loss_saw():
    def train(loss_fn, X, y, *, lr, reg, num_iters, batch_size, rng):
        W = 0.001 * rng.standard_normal((X.shape[1], int(y.max()) + 1))
        history = []
        for _ in range(num_iters):
            idx = rng.choice(len(y), batch_size)
            loss, dW = loss_fn(W, X[idx], y[idx], reg)
            W_new = W - lr * dW  # never assigned back
            history.append(loss)
        return W_new * 0 + W, history

    report = check_training(train, loss_one_hot_no_scipy)
    assert "the W passed to your loss was the same" in str(report)


# --------------------------------------------------------------------------- §5 shape mistakes


def loss_dW_transposed_if_needed(W, X, y, reg):
    """dW computed as (C, D), transposed only when it does not fit."""
    N = X.shape[0]
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(S).sum(axis=1)) - S[np.arange(N), y]) + reg * np.sum(W**2)
    P[np.arange(N), y] -= 1
    dW = P.T @ X / N + 2 * reg * W.T  # (C, D)
    if dW.shape != W.shape:
        dW = dW.T
    return loss, dW


def test_a_dW_transposed_only_when_it_does_not_fit_is_caught():
    for seed in SEEDS:
        report = check_loss(loss_dW_transposed_if_needed, seed=seed)
        assert report.wrong == {"interface"} and report.mistakes == [], str(report)
        [f] = report.findings
        assert f.kind == "transposed" and "D = C = 4" in str(report)


def test_a_softmax_transposed_only_when_it_does_not_fit_is_caught():
    def softmax_class_major(S):
        Z = np.asarray(S).T  # (C, N): one column per example
        E = np.exp(Z - Z.max(axis=0))
        P = E / E.sum(axis=0)
        return P if P.shape == np.shape(S) else P.T

    report = check_softmax(softmax_class_major)
    assert "interface" in report.wrong and report.mistakes == [], str(report)
    assert any(f.kind == "transposed" for f in report.findings)


def test_a_numerical_gradient_transposed_only_when_it_does_not_fit_is_caught():
    def numgrad_swapped(f, x, h=1e-5):
        if x.ndim == 1:
            return numgrad_copies(f, x, h)
        grad = np.zeros(x.shape[::-1])
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                xp, xm = x.copy(), x.copy()
                xp[i, j] += h
                xm[i, j] -= h
                grad[j, i] = (f(xp) - f(xm)) / (2 * h)
        return grad if grad.shape == x.shape else grad.T

    report = check_numerical_gradient(numgrad_swapped)
    assert report.wrong == {"interface"} and report.mistakes == [], str(report)
    assert report.findings[0].kind == "transposed" and "(4, 4)" in str(report)


# --------------------------------------------------------------------------- §7 the text of each kind


def _raises(W, X, y, reg):
    S = X @ W
    return S[0, 99], W  # IndexError


def _endless(W, X, y, reg):
    while True:
        pass


def _calls_reference(W, X, y, reg):
    import softmax

    return softmax.softmax_loss_vectorized(W, X, y, reg)


def _nan_dW(W, X, y, reg):
    loss, dW = loss_one_hot_no_scipy(W, X, y, reg)
    return loss, dW * np.nan


def _slightly_off_loss(W, X, y, reg):
    loss, dW = loss_one_hot_no_scipy(W, X, y, reg)
    return loss * (1 + 3e-4), dW


def _mutates_W(W, X, y, reg):
    loss, dW = loss_one_hot_no_scipy(W.copy(), X, y, reg)
    W -= 0.1 * dW  # one SGD step inside the loss
    return loss, dW


def _log_softmax(S):
    m = S.max(axis=1, keepdims=True)
    return S - m - np.log(np.exp(S - m).sum(axis=1, keepdims=True))


def _not_normalised(S):
    return np.exp(S - S.max(axis=1, keepdims=True))


def _train_rising(loss_fn, X, y, *, lr, reg, num_iters, batch_size, rng):
    W = 0.001 * rng.standard_normal((X.shape[1], int(y.max()) + 1))
    history = []
    for _ in range(num_iters):
        idx = rng.choice(len(y), batch_size)
        loss, dW = loss_fn(W, X[idx], y[idx], reg)
        W = W + lr * dW
        history.append(loss)
    return W, history


TEXT_CASES = {
    # kind: (how to get it, what the text must say, what it must never say)
    "not-a-function": (lambda: check_loss(None), ["the argument of check_loss", "a function"], []),
    "exception": (
        lambda: check_loss(_raises),
        ["IndexError", "in _raises, line", "return S[0, 99], W"],
        ["Traceback"],
    ),
    "time-limit": (
        lambda: check_loss(_endless, time_limit=0.3),
        ["did not finish within the time limit of 0.3 s"],
        [],
    ),
    "reference-called": (
        lambda: check_loss(_calls_reference),
        ["called the package's own softmax.softmax_loss_vectorized"],
        [],
    ),
    "returned": (
        lambda: check_softmax(lambda S: S.sum(axis=1)),
        ["expected an array of shape (5, 3), got an array of shape (5,)"],
        ["expected ,", "got returned"],
    ),
    "transposed": (
        lambda: check_loss(loss_dW_transposed_if_needed),
        ["the transpose of the right dW", "D = C = 4"],
        [],
    ),
    "loss-values": (
        lambda: check_loss(_slightly_off_loss),
        ["your loss is off by", "relative error 0.0003"],
        ["1 times the right one", "(1 times"],
    ),
    "gradient-values": (
        lambda: check_loss(_nan_dW),
        ["your dW has nan in 20 of its 20 entries on ordinary scores", "wrong on all"],
        ["right dW \n", "your dW = right dW"],
    ),
    "array-values": (
        lambda: check_softmax(_log_softmax),
        ["logarithms of the right probabilities"],
        ["divide each row by its own sum"],
    ),
    "stability": (
        lambda: check_loss(loss_right_dW_unshifted),
        ["large scores:", "dW nan in", "right on ordinary scores; on these large scores"],
        [],
    ),
    "not-measured": (
        lambda: check_loss(
            lambda W, X, y, reg: (
                loss_one_hot_no_scipy(W, X, y, reg)
                if not _large(X, W)
                else (_endless(W, X, y, reg))
            ),
            time_limit=1.0,
        ),
        [
            "stability not measured",
            "the point is withheld",
            "no result: the time limit was reached",
        ],
        [],
    ),
    "side-effects": (
        lambda: check_loss(_mutates_W),
        ["W changed", "wrong on all 9 inputs tried"],
        [],
    ),
    "gradient-check": (
        lambda: check_gradient_check(_nan_dW, numgrad_copies),
        ["your numerical gradient vs your dW", "dW from _nan_dW has nan in 20 of its 20 entries"],
        [],
    ),
    "training": (
        lambda: check_training(_train_rising, loss_one_hot_no_scipy),
        ["the loss rose"],
        [],
    ),
    "vectorization": (
        lambda: check_vectorized(loss_loops, loss_loops),
        ["no Python loop over examples, features or classes", "a loop over the examples"],
        [],
    ),
}


def test_every_kind_of_finding_has_a_text_test():
    assert set(TEXT_CASES) == set(FINDING_KINDS)


def test_every_finding_the_package_builds_names_its_kind():
    """Each Finding(...) in softmax/feedback passes kind=, or is the runner's (its kind is set
    where it is used, or derived from its parts)."""
    set_elsewhere = {"_call_problem", "_speed", "check_vectorized"}
    for path in FEEDBACK.glob("*.py"):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef) or func.name in set_elsewhere:
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding":
                    kinds = [k.value for k in node.keywords if k.arg == "kind"]
                    assert kinds, f"{path.name}: Finding in {func.name} without kind="
                    if isinstance(kinds[0], ast.Constant):
                        assert kinds[0].value in FINDING_KINDS, (path.name, func.name)


@pytest.mark.parametrize("kind", sorted(FINDING_KINDS))
def test_the_text_of_each_kind_of_finding(kind):
    make, present, absent = TEXT_CASES[kind]
    report = make()
    assert kind in {f.kind for f in report.findings}, str(report)
    text = str(report)
    for words in present:
        assert words in text, (words, text)
    for words in absent:
        assert words not in text, (words, text)
    for finding in report.findings:
        if finding.kind in ("vectorization", "exception"):  # they quote the student's code
            continue
        for line in finding.lines():
            assert not line.rstrip().endswith(("=", ",", ":")), line  # nothing cut off
            assert "expected , " not in line and "got ," not in line, line


# --------------------------------------------------------------------------- the catalogue is still named


@pytest.mark.parametrize("mistake", list(CATALOGUE.values()), ids=lambda m: m.id)
def test_each_catalogue_mistake_is_named_on_the_other_seeds(mistake):
    """tests/test_feedback.py checks seed 0 in both styles; here seeds 1-5."""
    check = {
        "loss": check_loss,
        "softmax": check_softmax,
        "numerical_gradient": check_numerical_gradient,
    }[mistake.check]
    for seed in range(1, 6):
        report = check(mistake.vectorized, seed=seed)
        assert report.mistakes == [mistake.id] and report.wrong == set(mistake.parts), str(report)


def test_the_readme_and_the_docstring_give_the_thresholds_the_checks_use():
    from softmax.feedback import _run

    readme = (FEEDBACK.parents[1] / "README.md").read_text()
    students = readme.split("## For students")[1].split("\n## ")[0]
    doc = " ".join(feedback.__doc__.split())
    wrong, large = (f"{x:.0e}".replace("e-0", "e-") for x in (_run._WRONG, _run._WRONG_LARGE))
    for text in (" ".join(students.split()), doc):
        assert f"off by more than {wrong} relative" in text or (
            f"above {wrong} on ordinary inputs" in text
        )
        assert f"{large} on scores near ±1000" in text and "not measured" in text
        assert "N = 1, D = C and N = C" in text


def test_the_correct_implementations_of_test_feedback_pass_on_six_seeds():
    import scipy.special
    import test_feedback as tf

    import softmax

    losses = [
        softmax.softmax_loss_naive,
        softmax.softmax_loss_vectorized,
        softmax.softmax_loss_fast,
        tf._one_hot_loss,
        tf._einsum_list_loss,
        tf._float32_loss,
        tf._loop_loss,
        tf._row_loop_loss,
    ]
    softmaxes = [
        softmax.softmax,
        lambda S: scipy.special.softmax(S, axis=1),
        tf._softmax_loop,
        tf._softmax_float32,
    ]
    for seed in SEEDS:
        for fn in losses:
            assert_ok(check_loss(fn, seed=seed))
        for fn in softmaxes:
            assert_ok(check_softmax(fn, seed=seed))
        for fn in (softmax.numerical_gradient, tf._numgrad_vectorized):
            assert_ok(check_numerical_gradient(fn, seed=seed))
        assert_ok(check_gradient_check(loss_one_hot_no_scipy, numgrad_copies, seed=seed))
