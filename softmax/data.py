"""Data for the trained classifier of notebook 06: digits, spirals and (optionally) CIFAR-10.

- :func:`load_digits` reads ``data/digits.npz`` (the UCI optical digits, shipped
  in the repository, see ``data/README.md``), checks its SHA-256 and returns
  deterministic stratified train / validation / test splits.
- :func:`scale`, :func:`subtract_mean`, :func:`add_bias` and :func:`preprocess`
  are the preprocessing steps of notebook 06: statistics come from the training
  split only, so nothing about the validation or test images leaks into training.
- :func:`make_spiral` draws the 2-D spiral that no linear classifier can separate.
- :func:`load_cifar10` reads the official ``cifar-10-batches-py`` pickles with a
  restricted unpickler (a pickle can run any code when loaded: this one refuses
  every global except the three numpy ones the official files use), and
  :func:`download_cifar10` fetches the official archive with pooch (imported only
  then) and extracts it with the checks of this module (pooch's own extraction is
  weaker: no member checks, tarfile's ``data`` filter only from Python 3.12).

Nothing here touches the network except :func:`download_cifar10`, which only runs
when called; the tests serve it a fabricated archive from 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.client
import numbers
import os
import pickle
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np

from ._validation import as_float_array, as_rng

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_DIRNAME",
    "CIFAR10_MD5",
    "CIFAR10_URL",
    "DIGITS_PATH",
    "DIGITS_SHA256",
    "ChecksumError",
    "DownloadError",
    "UnsafeArchiveError",
    "UnsafePickleError",
    "add_bias",
    "cifar10_available",
    "download_cifar10",
    "load_cifar10",
    "load_cifar10_flat",
    "load_digits",
    "make_spiral",
    "preprocess",
    "scale",
    "stratified_split",
    "subtract_mean",
]

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DIGITS_PATH = DATA_DIR / "digits.npz"
#: SHA-256 of data/digits.npz, as written by tools/make_digits_npz.py (see data/README.md).
DIGITS_SHA256 = "cd6524c95c0faa17da0dc0e5f931baf41f995a1d86216e92aa4c9b5e0b2bb2d8"

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
#: The MD5 published on the CIFAR-10 page for cifar-10-python.tar.gz (the only checksum published).
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_DIRNAME = "cifar-10-batches-py"
CIFAR10_FILES = (
    "batches.meta",
    "data_batch_1",
    "data_batch_2",
    "data_batch_3",
    "data_batch_4",
    "data_batch_5",
    "test_batch",
)
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


class ChecksumError(ValueError):
    """A file's checksum differs from the expected one (altered, truncated or wrong file)."""


class DownloadError(RuntimeError):
    """A download failed or was incomplete; nothing was left behind."""


class UnsafeArchiveError(ValueError):
    """An archive holds a link, a special file or a path outside the target folder."""


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asked for something an official CIFAR-10 batch never contains."""


# ----------------------------------------------------------------------------- helpers


def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def _fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in (0, 1); got {type(value).__name__}")
    if not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1); got {value}")
    return float(value)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ----------------------------------------------------------------------------- digits


def stratified_split(y, fractions, rng=None) -> list[np.ndarray]:
    """Split example indices into parts with the same class proportions.

    Parameters
    ----------
    y : array_like, shape (N,), integer dtype
        Class labels.
    fractions : sequence of float
        The fraction of each class that goes to each part after the first; the
        first part gets the rest. ``(0.2, 0.2)`` gives a 60 / 20 / 20 split.
    rng : numpy.random.Generator, int or None
        Source of the shuffles; the split is a deterministic function of it.

    Returns
    -------
    list of ndarray of int64, one per part (``len(fractions) + 1`` of them)
        Indices into ``y``, shuffled within each part. Together they are a
        partition of ``range(N)``. Per class, part ``k > 0`` gets
        ``round(fractions[k-1] * n_class)`` examples.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise TypeError(f"y must be a 1-D integer array; got dtype {y.dtype}, shape {y.shape}")
    fractions = [_fraction("fractions[i]", f) for f in fractions]
    if sum(fractions) >= 1:
        raise ValueError(f"fractions must sum to less than 1; got {sum(fractions)}")
    rng = as_rng(rng)
    parts: list[list[np.ndarray]] = [[] for _ in range(len(fractions) + 1)]
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        start = 0
        for k, f in enumerate(fractions, start=1):
            n = round(f * idx.size)
            parts[k].append(idx[start : start + n])
            start += n
        parts[0].append(idx[start:])
    return [rng.permutation(np.concatenate(p)).astype(np.int64) for p in parts]


