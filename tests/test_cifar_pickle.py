"""load_cifar10: official-format batches load; hostile pickles are refused and run nothing."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from cifar_fixtures import batch_files, fake_batch, py2_pickle, write_folder

from softmax.data import (
    CIFAR10_CLASSES,
    UnsafePickleError,
    _load_batch_file,
    cifar10_available,
    load_cifar10,
    load_cifar10_flat,
)


@pytest.fixture
def folder(tmp_path):
    files, expected = batch_files()
    return write_folder(tmp_path, files), expected


def test_official_format_loads(folder, tmp_path):
    path, expected = folder
    assert cifar10_available(tmp_path) and cifar10_available(path)
    for root in (tmp_path, path):  # the parent folder or the batches folder itself
        (X_train, y_train), (X_test, y_test) = load_cifar10(root)
        assert X_train.shape == (30, 32, 32, 3) and X_train.dtype == np.uint8
        assert y_train.dtype == np.int64
        assert np.array_equal(X_train, expected["X_train"])
        assert np.array_equal(y_train, expected["y_train"])
        assert np.array_equal(X_test, expected["X_test"])
        assert np.array_equal(y_test, expected["y_test"])


def test_flat_subsets(folder):
    path, expected = folder
    (X_train, y_train), (X_test, y_test) = load_cifar10_flat(path, n_train=7, seed=3)
    assert X_train.shape == (7, 3072) and X_train.dtype == np.float64
    assert X_test.shape == (6, 3072)  # n_test=None keeps all
    keep = np.sort(np.random.default_rng(3).choice(30, size=7, replace=False))
    assert np.array_equal(X_train, expected["X_train"][keep].reshape(7, -1))
    assert np.array_equal(y_train, expected["y_train"][keep])
    assert np.array_equal(y_test, expected["y_test"])
    with pytest.raises(ValueError, match="n_train"):
        load_cifar10_flat(path, n_train=0)


def test_fixture_is_a_python2_pickle(folder):
    """The fabricated batch uses the opcodes and globals of the real files."""
    path, _ = folder
    head = (path / "data_batch_1").read_bytes()[:200]
    assert head.startswith(b"\x80\x02}")  # protocol 2, a dict
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in head
    assert b"U\x04data" in head  # SHORT_BINSTRING 'data', a Python 2 str
    assert b"_codecs" not in (path / "data_batch_1").read_bytes()


def test_meta_file_loads(folder):
    path, _ = folder
    meta = _load_batch_file(path / "batches.meta")
    assert tuple(meta["label_names"]) == CIFAR10_CLASSES


@pytest.mark.parametrize("protocol", [3, 4])
def test_python3_resave_loads(folder, protocol):
    """A batch re-saved by Python 3 / numpy 2 (bytes opcodes, numpy._core) still loads."""
    path, expected = folder
    batch, _, _ = fake_batch(6, seed=1, label="training batch 1 of 5")
    (path / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=protocol))
    (X_train, _), _ = load_cifar10(path)
    assert np.array_equal(X_train, expected["X_train"])


def test_missing_folder(tmp_path):
    assert not cifar10_available(tmp_path)
    with pytest.raises(FileNotFoundError, match="download_cifar10"):
        load_cifar10(tmp_path)


# ----------------------------------------------------------------------------- hostile files


class _System:
    """Unpickling this calls os.system(command)."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


class _Eval:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return eval, (self.code,)


def _touch(marker):
    return f"touch {marker}"


HOSTILE = {
    "os.system, protocol 2": lambda m: pickle.dumps(_System(_touch(m)), protocol=2),
    "os.system, protocol 0": lambda m: pickle.dumps(_System(_touch(m)), protocol=0),
    "os.system, protocol 5": lambda m: pickle.dumps(_System(_touch(m)), protocol=5),
    "os.system inside an official-looking batch": lambda m: py2_pickle(
        {"data": np.zeros((1, 3072), np.uint8), "labels": [_System(_touch(m))]}
    ),
    "builtins.eval": lambda m: pickle.dumps(
        _Eval(f"__import__('os').system({_touch(m)!r})"), protocol=2
    ),
    "INST opcode (protocol 0 class call)": lambda m: (
        b"(S'" + _touch(m).encode() + b"'\nios\nsystem\n."
    ),
    "subprocess.Popen by GLOBAL": lambda m: (
        b"csubprocess\nPopen\n((S'touch'\nS'" + str(m).encode() + b"'\nltR."
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_pickle_is_refused_and_runs_nothing(folder, tmp_path, name):
    path, _ = folder
    marker = tmp_path / "marker"
    payload = HOSTILE[name](marker)

    # The payload is genuinely hostile: a plain pickle.loads runs the command.
    result = pickle.loads(payload)
    if hasattr(result, "wait"):  # subprocess.Popen runs in the background
        result.wait(timeout=30)
    assert marker.exists(), "the test payload should have run under plain pickle"
    marker.unlink()

    (path / "data_batch_3").write_bytes(payload)
    with pytest.raises(UnsafePickleError, match=r"refused|not a valid CIFAR-10 batch") as info:
        load_cifar10(path)
    assert "data_batch_3" in str(info.value)
    assert not marker.exists(), "the restricted unpickler ran the payload"


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        # numpy.ndarray((10**12,)) called directly: a memory bomb, no global needed beyond numpy
        (b"cnumpy\nndarray\n((I1000000000000\nttR.", "calls numpy.ndarray"),
        # _reconstruct of a huge array
        (
            b"cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n(I999999999\ntS'b'\ntR.",
            "_reconstruct",
        ),
        # an object-dtype array would unpickle arbitrary objects into it
        (b"cnumpy\ndtype\n(S'O8'\nI0\nI1\ntR.", "dtype 'O8'"),
        # globals outside the allow-list, even harmless-looking numpy ones
        (b"cnumpy\nload\n.", "numpy.load"),
        (b"c_codecs\nencode\n.", "_codecs.encode"),
        (b"cbuiltins\ngetattr\n.", "builtins.getattr"),
    ],
)
def test_numpy_abuse_is_refused(folder, payload, match):
    path, _ = folder
    (path / "test_batch").write_bytes(payload)
    with pytest.raises(UnsafePickleError, match=match):
        load_cifar10(path)


@pytest.mark.parametrize(
    ("content", "exc", "match"),
    [
        (b"\x80\x02}q\x00(U\x04data", UnsafePickleError, "not a valid CIFAR-10 batch"),  # cut
        (b"not a pickle at all", UnsafePickleError, "not a valid CIFAR-10 batch"),
        (py2_pickle([1, 2, 3]), UnsafePickleError, "expected a dict"),
        (py2_pickle({"labels": [0]}), ValueError, "'data' must be a 2-D uint8 array"),
        (
            py2_pickle({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}),
            ValueError,
            "labels in 0..9",
        ),
        (
            py2_pickle({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}),
            ValueError,
            "3072 bytes",
        ),
        (
            py2_pickle({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1.5]}),
            ValueError,
            "list of ints",
        ),
    ],
)
def test_malformed_batches(folder, content, exc, match):
    path, _ = folder
    (path / "data_batch_2").write_bytes(content)
    with pytest.raises(exc, match=match):
        load_cifar10(path)


def test_numpy_dtype_singleton_is_not_modified(folder):
    """BUILD on the unpickled dtype must act on a copy, never on numpy's uint8 singleton."""
    path, _ = folder
    load_cifar10(path)
    assert np.dtype("u1").byteorder == "|" and np.dtype(np.uint8).itemsize == 1
