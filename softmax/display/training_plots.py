"""Figure builders for notebook 06 (training a softmax classifier on real images).

Each builder draws with the package style (:mod:`softmax.display._style`) and returns the
:class:`matplotlib.figure.Figure`, so tests can read back titles, labels and
data. Pass ``ax`` (or ``fig``) to draw into an existing figure (the retrain
widget of :mod:`softmax.display.training_widget` does, on a figure pyplot does not
manage); otherwise a new pyplot figure is created, shown with ``plt.show()``.

=======================  ===================================================
builder                  shows
=======================  ===================================================
digits_gallery           a few images of every class
loss_curve               minibatch loss per SGD step, its moving average, ln C
search_heatmap           validation accuracy over learning rate x reg
weight_templates         each class's weights as an image (8x8 or 32x32x3)
confusion_figure         true class against predicted class, counts
misclassified_figure     test images the classifier got wrong (with p_y and loss)
template_rows            class means and templates at several reg, row by row
weight_norm_figure       ||W|| against SGD steps for several reg
decision_regions         the class a 2-D classifier predicts at every point
hull_witness_figure      a point of one class inside a triangle of another
=======================  ===================================================
"""

from __future__ import annotations

import math
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import FuncNorm, ListedColormap
from matplotlib.patches import Polygon, Rectangle
from matplotlib.ticker import MaxNLocator

from .._validation import _check_labels, as_float_array
from ..classifier import SearchResult, confusion_matrix
from . import _style
from ._style import BLUE, SKY, VERMILLION
from .describe import describe

__all__ = [
    "accuracy_norm",
    "confusion_figure",
    "decision_regions",
    "digits_gallery",
    "draw_loss_curve",
    "draw_weight_templates",
    "hull_witness_figure",
    "loss_curve",
    "misclassified_figure",
    "moving_average",
    "search_heatmap",
    "template_images",
    "template_rows",
    "weight_norm_figure",
    "weight_templates",
]

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")


def _new_figure(figsize):
    return plt.figure(figsize=figsize, layout="constrained")


def _class_names(names, C: int) -> list[str]:
    if names is None:
        return [str(j) for j in range(C)]
    names = [str(n) for n in names]
    if len(names) != C:
        raise ValueError(f"class_names must have {C} entries; got {len(names)}")
    return names


def _images(name: str, X, image_shape) -> np.ndarray:
    """Rows of X reshaped to images; X is (N, prod(image_shape)) or already (N, *image_shape)."""
    X = as_float_array(name, X)
    size = math.prod(image_shape)
    if X.ndim == 2 and X.shape[1] in (size, size + 1):  # a bias column is dropped
        return X[:, :size].reshape(-1, *image_shape)
    if X.shape[1:] == tuple(image_shape):
        return X
    raise ValueError(
        f"{name} must have shape (N, {size}) or (N, {', '.join(map(str, image_shape))}); "
        f"got {X.shape}"
    )


# ----------------------------------------------------------------------------- data


def digits_gallery(X, y, *, per_class=6, class_names=None, image_shape=(8, 8), title=None):
    """The first ``per_class`` images of every class, one row per class.

    Parameters
    ----------
    X : array_like, shape (N, 64) or (N, 8, 8)
        Raw pixel values (0..16 for the digits).
    y : array_like, shape (N,), integer labels
    per_class : int >= 1

    Returns
    -------
    Figure
        ``fig.axes`` holds ``C * per_class`` image axes, row c showing class c.
    """
    images = _images("X", X, image_shape)
    y = _check_labels(y, images.shape[0], int(np.max(y)) + 1 if np.size(y) else 1)
    classes = np.unique(y)
    names = _class_names(class_names, len(classes)) if class_names else [str(c) for c in classes]
    if isinstance(per_class, bool) or not isinstance(per_class, numbers.Integral) or per_class < 1:
        raise ValueError(f"per_class must be an integer >= 1; got {per_class!r}")
    with _style.style():
        fig, axes = plt.subplots(
            len(classes),
            per_class,
            figsize=(0.7 * per_class + 0.8, 0.7 * len(classes) + 0.7),
            layout="constrained",
            squeeze=False,
        )
        vmax = float(images.max())
        for r, c in enumerate(classes):
            idx = np.flatnonzero(y == c)[:per_class]
            for k, ax in enumerate(axes[r]):
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                if k < idx.size:
                    ax.imshow(images[idx[k]], cmap="gray_r", vmin=0, vmax=vmax)
            axes[r, 0].set_ylabel(names[r], rotation=0, labelpad=14, va="center", fontsize=18)
        fig.suptitle(title or f"{per_class} training images of each class", fontsize=18)
    describe(
        fig,
        f"Image grid: {per_class} training images of each of the {len(classes)} classes, "
        f"one row per class ({', '.join(names)}), {'×'.join(map(str, images.shape[1:3]))} "
        "pixels each, dark = ink.",
    )
    return fig


