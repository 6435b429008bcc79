"""softmax.bench: the timing method, the memory measurement, the CLI and its JSON records."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from softmax.bench import benchmark as bench

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "impl": str,
    "N": int,
    "D": int,
    "C": int,
    "dtype": str,
    "threads": int,
    "median_s": float,
}
TINY = "20x30x3"


# --------------------------------------------------------------------------- timing method


def test_interleaved_times_rotates_the_order_and_times_each_call():
    calls = []
    ticks = itertools.count()
    funcs = {name: (lambda n=name: calls.append(n)) for name in "abc"}
    times = bench.interleaved_times(funcs, 4, warmup=True, clock=lambda: next(ticks))
    assert calls[:3] == ["a", "b", "c"]  # warm-up
    rounds = [calls[3 + 3 * r : 6 + 3 * r] for r in range(4)]
    assert rounds == [list("abc"), list("bca"), list("cab"), list("abc")]
    # The fake clock advances by 1 per reading: every call "takes" exactly 1.
    assert times == {name: [1, 1, 1, 1] for name in "abc"}


def test_interleaved_times_limits_rounds_and_warmup_per_function():
    calls = []
    funcs = {name: (lambda n=name: calls.append(n)) for name in ("slow", "quick")}
    times = bench.interleaved_times(funcs, 5, warmup=["quick"], max_rounds={"slow": 2})
    assert len(times["slow"]) == 2 and len(times["quick"]) == 5
    assert calls.count("slow") == 2  # not warmed up
    assert calls.count("quick") == 6
    assert calls.index("slow") < 3  # its rounds are the first ones
    with pytest.raises(ValueError, match="rounds"):
        bench.interleaved_times(funcs, 0)


def test_median_ratio_pairs_rounds():
    a = [2.0, 30.0, 4.0, 5.0]
    b = [1.0, 10.0, 1.0, 100.0]  # a noisy round hits both: ratios 2, 3, 4, 0.05
    assert bench.median_ratio(a, b) == pytest.approx(2.5)
    assert bench.median_ratio(a[:1], b) == 2.0  # only the rounds both took part in
    assert np.isnan(bench.median_ratio([], b))


def test_peak_memory_counts_a_known_allocation():
    n = 1_000_000
    peak, result = bench.peak_memory(lambda: np.ones(n).sum())
    assert result == n
    assert 8 * n <= peak < 8 * n + 64 * 1024
    peak, _ = bench.peak_memory(lambda: None)
    assert peak < 64 * 1024


def test_make_inputs_is_seeded_and_typed():
    W, X, y, P = bench.make_inputs(6, 4, 3, "float32")
    assert W.shape == (4, 3) and X.shape == (6, 4) and y.shape == (6,) and P.shape == (6, 3)
    assert W.dtype == X.dtype == P.dtype == np.float32
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    assert ((y >= 0) & (y < 3)).all()
    _, X2, y2, _ = bench.make_inputs(6, 4, 3, "float32")
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_gemm_bound_is_the_two_products():
    W, X, y, P = bench.make_inputs(7, 5, 3)
    S, G = bench.numpy_impls(P)["gemm_bound"](W, X, y, 0.1)
    np.testing.assert_allclose(S, X @ W)
    np.testing.assert_allclose(G, X.T @ P)


# --------------------------------------------------------------------------- one cell


def test_run_cell_records():
    records = bench.run_cell((40, 30, 4), "float64", 1, list(bench.NUMPY_IMPLS), rounds=3)
    assert [r["impl"] for r in records] == list(bench.NUMPY_IMPLS)
    by = {r["impl"]: r for r in records}
    for r in records:
        assert r["rounds"] == 3 == len(r["times_s"])
        assert r["median_s"] == pytest.approx(float(np.median(r["times_s"])))
        assert r["min_s"] == min(r["times_s"])
        assert r["memory_bound_elements"] == 3 * 40 * 4 + 30 * 4
        assert r["peak_extra_elements"] >= 0 and r["peak_bytes"] > 0
    assert by["vectorized"]["ratio_vs_vectorized"] == 1.0
    assert by["gemm_bound"]["ratio_vs_gemm_bound"] == 1.0
    # The loops run in rounds of their own, each paired with a vectorized call.
    paired = by["naive"]["vectorized_paired_times_s"]
    ratios = [a / b for a, b in zip(by["naive"]["times_s"], paired, strict=True)]
    assert by["naive"]["ratio_vs_vectorized"] == pytest.approx(float(np.median(ratios)))
    via = by["naive"]["ratio_vs_vectorized"] * by["vectorized"]["ratio_vs_gemm_bound"]
    assert by["naive"]["ratio_vs_gemm_bound"] == pytest.approx(via)
    per_round = np.array(by["gemm_bound"]["times_s"]) / by["vectorized"]["times_s"]
    assert by["gemm_bound"]["ratio_vs_vectorized"] == pytest.approx(float(np.median(per_round)))
    # The loops keep no (N, C) array; the fast path stays within the bound.
    assert by["fast"]["peak_extra_elements"] <= by["fast"]["memory_bound_elements"] + 4096


# --------------------------------------------------------------------------- command line


def check_schema(records, impls, dtypes, threads):
    assert isinstance(records, list)
    for r in records:
        for key, kind in REQUIRED.items():
            assert isinstance(r[key], kind), (key, r[key])
        assert r["median_s"] > 0
        assert r["dtype"] in bench.DTYPES
        assert (r["N"], r["D"], r["C"]) == (20, 30, 3)
    cells = {(r["impl"], r["dtype"], r["threads"]) for r in records}
    assert cells == set(itertools.product(impls, dtypes, threads))


def test_cli_writes_the_json_list(tmp_path):
    path = tmp_path / "out" / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "softmax.bench", "--shapes", TINY, "--rounds", "2",
         "--impls", "naive,vectorized,fast,gemm_bound", "--json", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    records = json.loads(path.read_text())
    check_schema(records, bench.NUMPY_IMPLS, ["float64", "float32"], [1, 2])
    out = proc.stdout
    assert "numpy " + np.__version__ in out and "kernel" in out and "OPENBLAS_CORETYPE" in out
    assert "median ms" in out and f"wrote {len(records)} records" in out


def test_main_selects_cells_and_reports_targets(tmp_path, capsys):
    path = tmp_path / "b.json"
    argv = ["--shapes", f"dev,{TINY}", "--impls", "naive,vectorized,gemm_bound", "--dtypes",
            "float64", "--threads", "1", "--rounds", "1", "--no-memory", "--json", str(path)]  # fmt: skip
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    records = json.loads(path.read_text())
    assert {(r["shape"], r["impl"]) for r in records} == {
        (s, i) for s in ("dev", TINY) for i in ("naive", "vectorized", "gemm_bound")
    }
    assert all("peak_bytes" not in r for r in records)
    # The dev-shape targets are judged (met or MISSED, with the measured ratio).
    assert "vectorized <= 1.25 x gemm_bound at dev" in out
    assert "vectorized >= 5 x faster than naive at dev" in out


def test_quick_runs_only_the_dev_shape():
    cells = bench._cells(bench.build_parser().parse_args(["--quick"]))
    assert {(name, shape) for name, shape, *_ in cells} == {("dev", (500, 3073, 10))}
    assert len(cells) == 4  # 2 dtypes x 2 thread counts
    cells = bench._cells(bench.build_parser().parse_args([]))
    assert {name for name, *_ in cells} == {"dev", "full", "wide"}


def test_naive_beyond_dev_runs_once_at_the_fewest_threads(monkeypatch):
    calls = []

    def fake_run_cell(shape, dtype, threads, impls, *, naive_rounds=None, **kwargs):
        calls.append((kwargs["shape_name"], threads, "naive" in impls, naive_rounds))
        return []

    monkeypatch.setattr(bench, "run_cell", fake_run_cell)
    monkeypatch.setattr(bench, "make_inputs", lambda *shape: None)  # no 1.2 GB of X
    args = bench.build_parser().parse_args(["--shapes", "dev,full", "--dtypes", "float64"])
    bench._numpy_records(args, list(bench.NUMPY_IMPLS))
    assert sorted(calls) == [
        ("dev", 1, True, None),  # every round
        ("dev", 2, True, None),
        ("full", 1, True, 1),  # one round
        ("full", 2, False, None),  # not at all
    ]


@pytest.mark.parametrize(
    "argv",
    [["--shapes", "huge"], ["--shapes", "10x10x1"], ["--impls", "numba"], ["--dtypes", "float16"],
     ["--threads", "0"], ["--threads", "two"]],
)  # fmt: skip
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as info:
        bench.main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_native_kernel_child_reports_its_environment(tmp_path):
    """--coretypes env,native: this process's records carry the OpenBLAS variables as set
    here (unchanged: tests never set them), the child's have both unset."""
    path = tmp_path / "k.json"
    proc = subprocess.run(
        [sys.executable, "-m", "softmax.bench", "--shapes", TINY, "--rounds", "1", "--impls",
         "vectorized", "--dtypes", "float64", "--threads", "1", "--no-memory", "--coretypes",
         "env,native", "--json", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    records = json.loads(path.read_text())
    here = (os.environ.get("OPENBLAS_CORETYPE"), os.environ.get("OPENBLAS_L2_SIZE"))
    assert sorted(
        [(r["OPENBLAS_CORETYPE"], r["OPENBLAS_L2_SIZE"]) for r in records], key=str
    ) == sorted([here, (None, None)], key=str)
    info = bench.blas_info()
    assert f"OPENBLAS_CORETYPE={info['OPENBLAS_CORETYPE'] or '(unset)'}" in proc.stdout
    if here == (None, None):  # nothing forced here: both processes run the same kernel
        assert {r["blas_kernel"] for r in records} == {info["blas_kernel"]}


def test_child_environment_for_each_coretype():
    """The environment a child gets, built from a given mapping (nothing is set here)."""
    base = {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "512", "PATH": "/bin"}
    assert bench._child_env("native", base) == {"PATH": "/bin"}
    assert bench._child_env("Zen", base) == {**base, "OPENBLAS_CORETYPE": "Zen"}
    assert bench._child_env("env", base) == base
    assert base["OPENBLAS_CORETYPE"] == "Haswell"  # not modified


def test_torch_and_jax_rows_only_when_importable(capsys):
    argv = ["--shapes", TINY, "--impls", "vectorized,torch,jax", "--dtypes", "float64",
            "--threads", "1", "--rounds", "1", "--no-memory"]  # fmt: skip
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    rows = {line.split()[7] for line in out.splitlines() if line.startswith(TINY)}
    available = set(bench.available_externals())
    assert rows == {"vectorized"} | available
    missing = {"torch", "jax"} - available
    if missing:
        listed = out.split("(not installed, no rows: ")[1].split(")")[0]
        assert set(listed.split(", ")) == missing


# --------------------------------------------------------------------------- targets


def record(impl, shape, ratio_vec=None, ratio_gemm=None, dtype="float64", kernel="Haswell",
           threads=1):  # fmt: skip
    return {
        "impl": impl, "shape": shape, "dtype": dtype, "threads": threads, "blas_kernel": kernel,
        "OPENBLAS_CORETYPE": kernel if kernel == "Haswell" else None,
        "ratio_vs_vectorized": ratio_vec, "ratio_vs_gemm_bound": ratio_gemm,
    }  # fmt: skip


def test_check_targets_compares_each_ratio_with_its_limit():
    records = [
        record("vectorized", "full", 1.0, 1.05),
        record("vectorized", "dev", 1.0, 1.30),
        record("fast", "full", 0.78, 0.8),
        record("fast", "full", 0.60, 0.6, kernel="SkylakeX"),
        record("naive", "dev", 8.0, 9.0),
        record("fast", "full", 0.99, 0.9, kernel="SkylakeX", threads=2),  # no fast target
    ]
    lines = bench.check_targets(records)
    text = "\n".join(lines)
    assert "met    vectorized <= 1.10 x gemm_bound at full: 1.050" in text
    assert "MISSED vectorized <= 1.25 x gemm_bound at dev: 1.300" in text
    assert (
        "met    fast <= 0.80 x vectorized at full float64, 1 thread, Haswell kernel: 0.780" in text
    )
    assert (
        "MISSED fast <= 0.55 x vectorized at full float64, 1 thread, native kernel: 0.600" in text
    )
    assert "met    vectorized >= 5 x faster than naive at dev: 8.000" in text
    assert len(lines) == 5
