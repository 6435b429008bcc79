"""Shared helpers of the real-browser tests (tests/test_slides_browser.py, test_lab_browser.py).

- `require` skips a test whose dependency is missing, or fails it when the environment sets
  ``SOFTMAX_REQUIRE_BROWSER=1`` (.ci/run does: CI must never skip these tests silently).
- `built_slides` builds the offline decks once per session (tools/build_slides.py reuses
  build/slides/ when nothing changed).
- `new_page` opens a page whose non-local requests are aborted and recorded.
- `LabServer` runs JupyterLab on 127.0.0.1 on a free port, with a token and throw-away
  settings, workspaces and a copy of the notebooks.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SLIDES = ROOT / "build" / "slides"
SCREENSHOTS = ROOT / "build" / "screenshots"
sys.path.insert(0, str(ROOT / "tools"))

import build_slides  # noqa: E402
from offline_chromium import NetworkGuard, browser_context, missing_dependency  # noqa: E402

__all__ = ["browser_context", "build_slides"]  # re-exported for the test modules

REQUIRE_ENV = "SOFTMAX_REQUIRE_BROWSER"


def require(missing: str | None) -> None:
    """Skip (or fail, under ``SOFTMAX_REQUIRE_BROWSER=1``) when ``missing`` names a dependency."""
    if not missing:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{missing}; {REQUIRE_ENV}=1 says browser tests must run, not skip")
    pytest.skip(missing)


def require_browser() -> None:
    """Chromium at /usr/bin/chromium and Playwright for Python."""
    require(missing_dependency())


def notebook_paths() -> list[Path]:
    """The course notebooks, in order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def slides_missing_dependency() -> str | None:
    """Name what building the decks lacks: npm (only when node_modules/ is not installed)."""
    lock = build_slides.LOCK_STAMP
    fresh = lock.is_file() and lock.read_text().strip() == build_slides.sha256_file(
        build_slides.LOCK
    )
    if not fresh and shutil.which("npm") is None:
        return "npm not found (needed once to install the slide assets: apt-get install npm)"
    return None


@functools.cache
def _build_slides() -> tuple[dict, ...]:
    return tuple(build_slides.build(notebook_paths(), out=SLIDES, prune=True))


def built_slides() -> list[dict]:
    """Build (or reuse) build/slides/ once per test session and return its decks.

    Skips or fails (see `require`) when npm is needed but missing or there is no notebook.
    """
    require(slides_missing_dependency())
    if not notebook_paths():
        require("no notebooks in notebooks/ to build slides from")
    return list(_build_slides())


def new_page(context):
    """A page of ``context`` with a `NetworkGuard` (``page.guard``) and a list of JS errors
    (``page.js_errors``)."""
    page = context.new_page()
    guard = NetworkGuard()
    guard.attach(page)
    page.guard = guard
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return page


def assert_offline(page) -> None:
    """Nothing remote was requested and every local file loaded."""
    assert page.guard.blocked == [], f"non-local requests (aborted): {page.guard.blocked}"
    assert page.guard.failed == [], f"local loads failed: {page.guard.failed}"


def screenshot_path(*parts: str) -> Path:
    """A path under build/screenshots/, its folder created."""
    path = SCREENSHOTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# JupyterLab settings for an unattended run: no news or update pop-up, no extension manager
# asking PyPI, and every cell kept in the DOM so tests can read all outputs.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


class LabServer:
    """JupyterLab from this environment on 127.0.0.1, stopped by its process handle.

    Parameters
    ----------
    workdir : Path
        Empty folder for the notebook copy, settings, workspaces, config and runtime files.
    notebooks : list of Path
        Copied into ``workdir/notebooks``, the server's root; ``data/`` is linked beside it
        so notebooks that read ``../data`` work as in the repo.
    """

    def __init__(self, workdir: Path, notebooks: list[Path]):
        self.workdir = workdir
        self.root = workdir / "notebooks"
        self.root.mkdir(parents=True)
        for nb in notebooks:
            shutil.copy2(nb, self.root / nb.name)
        (workdir / "data").symlink_to(ROOT / "data", target_is_directory=True)
        settings = workdir / "settings"
        for rel, value in LAB_SETTINGS.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        # Server side: no announcements feed, an extension manager that never asks PyPI.
        config = workdir / "config"
        config.mkdir()
        (config / "jupyter_lab_config.json").write_text(
            json.dumps({"LabApp": {"news_url": None, "extension_manager": "readonly"}})
        )
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = workdir / "lab.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Full URL of ``path`` (e.g. ``lab/tree/01.ipynb``) with the token."""
        return f"{self.base_url}/{path}?token={self.token}"

    def start(self, timeout: float = 90) -> LabServer:
        """Start the server and wait until its API answers."""
        env = {
            **os.environ,
            "JUPYTERLAB_SETTINGS_DIR": str(self.workdir / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.workdir / "workspaces"),
            "JUPYTER_CONFIG_DIR": str(self.workdir / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
            "BROWSER": "true",
        }
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # JupyterLab refuses root otherwise (containers, CI)
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.proc.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """The server's output so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down on SIGTERM); kill it if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


# JupyterLab: the kernel is idle (status bar).
STATUS_IDLE_JS = """
() => {
  const bar = document.querySelector('#jp-main-statusbar');
  return bar !== null && /\\|\\s*Idle/.test(bar.innerText);
}
"""
# Every code cell shows an execution count ("[3]:"), none is pending ("[*]:") or unrun ("[ ]:").
ALL_RUN_JS = """
() => {
  const prompts = Array.from(
    document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'));
  return prompts.length > 0 && prompts.every((p) => /\\[\\d+\\]/.test(p.innerText));
}
"""
