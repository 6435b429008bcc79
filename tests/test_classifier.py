"""SoftmaxClassifier: SGD is the update rule it claims, deterministic, and learns digits."""

from __future__ import annotations

import math

import numpy as np
import pytest

import softmax.classifier as classifier_module
from softmax import softmax_loss_naive, softmax_loss_vectorized
from softmax.classifier import SoftmaxClassifier, resolve_loss
from softmax.data import load_digits, preprocess

# The hyper-parameters notebook 06 ends up with (chosen there on the validation split).
LR, REG, ITERS, BATCH = 1.0, 1e-4, 1000, 100


@pytest.fixture(scope="module")
def digits():
    (Xtr, ytr), (Xv, yv), (Xte, yte) = load_digits()
    _, (Xtr, Xv, Xte) = preprocess(Xtr, Xv, Xte)
    return (Xtr, ytr), (Xv, yv), (Xte, yte)


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5))
    y = rng.integers(0, 3, 40)
    return X, y


def test_one_step_is_the_sgd_update(small):
    """W1 = W0 - lr * dW on exactly the minibatch the rng draws."""
    X, y = small
    W0 = np.random.default_rng(1).standard_normal((5, 3))
    clf = SoftmaxClassifier(W0)
    history = clf.train(X, y, learning_rate=0.5, reg=0.1, num_iters=1, batch_size=8, rng=7)
    idx = np.random.default_rng(7).choice(40, size=8, replace=False)
    loss, dW = softmax_loss_vectorized(W0, X[idx], y[idx], 0.1)
    assert history == [loss]
    assert np.allclose(clf.W, W0 - 0.5 * dW, rtol=0, atol=1e-15)


def test_initial_weights_are_small_and_drawn_from_rng(small):
    X, y = small
    clf = SoftmaxClassifier()
    clf.train(X, y, learning_rate=1e-12, reg=0.0, num_iters=1, batch_size=4, rng=3)
    W_expected = 0.001 * np.random.default_rng(3).standard_normal((5, 3))
    assert np.allclose(clf.W, W_expected, atol=1e-12)


def test_deterministic_given_rng(digits):
    (X, y), _, _ = digits
    runs = []
    for seed in (0, 0, 1):
        clf = SoftmaxClassifier()
        h = clf.train(X, y, learning_rate=0.5, reg=1e-3, num_iters=60, batch_size=50, rng=seed)
        runs.append((clf.W.copy(), h))
    assert np.array_equal(runs[0][0], runs[1][0]) and runs[0][1] == runs[1][1]
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_two_calls_continue_like_one(small):
    """Training resumes from W; with one Generator, 2 x 25 steps == 50 steps."""
    X, y = small
    a, b = SoftmaxClassifier(), SoftmaxClassifier()
    ga, gb = np.random.default_rng(4), np.random.default_rng(4)
    ha = a.train(X, y, 0.1, 0.01, 25, 10, ga) + a.train(X, y, 0.1, 0.01, 25, 10, ga)
    hb = b.train(X, y, 0.1, 0.01, 50, 10, gb)
    assert np.array_equal(a.W, b.W) and ha == hb
    assert a.loss_history == ha and len(a.loss_history) == 50


def test_loss_starts_at_ln10_and_decreases(digits):
    (X, y), _, _ = digits
    history = SoftmaxClassifier().train(X, y, LR, REG, 300, BATCH, rng=0)
    assert history[0] == pytest.approx(math.log(10), abs=0.02)
    assert np.mean(history[-50:]) < 0.3 * history[0]
    assert np.mean(history[-50:]) < np.mean(history[50:100])


def test_digits_accuracy(digits):
    (Xtr, ytr), (Xv, yv), (Xte, yte) = digits
    clf = SoftmaxClassifier()
    clf.train(Xtr, ytr, LR, REG, ITERS, BATCH, rng=0)
    assert clf.score(Xtr, ytr) > 0.97
    assert clf.score(Xv, yv) > 0.93
    assert clf.score(Xte, yte) >= 0.94  # the target of notebook 06


def test_predict_and_score_match_references(digits):
    (Xtr, ytr), _, (Xte, yte) = digits
    clf = SoftmaxClassifier()
    clf.train(Xtr, ytr, LR, REG, 200, BATCH, rng=0)
    pred = clf.predict(Xte)
    assert pred.dtype == np.int64 and pred.shape == yte.shape
    assert np.array_equal(pred, np.argmax(Xte @ clf.W, axis=1))
    assert clf.score(Xte, yte) == np.count_nonzero(pred == yte) / len(yte)


def test_naive_and_vectorized_train_alike(small):
    X, y = small
    Ws = []
    for loss in ("naive", "vectorized"):
        clf = SoftmaxClassifier()
        clf.train(X, y, 0.2, 0.01, 20, 10, rng=2, loss=loss)
        assert clf.loss_name == loss
        Ws.append(clf.W)
    assert np.allclose(Ws[0], Ws[1], rtol=1e-10, atol=1e-12)


