"""Notebook 02's bridge to deep-learning frameworks: they take logits, not probabilities.

``torch.nn.functional.cross_entropy(logits, target)`` and ``jax.nn.log_softmax(logits)``
apply the max-shifted log-softmax of notebook 02 themselves; a probability computed
first and then logged loses exactly what that notebook shows (``ln 0 = -inf`` once a
probability underflows). :func:`logits_vs_probabilities` runs both routes in every
framework that is installed; neither torch nor jax is a dependency of this project, so
a framework that is missing is reported as such, never an error.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array
from ..functions import log_softmax
from .checks import capture_warnings, check_true

__all__ = ["FRAMEWORKS", "FrameworkLoss", "framework_loss", "logits_vs_probabilities"]

# The frameworks tried, in this order (module names).
FRAMEWORKS = ("torch", "jax")


@dataclass(frozen=True)
class FrameworkLoss:
    """The loss ``-ln p_y`` of one example computed by a framework, two ways.

    Attributes
    ----------
    framework : str
        ``"torch"`` or ``"jax"``.
    version : str or None
        The installed version; None when the framework is not installed.
    from_logits : float
        The framework's own loss of the logits (torch: ``F.cross_entropy``; jax:
        ``-jax.nn.log_softmax(logits)[y]``). NaN when not installed.
    from_probabilities : float
        ``-log(softmax(logits))[y]`` in the same framework: the probability first,
        then its log. ``inf`` once ``p_y`` underflows to 0. NaN when not installed.
    """

    framework: str
    version: str | None
    from_logits: float
    from_probabilities: float

    @property
    def installed(self) -> bool:
        return self.version is not None


def _torch_losses(torch, z: np.ndarray, y: int) -> tuple[float, float]:
    logits = torch.tensor(z[None, :])  # (1, C), the dtype of z
    target = torch.tensor([y])
    from_logits = torch.nn.functional.cross_entropy(logits, target)
    from_probs = -torch.log(torch.softmax(logits, dim=1))[0, y]
    return float(from_logits), float(from_probs)


def _jax_losses(jax, z: np.ndarray, y: int) -> tuple[float, float]:
    logits = jax.numpy.asarray(z)  # float32 unless jax's x64 mode is on
    from_logits = -jax.nn.log_softmax(logits)[y]
    from_probs = -jax.numpy.log(jax.nn.softmax(logits))[y]
    return float(from_logits), float(from_probs)


_LOSSES = {"torch": _torch_losses, "jax": _jax_losses}


def framework_loss(framework: str, scores, y: int) -> FrameworkLoss:
    """Both losses of ``scores`` with true class ``y`` in ``framework``, if it is installed.

    Parameters
    ----------
    framework : "torch" or "jax"
    scores : array_like, shape (C,), float32 or float64, finite
        The logits of one example (kept in their dtype; jax computes in float32
        unless its x64 mode is on).
    y : int in [0, C)

    Returns
    -------
    FrameworkLoss
        ``version`` None (and NaN losses) when the framework cannot be imported.
    """
    if framework not in _LOSSES:
        raise ValueError(f"framework must be one of {FRAMEWORKS}; got {framework!r}")
    z = as_float_array("scores", scores, ndim=1, min_size=2)
    if isinstance(y, bool) or not isinstance(y, int | np.integer):
        raise TypeError(f"y must be an int; got {type(y).__name__}")
    if not 0 <= y < z.size:
        raise ValueError(f"y must be in [0, {z.size}); got {y}")
    try:
        module = importlib.import_module(framework)
    except ImportError:
        return FrameworkLoss(framework, None, math.nan, math.nan)
    (from_logits, from_probs), _ = capture_warnings(_LOSSES[framework], module, z, int(y))
    return FrameworkLoss(framework, str(module.__version__), from_logits, from_probs)


def logits_vs_probabilities(scores, y: int, frameworks=FRAMEWORKS) -> list[FrameworkLoss]:
    """Print, per framework, the loss from the logits and from logged probabilities.

    Each installed framework gets a verdict line (its loss of the logits matches this
    package's ``-log_softmax(scores)[y]`` within a relative 1e-6, float32 precision)
    and a line with the route through probabilities. A framework that is not
    installed gets one line saying so. The printout names the installed versions,
    so it depends on the environment (notebook 02 tags the cell ``nbval-ignore-output``).

    Parameters
    ----------
    scores : array_like, shape (C,), float32 or float64, finite
    y : int in [0, C)
    frameworks : sequence of "torch" / "jax"

    Returns
    -------
    list of FrameworkLoss, one per framework (installed or not)
    """
    z = as_float_array("scores", scores, ndim=1, min_size=2)
    results = [framework_loss(name, z, y) for name in frameworks]
    reference = float(-log_softmax(z.astype(np.float64))[y])
    print(f"this package: −log_softmax(scores)[{y}] = {reference:.6g}")
    for r in results:
        if not r.installed:
            print(f"{r.framework}: not installed (optional; pip install {r.framework})")
            continue
        agrees = math.isclose(r.from_logits, reference, rel_tol=1e-6)
        check_true(
            f"{r.framework} {r.version}: loss of the logits", agrees, f"= {r.from_logits:.6g}"
        )
        print(f"  {r.framework}: −log(softmax(logits))[{y}] = {r.from_probabilities:.6g}")
    return results
