"""Notebook 06's figures, the retrain widget, confusion_matrix and lr_reg_search."""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from softmax.classifier import (
    SearchResult,
    SoftmaxClassifier,
    class_means,
    confusion_matrix,
    hull_witness,
    lr_reg_search,
    resolve_loss,
    template_similarity,
    weight_norm_path,
)
from softmax.data import add_bias, load_digits, make_spiral, preprocess
from softmax.display import training_plots as tp
from softmax.display._style import PALETTE
from softmax.display.training_widget import RetrainExplorer, retrain_explorer


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    (Xtr, ytr), (Xv, yv), (Xte, yte) = load_digits()
    _, (Ptr, Pv, Pte) = preprocess(Xtr, Xv, Xte)
    return {"raw": (Xtr, Xte), "train": (Ptr, ytr), "val": (Pv, yv), "test": (Pte, yte)}


@pytest.fixture(scope="module")
def trained(digits):
    clf = SoftmaxClassifier()
    clf.train(*digits["train"], 1.0, 1e-4, 300, 100, rng=0)
    return clf


# ----------------------------------------------------------------------------- metrics


def test_confusion_matrix_reference():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    M = confusion_matrix(y_true, y_pred, 3)
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred, strict=True):  # the definition, one pair at a time
        expected[t, p] += 1
    assert np.array_equal(M, expected) and M.dtype == np.int64
    assert M.sum() == 6 and np.array_equal(M.sum(axis=1), np.bincount(y_true))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "C", "exc", "match"),
    [
        ([0, 1], [0, 1, 1], 2, ValueError, "y_pred has 3 labels"),
        ([0, 1], [0, 3], 3, ValueError, r"labels in \[0, C\) = \[0, 3\); found 3"),
        ([0, 1], [0.0, 1.0], 2, TypeError, "y_pred must hold integer"),
        ([], [], 2, ValueError, "at least one label"),
        ([0, 1], [0, 1], 1, ValueError, "num_classes"),
    ],
)
def test_confusion_matrix_refuses(y_true, y_pred, C, exc, match):
    with pytest.raises(exc, match=match):
        confusion_matrix(y_true, y_pred, C)


def test_lr_reg_search_grid_and_best(digits):
    (Xtr, ytr), (Xv, yv) = digits["train"], digits["val"]
    res = lr_reg_search(Xtr, ytr, Xv, yv, [0.1, 1.0, 1e6], [0.0, 1e-2], num_iters=60, seed=0)
    assert res.val_accuracy.shape == (3, 2) == res.train_accuracy.shape
    assert np.isnan(res.val_accuracy[2, 1])  # lr = 1e6 with reg > 0 diverges: recorded as NaN
    i, j = np.unravel_index(np.nanargmax(res.val_accuracy), res.val_accuracy.shape)
    assert (res.best_learning_rate, res.best_reg) == (res.learning_rates[i], res.regs[j])
    assert res.best_val_accuracy == res.val_accuracy[i, j]
    assert res.best_classifier.score(Xv, yv) == res.best_val_accuracy
    # each cell is a plain training run from the same seed
    clf = SoftmaxClassifier()
    clf.train(Xtr, ytr, 0.1, 1e-2, 60, 100, rng=0)
    assert res.val_accuracy[0, 1] == clf.score(Xv, yv)
    with pytest.raises(TypeError, match="learning_rates"):
        lr_reg_search(Xtr, ytr, Xv, yv, 0.1, [0.0])
    with pytest.raises(FloatingPointError, match="every run diverged"):
        lr_reg_search(Xtr, ytr, Xv, yv, [1e6], [1e-2], num_iters=60)


# ----------------------------------------------------------------------------- figures


def test_moving_average():
    assert np.allclose(tp.moving_average([1, 2, 3, 4], 2), [1.5, 2.5, 3.5])
    assert tp.moving_average([1.0], 3).size == 0
    with pytest.raises(ValueError, match="window"):
        tp.moving_average([1.0, 2.0], 0)


def test_loss_curve_lines():
    h = np.linspace(2.3, 0.2, 120)
    fig = tp.loss_curve(h, window=20)
    ax = fig.axes[0]
    raw, avg, ref = ax.lines
    assert np.allclose(raw.get_ydata(), h)
    assert np.allclose(avg.get_ydata(), tp.moving_average(h, 20))
    assert np.allclose(ref.get_ydata(), math.log(10))
    assert ax.get_xlabel() == "SGD step" and ax.get_ylabel() == "softmax loss"
    assert "2.300 at step 0" in ax.get_title()
    assert len(ax.get_legend().get_texts()) == 3


