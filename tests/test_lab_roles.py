"""`make lab` (students) shows none of nbgrader's instructor tools; `make instructor-lab` does.

What is checked is what the browser is told: JupyterLab's page config (``disabledExtensions``
in /lab's page) lists nbgrader's lab extension (its menu, Validate button and Create Assignment
panel) for `make lab` only, and nbgrader's Formgrader answers only under `make instructor-lab`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_make_lab import free_port

ROOT = Path(__file__).resolve().parents[1]
NBGRADER_LAB = "@jupyter/nbgrader"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@contextlib.contextmanager
def serve(target: str, tmp_path: Path):
    """Start ``make TARGET`` on a free port; yield a function that GETs a path (status, body)."""
    port, token = free_port(), "softmax-test-token"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "BROWSER": "true",
    }
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    proc = subprocess.Popen(
        ["make", "--no-print-directory", target, f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def get(path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{port}/{path}{'&' if '?' in path else '?'}token={token}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, ""

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                get("api/status")
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"make {target}: JupyterLab did not answer (exit {proc.poll()})")
        yield get
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def page_config(get) -> dict:
    status, page = get("lab")
    assert status == 200
    m = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert m, "no page config in /lab"
    return json.loads(m[1])


def disabled(config: dict) -> set[str]:
    value = config.get("disabledExtensions", [])
    return set(value if isinstance(value, list) else [k for k, v in value.items() if v])


def test_make_lab_has_no_nbgrader_tools(tmp_path):
    with serve("lab", tmp_path) as get:
        assert NBGRADER_LAB in disabled(page_config(get))
        assert get("formgrader")[0] == 404
        assert get("assignments")[0] == 404


def test_make_instructor_lab_has_them(tmp_path):
    with serve("instructor-lab", tmp_path) as get:
        config = page_config(get)
        assert NBGRADER_LAB not in disabled(config)
        assert NBGRADER_LAB in json.dumps(config.get("federated_extensions", []))
        assert get("formgrader")[0] == 200
