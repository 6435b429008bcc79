"""download_cifar10 against a local HTTP server on 127.0.0.1 (no other network).

The server hands out a small fabricated archive in the official layout, the same
archive cut short, a tampered copy, and archives with links or escaping paths.
After every failure the target folder must hold nothing: no .part file, no
staging folder, no half-extracted batch.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
from typing import ClassVar

import numpy as np
import pytest
from cifar_fixtures import batch_files, tar_gz

from softmax.data import (
    CIFAR10_DIRNAME,
    ChecksumError,
    DownloadError,
    UnsafeArchiveError,
    download_cifar10,
    load_cifar10,
)

FILES, EXPECTED = batch_files()
GOOD = tar_gz(FILES)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _tampered() -> bytes:
    data = bytearray(GOOD)
    data[len(data) // 2] ^= 0xFF
    return bytes(data)


def _member(name, kind, target=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    info.mode = 0o644
    return info


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[bytes, str]]] = {}
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        if self.path not in self.routes:
            self.send_error(404)
            return
        body, mode = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncate":  # announce everything, send 40 %, hang up
            self.wfile.write(body[: len(body) * 2 // 5])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, _Handler
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _serve(handler, path, body, mode="ok"):
    handler.routes[path] = (body, mode)
    return path


def _listing(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


# ----------------------------------------------------------------------------- success


def test_download_extracts_and_loads(server, tmp_path):
    base, handler = server
    path = _serve(handler, "/good.tar.gz", GOOD)
    seen = []
    folder = download_cifar10(
        tmp_path, url=base + path, md5=_md5(GOOD), progress=lambda d, t: seen.append((d, t))
    )
    assert folder == tmp_path / CIFAR10_DIRNAME
    assert seen[-1] == (len(GOOD), len(GOOD))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    names = _listing(tmp_path)
    assert names == sorted(
        ["cifar-10-python.tar.gz", CIFAR10_DIRNAME] + [f"{CIFAR10_DIRNAME}/{n}" for n in FILES]
    )  # nothing hidden left over
    (X_train, y_train), (X_test, y_test) = load_cifar10(tmp_path)
    for got, key in [(X_train, "X_train"), (y_train, "y_train"), (X_test, "X_test")]:
        assert np.array_equal(got, EXPECTED[key])
    assert np.array_equal(y_test, EXPECTED["y_test"])


def test_second_call_uses_what_is_there(server, tmp_path):
    base, handler = server
    path = _serve(handler, "/again.tar.gz", GOOD)
    download_cifar10(tmp_path, url=base + path, md5=_md5(GOOD), progress=False)
    before = len(handler.requests)
    download_cifar10(tmp_path, url=base + "/not-there", md5=_md5(GOOD), progress=False)
    assert len(handler.requests) == before  # no request at all

    # a verified archive on disk is extracted without downloading again
    other = tmp_path / "second"
    other.mkdir()
    (other / "cifar-10-python.tar.gz").write_bytes(GOOD)
    download_cifar10(other, url=base + "/not-there", md5=_md5(GOOD), progress=False)
    assert len(handler.requests) == before
    assert (other / CIFAR10_DIRNAME / "test_batch").is_file()


def test_text_progress_bar(server, tmp_path, capsys):
    base, handler = server
    path = _serve(handler, "/bar.tar.gz", GOOD)
    download_cifar10(tmp_path, url=base + path, md5=_md5(GOOD), chunk_size=512)
    err = capsys.readouterr().err
    assert "cifar-10-python.tar.gz: [" in err and "100.0%" in err
    assert err.count("\r") > 3 and err.endswith("\n")


# ----------------------------------------------------------------------------- failures


def test_truncated_download_leaves_nothing(server, tmp_path):
    base, handler = server
    path = _serve(handler, "/truncated.tar.gz", GOOD, mode="truncate")
    with pytest.raises(DownloadError, match=r"stopped early: received \d+ of \d+ bytes"):
        download_cifar10(tmp_path, url=base + path, md5=_md5(GOOD), progress=False)
    assert _listing(tmp_path) == []


def test_tampered_archive_leaves_nothing(server, tmp_path):
    base, handler = server
    bad = _tampered()
    assert len(bad) == len(GOOD)
    path = _serve(handler, "/tampered.tar.gz", bad)
    with pytest.raises(ChecksumError, match=f"has MD5 {_md5(bad)}, expected {_md5(GOOD)}"):
        download_cifar10(tmp_path, url=base + path, md5=_md5(GOOD), progress=False)
    assert _listing(tmp_path) == []


def test_published_checksum_is_the_default(server, tmp_path):
    """Without md5=..., the fabricated archive fails the official checksum."""
    base, handler = server
    path = _serve(handler, "/official-name.tar.gz", GOOD)
    with pytest.raises(ChecksumError, match="c58f30108f718f92721af3b95e74349a"):
        download_cifar10(tmp_path, url=base + path, progress=False)
    assert _listing(tmp_path) == []


def test_http_error_leaves_nothing(server, tmp_path):
    base, _ = server
    with pytest.raises(DownloadError, match="404"):
        download_cifar10(tmp_path, url=base + "/missing.tar.gz", md5=_md5(GOOD), progress=False)
    assert _listing(tmp_path) == []


def test_interrupted_download_leaves_nothing(server, tmp_path):
    base, handler = server
    path = _serve(handler, "/interrupt.tar.gz", GOOD)

    def ctrl_c(done, total):
        if done > len(GOOD) // 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_cifar10(tmp_path, url=base + path, md5=_md5(GOOD), progress=ctrl_c, chunk_size=256)
    assert _listing(tmp_path) == []


def test_existing_partial_archive_is_replaced(server, tmp_path):
    base, handler = server
    path = _serve(handler, "/replace.tar.gz", GOOD)
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(GOOD[:100])  # an old broken copy
    download_cifar10(tmp_path, url=base + path, md5=_md5(GOOD), progress=False)
    assert (tmp_path / "cifar-10-python.tar.gz").read_bytes() == GOOD


def test_incomplete_folder_is_never_overwritten(server, tmp_path):
    base, _ = server
    (tmp_path / CIFAR10_DIRNAME).mkdir()
    (tmp_path / CIFAR10_DIRNAME / "data_batch_1").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="incomplete"):
        download_cifar10(tmp_path, url=base + "/good.tar.gz", md5=_md5(GOOD), progress=False)
    assert (tmp_path / CIFAR10_DIRNAME / "data_batch_1").read_bytes() == b"mine"


UNSAFE = {
    "symlink to /etc/passwd": [_member(f"{CIFAR10_DIRNAME}/link", tarfile.SYMTYPE, "/etc/passwd")],
    "symlink escaping upwards": [
        _member(f"{CIFAR10_DIRNAME}/up", tarfile.SYMTYPE, "../../outside")
    ],
    "hard link": [_member(f"{CIFAR10_DIRNAME}/hard", tarfile.LNKTYPE, "/etc/passwd")],
    "dot-dot path": [_member(f"{CIFAR10_DIRNAME}/../../escaped.txt", tarfile.REGTYPE)],
    "path outside the batches folder": [_member("evil.txt", tarfile.REGTYPE)],
    "character device": [_member(f"{CIFAR10_DIRNAME}/dev", tarfile.CHRTYPE)],
    "fifo": [_member(f"{CIFAR10_DIRNAME}/fifo", tarfile.FIFOTYPE)],
}


@pytest.mark.parametrize("with_data_filter", [True, False], ids=["data-filter", "no-filter"])
@pytest.mark.parametrize("name", [*UNSAFE, "absolute path"])
def test_unsafe_archive_is_refused(server, tmp_path, monkeypatch, name, with_data_filter):
    base, handler = server
    if not with_data_filter:  # as on Pythons older than 3.10.12 / 3.11.4
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    extra = UNSAFE.get(name) or [_member(str(outside / "abs.txt"), tarfile.REGTYPE)]
    body = tar_gz(FILES, extra=extra)
    path = _serve(handler, f"/unsafe-{len(handler.routes)}.tar.gz", body)
    with pytest.raises(UnsafeArchiveError, match="refused member"):
        download_cifar10(root, url=base + path, md5=_md5(body), progress=False)
    assert _listing(root) == []  # refused archive removed, nothing extracted
    assert not outside.exists() and not (tmp_path / "escaped.txt").exists()


def test_archive_without_every_batch_is_refused(server, tmp_path):
    base, handler = server
    body = tar_gz({k: v for k, v in FILES.items() if k != "data_batch_4"})
    path = _serve(handler, "/incomplete.tar.gz", body)
    with pytest.raises(UnsafeArchiveError, match="lacks data_batch_4"):
        download_cifar10(tmp_path, url=base + path, md5=_md5(body), progress=False)
    assert _listing(tmp_path) == []


def test_not_a_tarball(server, tmp_path):
    base, handler = server
    body = b"<html>a captive portal page</html>"
    path = _serve(handler, "/portal.tar.gz", body)
    with pytest.raises(tarfile.TarError):
        download_cifar10(tmp_path, url=base + path, md5=_md5(body), progress=False)
    assert "cifar-10-python.tar.gz" in _listing(tmp_path)  # verified bytes stay; no folder
    assert CIFAR10_DIRNAME not in _listing(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"url": "file:///etc/passwd"}, "url must start with http"),
        ({"url": "ftp://127.0.0.1/x"}, "url must start with http"),
        ({"md5": "XYZ"}, "md5 must be 32 lowercase hex digits"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    args = {"url": "http://127.0.0.1:9/x", "md5": "0" * 32} | kwargs
    with pytest.raises(ValueError, match=match):
        download_cifar10(tmp_path, progress=False, **args)
    assert _listing(tmp_path) == []


def test_fixture_archive_has_the_official_layout():
    with tarfile.open(fileobj=io.BytesIO(GOOD), mode="r:gz") as tar:
        names = tar.getnames()
    assert names[0] == CIFAR10_DIRNAME
    assert sorted(names[1:]) == sorted(f"{CIFAR10_DIRNAME}/{n}" for n in FILES)
