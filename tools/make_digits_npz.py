"""Reproduce data/digits.npz from scikit-learn's copy of the UCI optical digits.

Usage (scikit-learn is a dev-only dependency: keep it out of the project's .venv)::

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python tools/make_digits_npz.py            # writes data/digits.npz
    /tmp/skvenv/bin/python tools/make_digits_npz.py --check    # compare with the committed file

The file is byte-reproducible: ``np.savez`` would stamp every zip entry with the
current time, so this script writes the zip itself, with a fixed date, fixed
permissions and no compression (ZIP_STORED: deflate output depends on the zlib
build, stored bytes do not). Each entry is an ordinary ``.npy`` file, so
``np.load`` reads the result like any ``.npz``. The SHA-256 it prints must equal
``DIGITS_SHA256`` in softmax/data.py and the one in data/README.md.

Contents: ``images`` (1797, 8, 8) uint8 with values 0..16 and ``target`` (1797,)
uint8 with values 0..9, in scikit-learn's order.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "digits.npz"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


def digits_arrays() -> dict[str, np.ndarray]:
    """The digits images and labels from scikit-learn, as uint8 arrays."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit(
            "error: scikit-learn is not installed. It is needed only to regenerate "
            "data/digits.npz; install it in a throw-away venv, not in .venv:\n"
            "  python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn\n"
            "  /tmp/skvenv/bin/python tools/make_digits_npz.py"
        )
    bunch = load_digits()
    images, target = bunch.images, bunch.target
    if images.shape != (1797, 8, 8) or target.shape != (1797,):
        sys.exit(f"error: unexpected shapes from scikit-learn: {images.shape}, {target.shape}")
    if not (np.array_equal(images, np.round(images)) and images.min() >= 0 and images.max() <= 16):
        sys.exit("error: scikit-learn's digits are not whole numbers in 0..16")
    if sorted(np.unique(target).tolist()) != list(range(10)):
        sys.exit("error: scikit-learn's digit labels are not 0..9")
    return {"images": images.astype(np.uint8), "target": target.astype(np.uint8)}


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` archive of ``arrays`` whose bytes depend only on the arrays."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16  # -rw-r--r--, whatever the umask
            info.create_system = 3  # Unix, whatever the platform
            zf.writestr(info, npy.getvalue())
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output path")
    parser.add_argument(
        "--check", action="store_true", help="do not write; compare with the existing file"
    )
    args = parser.parse_args(argv)

    data = npz_bytes(digits_arrays())
    digest = hashlib.sha256(data).hexdigest()
    if args.check:
        existing = args.out.read_bytes() if args.out.exists() else b""
        same = existing == data
        print(f"{args.out}: {'identical' if same else 'DIFFERENT'} (sha256 {digest})")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes), sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