# ----------------------------------------------------------------------------- training


def moving_average(values, window: int) -> np.ndarray:
    """Mean of each run of ``window`` consecutive values, shape (max(len - window + 1, 0),)."""
    v = as_float_array("values", values, ndim=1)
    if isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1:
        raise ValueError(f"window must be an integer >= 1; got {window!r}")
    if v.size < window:
        return np.empty(0)
    c = np.concatenate([[0.0], np.cumsum(v, dtype=np.float64)])
    return (c[window:] - c[:-window]) / window


def draw_loss_curve(ax, history, *, num_classes=10, window=50, title=None):
    """Draw :func:`loss_curve` into ``ax`` (clears it first)."""
    h = as_float_array("history", history, ndim=1)
    ax.clear()
    steps = np.arange(h.size)
    ax.plot(steps, h, color=SKY, linewidth=1.0, alpha=0.8, label="minibatch loss")
    window = min(window, h.size)
    avg = moving_average(h, window)
    ax.plot(steps[window - 1 :], avg, color=BLUE, label=f"average of {window} steps")
    ax.axhline(
        math.log(num_classes),
        color=VERMILLION,
        linestyle="--",
        linewidth=1.5,
        label=f"ln {num_classes} = {math.log(num_classes):.3f} (guessing)",
    )
    ax.set_xlabel("SGD step")
    ax.set_ylabel("softmax loss")
    ax.set_ylim(0, max(math.log(num_classes), float(h.max())) * 1.08)
    ax.legend(loc="center right")
    ax.set_title(title or f"training loss: {h[0]:.3f} at step 0, {avg[-1]:.3f} at the end")
    describe(
        ax,
        f"Line chart: the minibatch loss at each of {h.size} SGD steps and its average over "
        f"{window} steps. The loss starts at {h[0]:.3f} (near ln {num_classes} = "
        f"{math.log(num_classes):.3f}, guessing, dashed line) and its average ends at "
        f"{avg[-1]:.3f}.",
    )


def loss_curve(history, *, num_classes=10, window=50, title=None, ax=None):
    """The minibatch loss of every SGD step, its moving average and the ln C line.

    Parameters
    ----------
    history : array_like, shape (T,)
        Losses returned by :meth:`SoftmaxClassifier.train`.
    num_classes : int
        C, for the reference line ``ln C`` (the loss of uniform guessing).
    window : int
        Width of the moving average.

    Returns
    -------
    Figure
        ``ax.lines``: raw losses, moving average, ``ln C``.
    """
    with _style.style():
        if ax is None:
            ax = _new_figure((8, 4.2)).add_subplot()
        draw_loss_curve(ax, history, num_classes=num_classes, window=window, title=title)
    return ax.figure


def accuracy_norm(vmin: float, vmax: float):
    """A colour norm for accuracies in [vmin, vmax]: linear in ``-log10(1 - accuracy)``.

    Returns
    -------
    matplotlib.colors.FuncNorm
        Maps vmin to 0 and vmax to 1; accuracies of 1 are treated as an error
        of 1e-4.
    """
    if not (0 <= vmin <= vmax <= 1):
        raise ValueError(f"need 0 <= vmin <= vmax <= 1; got vmin={vmin}, vmax={vmax}")

    def forward(a):
        return -np.log10(np.maximum(1.0 - np.asarray(a, dtype=float), 1e-4))

    def inverse(f):
        return 1.0 - 10.0 ** (-np.asarray(f, dtype=float))

    return FuncNorm((forward, inverse), vmin=vmin, vmax=max(vmax, vmin + 1e-9))


