"""Benchmark the softmax loss implementations: ``python -m softmax.bench`` (``make bench``).

Times ``naive``, ``vectorized``, ``fast`` and ``gemm_bound`` (only the two matrix
products ``X @ W`` and ``X.T @ P`` with P given, called as the vectorized loss
calls them: a reference point, not a lower bound, since ``fast`` computes the same
products faster by changing their layout and blocking) on the shapes of CS231n's CIFAR-10
exercise, in float64 and float32, with 1 and 2 BLAS threads. ``torch`` and
``jax`` rows are added when those packages are importable; they run in separate
processes, because a framework's thread pool and OpenBLAS's slow each other down
when they alternate in one process.

Method (the machine may be shared and noisy): every implementation is called
once to warm up, then ``rounds`` times, rotating the order each round
(A B C, B C A, C A B, ...). Reported are the median time and, for ratios, the
median over rounds of the per-round ratio, so that a slow period of the machine
affects both numbers of a pair alike. The naive loop runs in rounds of its own,
each paired with a call of the vectorized loss (mixed into the other rounds, its
cache traffic slowed whatever ran next by up to 20%); beyond the dev shape it
runs once, at the smallest thread count only. Peak extra memory is measured
separately with ``tracemalloc`` (numpy reports its array buffers to it).

Examples::

    python -m softmax.bench --quick                       # dev shape only, < 1 min
    python -m softmax.bench --json build/bench.json       # the full table (a few minutes)
    python -m softmax.bench --shapes full --impls vectorized,fast --dtypes float64 --threads 1
    python -m softmax.bench --shapes 2000x3073x10 --coretypes env,native

``--coretypes`` re-runs the benchmark in child processes with a different OpenBLAS
kernel: ``native`` unsets ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` (OpenBLAS then
picks the kernel for the CPU it finds), a name such as ``Haswell`` sets
``OPENBLAS_CORETYPE``; ``env`` is this process's own environment.

Notebook ``notebooks/05_naive_vs_vectorized.ipynb`` explains what is measured.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .._timing import interleaved_times, median_ratio

__all__ = [
    "EXTERNAL_IMPLS",
    "NUMPY_IMPLS",
    "SHAPES",
    "blas_info",
    "interleaved_times",
    "main",
    "make_inputs",
    "median_ratio",
    "peak_memory",
    "run_cell",
]

SHAPES = {
    "dev": (500, 3073, 10),  # CS231n's development subset of CIFAR-10
    "full": (49000, 3073, 10),  # the whole training split
    "wide": (10000, 3073, 100),  # CIFAR-100-like: many classes
}
NUMPY_IMPLS = ("naive", "vectorized", "fast", "gemm_bound")
EXTERNAL_IMPLS = ("torch", "jax")
DTYPES = ("float64", "float32")
REG = 0.1
SEED = 0
# Shapes with at most this many multiply-adds (N * D * C) count as small: more rounds.
_SMALL_WORK = 50_000_000


# --------------------------------------------------------------------------- inputs


def make_inputs(N: int, D: int, C: int, dtype="float64", seed: int = SEED):
    """Seeded random inputs of the given shape.

    Returns
    -------
    W : ndarray, (D, C)
        Small weights (std 1e-3), as at the start of training.
    X : ndarray, (N, D)
        Standard normal features.
    y : ndarray, (N,), int64
        Labels in [0, C).
    P : ndarray, (N, C)
        A fixed row-stochastic matrix: the "given" probabilities of ``gemm_bound``.
    """
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D), dtype=dtype)
    W = (1e-3 * rng.standard_normal((D, C))).astype(dtype)
    y = rng.integers(0, C, size=N)
    P = rng.random((N, C), dtype=dtype)
    P /= P.sum(axis=1, keepdims=True)
    return W, X, y, P


def numpy_impls(P: np.ndarray) -> dict[str, Callable]:
    """The numpy implementations by name, each called as ``f(W, X, y, reg)``."""
    from ..fast import softmax_loss_fast
    from ..loss import softmax_loss_naive, softmax_loss_vectorized

    def gemm_bound(W, X, y, reg):
        """Only the vectorized loss's two products, X @ W and X.T @ P, as it calls them."""
        return X @ W, X.T @ P

    return {
        "naive": softmax_loss_naive,
        "vectorized": softmax_loss_vectorized,
        "fast": softmax_loss_fast,
        "gemm_bound": gemm_bound,
    }