def load_digits(seed=0, *, val_fraction=0.2, test_fraction=0.2, path=None):
    """The UCI optical digits, split into stratified train / validation / test sets.

    Used in notebook 06. The file ``data/digits.npz`` is checked against
    :data:`DIGITS_SHA256` before it is read.

    Parameters
    ----------
    seed : int or numpy.random.Generator, default 0
        Seed of the split. The same seed always gives the same split.
    val_fraction, test_fraction : float, default 0.2
        Fraction of each digit that goes to the validation / test split; the
        rest (60 % by default) is the training split.
    path : str or Path, optional
        Another copy of the file (default: ``data/digits.npz`` in the repository).

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
        ``X_*`` : ndarray, shape (n, 64), float64, pixel values 0..16 (an 8x8
        image per row, row-major: ``X[i].reshape(8, 8)`` is the image).
        ``y_*`` : ndarray, shape (n,), int64, digits 0..9.
        With the defaults n = 1079 / 359 / 359; every digit is in each split in
        the proportions of the whole set.

    Raises
    ------
    FileNotFoundError
        The file is missing.
    ChecksumError
        The file's SHA-256 is not :data:`DIGITS_SHA256` (it was altered or truncated).
    """
    path = DIGITS_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"the digits data file {path} is missing. It is part of the repository: restore it "
            "with `git checkout -- data/digits.npz`, or regenerate it with "
            "tools/make_digits_npz.py (see data/README.md)."
        )
    digest = _sha256(path)
    if digest != DIGITS_SHA256:
        raise ChecksumError(
            f"{path} has SHA-256 {digest}, expected {DIGITS_SHA256}: the file was altered or "
            "is incomplete. Restore it with `git checkout -- data/digits.npz`, or regenerate "
            "it with tools/make_digits_npz.py (see data/README.md)."
        )
    with np.load(path, allow_pickle=False) as npz:
        images, target = npz["images"], npz["target"]
    X = images.reshape(len(images), -1).astype(np.float64)
    y = target.astype(np.int64)
    rng = as_rng(seed)
    train, val, test = stratified_split(y, (val_fraction, test_fraction), rng)
    return (X[train], y[train]), (X[val], y[val]), (X[test], y[test])


def scale(X, factor):
    """``X * factor`` as a new float array, e.g. ``factor = 1/16`` maps digit pixels to [0, 1].

    Parameters
    ----------
    X : array_like, shape (N, D)
    factor : float > 0

    Returns
    -------
    ndarray, shape (N, D), float64 (float32 stays float32)
    """
    X = as_float_array("X", X, ndim=2)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
        raise TypeError(f"factor must be a positive number; got {type(factor).__name__}")
    if not (np.isfinite(factor) and factor > 0):
        raise ValueError(f"factor must be a finite number > 0; got {factor}")
    return X * X.dtype.type(factor)


def subtract_mean(X_train, *others):
    """Centre every array on the mean image of the training set (``X_train``) only.

    Using the validation or test images to compute the mean would leak
    information about them into training (notebook 06).

    Parameters
    ----------
    X_train : array_like, shape (N, D)
    *others : array_like, shape (M_k, D)
        Validation / test sets, centred with the *training* mean.

    Returns
    -------
    mean : ndarray, shape (D,)
        The training mean.
    centred : tuple of ndarray
        ``(X_train - mean, *(X - mean for X in others))``, new arrays.
    """
    X_train = as_float_array("X_train", X_train, ndim=2)
    arrays = [X_train]
    for k, X in enumerate(others):
        X = as_float_array(f"others[{k}]", X, ndim=2)
        if X.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"others[{k}] has {X.shape[1]} features but X_train has {X_train.shape[1]}"
            )
        arrays.append(X)
    mean = X_train.mean(axis=0)
    return mean, tuple(X - mean for X in arrays)