def search_heatmap(result: SearchResult, *, ax=None, title=None):
    """Validation accuracy of each (learning rate, reg) pair; the best one boxed.

    Colours follow the error ``1 - accuracy`` on a log scale (:func:`accuracy_norm`),
    so 0.95 and 0.99 differ as much as 0.5 and 0.9, and a run at chance (0.1)
    looks nothing like a run at 0.85.

    Parameters
    ----------
    result : SearchResult
        From :func:`softmax.classifier.lr_reg_search`.

    Returns
    -------
    Figure
        ``ax.images[0]`` holds the (L, R) accuracy grid; each cell is annotated
        with its accuracy ("diverged" where training blew up).
    """
    if not isinstance(result, SearchResult):
        raise TypeError(f"result must be a SearchResult; got {type(result).__name__}")
    acc = result.val_accuracy
    L, R = acc.shape
    with _style.style():
        if ax is None:
            ax = _new_figure((1.3 * R + 3.2, 0.62 * L + 1.8)).add_subplot()
        finite = acc[np.isfinite(acc)]
        norm = accuracy_norm(float(finite.min()), float(finite.max()))
        cmap = plt.get_cmap(_style.SEQUENTIAL_CMAP).with_extremes(bad="#d9d9d9")
        im = ax.imshow(np.ma.masked_invalid(acc), cmap=cmap, norm=norm, aspect="auto")
        for i in range(L):
            for j in range(R):
                v = acc[i, j]
                bright = np.isfinite(v) and norm(v) > 0.6
                ax.text(
                    j,
                    i,
                    f"{v:.3f}" if np.isfinite(v) else "diverged",
                    ha="center",
                    va="center",
                    fontsize=_style.MIN_TEXT_PT,
                    color="black" if (bright or not np.isfinite(v)) else "white",
                )
        bi = result.learning_rates.index(result.best_learning_rate)
        bj = result.regs.index(result.best_reg)
        ax.add_patch(
            Rectangle((bj - 0.5, bi - 0.5), 1, 1, fill=False, edgecolor=VERMILLION, linewidth=3.5)
        )
        ax.set_xticks(range(R), [f"{r:g}" for r in result.regs])
        ax.set_yticks(range(L), [f"{lr:g}" for lr in result.learning_rates])
        ax.set_xlabel("regularisation strength reg")
        ax.set_ylabel("learning rate")
        ax.grid(False)
        bar = ax.figure.colorbar(im, ax=ax, label="validation accuracy (log error scale)")
        ticks = [t for t in (0.1, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99) if norm.vmin <= t <= norm.vmax]
        bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
        ax.set_title(
            title
            or f"best: lr = {result.best_learning_rate:g}, reg = {result.best_reg:g} "
            f"(val. acc. {result.best_val_accuracy:.3f})"
        )
    diverged = int(np.count_nonzero(~np.isfinite(acc)))
    describe(
        ax,
        f"Heat map of validation accuracy for {L} learning rates (rows, "
        f"{', '.join(f'{lr:g}' for lr in result.learning_rates)}) by {R} regularisation "
        f"strengths (columns, {', '.join(f'{r:g}' for r in result.regs)}), each accuracy "
        f"printed in its cell: from {finite.min():.3f} to {finite.max():.3f}"
        + (f", {diverged} runs diverged" if diverged else "")
        + f". Best (outlined): learning rate {result.best_learning_rate:g}, reg "
        f"{result.best_reg:g}, accuracy {result.best_val_accuracy:.3f}.",
    )
    return ax.figure


def template_images(W, image_shape=(8, 8)) -> np.ndarray:
    """The columns of W (bias row dropped) as images, shape (C, *image_shape).

    Colour images (``image_shape`` with 3 channels) are rescaled to [0, 1] per
    class, as CS231n shows CIFAR-10 templates; grey ones are returned as they are.
    """
    W = as_float_array("W", W, ndim=2)
    size = math.prod(image_shape)
    if W.shape[0] not in (size, size + 1):
        raise ValueError(
            f"W must have {size} rows (or {size + 1} with the bias row) for images of shape "
            f"{tuple(image_shape)}; got shape {W.shape}"
        )
    T = W[:size].T.reshape(-1, *image_shape)
    if len(image_shape) == 3:
        lo = T.min(axis=(1, 2, 3), keepdims=True)
        hi = T.max(axis=(1, 2, 3), keepdims=True)
        T = (T - lo) / np.where(hi > lo, hi - lo, 1.0)
    return T


