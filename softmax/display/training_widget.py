"""The retrain widget of notebook 06: choose lr / reg / steps, retrain, redraw.

:func:`retrain_explorer` returns a :class:`RetrainExplorer` (an ``HBox``):
sliders for the learning rate, the regularisation strength and the number of
SGD steps (each retrains when released, not while dragged), a readout with the
training and validation accuracy, and one figure with the loss curve above the
learned weight templates.

As in :mod:`softmax.display.widgets`, the figure is a matplotlib figure that pyplot does
not manage, rendered to PNG into an ``ipywidgets.Image``; the slider callback is
:meth:`RetrainExplorer.retrain`, so setting a slider's ``value`` from code (a
test, or a notebook cell) retrains and redraws without a browser. Every
retrain starts from ``np.random.default_rng(seed)``: the same settings always
give the same classifier. ``repr()`` is short and deterministic for strict nbval.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._validation import _check_labels, as_float_array
from ..classifier import SoftmaxClassifier
from . import _style
from .describe import DescribedImage, describe
from .training_plots import draw_loss_curve, draw_weight_templates

__all__ = ["RetrainExplorer", "retrain_explorer"]

LR_RANGE = (1e-3, 30.0)
REG_RANGE = (1e-6, 1.0)
ITERS_RANGE = (50, 3000)


def _in_range(name: str, value, bounds) -> float:
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number in [{lo:g}, {hi:g}]; got {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}] (the slider range); got {value!r}")
    return float(value)


class RetrainExplorer(widgets.HBox):
    """Widget of notebook 06: retrain with chosen lr / reg / steps; see the curve and templates.

    Sliders for lr, reg and steps; each change retrains a SoftmaxClassifier from
    the same seed and redraws. Also available as ``retrain_explorer(...)``.

    Parameters
    ----------
    X_train : array_like, shape (N, D), preprocessed (bias column included)
    y_train : array_like, shape (N,), integer labels
    X_val : array_like, shape (M, D); y_val : array_like, shape (M,)
    learning_rate : float in [1e-3, 30]
    reg : float in [1e-6, 1]
    num_iters : int in [50, 3000]
    batch_size : int, seed : int
        Minibatch size and the seed every retrain starts from.
    image_shape : tuple
        Shape of one image, (8, 8) for the digits; D = prod(image_shape) (+ 1).
    class_names : sequence of C str, optional
    loss : str or callable
        Loss function, as for :meth:`SoftmaxClassifier.train` (default "auto").

    Display it; set ``.lr_slider.value`` (or ``reg_slider`` / ``iters_slider``) from
    code to retrain, then read ``.summary()`` or ``.val_accuracy``. Attributes that
    tests and notebook cells use:

    lr_slider, reg_slider : FloatLogSlider
    iters_slider : IntSlider
    readout : HTML
    image : Image (the figure as PNG)
    figure : matplotlib Figure; ``figure.subfigs[0]`` holds the loss curve,
        ``figure.subfigs[1]`` the templates
    classifier : SoftmaxClassifier of the last retrain (None if it diverged)
    history : list of float, the last training's losses (empty if it diverged)
    train_accuracy, val_accuracy : float (NaN if it diverged)
    retrain_count : int, how many times :meth:`retrain` ran
    """

    def __init__(
        self,
        X_train,
        y_train,
        X_val,
        y_val,
        *,
        learning_rate=1.0,
        reg=1e-4,
        num_iters=500,
        batch_size=100,
        seed=0,
        image_shape=(8, 8),
        class_names=None,
        loss="auto",
    ):
        self.loss = loss
        self.X_train = as_float_array("X_train", X_train, ndim=2)
        self.X_val = as_float_array("X_val", X_val, ndim=2)
        if self.X_val.shape[1] != self.X_train.shape[1]:
            raise ValueError(
                f"X_val has {self.X_val.shape[1]} features but X_train has {self.X_train.shape[1]}"
            )
        C = int(np.max(y_train)) + 1 if np.size(y_train) else 2
        self.y_train = _check_labels(y_train, self.X_train.shape[0], max(C, 2))
        self.y_val = _check_labels(y_val, self.X_val.shape[0], max(C, 2))
        self.num_classes = max(C, 2)
        size = math.prod(image_shape)
        if self.X_train.shape[1] not in (size, size + 1):
            raise ValueError(
                f"image_shape {tuple(image_shape)} needs {size} features (or {size + 1} with "
                f"the bias column); X_train has {self.X_train.shape[1]}"
            )
        self.image_shape = tuple(image_shape)
        self.class_names = class_names
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        style = {"description_width": "160px"}
        self.lr_slider = widgets.FloatLogSlider(
            value=_in_range("learning_rate", learning_rate, LR_RANGE),
            base=10,
            min=math.log10(LR_RANGE[0]),
            max=math.log10(LR_RANGE[1]),
            step=0.05,
            description="learning rate",
            readout_format=".3g",
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width="440px"),
        )
        self.reg_slider = widgets.FloatLogSlider(
            value=_in_range("reg", reg, REG_RANGE),
            base=10,
            min=math.log10(REG_RANGE[0]),
            max=math.log10(REG_RANGE[1]),
            step=0.1,
            description="reg",
            readout_format=".1e",
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width="440px"),
        )
        iters = _in_range("num_iters", num_iters, ITERS_RANGE)
        if iters != int(iters):
            raise ValueError(f"num_iters must be a whole number; got {num_iters!r}")
        self.iters_slider = widgets.IntSlider(
            value=int(iters),
            min=ITERS_RANGE[0],
            max=ITERS_RANGE[1],
            step=50,
            description="SGD steps",
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width="440px"),
        )
        self.readout = widgets.HTML()
        self.image = DescribedImage(format="png", layout=widgets.Layout(width="700px"))
        with _style.style():
            # 700 px wide at 100 dpi: the image shows at its own size, its text at 18 px; with
            # the 450 px controls it fits a slide (1180 px), 440 px high above the arrows.
            self.figure = Figure(figsize=(7.0, 4.4), layout="constrained")
            self.figure.subfigures(2, 1, height_ratios=[1.0, 1.15])
        self.classifier: SoftmaxClassifier | None = None
        self.history: list[float] = []
        self.train_accuracy = self.val_accuracy = float("nan")
        self.retrain_count = 0
        controls = widgets.VBox(
            [self.lr_slider, self.reg_slider, self.iters_slider, self.readout],
            layout=widgets.Layout(width="450px"),
        )
        super().__init__([controls, self.image])
        for w in (self.lr_slider, self.reg_slider, self.iters_slider):
            w.observe(self._on_change, names="value")
        self.retrain()

    @property
    def learning_rate(self) -> float:
        return float(self.lr_slider.value)

    @property
    def reg(self) -> float:
        return float(self.reg_slider.value)

    @property
    def num_iters(self) -> int:
        return int(self.iters_slider.value)

    @property
    def diverged(self) -> bool:
        return self.classifier is None

    def summary(self) -> str:
        """One deterministic line: the settings and the accuracies."""
        settings = f"lr = {self.learning_rate:.3g}, reg = {self.reg:.1e}, {self.num_iters} steps"
        if self.diverged:
            return f"{settings}: diverged (lower the learning rate)"
        return (
            f"{settings}: final loss {np.mean(self.history[-50:]):.3f}, "
            f"train accuracy {self.train_accuracy:.3f}, validation accuracy {self.val_accuracy:.3f}"
        )

    def _on_change(self, change) -> None:
        self.retrain()

    @_style.one_redraw_at_a_time
    def retrain(self) -> None:
        """Train a new classifier with the slider values, then redraw (the sliders' callback)."""
        self.retrain_count += 1
        clf = SoftmaxClassifier(num_classes=self.num_classes)
        top, bottom = self.figure.subfigs
        try:
            history = clf.train(
                self.X_train,
                self.y_train,
                self.learning_rate,
                self.reg,
                self.num_iters,
                self.batch_size,
                np.random.default_rng(self.seed),
                loss=self.loss,
            )
        except FloatingPointError:
            self.classifier, self.history = None, []
            self.train_accuracy = self.val_accuracy = float("nan")
            with _style.style():
                top.clear()
                bottom.clear()
                ax = top.add_subplot()
                ax.set_axis_off()
                ax.text(
                    0.5,
                    0.5,
                    f"training diverged at lr = {self.learning_rate:.3g}:\nlower the learning rate",
                    ha="center",
                    va="center",
                    fontsize=18,
                    color=_style.PALETTE[1],
                )
                describe(
                    ax,
                    f"No figure: training diverged at learning rate {self.learning_rate:.3g}; "
                    "lower the learning rate.",
                )
        else:
            self.classifier, self.history = clf, history
            self.train_accuracy = clf.score(self.X_train, self.y_train)
            self.val_accuracy = clf.score(self.X_val, self.y_val)
            with _style.style():
                top.clear()
                draw_loss_curve(top.add_subplot(), history, num_classes=self.num_classes)
                draw_weight_templates(
                    bottom,
                    clf.W,
                    class_names=self.class_names,
                    image_shape=self.image_shape,
                    title=f"templates (validation accuracy {self.val_accuracy:.3f})",
                    colorbar_label="weight\n(red +, blue −)",  # one line is taller than the row
                )
        self.image.show_figure(self.figure)
        self.readout.value = f"<p><b>{self.summary()}</b></p>".replace(": ", ":<br>", 1)

    def __repr__(self) -> str:
        return (
            f"RetrainExplorer(learning_rate={self.learning_rate:.3g}, reg={self.reg:.1e}, "
            f"num_iters={self.num_iters})"
        )


# The notebooks build widgets with lower-case factories (logits_explorer, ...): the same here.
retrain_explorer = RetrainExplorer
