"""softmax.data: the digits file and its splits, preprocessing, the spiral."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from softmax.data import (
    DIGITS_PATH,
    DIGITS_SHA256,
    ChecksumError,
    add_bias,
    load_digits,
    make_spiral,
    preprocess,
    scale,
    stratified_split,
    subtract_mean,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def raw():
    with np.load(DIGITS_PATH, allow_pickle=False) as npz:
        return npz["images"], npz["target"]


@pytest.fixture(scope="module")
def splits():
    return load_digits()


def _sorted_rows(X, y):
    """Rows of [X | y] in lexicographic order: a split-independent fingerprint."""
    Z = np.column_stack([X, y])
    return Z[np.lexsort(Z.T[::-1])]


# ----------------------------------------------------------------------------- the file


def test_file_hash_matches_constant_and_readme():
    assert hashlib.sha256(DIGITS_PATH.read_bytes()).hexdigest() == DIGITS_SHA256
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"\b[0-9a-f]{64}\b", readme) == [DIGITS_SHA256]


def test_file_contents(raw):
    images, target = raw
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert target.shape == (1797,) and target.dtype == np.uint8
    assert images.min() == 0 and images.max() == 16
    counts = np.bincount(target)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the first image of scikit-learn's copy is a 0 (sklearn.datasets.load_digits().images[0])
    assert target[0] == 0
    assert images[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


# ----------------------------------------------------------------------------- splits


def test_split_shapes_and_types(splits):
    sizes = []
    for X, y in splits:
        assert X.dtype == np.float64 and X.ndim == 2 and X.shape[1] == 64
        assert y.dtype == np.int64 and y.shape == (X.shape[0],)
        assert np.array_equal(X, np.round(X)) and X.min() >= 0 and X.max() <= 16
        sizes.append(len(y))
    assert sizes == [1079, 359, 359]


def test_splits_partition_the_file(splits, raw):
    images, target = raw
    X = np.concatenate([s[0] for s in splits])
    y = np.concatenate([s[1] for s in splits])
    ref = _sorted_rows(images.reshape(1797, 64).astype(np.float64), target.astype(np.float64))
    assert np.array_equal(_sorted_rows(X, y), ref)


def test_splits_are_stratified(splits, raw):
    n_class = np.bincount(raw[1])
    for (_, y), fraction in zip(splits[1:], (0.2, 0.2), strict=True):
        expected = np.round(fraction * n_class)
        assert np.array_equal(np.bincount(y, minlength=10), expected)


def test_splits_are_shuffled(splits):
    y_train = splits[0][1]
    assert not np.all(np.diff(y_train) >= 0)  # not grouped by class


def test_load_digits_is_deterministic():
    a, b, c = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    for (Xa, ya), (Xb, yb) in zip(a, b, strict=True):
        assert np.array_equal(Xa, Xb) and np.array_equal(ya, yb)
    assert not np.array_equal(a[2][0], c[2][0])
    g1, g2 = np.random.default_rng(7), np.random.default_rng(7)
    assert np.array_equal(load_digits(seed=g1)[1][1], load_digits(seed=g2)[1][1])


def test_custom_fractions():
    (Xtr, _), (Xv, _), (Xte, _) = load_digits(val_fraction=0.1, test_fraction=0.3)
    assert len(Xv) == pytest.approx(180, abs=10) and len(Xte) == pytest.approx(539, abs=10)
    assert len(Xtr) + len(Xv) + len(Xte) == 1797


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing.*git checkout -- data/digits\.npz"):
        load_digits(path=tmp_path / "digits.npz")


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_altered_file_is_refused(tmp_path, damage):
    path = tmp_path / "digits.npz"
    shutil.copyfile(DIGITS_PATH, path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01  # one pixel changes: np.load alone would not notice
    elif damage == "truncate":
        del data[-100:]
    else:
        data += b"\0"
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match=f"expected {DIGITS_SHA256}.*altered"):
        load_digits(path=path)


def test_stratified_split_partition_and_counts():
    y = np.repeat(np.arange(4), [10, 20, 30, 41])
    parts = stratified_split(y, (0.25, 0.5), rng=3)
    allidx = np.sort(np.concatenate(parts))
    assert np.array_equal(allidx, np.arange(y.size))
    for part, f in zip(parts[1:], (0.25, 0.5), strict=True):
        assert np.array_equal(
            np.bincount(y[part], minlength=4), [round(f * n) for n in (10, 20, 30, 41)]
        )


@pytest.mark.parametrize(
    ("y", "fractions", "exc"),
    [
        (np.zeros(5), (0.2,), TypeError),
        (np.zeros((2, 2), int), (0.2,), TypeError),
        (np.zeros(5, int), (0.6, 0.5), ValueError),
        (np.zeros(5, int), (0.0,), ValueError),
        (np.zeros(5, int), (True,), TypeError),
    ],
)
def test_stratified_split_refuses(y, fractions, exc):
    with pytest.raises(exc):
        stratified_split(y, fractions, rng=0)


def test_rng_type_is_checked():
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        load_digits(seed="zero")


# ----------------------------------------------------------------------------- preprocessing


def test_subtract_mean_uses_training_mean_only(splits):
    (Xtr, _), (Xv, _), (Xte, _) = splits
    before = Xv.copy()
    mean, (ctr, cv, cte) = subtract_mean(Xtr, Xv, Xte)
    assert np.allclose(mean, Xtr.mean(axis=0))
    assert np.allclose(ctr.mean(axis=0), 0, atol=1e-12)
    assert np.array_equal(cv, Xv - mean) and np.array_equal(cte, Xte - mean)
    assert np.abs(cv.mean(axis=0)).max() > 0.05  # the validation mean is NOT removed
    assert np.array_equal(Xv, before)  # inputs untouched


def test_subtract_mean_refuses_mismatched_widths():
    with pytest.raises(ValueError, match=r"others\[0\] has 3 features but X_train has 2"):
        subtract_mean(np.zeros((4, 2)), np.zeros((4, 3)))


def test_add_bias():
    X = np.arange(6, dtype=np.float32).reshape(3, 2)
    Xb = add_bias(X)
    assert Xb.shape == (3, 3) and Xb.dtype == np.float32
    assert np.array_equal(Xb[:, :2], X) and np.all(Xb[:, 2] == 1)
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([10.0, 20.0])
    assert np.allclose(Xb @ np.vstack([W, b]), X @ W + b)  # the bias trick


def test_scale():
    assert np.array_equal(scale(np.array([[0, 8, 16]]), 1 / 16), [[0, 0.5, 1]])
    for bad, exc in [(0, ValueError), (-1.0, ValueError), (np.inf, ValueError), ("2", TypeError)]:
        with pytest.raises(exc, match="factor"):
            scale(np.ones((2, 2)), bad)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        scale(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="NaN"):
        scale(np.array([[np.nan]]), 1.0)


def test_preprocess_is_the_three_steps(splits):
    (Xtr, _), (Xv, _), _ = splits
    mean, (ptr, pv) = preprocess(Xtr, Xv)
    ref_mean, (ctr, cv) = subtract_mean(Xtr / 16, Xv / 16)
    assert np.allclose(mean, ref_mean)
    assert np.allclose(ptr, add_bias(ctr)) and np.allclose(pv, add_bias(cv))
    mean0, (raw_tr,) = preprocess(Xtr, factor=1.0, center=False, bias=False)
    assert np.array_equal(raw_tr, Xtr) and not mean0.any()


# ----------------------------------------------------------------------------- spiral


def test_spiral_shapes_and_geometry():
    X, y = make_spiral(50, 4, noise=0.1, rng=0)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.dtype == np.int64 and np.array_equal(np.bincount(y), [50] * 4)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1 + 1e-12
    assert np.allclose(np.sort(r[y == 2]), np.linspace(0, 1, 50))  # radius is exact


def test_spiral_without_noise_follows_the_formula():
    X, y = make_spiral(5, 3, noise=0.0, rng=0)
    r = np.tile(np.linspace(0, 1, 5), 3)
    t = 2 * np.pi * y / 3 + 4 * r
    assert np.allclose(X, np.column_stack([r * np.sin(t), r * np.cos(t)]))


def test_spiral_is_deterministic():
    a, b = make_spiral(30, 3, 0.2, rng=5), make_spiral(30, 3, 0.2, rng=5)
    assert np.array_equal(a[0], b[0])
    assert not np.array_equal(a[0], make_spiral(30, 3, 0.2, rng=6)[0])


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_per_class": 0}, ValueError, "n_per_class"),
        ({"n_per_class": 2.5}, TypeError, "n_per_class"),
        ({"n_classes": 1}, ValueError, "n_classes"),
        ({"noise": -0.1}, ValueError, "noise"),
        ({"noise": float("nan")}, ValueError, "noise"),
        ({"noise": "a"}, TypeError, "noise"),
        ({"rng": 1.5}, TypeError, "rng"),
    ],
)
def test_spiral_refuses(kwargs, exc, match):
    args = {"n_per_class": 10, "n_classes": 3, "noise": 0.1, "rng": 0} | kwargs
    with pytest.raises(exc, match=match):
        make_spiral(**args)