COLORBAR_LABEL = "weight (red +, blue −)"


def draw_weight_templates(
    fig, W, *, class_names=None, image_shape=(8, 8), title=None, colorbar_label=COLORBAR_LABEL
):
    """Draw :func:`weight_templates` into the (cleared) figure ``fig``; returns the axes.

    ``colorbar_label`` may hold a line break, for a figure too short for it on one line.
    """
    T = template_images(W, image_shape)
    C = T.shape[0]
    names = _class_names(class_names, C)
    fig.clear()
    cols = min(C, 5)
    rows = math.ceil(C / cols)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    limit = float(np.abs(T).max()) or 1.0
    im = None
    for c, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        if c >= C:
            ax.set_visible(False)
            continue
        if T.ndim == 4:
            ax.imshow(T[c])
        else:
            im = ax.imshow(T[c], cmap=_style.DIVERGING_CMAP, vmin=-limit, vmax=limit)
        ax.set_title(names[c], fontsize=14)
    if im is not None:
        fig.colorbar(im, ax=list(axes), shrink=0.8, label=colorbar_label)
    fig.suptitle(title or "learned weights: one template per class", fontsize=15)
    shape = "×".join(map(str, T.shape[1:3]))
    describe(
        fig,
        f"{C} images, one per class ({', '.join(names)}): each class's learned weights "
        f"drawn as a {shape} image"
        + (
            f", red for positive and blue for negative weights (largest |w| {limit:.2g}). "
            "Each template looks like a blurred average of its class: pixels where that "
            "class has ink get positive weight."
            if T.ndim == 3
            else ", colours rescaled per class."
        ),
    )
    return axes


def weight_templates(W, *, class_names=None, image_shape=(8, 8), title=None, fig=None):
    """Each class's weight column drawn as an image: what the classifier looks for.

    Parameters
    ----------
    W : array_like, shape (D, C) with D = prod(image_shape) (+ 1 bias row, ignored)
    class_names : sequence of C str, optional
    image_shape : tuple, (8, 8) for the digits, (32, 32, 3) for CIFAR-10
        Grey templates use a diverging colour map centred on 0 (shared limits
        across classes); colour templates are rescaled per class.

    Returns
    -------
    Figure
        One image axes per class, titled with the class name.
    """
    with _style.style():
        if fig is None:
            fig = _new_figure((9.5, 4.4))
        draw_weight_templates(fig, W, class_names=class_names, image_shape=image_shape, title=title)
    return fig


# ----------------------------------------------------------------------------- evaluation


def confusion_figure(y_true, y_pred, num_classes=10, *, class_names=None, title=None, ax=None):
    """Confusion matrix: rows true class, columns predicted class, every count written.

    Returns
    -------
    Figure
        ``ax.images[0]`` holds the (C, C) counts of
        :func:`softmax.classifier.confusion_matrix`.
    """
    M = confusion_matrix(y_true, y_pred, num_classes)
    C = M.shape[0]
    names = _class_names(class_names, C)
    with _style.style():
        if ax is None:
            ax = _new_figure((6.8, 5.4)).add_subplot()
        im = ax.imshow(M, cmap="Blues")
        for i in range(C):
            for j in range(C):
                if M[i, j]:
                    ax.text(
                        j,
                        i,
                        str(M[i, j]),
                        ha="center",
                        va="center",
                        fontsize=_style.MIN_TEXT_PT,
                        color="white" if M[i, j] > 0.5 * M.max() else "black",
                    )
        ax.set_xticks(range(C), names)
        ax.set_yticks(range(C), names)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.grid(False)
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label="number of images")
        acc = np.trace(M) / M.sum()
        errors = int(M.sum() - np.trace(M))
        off = M.copy()
        np.fill_diagonal(off, 0)
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        worst = (
            f"; the most frequent mistake: true {names[i]} predicted as {names[j]} "
            f"({off[i, j]} times)"
            if off[i, j]
            else ""
        )
        describe(
            ax,
            f"Confusion matrix, {C} by {C}: true class (rows) against predicted class "
            f"(columns), counts printed in the cells. {int(np.trace(M))} of {int(M.sum())} "
            f"images on the diagonal (accuracy {acc:.3f}), {errors} off it{worst}.",
        )
        ax.set_title(title or f"confusion matrix: {errors} errors, accuracy {acc:.3f}")
    return ax.figure


