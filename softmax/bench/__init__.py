"""Tooling: the benchmark of the loss implementations (``python -m softmax.bench``).

This layer times the maths layer (:mod:`softmax.loss`, :mod:`softmax.fast`); it
imports neither matplotlib nor ipywidgets, and nothing in the maths layer imports
it. The comparison panel of :mod:`softmax.display.compare` reuses its timing
method. Everything lives in :mod:`softmax.bench.benchmark`.
"""

from .benchmark import (
    DTYPES,
    NUMPY_IMPLS,
    blas_info,
    interleaved_times,
    main,
    make_inputs,
    median_ratio,
    numpy_impls,
    peak_memory,
)

__all__ = [
    "DTYPES",
    "NUMPY_IMPLS",
    "blas_info",
    "interleaved_times",
    "main",
    "make_inputs",
    "median_ratio",
    "numpy_impls",
    "peak_memory",
]
