"""Every figure the package draws, built the way the notebooks build it (smaller data).

``FIGURES`` maps a builder's name to a function returning its Figure; ``WIDGETS`` maps a
widget builder to a function returning the widget (its figure is ``widget.figure``, shown in
``widget.image``). Used by tests/test_figure_text.py (descriptions, text sizes on slides).
"""

from __future__ import annotations

import functools

import numpy as np

from softmax import softmax, softmax_loss_vectorized
from softmax.classifier import (
    SoftmaxClassifier,
    hull_witness,
    lr_reg_search,
    weight_norm_path,
)
from softmax.data import add_bias, load_digits, make_spiral, preprocess
from softmax.display import compare, plots, widgets
from softmax.display import training_plots as tp
from softmax.display.checks import gradcheck_vs_reg, h_sweep, log_softmax_error
from softmax.display.training_widget import retrain_explorer
from softmax.mistakes import naive_log_softmax


@functools.cache
def digits():
    (Xtr, ytr), (Xv, yv), (Xte, yte) = load_digits()
    _, (Ptr, Pv, Pte) = preprocess(Xtr, Xv, Xte)
    return {"raw": (Xtr, Xte), "train": (Ptr, ytr), "val": (Pv, yv), "test": (Pte, yte)}


@functools.cache
def trained():
    clf = SoftmaxClassifier()
    clf.train(*digits()["train"], 1.0, 1e-4, 200, 100, rng=0)
    return clf


@functools.cache
def spiral():
    X, y = make_spiral(60, 3, 0.2, rng=0)
    clf = SoftmaxClassifier()
    clf.train(add_bias(X), y, 1.0, 1e-3, 300, 180, rng=0)
    return X, y, clf


def _error_vs_scale():
    scales = np.geomspace(1, 1000, 31)
    sweeps = {
        dt: log_softmax_error([1.0, 0.0, -1.0], scales, dt, naive_log_softmax)
        for dt in ("float32", "float64")
    }
    return plots.error_vs_scale_figure(sweeps)


def _small_problem():
    rng = np.random.default_rng(0)
    W = rng.normal(scale=1e-3, size=(5, 3))
    X = rng.normal(size=(6, 5))
    y = rng.integers(0, 3, size=6)
    return W, X, y


def _h_sweep():
    W, X, y = _small_problem()
    hs = np.geomspace(1e-10, 1e-1, 10)
    _, dW = softmax_loss_vectorized(W, X, y, 0.0)

    def loss(dtype):
        return lambda V: softmax_loss_vectorized(V.astype(dtype), X.astype(dtype), y, 0.0)[0]

    sweep = {
        "float64": h_sweep(loss(np.float64), W, dW, hs),
        "float32": h_sweep(loss(np.float32), W.astype(np.float32), dW, hs),
    }
    return plots.h_sweep_figure(hs, sweep)


def _gradcheck_vs_reg():
    W, X, y = _small_problem()
    regs = np.geomspace(1e-6, 1e2, 6)
    errors = {"correct": gradcheck_vs_reg(softmax_loss_vectorized, W, X, y, regs)}

    def no_reg_gradient(W, X, y, reg):
        loss, dW = softmax_loss_vectorized(W, X, y, reg)
        return loss, dW - 2 * reg * W

    errors["no reg gradient"] = gradcheck_vs_reg(no_reg_gradient, W, X, y, regs)
    return plots.gradcheck_vs_reg_figure(regs, errors, marks=(5e-6, 5e1))


def _search():
    (Xtr, ytr), (Xv, yv) = digits()["train"], digits()["val"]
    res = lr_reg_search(Xtr, ytr, Xv, yv, [0.1, 1.0, 1e6], [0.0, 1e-2], num_iters=60, seed=0)
    return tp.search_heatmap(res)


def _weight_norm():
    Xtr, ytr = digits()["train"]
    paths = {
        lam: weight_norm_path(Xtr, ytr, 10.0, lam, num_iters=200, every=50) for lam in (0.0, 1e-2)
    }
    return tp.weight_norm_figure(paths)


def _template_rows():
    W = trained().W
    return tp.template_rows([("reg = 1e-4", W), ("twice", 2 * W)])


def _confusion():
    Xte, yte = digits()["test"]
    return tp.confusion_figure(yte, trained().predict(Xte))


def _misclassified():
    Xte, yte = digits()["test"]
    clf = trained()
    return tp.misclassified_figure(
        digits()["raw"][1], yte, clf.predict(Xte), probs=clf.predict_proba(Xte), max_images=10
    )


def _hull():
    X, y, _ = spiral()
    w = hull_witness(X[y == 0], X[y == 1])
    return tp.hull_witness_figure(X, y, 1, 0, w)


def _regions():
    X, y, clf = spiral()
    return tp.decision_regions(clf, X, y, features=add_bias, resolution=60)


def _scaling():
    result = compare.scaling_experiment([2, 8, 32], rounds=1, rng=1)
    return compare.plot_scaling(result)


def _speedup():
    result = compare.speedup_vs_D([1, 10, 100], N=50, rounds=1, rng=2)
    return compare.plot_speedup_vs_D(result, compare.fit_cost_model(result))


FIGURES = {
    "probability_bars": lambda: plots.probability_bars(
        softmax([2.0, 1.0, 0.1, -1.0]), title="softmax([2, 1, 0.1, -1])"
    ),
    "temperature_figure": lambda: plots.temperature_figure([2.0, 1.0, 0.1, -1.0]),
    "surprisal_figure": lambda: plots.surprisal_figure(10),
    "exp_range_figure": lambda: plots.exp_range_figure(),
    "error_vs_scale_figure": _error_vs_scale,
    "p_minus_y_heatmap": lambda: plots.p_minus_y_heatmap(
        softmax(np.random.default_rng(0).normal(size=(5, 4))), np.array([0, 1, 2, 3, 1])
    ),
    "h_sweep_figure": _h_sweep,
    "gradcheck_vs_reg_figure": _gradcheck_vs_reg,
    "digits_gallery": lambda: tp.digits_gallery(
        digits()["raw"][0], digits()["train"][1], per_class=8
    ),
    "loss_curve": lambda: tp.loss_curve(
        3 * np.exp(-np.arange(300) / 80) + 0.3 + 0.05 * np.sin(np.arange(300)), num_classes=10
    ),
    "search_heatmap": _search,
    "weight_templates": lambda: tp.weight_templates(trained().W),
    "weight_norm_figure": _weight_norm,
    "template_rows": _template_rows,
    "confusion_figure": _confusion,
    "misclassified_figure": _misclassified,
    "decision_regions": _regions,
    "hull_witness_figure": _hull,
    "plot_scaling": _scaling,
    "plot_speedup_vs_D": _speedup,
}


def _retrain():
    (Xtr, ytr), (Xv, yv) = digits()["train"], digits()["val"]
    return retrain_explorer(Xtr, ytr, Xv, yv, learning_rate=1.0, reg=1e-4, num_iters=100)


WIDGETS = {
    "logits_explorer": lambda: widgets.logits_explorer([2.0, 1.0, 0.1, -1.0], true_class=0),
    "stability_explorer": lambda: widgets.stability_explorer(
        [1.0, 0.0, -1.0], scale=10.0, dtype="float64"
    ),
    "retrain_explorer": _retrain,
    "comparison_panel": lambda: compare.comparison_panel(N=60, D=20, C=5, reg=0.1),
}