def add_bias(X):
    """The bias trick: append a column of ones, so ``[x, 1] @ [[W], [b]] = x @ W + b``.

    Parameters
    ----------
    X : array_like, shape (N, D)

    Returns
    -------
    ndarray, shape (N, D + 1), same floating dtype; the last column is all ones.
    """
    X = as_float_array("X", X, ndim=2)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def preprocess(X_train, *others, factor=1 / 16, center=True, bias=True):
    """Scale, centre on the training mean, and append the bias column (notebook 06).

    Parameters
    ----------
    X_train : array_like, shape (N, D)
    *others : array_like, shape (M_k, D)
    factor : float > 0, default 1/16 (digit pixels 0..16 -> 0..1)
    center, bias : bool, default True

    Returns
    -------
    mean : ndarray, shape (D,)
        The training mean after scaling (zeros if ``center`` is False).
    arrays : tuple of ndarray
        Each array preprocessed, shape (M, D + 1) if ``bias`` else (M, D).
    """
    arrays = [scale(X_train, factor)] + [scale(X, factor) for X in others]
    if center:
        mean, arrays = subtract_mean(*arrays)
    else:
        mean = np.zeros(arrays[0].shape[1], dtype=arrays[0].dtype)
    if bias:
        arrays = [add_bias(X) for X in arrays]
    return mean, tuple(arrays)


# ----------------------------------------------------------------------------- spiral


def make_spiral(n_per_class=100, n_classes=3, noise=0.2, rng=None):
    """Points on ``n_classes`` interleaved spiral arms (CS231n's toy set; notebook 06).

    Arm ``j`` has radius ``r`` from 0 to 1 and angle ``2 pi j / C + 4 r`` (plus
    Gaussian noise of standard deviation ``noise`` radians), so each arm turns
    through 4 radians (about 229 degrees) from the centre to the rim, and with
    C = 3 the arms interleave: each arm's convex hull holds points of the
    others, so no linear classifier separates them (notebook 06 shows a point
    of one arm as a convex combination of three points of another).

    Parameters
    ----------
    n_per_class : int >= 1
    n_classes : int >= 2
    noise : float >= 0
        Standard deviation of the angle noise, in radians.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray, shape (n_per_class * n_classes, 2), float64, inside the unit disc
    y : ndarray, shape (n_per_class * n_classes,), int64, arm labels 0..n_classes-1
        Grouped by class (all of class 0 first).
    """
    n = _positive_int("n_per_class", n_per_class)
    k = _positive_int("n_classes", n_classes, minimum=2)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number >= 0; got {type(noise).__name__}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0; got {noise}")
    rng = as_rng(rng)
    r = np.tile(np.linspace(0.0, 1.0, n), k)
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    t = 2 * np.pi * y / k + 4.0 * r + noise * rng.standard_normal(n * k)
    X = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return X, y


# ----------------------------------------------------------------------------- CIFAR-10


class _NdarrayToken:
    """Stands in for ``numpy.ndarray`` inside a pickle: accepted only as the first
    argument of ``_reconstruct``, never called (``ndarray(shape)`` could allocate
    any amount of memory)."""

    def __call__(self, *args, **kwargs):
        raise UnsafePickleError("refused: the pickle calls numpy.ndarray(...) directly")


_NDARRAY = _NdarrayToken()
_reconstruct = np.ndarray.__reduce__(np.zeros(0, np.uint8))[0]  # numpy's own, any version


def _safe_reconstruct(cls, shape, typecode):
    """``numpy.core.multiarray._reconstruct`` restricted to what ndarray.__reduce__ emits."""
    if cls is not _NDARRAY or tuple(shape) != (0,) or typecode not in ("b", b"b"):
        raise UnsafePickleError(
            f"refused: _reconstruct{(cls, shape, typecode)!r} is not how numpy pickles an array"
        )
    return _reconstruct(np.ndarray, (0,), b"b")


def _safe_dtype(spec, align=False, copy=True):
    """``numpy.dtype`` restricted to uint8, the only dtype in the official batches."""
    if spec not in ("u1", b"u1"):
        raise UnsafePickleError(f"refused: dtype {spec!r} (official CIFAR-10 batches are uint8)")
    return np.dtype("u1", align=False, copy=True)  # a copy: BUILD must not touch numpy's own


_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _safe_reconstruct,  # Python 2 / numpy 1 files
    ("numpy._core.multiarray", "_reconstruct"): _safe_reconstruct,  # re-saved with numpy 2
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _safe_dtype,
}


