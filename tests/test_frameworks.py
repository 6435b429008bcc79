"""softmax.display.frameworks: frameworks take logits; logging a probability gives inf.

torch and jax are optional: the tests that need one are skipped when it is missing,
and the "not installed" path is tested by hiding the module.
"""

from __future__ import annotations

import builtins
import math

import numpy as np
import pytest

from softmax.display import frameworks

Z = np.array([0.0, -800.0])  # notebook 02: p_1 = e^-800 underflows even in float64


@pytest.fixture
def hide_frameworks(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] in frameworks.FRAMEWORKS:
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    for name in frameworks.FRAMEWORKS:
        monkeypatch.delitem(__import__("sys").modules, name, raising=False)


def test_a_missing_framework_is_reported_not_raised(hide_frameworks, capsys):
    results = frameworks.logits_vs_probabilities(Z, 1)
    assert [r.framework for r in results] == ["torch", "jax"]
    assert not any(r.installed for r in results)
    assert all(math.isnan(r.from_logits) for r in results)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "this package: −log_softmax(scores)[1] = 800",
        "torch: not installed (optional; pip install torch)",
        "jax: not installed (optional; pip install jax)",
    ]


@pytest.mark.parametrize("name", frameworks.FRAMEWORKS)
def test_logits_give_the_loss_probabilities_give_inf(name, capsys):
    pytest.importorskip(name)
    r = frameworks.framework_loss(name, Z, 1)
    assert r.installed
    assert r.from_logits == pytest.approx(800.0, rel=1e-6)
    assert r.from_probabilities == math.inf  # ln 0: the probability underflowed
    # Ordinary scores: both routes agree with this package.
    s = np.array([2.0, 1.0, 0.1, -1.0])
    r = frameworks.framework_loss(name, s, 0)
    assert r.from_logits == pytest.approx(0.449313, rel=1e-5)
    assert r.from_probabilities == pytest.approx(0.449313, rel=1e-5)
    frameworks.logits_vs_probabilities(Z, 1, frameworks=[name])
    out = capsys.readouterr().out
    assert f"✓ {name} " in out and f"{name}: −log(softmax(logits))[1] = inf" in out


def test_bad_arguments():
    with pytest.raises(ValueError, match="framework must be one of"):
        frameworks.framework_loss("tensorflow", Z, 0)
    with pytest.raises(ValueError, match=r"y must be in \[0, 2\)"):
        frameworks.framework_loss("jax", Z, 2)
    with pytest.raises(TypeError, match="y must be an int"):
        frameworks.framework_loss("jax", Z, 1.0)
    with pytest.raises(ValueError, match="scores"):
        frameworks.framework_loss("jax", [1.0, np.nan], 0)
