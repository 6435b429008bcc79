"""Random loss problems and comparisons shared by the tests of every loss implementation."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


def make_problem(seed, N, D, C, w_scale=0.5, dtype=np.float64):
    """W (D, C), X (N, D) standard normal (W scaled by w_scale), y (N,) uniform in [0, C)."""
    rng = np.random.default_rng(seed)
    W = (w_scale * rng.standard_normal((D, C))).astype(dtype)
    X = rng.standard_normal((N, D)).astype(dtype)
    y = rng.integers(0, C, size=N)
    return W, X, y


def normwise(a, b):
    """max|a - b| / max|b|: the relative error of an array as a whole."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def assert_same(a, b, rtol):
    """Element-wise rtol, with an absolute floor relative to the array's scale so
    that entries that cancel to ~0 compare by the size of their terms."""
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale)


problems = st.builds(
    make_problem,
    seed=st.integers(0, 2**32 - 1),
    N=st.integers(1, 20),
    D=st.integers(1, 8),
    C=st.integers(2, 10),
    w_scale=st.sampled_from([0.0, 0.01, 0.5, 3.0]),
)
regs = st.sampled_from([0.0, 1e-3, 0.1, 2.5])