def misclassified_figure(
    X, y_true, y_pred, *, probs=None, max_images=10, image_shape=(8, 8), title=None
):
    """The first ``max_images`` examples whose prediction is wrong, titled 'true → predicted'.

    Parameters
    ----------
    X : array_like, shape (N, 64) or (N, 8, 8), raw pixels (for display only)
    y_true, y_pred : array_like, shape (N,)
    probs : array_like, shape (N, C), optional
        The classifier's probabilities (``SoftmaxClassifier.predict_proba``). When
        given, each title adds ``p_y``, the probability of the true class, and the
        example's loss ``-ln p_y``.

    Returns
    -------
    Figure
        One axes per wrong example shown (at most ``max_images``), in order.
    """
    images = _images("X", X, image_shape)
    N = images.shape[0]
    y_true = _check_labels(y_true, N, int(np.max(y_true)) + 1)
    y_pred = np.asarray(y_pred)
    if y_pred.shape != (N,):
        raise ValueError(f"y_pred must have shape ({N},); got {y_pred.shape}")
    if probs is not None:
        probs = as_float_array("probs", probs, ndim=2)
        if probs.shape[0] != N or probs.shape[1] <= int(y_true.max()):
            raise ValueError(
                f"probs must have shape ({N}, C) with C > max(y_true); got {probs.shape}"
            )
    wrong = np.flatnonzero(y_true != y_pred)[:max_images]
    cols = max(min(len(wrong), 5), 1)
    rows = max(math.ceil(len(wrong) / cols), 1)
    height = 2.25 if probs is None else 2.75
    with _style.style():
        fig, axes = plt.subplots(
            rows,
            cols,
            figsize=(2.1 * cols, height * rows + 0.4),
            layout="constrained",
            squeeze=False,
        )
        for k, ax in enumerate(axes.ravel()):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if k >= len(wrong):
                ax.set_visible(False)
                continue
            i = wrong[k]
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=float(images.max()))
            label = f"true {y_true[i]} → {y_pred[i]}"
            if probs is not None:
                p_y = float(probs[i, y_true[i]])
                label += f"\n$p_y$ = {p_y:.2f}, loss {-math.log(max(p_y, 1e-300)):.1f}"
            ax.set_title(label, fontsize=14, color=VERMILLION)
        n_wrong = int(np.count_nonzero(y_true != y_pred))
        fig.suptitle(
            title or f"{len(wrong)} of the {n_wrong} misclassified test images", fontsize=15
        )
    describe(
        fig,
        f"{len(wrong)} of the {n_wrong} misclassified test images, each titled with its "
        "true and predicted class"
        + (", the probability of the true class p_y and the loss" if probs is not None else "")
        + ": "
        + "; ".join(
            f"true {y_true[i]} predicted {y_pred[i]}"
            + (f", p_y {float(probs[i, y_true[i]]):.2f}" if probs is not None else "")
            for i in wrong
        )
        + ".",
    )
    return fig