def test_search_heatmap(digits):
    acc = np.array([[0.9, 0.8], [0.95, np.nan]])
    res = SearchResult((0.1, 1.0), (0.0, 0.1), acc, acc, 1.0, 0.0, 0.95, SoftmaxClassifier())
    fig = tp.search_heatmap(res)
    ax = fig.axes[0]
    shown = ax.images[0].get_array()
    assert np.allclose(shown.filled(np.nan), acc, equal_nan=True)
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["0.800", "0.900", "0.950", "diverged"]
    box = ax.patches[0]
    assert box.get_xy() == (-0.5, 0.5)  # column reg = 0, row lr = 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.1", "1"]
    assert "lr = 1, reg = 0" in ax.get_title()
    with pytest.raises(TypeError, match="SearchResult"):
        tp.search_heatmap(acc)


def test_template_images_drop_bias_and_match_columns():
    W = np.arange(65 * 3, dtype=float).reshape(65, 3)
    T = tp.template_images(W)
    assert T.shape == (3, 8, 8)
    assert np.array_equal(T[1], W[:64, 1].reshape(8, 8))
    Wc = np.random.default_rng(0).standard_normal((3073, 2))
    Tc = tp.template_images(Wc, (32, 32, 3))
    assert Tc.shape == (2, 32, 32, 3) and Tc.min() == 0 and Tc.max() == 1
    with pytest.raises(ValueError, match="64 rows"):
        tp.template_images(np.zeros((10, 3)))


def test_weight_templates_figure(trained):
    fig = tp.weight_templates(trained.W)
    image_axes = [ax for ax in fig.axes if ax.images and ax.get_title()]
    assert [ax.get_title() for ax in image_axes] == [str(c) for c in range(10)]
    assert np.allclose(image_axes[3].images[0].get_array(), trained.W[:64, 3].reshape(8, 8))
    lo, hi = image_axes[0].images[0].get_clim()
    assert lo == -hi  # centred colour map: red positive, blue negative


def test_confusion_figure(digits, trained):
    Xte, yte = digits["test"]
    pred = trained.predict(Xte)
    fig = tp.confusion_figure(yte, pred)
    ax = fig.axes[0]
    M = confusion_matrix(yte, pred, 10)
    assert np.array_equal(ax.images[0].get_array(), M)
    errors = int(M.sum() - np.trace(M))
    assert f"{errors} errors" in ax.get_title()
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_misclassified_figure(digits, trained):
    (_, X_raw), (Xte, yte) = digits["raw"], digits["test"]
    pred = trained.predict(Xte)
    wrong = np.flatnonzero(pred != yte)
    fig = tp.misclassified_figure(X_raw, yte, pred, max_images=4)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == min(4, wrong.size)
    first = wrong[0]
    assert shown[0].get_title() == f"true {yte[first]} → {pred[first]}"
    assert np.array_equal(shown[0].images[0].get_array(), X_raw[first].reshape(8, 8))


def test_digits_gallery(digits):
    (X_raw, _), (_, ytr) = digits["raw"], digits["train"]
    fig = tp.digits_gallery(X_raw, ytr, per_class=3)
    assert len(fig.axes) == 30
    first_of_7 = np.flatnonzero(ytr == 7)[0]
    assert np.array_equal(fig.axes[21].images[0].get_array(), X_raw[first_of_7].reshape(8, 8))
    assert fig.axes[21].get_ylabel() == "7"


def test_decision_regions_match_predictions():
    X, y = make_spiral(40, 3, 0.2, rng=0)
    clf = SoftmaxClassifier()
    clf.train(add_bias(X), y, 1.0, 1e-3, 200, 120, rng=0)
    fig = tp.decision_regions(clf, X, y, features=add_bias, resolution=50)
    ax = fig.axes[0]
    Z = ax.images[0].get_array()
    assert Z.shape == (50, 50)
    x0, x1, y0, y1 = ax.images[0].get_extent()
    corner = clf.predict(add_bias(np.array([[x0, y0], [x1, y1]])))
    assert Z[0, 0] == corner[0] and Z[-1, -1] == corner[1]
    assert len(ax.collections) == 3
    assert [c.get_label() for c in ax.collections] == ["class 0", "class 1", "class 2"]
    assert matplotlib.colors.to_hex(ax.collections[1].get_facecolor()[0]) == PALETTE[1].lower()
    acc = clf.score(add_bias(X), y)
    assert f"training accuracy {acc:.2f}" in ax.get_title()
    with pytest.raises(ValueError, match="2 columns"):
        tp.decision_regions(clf, np.zeros((3, 3)), [0, 1, 2])