class _CifarUnpickler(pickle.Unpickler):
    """An Unpickler that resolves only the globals of an official CIFAR-10 batch.

    Unpickling calls whatever callables the file names (``os.system`` and
    friends included); here :meth:`find_class` returns guarded stand-ins for the
    three numpy globals an official batch uses and refuses everything else,
    before anything is called.
    """

    def __init__(self, file, source: str):
        # The batches were written by Python 2: latin1 maps its byte strings to str 1:1
        # (numpy's recommended setting for Python 2 pickles of arrays).
        super().__init__(file, encoding="latin1")
        self._source = source

    def find_class(self, module, name):
        allowed = _ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise UnsafePickleError(
                f"{self._source}: refused to load the global {module}.{name}. Official "
                "CIFAR-10 batches hold only dicts, lists, ints, strings and numpy uint8 "
                "arrays; this file is not one, and unpickling it could run arbitrary code."
            )
        return allowed


def _load_batch_file(path: Path) -> dict:
    """Read one pickle of the cifar-10-batches-py folder with the restricted unpickler."""
    with open(path, "rb") as f:
        try:
            obj = _CifarUnpickler(f, source=str(path)).load()
        except UnsafePickleError:
            raise
        except Exception as exc:
            raise UnsafePickleError(f"{path}: not a valid CIFAR-10 batch ({exc})") from exc
    if not isinstance(obj, dict):
        raise UnsafePickleError(f"{path}: expected a dict, got {type(obj).__name__}")
    return obj


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    batch = _load_batch_file(path)
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2:
        raise ValueError(f"{path}: 'data' must be a 2-D uint8 array")
    if data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{path}: 'data' rows must hold 3072 bytes; got shape {data.shape}")
    if not isinstance(labels, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in labels
    ):
        raise ValueError(f"{path}: 'labels' must be a list of ints")
    y = np.asarray(labels, dtype=np.int64)
    if y.shape != (data.shape[0],) or (y.size and (y.min() < 0 or y.max() > 9)):
        raise ValueError(f"{path}: expected {data.shape[0]} labels in 0..9")
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 32, 32, 3), channels last
    return np.ascontiguousarray(X), y


def _cifar_folder(root) -> Path:
    root = Path(root)
    for folder in (root / CIFAR10_DIRNAME, root):
        if all((folder / name).is_file() for name in CIFAR10_FILES):
            return folder
    raise FileNotFoundError(
        f"no complete {CIFAR10_DIRNAME} folder under {root} (it needs {', '.join(CIFAR10_FILES)}). "
        f"Fetch it with softmax.data.download_cifar10({str(root)!r}) (163 MB)."
    )


def cifar10_available(root="data") -> bool:
    """True if ``root`` (or ``root/cifar-10-batches-py``) holds every CIFAR-10 batch file."""
    try:
        _cifar_folder(root)
    except FileNotFoundError:
        return False
    return True