def template_rows(rows, *, image_shape=(8, 8), title=None):
    """Rows of class images, each row on its own symmetric colour scale.

    For notebook 06's comparison of the class-mean images with the templates
    learned at several regularisation strengths (their sizes differ by orders of
    magnitude, so each row gets its own limits).

    Parameters
    ----------
    rows : sequence of (label, array)
        Each array is a weight matrix of shape (D, C) (bias row dropped, as in
        :func:`template_images`) or images of shape (C, *image_shape).

    Returns
    -------
    Figure
        ``fig.axes[r * C + c]`` shows class c of row r; the first axes of each row
        carries the row label as its y label.
    """
    if isinstance(rows, str) or len(rows) == 0:
        raise ValueError("rows must be a non-empty sequence of (label, array) pairs")
    stacks = []
    for label, A in rows:
        A = as_float_array(str(label), A)
        T = A if A.shape[1:] == tuple(image_shape) else template_images(A, image_shape)
        stacks.append((str(label), T))
    C = stacks[0][1].shape[0]
    if any(T.shape[0] != C for _, T in stacks):
        raise ValueError("every row must hold the same number of classes")
    with _style.style():
        fig, axes = plt.subplots(
            len(stacks),
            C,
            figsize=(0.95 * C + 1.6, 1.05 * len(stacks) + 0.7),
            layout="constrained",
            squeeze=False,
        )
        for r, (label, T) in enumerate(stacks):
            limit = float(np.abs(T).max()) or 1.0
            for c, ax in enumerate(axes[r]):
                ax.imshow(T[c], cmap=_style.DIVERGING_CMAP, vmin=-limit, vmax=limit)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                if r == 0:
                    ax.set_title(str(c), fontsize=14)
            axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=13)
        fig.suptitle(title or "red +, blue −; each row on its own scale", fontsize=15)
    describe(
        fig,
        f"Image grid: {len(stacks)} rows of {C} class templates "
        f"({', '.join(label for label, _ in stacks)}), red positive, blue negative, each "
        "row on its own colour scale (largest |value| "
        + ", ".join(f"{float(np.abs(T).max()):.2g}" for _, T in stacks)
        + "). Compare each row's shapes with the class means in the first row.",
    )
    return fig


def weight_norm_figure(paths, *, title=None, ax=None):
    """``||W||`` against SGD steps, one line per regularisation strength.

    Parameters
    ----------
    paths : dict {reg: (steps, norms)}
        From :func:`softmax.classifier.weight_norm_path`.

    Returns
    -------
    Figure
        ``ax.lines[k]`` holds the k-th path, labelled ``reg = ...``.
    """
    if not isinstance(paths, dict) or not paths:
        raise TypeError("paths must be a non-empty dict {reg: (steps, norms)}")
    with _style.style():
        if ax is None:
            ax = _new_figure((8, 4.2)).add_subplot()
        for k, (reg, (steps, norms)) in enumerate(paths.items()):
            ax.plot(
                steps,
                norms,
                marker=MARKERS[k % len(MARKERS)],
                color=_style.PALETTE[k % len(_style.PALETTE)],
                label=f"reg = {reg:g}",
            )
        ax.set_xscale("log")
        ax.set_xlabel("SGD step (log scale)")
        ax.set_ylabel("‖W‖ (Frobenius)")
        ax.set_ylim(0, None)
        ax.legend(loc="upper left")
        ax.set_title(title or "the size of W during training")
    describe(
        ax,
        "Line chart: the size ‖W‖ of the weights against the SGD step (log scale), one "
        "line per regularisation strength: "
        + "; ".join(
            f"reg = {reg:g} ends at {float(np.asarray(norms)[-1]):.3g}"
            for reg, (_, norms) in paths.items()
        )
        + ". The stronger the regularisation, the smaller W stays.",
    )
    return ax.figure


def hull_witness_figure(X, y, inside_class, hull_class, witness, *, title=None, ax=None):
    """The points of a 2-D data set, and a point of one class inside a triangle of another.

    Parameters
    ----------
    X : array_like, shape (N, 2); y : array_like, shape (N,)
    inside_class, hull_class : int
        The witness is a point of ``inside_class`` in the convex hull of ``hull_class``.
    witness : softmax.classifier.HullWitness
        From ``hull_witness(X[y == hull_class], X[y == inside_class])``.

    Returns
    -------
    Figure
        ``ax.patches[0]`` is the triangle; ``ax.collections``: one scatter per
        class, then the witness point.
    """
    X = as_float_array("X", X, ndim=2)
    y = _check_labels(y, X.shape[0], int(np.max(y)) + 1)
    if witness.target is None:
        raise ValueError("the witness holds no point: no point of inside_class is in the hull")
    corners = X[y == hull_class][witness.corners]
    point = X[y == inside_class][witness.target]
    C = int(y.max()) + 1
    colours = [_style.PALETTE[c % len(_style.PALETTE)] for c in range(C)]
    with _style.style():
        if ax is None:
            ax = _new_figure((6.4, 5.8)).add_subplot()
        _scatter_classes(
            ax,
            X,
            y,
            colours,
            s=18,
            alpha=lambda c: 0.9 if c in (inside_class, hull_class) else 0.35,
        )
        ax.add_patch(
            Polygon(
                corners,
                closed=True,
                facecolor=colours[hull_class],
                alpha=0.25,
                edgecolor=colours[hull_class],
                linewidth=2,
            )
        )
        ax.scatter(
            [point[0]],
            [point[1]],
            s=260,
            marker="*",
            color=colours[inside_class],
            edgecolor="black",
            linewidth=1.2,
            label=f"a point of class {inside_class}",
        )
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.grid(False)
        ax.legend(loc="lower right", fontsize=_style.MIN_TEXT_PT, framealpha=0.9)
        w = ", ".join(f"{v:.2f}" for v in witness.weights)
        describe(
            ax,
            f"Scatter plot of {X.shape[0]} points of {C} classes in the plane, one marker "
            f"shape per class. A star marks a point of class {inside_class} at "
            f"({point[0]:.2f}, {point[1]:.2f}) inside a shaded triangle of three points of "
            f"class {hull_class} (weights {w}): no linear classifier can separate them.",
        )
        ax.set_title(title or f"inside a triangle of class {hull_class}: weights {w}", fontsize=14)
    return ax.figure