# --------------------------------------------------------------------------- timing


def peak_memory(func: Callable[[], object]) -> tuple[int, object]:
    """Peak bytes allocated (tracemalloc) while ``func()`` runs, and its result.

    Counts numpy array buffers and Python objects created during the call,
    including the result; memory held before the call is not counted.
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = func()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak, result


# --------------------------------------------------------------------------- environment


def blas_info() -> dict[str, object]:
    """numpy's BLAS as threadpoolctl sees it, plus the OpenBLAS environment variables.

    Returns a dict with ``numpy``, ``blas`` (library and version), ``blas_kernel``
    (OpenBLAS's ``architecture``, e.g. Haswell or SkylakeX), ``blas_max_threads``,
    ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` (None when unset), ``cpu`` and
    ``python``.
    """
    from threadpoolctl import threadpool_info

    blas = [m for m in threadpool_info() if m.get("user_api") == "blas"]
    first = blas[0] if blas else {}
    return {
        "numpy": np.__version__,
        "python": platform.python_version(),
        "blas": f"{first.get('internal_api', 'unknown')} {first.get('version', '')}".strip(),
        "blas_kernel": first.get("architecture") or "unknown",
        "blas_max_threads": first.get("num_threads"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "cpu": _cpu_name(),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# --------------------------------------------------------------------------- one cell


def _rounds_for(N: int, D: int, C: int) -> int:
    return 31 if N * D * C <= _SMALL_WORK else 7


def run_cell(
    shape: tuple[int, int, int],
    dtype: str,
    threads: int,
    impls: Sequence[str],
    *,
    rounds: int | None = None,
    naive_rounds: int | None = None,
    shape_name: str = "",
    memory: bool = True,
    inputs: tuple | None = None,
) -> list[dict]:
    """Time the numpy implementations on one (shape, dtype, threads) cell.

    Parameters
    ----------
    shape : (N, D, C)
    dtype : "float64" or "float32"
    threads : int
        BLAS threads (threadpoolctl limit) during the timing.
    impls : sequence of str
        Names from :data:`NUMPY_IMPLS`.
    rounds : int, optional
        Timed rounds (default: 31 for small shapes, 7 for large).
    naive_rounds : int, optional
        Rounds the naive loop takes part in (default: all of them).
    shape_name : str
        Label for the record (``dev``, ``full``, ...).
    memory : bool
        Also measure each implementation's peak memory (one more call each).
    inputs : (W, X, y, P), optional
        The inputs, if already made by :func:`make_inputs` for this shape and dtype.

    Returns
    -------
    list of dict
        One record per implementation (see :func:`main` for the keys).
    """
    from threadpoolctl import threadpool_limits

    N, D, C = shape
    W, X, y, P = inputs if inputs is not None else make_inputs(N, D, C, dtype)
    table = numpy_impls(P)
    rounds = rounds or _rounds_for(N, D, C)
    max_rounds = {} if naive_rounds is None else {"naive": naive_rounds}
    funcs = {name: (lambda f=table[name]: f(W, X, y, REG)) for name in impls}
    fast_ones = {name: f for name, f in funcs.items() if name != "naive"}
    with threadpool_limits(limits=threads, user_api="blas"):
        times = interleaved_times(fast_ones, rounds) if fast_ones else {}
        if "naive" in funcs:
            # The loop runs in rounds of its own, paired with the vectorized loss: mixed into
            # the rounds above, its cache traffic slowed whatever ran next by up to 20%.
            pair = {"naive": funcs["naive"]}
            if "vectorized" in funcs:
                pair["vectorized"] = funcs["vectorized"]
            n_naive = max_rounds.get("naive", rounds)
            # A slow naive loop with few rounds is not warmed up: one call is seconds.
            warm = [n for n in pair if n != "naive" or n_naive >= rounds]
            paired = interleaved_times(pair, n_naive, warmup=warm)
            times["naive"] = paired["naive"]
            times["_vectorized_next_to_naive"] = paired.get("vectorized", [])
        mem = (
            {name: _memory_record(name, table[name], W, X, y, N) for name in impls}
            if memory
            else {}
        )
    info = blas_info()
    records = []
    for name in impls:
        t = times[name]
        rec = {
            **_base_record(name, shape, dtype, threads, t, shape_name),
            "ratio_vs_vectorized": _ratio(times, name, "vectorized"),
            "ratio_vs_gemm_bound": _ratio(times, name, "gemm_bound"),
            "ratio_method": "median of per-round ratios"
            + (
                " (naive: paired with vectorized, times vectorized / gemm_bound)"
                if name == "naive"
                else ""
            ),
            "process": "numpy",
            "memory_bound_elements": 3 * N * C + D * C,
            "blas_kernel": info["blas_kernel"],
            "OPENBLAS_CORETYPE": info["OPENBLAS_CORETYPE"],
            "OPENBLAS_L2_SIZE": info["OPENBLAS_L2_SIZE"],
            "numpy": info["numpy"],
            "blas": info["blas"],
        }
        if name == "naive" and times.get("_vectorized_next_to_naive"):
            rec["vectorized_paired_times_s"] = [
                float(v) for v in times["_vectorized_next_to_naive"]
            ]
        rec.update(mem.get(name, {}))
        records.append(rec)
    return records


def _base_record(name, shape, dtype, threads, t, shape_name) -> dict:
    N, D, C = shape
    return {
        "impl": name,
        "N": N,
        "D": D,
        "C": C,
        "dtype": dtype,
        "threads": threads,
        "median_s": float(statistics.median(t)),
        "min_s": float(min(t)),
        "rounds": len(t),
        "times_s": [float(v) for v in t],
        "shape": shape_name or f"{N}x{D}x{C}",
    }


def _ratio(times, name, ref):
    """Median of per-round ratios; the naive loop's via its own rounds with vectorized."""
    if name not in times or ref not in times:
        return None
    if name == ref:
        return 1.0
    if "naive" in (name, ref):
        vec_next = times.get("_vectorized_next_to_naive") or []
        if not vec_next:
            return None
        naive_vs_vec = median_ratio(times["naive"], vec_next)
        other = ref if name == "naive" else name
        r = (
            naive_vs_vec
            if other == "vectorized"
            else naive_vs_vec * _ratio(times, "vectorized", other)
        )
        return r if name == "naive" else 1.0 / r
    return median_ratio(times[name], times[ref])


def _memory_record(name, func, W, X, y, N):
    rows = N
    if name == "naive" and N > 2000:
        # The loop's temporaries do not grow with N; 500 rows give its peak quickly.
        rows = 500
        X, y = X[:rows], y[:rows]
    peak, result = peak_memory(lambda: func(W, X, y, REG))
    out = result[1].nbytes  # the returned gradient is output, not a temporary
    itemsize = X.dtype.itemsize
    extra = max(0, peak - out)
    return {
        "peak_bytes": int(peak),
        "peak_extra_elements": int(extra // itemsize),
        "memory_rows": rows,
    }


# --------------------------------------------------------------------------- torch / jax


def available_externals() -> list[str]:
    """The optional frameworks (``torch``, ``jax``) importable here (never imported by this call)."""
    return [name for name in EXTERNAL_IMPLS if importlib.util.find_spec(name) is not None]


def _external_loss(name: str, W, X, y, threads: int):
    """A zero-argument callable running one framework's loss forward and backward."""
    if name == "torch":
        import torch

        torch.set_num_threads(threads)
        Wt = torch.from_numpy(W.copy()).requires_grad_(True)
        Xt = torch.from_numpy(X)
        yt = torch.from_numpy(y.astype(np.int64))

        def run():
            Wt.grad = None
            loss = torch.nn.functional.cross_entropy(Xt @ Wt, yt) + REG * (Wt * Wt).sum()
            loss.backward()
            return float(loss), Wt.grad

        return run
    if name == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        def loss_fn(w, x, labels):
            scores = x @ w
            lse = jax.nn.logsumexp(scores, axis=1)
            correct = jnp.take_along_axis(scores, labels[:, None], axis=1)[:, 0]
            return jnp.mean(lse - correct) + REG * jnp.sum(w * w)

        step = jax.jit(jax.value_and_grad(loss_fn))
        Wj, Xj, yj = jnp.asarray(W), jnp.asarray(X), jnp.asarray(y)

        def run():
            loss, grad = step(Wj, Xj, yj)
            return float(loss), grad.block_until_ready()

        return run
    raise ValueError(f"unknown external implementation {name!r}; expected one of {EXTERNAL_IMPLS}")


def _external_child(name: str, cells: list[tuple], rounds: int | None) -> list[dict]:
    """Child-process side: time one framework on every cell, numpy data made the same way."""
    records = []
    for shape_name, (N, D, C), dtype, threads in cells:
        W, X, y, _ = make_inputs(N, D, C, dtype)
        run = _external_loss(name, W, X, y, threads)
        _, grad = run()
        _, ref = _reference_loss(W, X, y)
        rel = float(np.max(np.abs(np.asarray(grad) - ref)) / np.max(np.abs(ref)))
        t = interleaved_times({name: run}, rounds or _rounds_for(N, D, C))[name]
        records.append(
            {
                **_base_record(name, (N, D, C), dtype, threads, t, shape_name),
                "grad_rel_error_vs_vectorized": rel,
                "process": name,
                "version": importlib.import_module(name).__version__,
            }
        )
    return records


def _reference_loss(W, X, y):
    from threadpoolctl import threadpool_limits

    from ..loss import softmax_loss_vectorized

    with threadpool_limits(limits=1, user_api="blas"):
        return softmax_loss_vectorized(W, X, y, REG)


def _run_child(args: list[str], env: dict[str, str]) -> list[dict]:
    """Run ``python -m softmax.bench ARGS`` in a child process; its JSON records from stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "softmax.bench", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        print(f"child `{' '.join(args[:2])} ...` failed:\n{tail}", file=sys.stderr)
        return []
    return json.loads(proc.stdout)


def _child_env(coretype: str, base=None) -> dict[str, str]:
    """The environment of a child run with ``coretype`` (from ``base``, default os.environ)."""
    env = dict(os.environ if base is None else base)
    if coretype == "native":
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    elif coretype != "env":
        env["OPENBLAS_CORETYPE"] = coretype
    return env


# --------------------------------------------------------------------------- report


def format_header(info: dict) -> str:
    """The header lines: numpy, BLAS library and kernel, threads, OpenBLAS variables, CPU."""
    return "\n".join(
        [
            f"numpy {info['numpy']} (Python {info['python']}) | BLAS {info['blas']} "
            f"| kernel {info['blas_kernel']} | max BLAS threads {info['blas_max_threads']}",
            f"OPENBLAS_CORETYPE={info['OPENBLAS_CORETYPE'] or '(unset)'} "
            f"OPENBLAS_L2_SIZE={info['OPENBLAS_L2_SIZE'] or '(unset)'} | CPU: {info['cpu']}",
        ]
    )


def format_table(records: list[dict]) -> str:
    """A readable table of records: one line per implementation and cell."""
    head = (
        f"{'shape':<6} {'N':>6} {'D':>5} {'C':>4} {'dtype':<8}{'thr':>4} {'kernel':<9} "
        f"{'impl':<11}{'median ms':>11} {'rounds':>6} {'x vect.':>8} {'x gemm':>7} "
        f"{'extra MiB':>10} {'/bound':>7}"
    )
    lines = [head, "-" * len(head)]
    prev = None
    for r in records:
        cell = (r["shape"], r["dtype"], r["threads"], r.get("blas_kernel"))
        if prev is not None and cell != prev:
            lines.append("")
        prev = cell
        extra = r.get("peak_extra_elements")
        itemsize = np.dtype(r["dtype"]).itemsize
        mib = f"{extra * itemsize / 2**20:10.2f}" if extra is not None else f"{'-':>10}"
        frac = f"{extra / r['memory_bound_elements']:7.2f}" if extra is not None else f"{'-':>7}"
        if r.get("memory_rows", r["N"]) != r["N"]:
            mib = f"{mib.strip()}*".rjust(10)
        lines.append(
            f"{r['shape']:<6} {r['N']:>6} {r['D']:>5} {r['C']:>4} {r['dtype']:<8}{r['threads']:>4} "
            f"{r.get('blas_kernel', r.get('process', ''))!s:<9} {r['impl']:<11}"
            f"{r['median_s'] * 1e3:>11.2f} {r['rounds']:>6} {_fmt(r.get('ratio_vs_vectorized')):>8} "
            f"{_fmt(r.get('ratio_vs_gemm_bound')):>7} {mib} {frac}"
        )
    lines.append(
        "x vect., x gemm: median over rounds of time / time of vectorized, gemm_bound in the same "
        "round (torch/jax: ratio of medians, separate process). extra MiB: peak tracemalloc "
        "memory minus the returned gradient; /bound: that over 3NC + DC elements "
        "(* measured on 500 rows)."
    )
    return "\n".join(lines)


def _fmt(x) -> str:
    return "-" if x is None or x != x else f"{x:.3f}"


TARGETS = (
    # (description, impl, ref, shape, dtype, threads, kernel, comparison, limit); None: any.
    # "native": OPENBLAS_CORETYPE unset (the kernel OpenBLAS picks for this CPU).
    ("vectorized <= 1.10 x gemm_bound at full", "vectorized", "gemm_bound", "full", None, None, None, "<=", 1.10),
    ("vectorized <= 1.25 x gemm_bound at dev", "vectorized", "gemm_bound", "dev", None, None, None, "<=", 1.25),
    ("fast <= 0.80 x vectorized at full float64, 1 thread, Haswell kernel", "fast", "vectorized", "full", "float64", 1, "Haswell", "<=", 0.80),
    ("fast <= 0.55 x vectorized at full float64, 1 thread, native kernel", "fast", "vectorized", "full", "float64", 1, "native", "<=", 0.55),
    ("vectorized >= 5 x faster than naive at dev", "naive", "vectorized", "dev", None, None, None, ">=", 5.0),
)  # fmt: skip


def check_targets(records: list[dict]) -> list[str]:
    """One line per target and measured cell: the ratio, the limit and met / MISSED.

    The targets are those of issue 4 (:data:`TARGETS`); the fast path's are for one
    BLAS thread, the setting it is tuned for (with several it uses the vectorized layout).
    """
    lines = []
    by_key = {
        (r["impl"], r["shape"], r["dtype"], r["threads"], r.get("blas_kernel")): r for r in records
    }
    for text, impl, ref, shape, dtype, threads, kernel, op, limit in TARGETS:
        for (i, s, dt, thr, k), rec in sorted(by_key.items(), key=lambda kv: str(kv[0])):
            if i != impl or s != shape or (dtype and dt != dtype) or (threads and thr != threads):
                continue
            if kernel == "native" and rec.get("OPENBLAS_CORETYPE") is not None:
                continue
            if kernel not in (None, "native") and k != kernel:
                continue
            ratio = rec.get(f"ratio_vs_{ref}")
            if ratio is None:
                continue
            ok = ratio >= limit if op == ">=" else ratio <= limit
            lines.append(
                f"{'met   ' if ok else 'MISSED'} {text}: {ratio:.3f} "
                f"({dt}, {thr} thread{'s' if thr > 1 else ''}, kernel {k})"
            )
    return lines


# --------------------------------------------------------------------------- command line


def _parse_shape(text: str) -> tuple[str, tuple[int, int, int]]:
    if text in SHAPES:
        return text, SHAPES[text]
    try:
        N, D, C = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"shape {text!r}: use one of {', '.join(SHAPES)} or NxDxC such as 500x3073x10"
        ) from None
    if N < 1 or D < 1 or C < 2:
        raise argparse.ArgumentTypeError(f"shape {text!r}: need N >= 1, D >= 1, C >= 2")
    return text, (N, D, C)


def _comma_list(choices=None, convert=str):
    def parse(text):
        items = [convert(v.strip()) for v in text.split(",") if v.strip()]
        if not items:
            raise argparse.ArgumentTypeError("empty list")
        if choices is not None:
            bad = [v for v in items if v not in choices]
            if bad:
                raise argparse.ArgumentTypeError(
                    f"unknown {', '.join(map(str, bad))}; choose from {', '.join(choices)}"
                )
        return items

    return parse


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"need an integer >= 1; got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of ``python -m softmax.bench``."""
    p = argparse.ArgumentParser(
        prog="python -m softmax.bench",
        description="Benchmark the softmax loss: naive, vectorized, fast, gemm_bound (+ torch, jax).",
    )
    p.add_argument("--quick", action="store_true", help="dev shape only (under a minute)")
    p.add_argument(
        "--shapes",
        type=_comma_list(convert=_parse_shape),
        help=f"comma list of {', '.join(SHAPES)} or NxDxC (default: all three)",
    )
    p.add_argument(
        "--impls",
        type=_comma_list(NUMPY_IMPLS + EXTERNAL_IMPLS),
        help="comma list (default: every numpy one, plus torch/jax when importable)",
    )
    p.add_argument("--dtypes", type=_comma_list(DTYPES), default=list(DTYPES))
    p.add_argument("--threads", type=_comma_list(convert=_positive_int), default=[1, 2])
    p.add_argument("--rounds", type=_positive_int, help="timed rounds (default 31 small, 7 large)")
    p.add_argument(
        "--naive-rounds",
        type=int,
        help="rounds for naive beyond the dev shape (default 1, and only at the fewest threads)",
    )
    p.add_argument(
        "--coretypes",
        type=_comma_list(),
        default=["env"],
        help="OpenBLAS kernels to run: env (this environment), native (OPENBLAS_CORETYPE and "
        "OPENBLAS_L2_SIZE unset, in a child process) or a name such as Haswell",
    )
    p.add_argument("--no-memory", action="store_true", help="skip the tracemalloc measurement")
    p.add_argument("--json", type=Path, metavar="PATH", help="write the records as a JSON list")
    p.add_argument(
        "--_records-only", dest="records_only", action="store_true", help=argparse.SUPPRESS
    )
    p.add_argument("--_external", dest="external", help=argparse.SUPPRESS)
    return p


def _cells(args) -> list[tuple]:
    shapes = args.shapes or ([("dev", SHAPES["dev"])] if args.quick else list(SHAPES.items()))
    return [(n, s, dt, thr) for n, s in shapes for dt in args.dtypes for thr in args.threads]


def _numpy_records(args, impls: list[str]) -> list[dict]:
    records = []
    min_threads = min(args.threads)
    made = {}  # inputs of the current (shape, dtype), shared by its thread counts
    for shape_name, shape, dtype, threads in _cells(args):
        if (shape, dtype) not in made:
            made.clear()  # free the previous inputs first (1.2 GB at the full shape)
            made[(shape, dtype)] = make_inputs(*shape, dtype)
        small = shape[0] * shape[1] * shape[2] <= _SMALL_WORK
        cell_impls = list(impls)
        naive_rounds = None
        if "naive" in cell_impls and not small:
            if args.quick or (args.naive_rounds is None and threads != min_threads):
                cell_impls.remove("naive")
            else:
                naive_rounds = args.naive_rounds if args.naive_rounds is not None else 1
        if cell_impls:
            records += run_cell(
                shape,
                dtype,
                threads,
                cell_impls,
                rounds=args.rounds,
                naive_rounds=naive_rounds,
                shape_name=shape_name,
                memory=not args.no_memory,
                inputs=made[(shape, dtype)],
            )
            if not args.records_only:
                print(
                    f"  done {shape_name} {dtype} {threads} thread(s)", file=sys.stderr, flush=True
                )
    return records


def _passthrough(args) -> list[str]:
    out = ["--dtypes", ",".join(args.dtypes), "--threads", ",".join(map(str, args.threads))]
    shapes = args.shapes or ([("dev", SHAPES["dev"])] if args.quick else list(SHAPES.items()))
    out += ["--shapes", ",".join(name for name, _ in shapes)]
    if args.quick:
        out.append("--quick")
    if args.rounds:
        out += ["--rounds", str(args.rounds)]
    if args.naive_rounds is not None:
        out += ["--naive-rounds", str(args.naive_rounds)]
    if args.no_memory:
        out.append("--no-memory")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the header, the table and the targets; optionally write JSON.

    The JSON file is a list of records, one per implementation and cell, with
    keys ``impl``, ``N``, ``D``, ``C``, ``dtype``, ``threads``, ``median_s``
    and ``min_s``, ``rounds``, ``times_s``, ``shape``, ``ratio_vs_vectorized``,
    ``ratio_vs_gemm_bound`` (medians of per-round ratios), ``peak_bytes``,
    ``peak_extra_elements`` (peak minus the returned gradient, in elements of
    the dtype), ``memory_bound_elements`` (3NC + DC), ``blas_kernel``,
    ``OPENBLAS_CORETYPE``, ``OPENBLAS_L2_SIZE``, ``numpy``, ``blas``.
    """
    args = build_parser().parse_args(argv)
    if args.external:
        cells = _cells(args)
        print(json.dumps(_external_child(args.external, cells, args.rounds)))
        return 0
    requested = args.impls or list(NUMPY_IMPLS) + available_externals()
    numpy_names = [n for n in NUMPY_IMPLS if n in requested]
    external = [n for n in EXTERNAL_IMPLS if n in requested]
    missing = [n for n in external if n not in available_externals()]
    if args.records_only:
        print(json.dumps(_numpy_records(args, numpy_names)))
        return 0

    start = time.perf_counter()
    info = blas_info()
    print(format_header(info), flush=True)
    records: list[dict] = []
    for coretype in args.coretypes:
        if coretype == "env":
            records += _numpy_records(args, numpy_names)
        elif numpy_names:
            print(
                f"  running kernel {coretype!r} in a child process ...", file=sys.stderr, flush=True
            )
            child = _run_child(["--_records-only", "--impls", ",".join(numpy_names), *_passthrough(args)],
                               _child_env(coretype))  # fmt: skip
            records += child
    for name in external:
        if name in missing:
            continue
        print(f"  running {name} in a child process ...", file=sys.stderr, flush=True)
        ext = _run_child(["--_external", name, *_passthrough(args)], dict(os.environ))
        for rec in ext:
            vec = [r for r in records if r["impl"] == "vectorized" and r["shape"] == rec["shape"]
                   and r["dtype"] == rec["dtype"] and r["threads"] == rec["threads"]
                   and r["OPENBLAS_CORETYPE"] == info["OPENBLAS_CORETYPE"]]  # fmt: skip
            rec["ratio_vs_vectorized"] = rec["median_s"] / vec[0]["median_s"] if vec else None
            rec["ratio_method"] = "ratio of medians (separate process)"
            rec["memory_bound_elements"] = 3 * rec["N"] * rec["C"] + rec["D"] * rec["C"]
        records += ext
    records.sort(key=lambda r: (r["N"] * r["D"] * r["C"], r["dtype"], r["threads"],
                                r["process"] != "numpy", str(r.get("blas_kernel")),
                                _impl_order(r["impl"])))  # fmt: skip
    print()
    print(format_table(records))
    if missing:
        print(f"(not installed, no rows: {', '.join(missing)})")
    targets = check_targets(records)
    if targets:
        print("\nTargets (issue 4):")
        print("\n".join(targets))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(records, indent=1) + "\n")
        print(f"wrote {len(records)} records to {args.json}")
    return 0


def _impl_order(name: str) -> int:
    order = NUMPY_IMPLS + EXTERNAL_IMPLS
    return order.index(name) if name in order else len(order)