def test_custom_loss_callable_is_used(small):
    X, y = small
    calls = []

    def spy(W, Xb, yb, reg):
        calls.append(Xb.shape)
        return softmax_loss_vectorized(W, Xb, yb, reg)

    clf = SoftmaxClassifier()
    clf.train(X, y, 0.1, 0.0, 3, 6, rng=0, loss=spy)
    assert calls == [(6, 5)] * 3 and clf.loss_name == "spy"


def test_auto_falls_back_to_vectorized(monkeypatch):
    monkeypatch.setattr(classifier_module, "_fast_loss", lambda: None)
    assert resolve_loss("auto") == ("vectorized", softmax_loss_vectorized)
    with pytest.raises(ValueError, match=r"softmax\.fast\.softmax_loss_fast"):
        resolve_loss("fast")
    monkeypatch.setattr(classifier_module, "_fast_loss", lambda: softmax_loss_naive)
    assert resolve_loss("auto") == ("fast", softmax_loss_naive)
    with pytest.raises(ValueError, match="loss must be"):
        resolve_loss("bogus")


def test_float32_stays_float32(small):
    X, y = small
    clf = SoftmaxClassifier()
    clf.train(X.astype(np.float32), y, 0.1, 0.0, 5, 8, rng=0)
    assert clf.W.dtype == np.float32


def test_callers_weights_are_not_modified(small):
    X, y = small
    W0 = np.zeros((5, 3))
    clf = SoftmaxClassifier(W0)
    clf.train(X, y, 0.1, 0.0, 5, 8, rng=0)
    assert not W0.any() and clf.W.any()


def test_verbose_and_callback(small, capsys):
    X, y = small
    seen = []
    clf = SoftmaxClassifier()
    h = clf.train(
        X,
        y,
        0.1,
        0.0,
        5,
        8,
        rng=0,
        verbose=True,
        print_every=2,
        callback=lambda s, v: seen.append((s, v)),
    )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "step     0 / 5",
        "step     2 / 5",
        "step     4 / 5",
    ]
    assert seen == list(enumerate(h))


def test_divergence_is_reported(small):
    X, y = small
    with pytest.raises(FloatingPointError, match=r"diverged.*lower learning_rate"):
        SoftmaxClassifier().train(X * 1e150, y, 1e300, 0.0, 50, 8, rng=0)


def test_num_classes_from_constructor(small):
    X, y = small
    clf = SoftmaxClassifier(num_classes=5)
    clf.train(X, y, 0.1, 0.0, 2, 8, rng=0)
    assert clf.W.shape == (5, 5)
    assert "W shape=(5, 5)" in repr(clf)


@pytest.mark.parametrize(
    ("change", "exc", "match"),
    [
        ({"X": np.ones(40)}, ValueError, "X must be a 2-D array"),
        ({"X": np.full((40, 5), np.nan)}, ValueError, "X must not contain NaN"),
        ({"X": np.array([["a"] * 5] * 40)}, TypeError, "X must hold real numbers"),
        ({"y": np.zeros(40)}, TypeError, "y must hold integer class labels"),
        ({"y": np.zeros(39, int)}, ValueError, "y has 39 labels but X has 40 rows"),
        ({"y": -np.ones(40, int)}, ValueError, "y must hold labels in.*wrap"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"learning_rate": float("nan")}, ValueError, "learning_rate"),
        ({"learning_rate": True}, TypeError, "learning_rate"),
        ({"reg": -1.0}, ValueError, "reg"),
        ({"num_iters": 0}, ValueError, "num_iters"),
        ({"num_iters": 2.0}, TypeError, "num_iters"),
        ({"batch_size": 41}, ValueError, "batch_size must be at most N = 40"),
        ({"rng": "seed"}, TypeError, "rng must be a numpy Generator"),
        ({"loss": "fastest"}, ValueError, "loss must be"),
        ({"callback": 3}, TypeError, "callback"),
    ],
)
def test_train_refuses_bad_inputs(small, change, exc, match):
    X, y = small
    args = {
        "X": X,
        "y": y,
        "learning_rate": 0.1,
        "reg": 0.0,
        "num_iters": 2,
        "batch_size": 8,
        "rng": 0,
    } | change
    clf = SoftmaxClassifier()
    with pytest.raises(exc, match=match):
        clf.train(**args)
    assert clf.W is None and clf.loss_history == []


def test_labels_beyond_given_weights_are_refused(small):
    X, y = small
    clf = SoftmaxClassifier(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"labels in \[0, C\) = \[0, 2\); found 2"):
        clf.train(X, y, 0.1, 0.0, 2, 8, rng=0)


def test_constructor_and_predict_refusals(small):
    X, y = small
    with pytest.raises(ValueError, match="at least 2 columns"):
        SoftmaxClassifier(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="num_classes=4 but W has 3"):
        SoftmaxClassifier(np.zeros((5, 3)), num_classes=4)
    with pytest.raises(RuntimeError, match="train"):
        SoftmaxClassifier().predict(X)
    clf = SoftmaxClassifier(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X has 4 features per row but W has 5 rows"):
        clf.predict(X[:, :4])
    with pytest.raises(ValueError, match="y has 3 labels"):
        clf.score(X, y[:3])