def _scatter_classes(ax, X, y, colours, *, alpha=None, **kwargs):
    """One scatter per class c (colour ``colours[c]``, marker ``MARKERS[c]``, label 'class c');
    ``alpha`` maps a class to its opacity."""
    for c in range(len(colours)):
        pts = X[y == c]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            color=colours[c],
            marker=MARKERS[c % len(MARKERS)],
            alpha=None if alpha is None else alpha(c),
            label=f"class {c}",
            **kwargs,
        )


def decision_regions(
    classifier, X, y, *, features=None, resolution=300, margin=0.15, title=None, ax=None
):
    """Colour the plane by the class a classifier predicts; overlay the data points.

    Parameters
    ----------
    classifier : object with ``predict((M, F)) -> (M,)`` (a trained SoftmaxClassifier)
    X : array_like, shape (N, 2), the 2-D points
    y : array_like, shape (N,), integer labels
    features : callable, optional
        Maps (M, 2) points to the classifier's inputs (M, F), e.g.
        :func:`softmax.data.add_bias`. Default: the points themselves.
    resolution : int
        Grid points per axis.

    Returns
    -------
    Figure
        ``ax.images[0]`` holds the predicted class on the grid; ``ax.collections``
        one scatter per class.
    """
    X = as_float_array("X", X, ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns (points in the plane); got shape {X.shape}")
    y = _check_labels(y, X.shape[0], int(np.max(y)) + 1)
    C = int(y.max()) + 1
    features = features or (lambda P: P)
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    gx = np.linspace(lo[0], hi[0], resolution)
    gy = np.linspace(lo[1], hi[1], resolution)
    GX, GY = np.meshgrid(gx, gy)
    grid_pred = np.asarray(classifier.predict(features(np.column_stack([GX.ravel(), GY.ravel()]))))
    Z = grid_pred.reshape(GX.shape)
    colours = [_style.PALETTE[c % len(_style.PALETTE)] for c in range(C)]
    accuracy = float(np.mean(np.asarray(classifier.predict(features(X))) == y))
    with _style.style():
        if ax is None:
            ax = _new_figure((6.4, 5.8)).add_subplot()
        ax.imshow(
            Z,
            origin="lower",
            extent=(lo[0], hi[0], lo[1], hi[1]),
            cmap=ListedColormap(colours),
            vmin=-0.5,
            vmax=C - 0.5,
            alpha=0.3,
            interpolation="nearest",
        )
        _scatter_classes(ax, X, y, colours, s=22, edgecolor="black", linewidth=0.4)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_aspect("equal")
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.grid(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.set_title(title or f"predicted class regions (training accuracy {accuracy:.2f})")
    shares = ", ".join(f"class {c} {np.mean(c == Z):.0%}" for c in range(C))
    describe(
        ax,
        f"Decision regions: the plane shaded by the class a linear classifier predicts "
        f"(share of the area: {shares}), with the {X.shape[0]} training points on top, one "
        f"marker shape per class. The regions are convex, with straight borders; training "
        f"accuracy {accuracy:.2f}.",
    )
    return ax.figure
