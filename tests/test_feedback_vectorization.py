"""check_vectorized grades "no Python loop over examples or classes" by counting the Python
events of one call at several sizes: the same code gets the same grade idle and with every
core busy, and a correct vectorized loss passes whatever the student's naive loss does
(issue 14, §4). Student-style implementations, not the catalogue's."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from softmax.feedback import _child, _loss, check_vectorized

pytestmark = pytest.mark.skipif(not _child.CAN_FORK, reason="the child process needs os.fork")


def _from_shifted(W, X, y, reg, S, E):
    """The loss and dW from shifted scores S and E = exp(S), whole arrays only."""
    N = X.shape[0]
    sums = E.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(sums[:, 0]) - S[np.arange(N), y]) + reg * np.sum(W * W)
    P = E / sums
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W


def vectorized(W, X, y, reg):
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    return _from_shifted(W, X, y, reg, S, np.exp(S))


def vectorized_one_hot(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    Y = np.eye(C)[y]
    S = X @ W
    log_p = S - S.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    penalty = 0.0
    if reg > 0:  # a branch on the data: the same lines at every size
        penalty += reg * np.sum(W**2)
    return -np.sum(Y * log_p) / N + penalty, X.T @ (np.exp(log_p) - Y) / N + 2 * reg * W


def loop_over_examples(W, X, y, reg):
    N = X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        s = X[i] @ W
        s -= s.max()
        lse = np.log(np.exp(s).sum())
        loss += lse - s[y[i]]
        p = np.exp(s - lse)
        p[y[i]] -= 1
        dW += np.outer(X[i], p)
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def loop_over_classes(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    E = np.exp(S)
    sums = E.sum(axis=1)
    loss = np.mean(np.log(sums) - S[np.arange(N), y]) + reg * np.sum(W * W)
    dW = np.empty_like(W)
    for j in range(C):
        dW[:, j] = X.T @ (E[:, j] / sums - (y == j)) / N + 2 * reg * W[:, j]
    return loss, dW


def _row_helper(x, w, label):
    s = x @ w
    s = s - s.max()
    lse = np.log(np.exp(s).sum())
    g = np.exp(s - lse)
    g[label] -= 1
    return lse - s[label], np.outer(x, g)


def loop_hidden_in_a_helper(W, X, y, reg):
    pieces = list(map(lambda x, label: _row_helper(x, W, label), X, y))
    N = X.shape[0]
    loss = sum(p[0] for p in pieces) / N
    dW = sum(p[1] for p in pieces) / N
    return loss + reg * np.sum(W * W), dW + 2 * reg * W


def with_np_vectorize(W, X, y, reg):
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    return _from_shifted(W, X, y, reg, S, np.vectorize(lambda s: np.exp(s))(S))


def with_apply_along_axis(W, X, y, reg):
    S = np.apply_along_axis(lambda s: s - s.max(), 1, X @ W)
    return _from_shifted(W, X, y, reg, S, np.exp(S))


def naive_looping_over_classes_only(W, X, y, reg):
    """The student's naive loss of the old false alarm: vectorized over examples, a loop
    over classes (1.3x slower than a vectorized loss, so "5x faster" failed)."""
    return loop_over_classes(W, X, y, reg)


def naive_products_outside_the_loop(W, X, y, reg):
    S = X @ W
    loss = 0.0
    N = X.shape[0]
    G = np.zeros_like(S)
    for i in range(N):
        s = S[i] - S[i].max()
        lse = np.log(np.exp(s).sum())
        loss += lse - s[y[i]]
        G[i] = np.exp(s - lse)
        G[i, y[i]] -= 1
    return loss / N + reg * np.sum(W * W), X.T @ G / N + 2 * reg * W


STUDENTS = {
    vectorized: set(),
    vectorized_one_hot: set(),
    loop_over_examples: {"vectorization"},
    loop_over_classes: {"vectorization"},
    loop_hidden_in_a_helper: {"vectorization"},
    with_np_vectorize: {"vectorization"},
    with_apply_along_axis: {"vectorization"},
}
LOOPED = {
    loop_over_examples: "examples",
    loop_over_classes: "classes",
    loop_hidden_in_a_helper: "examples",
    with_np_vectorize: "examples",
    with_apply_along_axis: "examples",
}


def _grades(naive=None) -> dict:
    return {fn: check_vectorized(fn, naive=naive) for fn in STUDENTS}


@pytest.fixture(scope="module")
def idle():
    return _grades()


@pytest.mark.parametrize("fn", list(STUDENTS), ids=lambda f: f.__name__)
def test_each_student_gets_the_right_grade_and_the_loop_is_named(idle, fn):
    report = idle[fn]
    assert report.wrong == STUDENTS[fn], str(report)
    text = str(report)
    if fn in LOOPED:
        assert f"(a loop over the {LOOPED[fn]})" in text
        assert "events at" in text  # the counts, measured
    else:
        assert any(n.startswith("no Python loop") for n in report.notes)
        assert any(n.startswith("speed") and "not graded" in n for n in report.notes)


def test_the_loops_line_is_shown_with_its_counts(idle):
    text = str(idle[loop_over_classes])
    assert "dW[:, j] = X.T @ (E[:, j] / sums - (y == j)) / N" in text
    assert "C = 4" in text and "C = 32" in text


@pytest.mark.parametrize(
    "naive", [naive_looping_over_classes_only, naive_products_outside_the_loop, None]
)
def test_the_students_naive_loss_does_not_change_the_grade(naive):
    """The old false alarms: a naive loss vectorized over examples (or with its matrix
    products outside the loop) made a correct vectorized loss fail '5x faster'."""
    for fn in (vectorized, vectorized_one_hot):
        report = check_vectorized(fn, naive=naive)
        assert report.ok, str(report)


@pytest.mark.parametrize("seed", range(6))
def test_the_count_is_the_same_on_every_seed(seed):
    for fn, expected in STUDENTS.items():
        finding, note = _loss._loop_finding(fn, seed, _loss._Budget(10), fn.__name__)
        assert note is None and (finding is not None) == bool(expected), fn.__name__


def test_the_same_grade_with_every_core_busy(idle):
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        time.sleep(0.5)
        loaded = _grades()
    finally:
        for p in busy:
            p.kill()
        for p in busy:
            p.wait()
    for fn in STUDENTS:
        assert loaded[fn].wrong == idle[fn].wrong, fn.__name__
        findings = lambda r: [(f.parts, f.got) for f in r.findings]  # noqa: E731
        assert findings(loaded[fn]) == findings(idle[fn]), fn.__name__
