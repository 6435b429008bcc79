"""Fabricated CIFAR-10 files in the official ``cifar-10-batches-py`` format, for tests.

The official batches were written by Python 2's cPickle (protocol 2) from numpy
1.x: byte strings are ``BINSTRING`` opcodes and arrays are rebuilt through
``numpy.core.multiarray._reconstruct``, ``numpy.ndarray`` and ``numpy.dtype``.
Python 3's pickler would write ``_codecs.encode`` calls and ``numpy._core``
instead, so :class:`Py2Pickler` reproduces the Python 2 byte stream: the loader
is tested on files shaped like the real ones, not on what Python 3 happens to write.
"""

from __future__ import annotations

import io
import pickle
import struct
import tarfile
from pathlib import Path
from typing import ClassVar

import numpy as np

from softmax.data import CIFAR10_CLASSES, CIFAR10_DIRNAME

_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(0, np.uint8))[0]
_PY2_GLOBALS = {
    id(_RECONSTRUCT): ("numpy.core.multiarray", "_reconstruct"),
    id(np.ndarray): ("numpy", "ndarray"),
    id(np.dtype): ("numpy", "dtype"),
}


class Py2Pickler(pickle._Pickler):
    """Protocol-2 pickler writing str and bytes as Python 2 ``str`` (BINSTRING)."""

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)

    def __init__(self, file):
        super().__init__(file, protocol=2)

    def save_py2_str(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else bytes(obj)
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = save_py2_str
    dispatch[bytes] = save_py2_str

    def save_global(self, obj, name=None):
        module, qualname = _PY2_GLOBALS.get(id(obj), (obj.__module__, obj.__qualname__))
        self.write(pickle.GLOBAL + module.encode() + b"\n" + qualname.encode() + b"\n")
        self.memoize(obj)

    def save_type(self, obj):
        return self.save_global(obj)

    dispatch[type] = save_type


def py2_pickle(obj) -> bytes:
    buf = io.BytesIO()
    Py2Pickler(buf).dump(obj)
    return buf.getvalue()


def fake_batch(n: int, seed: int, label: str) -> tuple[dict, np.ndarray, np.ndarray]:
    """A batch dict like the official ones, with its images (n, 32, 32, 3) and labels."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    labels = (np.arange(n) + seed) % 10
    batch = {
        "batch_label": label,
        "labels": [int(v) for v in labels],
        "data": images.transpose(0, 3, 1, 2).reshape(n, 3072),  # R plane, G plane, B plane
        "filenames": [f"fake_{seed}_{i}.png" for i in range(n)],
    }
    return batch, images, labels


def batch_files(n_per_batch: int = 6) -> tuple[dict[str, bytes], dict]:
    """File name -> bytes of a complete fake folder, and the arrays expected back."""
    files, train_X, train_y = {}, [], []
    for i in range(1, 6):
        batch, X, y = fake_batch(n_per_batch, seed=i, label=f"training batch {i} of 5")
        files[f"data_batch_{i}"] = py2_pickle(batch)
        train_X.append(X)
        train_y.append(y)
    batch, X_test, y_test = fake_batch(n_per_batch, seed=99, label="testing batch 1 of 1")
    files["test_batch"] = py2_pickle(batch)
    meta = {
        "num_cases_per_batch": n_per_batch,
        "label_names": list(CIFAR10_CLASSES),
        "num_vis": 3072,
    }
    files["batches.meta"] = py2_pickle(meta)
    files["readme.html"] = b"<meta HTTP-EQUIV='REFRESH' content='0; url=...'>\n"
    expected = {
        "X_train": np.concatenate(train_X),
        "y_train": np.concatenate(train_y),
        "X_test": X_test,
        "y_test": y_test,
    }
    return files, expected


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    folder = root / CIFAR10_DIRNAME
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def tar_gz(files: dict[str, bytes], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    """A .tar.gz laid out like the official archive (a cifar-10-batches-py/ folder).

    ``extra`` members (links, outside paths...) are appended as they are.
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo(CIFAR10_DIRNAME)
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(f"{CIFAR10_DIRNAME}/{name}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            payload = b"pwned\n" if info.isfile() else None
            if payload is not None:
                info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return buf.getvalue()