# ----------------------------------------------------------------------------- widget


def test_retrain_widget_trains_like_the_classifier(digits):
    (Xtr, ytr), (Xv, yv) = digits["train"], digits["val"]
    ref_name = resolve_loss("auto")[0]
    w = retrain_explorer(Xtr, ytr, Xv, yv, learning_rate=1.0, reg=1e-4, num_iters=100)
    assert w.classifier.loss_name == ref_name
    assert isinstance(w, RetrainExplorer) and w.retrain_count == 1
    ref = SoftmaxClassifier()
    ref.train(Xtr, ytr, 1.0, 1e-4, 100, 100, rng=0)
    assert np.array_equal(w.classifier.W, ref.W)
    assert w.val_accuracy == ref.score(Xv, yv)
    assert bytes(w.image.value).startswith(b"\x89PNG")
    assert repr(w) == "RetrainExplorer(learning_rate=1, reg=1.0e-04, num_iters=100)"
    assert f"validation accuracy {ref.score(Xv, yv):.3f}" in w.summary()


def test_retrain_widget_callbacks_without_browser(digits):
    (Xtr, ytr), (Xv, yv) = digits["train"], digits["val"]
    w = retrain_explorer(Xtr, ytr, Xv, yv, num_iters=100)
    first_png, first_acc = w.image.value, w.val_accuracy
    w.reg_slider.value = 0.1  # the slider's observer retrains
    assert w.retrain_count == 2 and w.reg == pytest.approx(0.1)
    assert w.image.value != first_png
    assert len(w.history) == 100
    w.iters_slider.value = 200
    assert len(w.history) == 200 and w.retrain_count == 3
    # the loss curve in the figure is the new history; the templates are the new W
    loss_ax = w.figure.subfigs[0].axes[0]
    assert np.allclose(loss_ax.lines[0].get_ydata(), w.history)
    template_axes = [ax for ax in w.figure.subfigs[1].axes if ax.images and ax.get_title()]
    assert np.allclose(template_axes[0].images[0].get_array(), w.classifier.W[:64, 0].reshape(8, 8))
    w.reg_slider.value = 1e-4
    w.iters_slider.value = 100
    assert w.val_accuracy == first_acc  # same settings, same seed: same classifier


def test_retrain_widget_reports_divergence(digits):
    (Xtr, ytr), (Xv, yv) = digits["train"], digits["val"]
    w = retrain_explorer(Xtr, ytr, Xv, yv, num_iters=100)
    w.lr_slider.value = 30.0
    w.reg_slider.value = 1.0
    assert w.diverged and math.isnan(w.val_accuracy)
    assert "diverged" in w.summary() and "diverged" in w.readout.value
    w.lr_slider.value = 1.0
    assert not w.diverged


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"learning_rate": 100.0}, ValueError, "learning_rate must be in"),
        ({"reg": -1.0}, ValueError, "reg must be in"),
        ({"num_iters": 10}, ValueError, "num_iters must be in"),
        ({"learning_rate": "1"}, TypeError, "learning_rate"),
        ({"image_shape": (4, 4)}, ValueError, "image_shape"),
    ],
)
def test_retrain_widget_refuses(digits, kwargs, exc, match):
    (Xtr, ytr), (Xv, yv) = digits["train"], digits["val"]
    with pytest.raises(exc, match=match):
        retrain_explorer(Xtr, ytr, Xv, yv, **kwargs)


# ----------------------------------------------------------------------------- notebook 06 additions


def test_predict_proba_is_the_softmax_of_the_scores(trained, digits):
    Xte, _ = digits["test"]
    P = trained.predict_proba(Xte)
    S = Xte @ trained.W
    E = np.exp(S - S.max(axis=1, keepdims=True))  # independent reference: the definition
    assert np.allclose(P, E / E.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-15)
    assert np.allclose(P.sum(axis=1), 1.0)
    assert np.array_equal(P.argmax(axis=1), trained.predict(Xte))