def load_cifar10(root="data"):
    """Read the official CIFAR-10 python batches (optional section of notebook 06).

    Every file is read with a restricted unpickler that refuses any global but
    the three numpy ones the official batches use, so a tampered or hostile
    file raises :class:`UnsafePickleError` before any of its code runs.

    Parameters
    ----------
    root : str or Path, default "data"
        The ``cifar-10-batches-py`` folder itself, or the folder that holds it.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X_*`` : ndarray, shape (n, 32, 32, 3), uint8 RGB images (n = 50000 / 10000
        for the official files). ``y_*`` : ndarray, shape (n,), int64, classes
        0..9 named by :data:`CIFAR10_CLASSES`.

    Raises
    ------
    FileNotFoundError
        A batch file is missing.
    UnsafePickleError
        A file is not an official batch (it names another global, or is corrupt).
    ValueError
        A batch has the wrong keys, shapes or labels.
    """
    folder = _cifar_folder(root)
    train = [_read_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    X_test, y_test = _read_batch(folder / "test_batch")
    X_train = np.concatenate([X for X, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (X_train, y_train), (X_test, y_test)


def load_cifar10_flat(root="data", *, n_train=None, n_test=None, seed=0):
    """CIFAR-10 as rows of 3072 floats, optionally a random subset (notebook 06, optional part).

    Parameters
    ----------
    root : str or Path
        As for :func:`load_cifar10`.
    n_train, n_test : int, optional
        Keep this many randomly chosen images of each split (all if None or larger).
    seed : int or numpy.random.Generator
        Chooses the subsets.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X_*`` : ndarray, shape (n, 3072), float64 in 0..255, each row an image
        in (32, 32, 3) order; ``y_*`` : ndarray, shape (n,), int64.
    """
    (X_train, y_train), (X_test, y_test) = load_cifar10(root)
    rng = as_rng(seed)
    out = []
    for name, X, y, n in (
        ("n_train", X_train, y_train, n_train),
        ("n_test", X_test, y_test, n_test),
    ):
        if n is not None and _positive_int(name, n) < len(y):
            keep = np.sort(rng.choice(len(y), size=n, replace=False))
            X, y = X[keep], y[keep]
        out.append((X.reshape(len(X), -1).astype(np.float64), y))
    return out[0], out[1]


class _TextProgress:
    """A one-line progress bar on stderr, redrawn at most every 0.5 %."""

    def __init__(self, name: str, stream=None):
        self.name, self.stream, self._last = name, stream or sys.stderr, -1.0

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            frac = done / total
            if frac - self._last < 0.005 and done < total:
                return
            self._last = frac
            bar = "#" * int(30 * frac)
            line = f"{self.name}: [{bar:<30}] {100 * frac:5.1f}% of {total / 1e6:.1f} MB"
        else:
            line = f"{self.name}: {done / 1e6:.1f} MB"
        end = "\n" if total and done >= total else ""
        self.stream.write("\r" + line + end)
        self.stream.flush()


class _PoochProgress:
    """The progress object pooch's downloader drives (tqdm's ``total``/``update``/
    ``reset``/``close``), passed on as ``report(done_bytes, total_bytes_or_None)``.

    pooch counts every chunk as a full ``chunk_size``, so ``done`` is clipped to the
    announced total; it ends with ``reset(); update(total)``: the last report is
    ``(total, total)``.
    """

    def __init__(self, report: Callable[[int, int | None], None]):
        self.report, self.total, self.done = report, None, 0

    def update(self, n: int) -> None:
        self.done += n
        total = self.total or None
        self.report(min(self.done, total) if total else self.done, total)

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        pass


def _incomplete_read(exc: BaseException):
    """The (bytes received, bytes announced) of an ``IncompleteRead`` behind exc, or None."""
    seen = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, http.client.IncompleteRead):
            partial = e.partial if isinstance(e.partial, int) else len(e.partial)
            return partial, partial + (e.expected or 0)
        stack += [a for a in e.args if isinstance(a, BaseException)]
        stack += [c for c in (e.__cause__, e.__context__) if c is not None]
    return None


def _fetch(url: str, dest: Path, md5: str, progress, timeout: float, chunk_size: int) -> None:
    """Download ``url`` to ``dest`` with pooch: a temporary file in ``dest``'s folder,
    checked against ``md5`` and renamed only then; deleted on any error or Ctrl-C.
    pooch's and requests' errors become :class:`DownloadError` / :class:`ChecksumError`."""
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(
        progressbar=_PoochProgress(progress) if progress else False,
        chunk_size=chunk_size,
        timeout=timeout,
    )
    try:
        pooch.retrieve(url, f"md5:{md5}", fname=dest.name, path=dest.parent, downloader=downloader)
    except requests.RequestException as exc:
        if (counts := _incomplete_read(exc)) is not None:
            raise DownloadError(
                f"downloading {url} stopped early: received {counts[0]} of {counts[1]} bytes"
            ) from exc
        raise DownloadError(f"downloading {url} failed: {exc}") from exc
    except ValueError as exc:  # pooch: "... expected md5:<md5> but got <md5>. Deleted ..."
        got = re.search(r"does not match the known hash: .* but got ([0-9a-f]{32})", str(exc))
        if got is None:
            raise
        raise ChecksumError(
            f"the file downloaded from {url} has MD5 {got[1]}, expected {md5} "
            "(the published checksum): it is corrupt or not the official archive; "
            "nothing was kept"
        ) from exc


def _check_members(members: list[tarfile.TarInfo], archive: Path) -> None:
    """Refuse links, special files and any path outside ``cifar-10-batches-py/``.

    Done on every Python, before anything is written; ``filter="data"`` (where
    available) then applies the same rules again during extraction.
    """
    for m in members:
        parts = PurePosixPath(m.name).parts
        if (
            m.name.startswith(("/", "\\"))
            or PurePosixPath(m.name).is_absolute()
            or ".." in parts
            or "\\" in m.name
            or (parts and ":" in parts[0])
            or not parts
            or parts[0] != CIFAR10_DIRNAME
        ):
            raise UnsafeArchiveError(
                f"{archive}: refused member {m.name!r}: every path must stay inside "
                f"{CIFAR10_DIRNAME}/"
            )
        if not (m.isfile() or m.isdir()):
            kind = "link" if (m.issym() or m.islnk()) else "special file"
            raise UnsafeArchiveError(f"{archive}: refused member {m.name!r}: it is a {kind}")


def _extract(archive: Path, root: Path) -> Path:
    """Extract into a temporary folder, check it, then rename it into place."""
    target = root / CIFAR10_DIRNAME
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".cifar-10-extract-"))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            _check_members(members, archive)
            if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4 / 3.12
                try:
                    tar.extractall(staging, members=members, filter="data")
                except tarfile.FilterError as exc:  # our check above should catch it first
                    raise UnsafeArchiveError(f"{archive}: refused member: {exc}") from exc
            else:
                tar.extractall(staging, members=members)  # members checked above
        missing = [n for n in CIFAR10_FILES if not (staging / CIFAR10_DIRNAME / n).is_file()]
        if missing:
            raise UnsafeArchiveError(f"{archive} lacks {', '.join(missing)}")
        os.replace(staging / CIFAR10_DIRNAME, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def download_cifar10(
    root="data",
    url: str = CIFAR10_URL,
    md5: str = CIFAR10_MD5,
    *,
    progress: bool | Callable[[int, int | None], None] = True,
    timeout: float = 60.0,
    chunk_size: int = 1 << 16,
) -> Path:
    """Fetch and extract the official CIFAR-10 python archive into ``root``.

    Safe at every step: pooch (the downloader of ``scipy.datasets``) writes the
    archive to a temporary file in ``root`` and renames it only when every byte
    announced has arrived and its MD5 equals the published one (an archive already
    there is checked the same way before it is used); it is extracted into a hidden staging folder, refusing links,
    special files and paths outside ``cifar-10-batches-py/`` (and with tarfile's
    ``data`` filter where Python has it), and renamed into place only when all
    batch files are there. An error or Ctrl-C at any point leaves no partial file.

    Parameters
    ----------
    root : str or Path, default "data"
        Folder that receives ``cifar-10-python.tar.gz`` and ``cifar-10-batches-py/``.
    url : str
        ``http://`` or ``https://`` address of the archive (tests use 127.0.0.1).
    md5 : str
        Expected MD5 of the archive (default: the published one).
    progress : bool or callable(done_bytes, total_bytes_or_None)
        True draws a text progress bar on stderr.
    timeout : float
        Seconds to wait for the server on each read.
    chunk_size : int

    Returns
    -------
    Path
        ``root/cifar-10-batches-py``; returned at once if it is already complete.

    Raises
    ------
    DownloadError
        Network error, HTTP error, or fewer bytes than announced.
    ChecksumError
        The archive's MD5 is not ``md5``.
    UnsafeArchiveError
        The archive holds a link, special file or outside path, or lacks a batch.
    FileExistsError
        ``root/cifar-10-batches-py`` exists but is incomplete (it is never overwritten).
    """
    scheme = urllib.parse.urlsplit(str(url)).scheme
    if scheme not in ("http", "https"):
        raise ValueError(f"url must start with http:// or https://; got {url!r}")
    if not (isinstance(md5, str) and len(md5) == 32 and all(c in "0123456789abcdef" for c in md5)):
        raise ValueError(f"md5 must be 32 lowercase hex digits; got {md5!r}")
    timeout = float(timeout)
    chunk_size = _positive_int("chunk_size", chunk_size)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    target = root / CIFAR10_DIRNAME
    if cifar10_available(root) and target.is_dir():
        return target
    if target.exists():
        raise FileExistsError(
            f"{target} exists but is incomplete; remove it and call download_cifar10 again"
        )
    archive = root / CIFAR10_ARCHIVE
    downloaded = False
    import pooch  # here, not at the top: `import softmax` needs numpy alone

    if not (archive.is_file() and pooch.file_hash(str(archive), alg="md5") == md5):
        report = _TextProgress(CIFAR10_ARCHIVE) if progress is True else progress or None
        _fetch(url, archive, md5, report, timeout, chunk_size)
        downloaded = True
    try:
        return _extract(archive, root)
    except UnsafeArchiveError:
        if downloaded:  # useless and refused: do not leave it for a later call to trust
            archive.unlink(missing_ok=True)
        raise
