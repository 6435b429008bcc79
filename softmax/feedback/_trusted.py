"""Private copies of the reference modules, from the files on disk: the expected values.

The checks compute expected values with ``loss``, ``functions`` and ``gradcheck``
(and ``_validation``, which they use), and the catalogue's outputs with ``mistakes``, compiled from the package's source files when
:mod:`softmax.feedback` is imported, into module objects that are in no
``sys.modules`` entry and that import each other and a snapshot of numpy's namespace
taken at that moment. So a student's kernel that rebinds
``softmax.loss.softmax_loss_vectorized``, swaps a reference's ``__code__``, replaces
``sys.modules["softmax.functions"]`` or ``numpy.exp`` *after* importing
:mod:`softmax.feedback` does not change any expected answer (tested).

What this does not cover, honestly: numpy patched *before* :mod:`softmax.feedback` is
first imported, or patched below its top-level namespace (``numpy.linalg``, numpy's
internal modules); the harness's own numpy calls (drawing the probes, comparing); and
deliberate changes to :mod:`softmax.feedback` itself, which lives in the student's
kernel. A grade that must resist those needs the notebook run again in a fresh,
sandboxed kernel (what nbgrader's autograde does with a fresh kernel per notebook).

Cost: compiling and running the five files, about 25 ms, once per process (measured).
"""

from __future__ import annotations

import builtins
import os
import sys
import types

import numpy

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# each imports only earlier ones
_ORDER = ("_validation", "functions", "loss", "gradcheck", "mistakes")


def _numpy_snapshot() -> types.ModuleType:
    snapshot = types.ModuleType("numpy")
    snapshot.__dict__.update(vars(numpy))
    return snapshot


def _load() -> dict[str, types.ModuleType]:
    modules: dict[str, types.ModuleType] = {}
    np_snapshot = _numpy_snapshot()

    def private_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 1 and name in modules:
            return modules[name]
        if level == 0 and name == "numpy":
            return np_snapshot
        return builtins.__import__(name, globals, locals, fromlist, level)

    private_builtins = dict(vars(builtins))
    private_builtins["__import__"] = private_import
    for name in _ORDER:
        path = os.path.join(_PACKAGE, f"{name}.py")
        with open(path, encoding="utf-8") as f:
            code = compile(f.read(), path, "exec")
        module = types.ModuleType(f"softmax.feedback._trusted.{name}")
        module.__dict__.update(
            __file__=path, __package__="softmax.feedback._trusted", __builtins__=private_builtins
        )
        # dataclasses read the module of a class being defined from sys.modules
        sys.modules[module.__name__] = module
        try:
            exec(code, module.__dict__)
        finally:
            del sys.modules[module.__name__]
        modules[name] = module
    return modules


_MODULES = _load()
functions = _MODULES["functions"]
loss = _MODULES["loss"]
gradcheck = _MODULES["gradcheck"]
CATALOGUE = _MODULES["mistakes"].CATALOGUE  # the catalogue's outputs, compared with the student's