def test_reg_difference_check_catches_a_wrong_regulariser(digits):
    """Notebook 06's sanity check: loss(reg) - loss(0) vs reg * sum(W**2), default tolerance."""
    from softmax import softmax_loss_vectorized
    from softmax.display.checks import compare
    from softmax.mistakes import loss_half_reg

    X, y = digits["train"]
    W0 = 0.001 * np.random.default_rng(0).standard_normal((65, 10))
    term = 10.0 * np.sum(W0**2)

    def verdict(loss_fn):
        return compare("reg", loss_fn(W0, X, y, 10.0)[0] - loss_fn(W0, X, y, 0.0)[0], term).close

    def ignores_reg(W, X, y, reg):
        return softmax_loss_vectorized(W, X, y, 0.0)

    assert verdict(softmax_loss_vectorized)
    assert not verdict(loss_half_reg)
    assert not verdict(ignores_reg)
    # the old check (loss(reg = 10) vs ln 10 + reg * sum(W**2), atol 0.01) could not tell:
    ignored = ignores_reg(W0, X, y, 10.0)[0]
    assert compare("old", ignored, math.log(10) + term, atol=0.01).close


def test_weight_norm_path_is_one_run(digits):
    X, y = digits["train"]
    steps, norms = weight_norm_path(X, y, 1.0, 1e-3, num_iters=60, every=20, seed=3)
    assert steps.tolist() == [20, 40, 60] and norms.shape == (3,)
    ref = SoftmaxClassifier()
    ref.train(X, y, 1.0, 1e-3, 60, 100, rng=np.random.default_rng(3))
    assert norms[-1] == np.linalg.norm(ref.W)
    with pytest.raises(ValueError, match="multiple of every"):
        weight_norm_path(X, y, 1.0, 0.0, num_iters=50, every=20)


def test_weight_norm_grows_without_reg_on_separable_data():
    rng = np.random.default_rng(0)
    X = add_bias(np.vstack([rng.normal(-2, 0.3, (30, 2)), rng.normal(2, 0.3, (30, 2))]))
    y = np.repeat([0, 1], 30)
    _, free = weight_norm_path(X, y, 1.0, 0.0, num_iters=400, every=100, batch_size=20)
    _, held = weight_norm_path(X, y, 1.0, 0.1, num_iters=400, every=100, batch_size=20)
    assert np.all(np.diff(free) > 0) and free[-1] > 1.05 * free[0]  # grows like log(steps)
    assert abs(held[-1] / held[1] - 1) < 0.05


def _in_some_triangle(points, target):
    """Brute force over every triangle: an independent reference for hull_witness."""
    for a, b, c in itertools.combinations(points, 3):
        A = np.vstack([np.column_stack([a, b, c]), np.ones(3)])
        if abs(np.linalg.det(A)) < 1e-12:
            continue
        w = np.linalg.solve(A, np.append(target, 1.0))
        if (w >= -1e-12).all():
            return True
    return False


def test_hull_witness_against_brute_force():
    rng = np.random.default_rng(1)
    points = rng.standard_normal((9, 2))
    targets = rng.standard_normal((25, 2)) * 1.5
    w = hull_witness(points, targets)
    assert w.inside.tolist() == [_in_some_triangle(points, t) for t in targets]
    assert w.inside.any() and not w.inside.all()
    assert (w.weights >= 0.05).all() and math.isclose(w.weights.sum(), 1.0)
    assert np.allclose(w.weights @ points[w.corners], targets[w.target], atol=1e-12)


def test_hull_witness_spiral_and_separable_sets():
    for seed in range(3):  # make_spiral's docstring: every arm's hull holds points of the others
        X, y = make_spiral(100, 3, 0.2, rng=seed)
        for a, b in itertools.permutations(range(3), 2):
            w = hull_witness(X[y == b], X[y == a])
            assert w.target is not None
            assert np.allclose(w.weights @ X[y == b][w.corners], X[y == a][w.target], atol=1e-12)
    rng = np.random.default_rng(0)
    left, right = rng.normal(-3, 0.5, (40, 2)), rng.normal(3, 0.5, (40, 2))
    assert hull_witness(left, right).target is None  # separable: no witness
    with pytest.raises(ValueError, match="P >= 3"):
        hull_witness(np.zeros((2, 2)), np.zeros((1, 2)))


def test_make_spiral_arm_turns_229_degrees():
    X, y = make_spiral(200, 3, noise=0.0, rng=0)
    t = np.unwrap(np.arctan2(X[y == 0, 0], X[y == 0, 1])[1:])  # r = 0 has no angle
    assert math.isclose(math.degrees(t[-1] - t[0]), 229.2, abs_tol=1.5)


def test_class_means_and_template_similarity():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 6)), np.arange(50) % 3
    M = class_means(X, y, 3)
    assert np.allclose(M, [X[y == c].mean(axis=0) for c in range(3)])
    W = np.vstack([(M * [[2.0], [0.5], [3.0]]).T, np.ones(3)])  # scaled means, plus a bias row
    assert np.allclose(template_similarity(W, M), 1.0)
    assert np.allclose(template_similarity(-W, M), -1.0)
    with pytest.raises(ValueError, match="every class"):
        class_means(X, np.zeros(50, int), 3)


def test_heatmap_colours_tell_low_accuracies_apart():
    acc = np.array([[0.958, 0.947, 0.855], [0.448, 0.097, np.nan]])
    res = SearchResult(
        (1.0, 10.0), (0.0, 1e-2, 0.1), acc, acc, 1.0, 0.0, 0.958, SoftmaxClassifier()
    )
    ax = tp.search_heatmap(res).axes[0]
    im = ax.images[0]
    rgb = {a: np.array(im.cmap(im.norm(a))[:3]) for a in (0.958, 0.947, 0.855, 0.448, 0.097)}
    assert np.linalg.norm(rgb[0.855] - rgb[0.097]) > 0.5  # the pair, far apart
    assert np.linalg.norm(rgb[0.958] - rgb[0.947]) > 0.05  # and the top still resolved
    levels = [float(im.norm(a)) for a in (0.097, 0.448, 0.855, 0.947, 0.958)]
    assert levels == sorted(levels) and levels[0] == 0 and math.isclose(levels[-1], 1)
    with pytest.raises(ValueError, match="vmin"):
        tp.accuracy_norm(0.5, 1.2)


def test_misclassified_titles_give_p_y_and_loss(digits, trained):
    (_, X_raw), (Xte, yte) = digits["raw"], digits["test"]
    pred, P = trained.predict(Xte), trained.predict_proba(Xte)
    fig = tp.misclassified_figure(X_raw, yte, pred, probs=P, max_images=3)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    for ax, i in zip(shown, np.flatnonzero(pred != yte)[:3], strict=True):
        p = P[i, yte[i]]
        expected = f"true {yte[i]} → {pred[i]}\n$p_y$ = {p:.2f}, loss {-math.log(p):.1f}"
        assert ax.get_title() == expected
    with pytest.raises(ValueError, match="probs"):
        tp.misclassified_figure(X_raw, yte, pred, probs=P[:5])


def test_template_rows_figure(trained):
    means = np.arange(10 * 64, dtype=float).reshape(10, 8, 8) - 300
    fig = tp.template_rows([("class mean", means), ("reg = 0", trained.W)])
    assert len(fig.axes) == 20
    assert np.array_equal(fig.axes[3].images[0].get_array(), means[3])
    assert np.allclose(fig.axes[13].images[0].get_array(), trained.W[:64, 3].reshape(8, 8))
    assert fig.axes[0].get_ylabel() == "class mean" and fig.axes[10].get_ylabel() == "reg = 0"
    assert fig.axes[0].images[0].get_clim() == (-339.0, 339.0)  # each row on its own scale
    assert fig.axes[10].images[0].get_clim()[1] == pytest.approx(np.abs(trained.W[:64]).max())


def test_weight_norm_figure_lines():
    paths = {
        0.0: (np.array([1, 2]), np.array([3.0, 4.0])),
        0.1: (np.array([1, 2]), np.array([1.0, 1.0])),
    }
    ax = tp.weight_norm_figure(paths).axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["reg = 0", "reg = 0.1"]
    assert np.array_equal(ax.lines[0].get_ydata(), [3.0, 4.0])
    with pytest.raises(TypeError, match="paths"):
        tp.weight_norm_figure([])


def test_hull_witness_figure_draws_the_triangle():
    X, y = make_spiral(100, 3, 0.2, rng=0)
    w = hull_witness(X[y == 0], X[y == 1])
    ax = tp.hull_witness_figure(X, y, 1, 0, w).axes[0]
    assert np.allclose(ax.patches[0].get_xy()[:3], X[y == 0][w.corners])
    assert np.allclose(ax.collections[-1].get_offsets()[0], X[y == 1][w.target])
    assert f"{w.weights[0]:.2f}" in ax.get_title()
