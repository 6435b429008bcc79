"""The supported Python window (pyproject's requires-python, CPython 3.10 to 3.15) is one
window everywhere: make refuses an interpreter outside it with one line naming it, the lock
covers and dry-runs exactly it, and the README says it."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("lock_tool", ROOT / "tools" / "lock.py")
lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lock)

WINDOW = lock.python_window()
OLDEST, NEWEST = WINDOW[0], WINDOW[-1]
MINOR = int(NEWEST.split(".")[1])
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def fake_python(tmp_path: Path, version: str) -> Path:
    """An interpreter stand-in: answers the version question with VERSION, fails anything
    else (so make stops at its next step, the venv check, if it accepted the version)."""
    path = tmp_path / f"python{version}"
    path.write_text(f'#!/bin/sh\ncase "$2" in *version_info*) echo {version};; *) exit 3;; esac\n')
    path.chmod(0o755)
    return path


def make_venv(tmp_path: Path, python: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", f"PYTHON={python}", f"VENV={tmp_path / 'venv'}", "venv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def window_error(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "supports CPython" in line]


def test_the_window_is_3_10_to_the_newest_release():
    assert OLDEST == "3.10"  # kept: Ubuntu 22.04 LTS's python3 (README says why)
    assert NEWEST == "3.15"  # the newest CPython released (October 2026)
    assert [f"3.{m}" for m in range(10, 16)] == WINDOW


@pytest.mark.parametrize("version", ["2.7", "3.9", f"3.{MINOR + 1}", f"3.{MINOR + 10}"])
def test_make_refuses_a_python_outside_the_window_in_one_line(tmp_path, version):
    result = make_venv(tmp_path, fake_python(tmp_path, version))
    assert result.returncode != 0
    (line,) = window_error(result.stderr)
    assert f"is Python {version};" in line
    assert f"supports CPython {OLDEST} to {NEWEST} only" in line
    assert not (tmp_path / "venv").exists(), "no venv may be created for a refused Python"


@pytest.mark.parametrize("version", WINDOW)
def test_make_accepts_every_python_of_the_window(tmp_path, version):
    result = make_venv(tmp_path, fake_python(tmp_path, version))
    # The fake passes the version check, then fails make's next step (the venv check).
    assert window_error(result.stderr) == [], result.stderr
    assert "-m venv' is unavailable" in result.stderr


def test_make_names_the_window_when_the_interpreter_is_missing(tmp_path):
    result = make_venv(tmp_path, tmp_path / "no-such-python3")
    (line,) = window_error(result.stderr)
    assert "is missing or not a Python" in line and f"{OLDEST} to {NEWEST}" in line


@pytest.mark.parametrize("version", ["3.9", "2.7"])
def test_make_refuses_a_real_old_interpreter(tmp_path, version):
    real = shutil.which(f"python{version}")
    pyenv = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    real = str(pyenv[0]) if pyenv else real
    if real is None:
        pytest.skip(f"no Python {version} on this machine")
    probe = subprocess.run([real, "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"python{version} does not run here")
    result = make_venv(tmp_path, real)
    (line,) = window_error(result.stderr)
    assert f"is Python {version};" in line


def test_the_lock_dry_runs_every_python_of_the_window():
    points = lock.check_points()
    assert {".".join(p.split(".")[:2]) for p in points} == set(WINDOW)
    assert f"{NEWEST}.0" in points and f"{OLDEST}.0" in points


def test_check_points_include_each_patch_where_a_marker_splits(tmp_path):
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(
        "soupsieve==2.10 ; python_full_version < '3.11.5'\n"
        "soupsieve==4.1.3 ; python_full_version >= '3.11.5'\n"
        "x==1 ; python_full_version <= '3.13.2'\n"
        "y==1 ; python_full_version < '3.9.1'\n"  # outside the window: not checked
    )
    points = lock.check_points(constraints)
    assert "3.11.5" in points and "3.13.3" in points
    assert not any(p.startswith("3.9.") for p in points)


def test_every_promised_platform_gets_a_pin_for_every_package():
    """The lock resolves on each promised platform (markers evaluated there) to one pin per
    package: e.g. Intel macOS gets argon2-cffi-bindings 25.1.0, the last with its wheels."""
    for platform in lock.PLATFORMS:
        for python in WINDOW:
            env = lock.marker_env(f"{python}.0", platform)
            names = [
                lock.canonical(req.name)
                for req in lock.read_pins(lock.OUT)
                if req.marker is None or req.marker.evaluate(env)
            ]
            assert len(names) == len(set(names)), f"{platform.name} {python}: two pins apply"
            assert "numpy" in names


def test_readme_states_the_window_platforms_and_what_proves_them():
    readme = (ROOT / "README.md").read_text()
    assert f"CPython {OLDEST} to {NEWEST}" in readme
    for platform in lock.PLATFORMS:
        assert platform.name in readme, f"README does not name {platform.name}"
    assert "Windows" in readme
    assert re.search(r"3\.14 and 3\.15.*dry run", readme, flags=re.S)


def test_pythons_newer_than_ci_install_the_versions_ci_tests_on_3_13():
    """README: 3.12, 3.14 and 3.15 (not run in CI) get exactly the pins CI runs on 3.13."""
    for platform in lock.PLATFORMS:
        tested = lock.pins_for("3.13.0", platform=platform)
        for python in ["3.12", *WINDOW[WINDOW.index("3.13") + 1 :]]:
            assert lock.pins_for(f"{python}.0", platform=platform) == tested, (
                f"{platform.name} {python}: pins differ from 3.13's; update the README's table"
            )


@pytest.mark.parametrize(
    ("pin", "python", "platform", "has_wheels"),
    [
        ("numpy==2.4.6", "3.14.0", "Linux x86_64", True),
        ("numpy==2.4.6", "3.15.0", "Linux x86_64", False),  # issue 16: no cp315 wheel
        ("numpy==2.5.5", "3.15.0", "macOS x86_64", True),
        ("argon2-cffi-bindings==26.2.0", "3.13.0", "macOS x86_64", False),  # no Intel wheel
        ("argon2-cffi-bindings==25.1.0", "3.13.0", "macOS x86_64", True),
    ],
)
def test_the_dry_run_fails_a_pin_without_a_wheel(tmp_path, pin, python, platform, has_wheels):
    """make lock's check, fed pins whose wheels are known (needs uv and the package index)."""
    try:
        lock.uv()
    except SystemExit:
        pytest.skip("uv is not installed in this environment")
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(pin + "\n")
    (target,) = [p for p in lock.PLATFORMS if p.name == platform]
    run = lock.dry_run(python, target, path=constraints)
    if not run.ok and "error sending request" in run.detail:
        pytest.skip(f"the package index is unreachable: {run.detail}")
    assert run.ok is has_wheels, run.detail
    if not has_wheels:
        assert pin in run.detail and "no usable wheels" in run.detail


def test_ci_runs_the_dry_run_of_the_committed_pins():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^stage .* \.venv/bin/python tools/lock\.py --check-only$", ci, flags=re.M)


def test_repairs_move_up_for_a_new_python_and_scope_an_older_release(monkeypatch):
    """What make lock does when a dry run fails: a newer release with wheels -> let it move
    up (uv then forks at its requires-python); an older one -> a constraint scoped to the
    platforms / Pythons that need it."""
    by_name = {p.name: p for p in lock.PLATFORMS}
    pinned = {"numpy": "2.4.6", "argon2-cffi-bindings": "26.2.0", "oldwheel": "2.0"}
    picked = {  # what a wheel-only resolution for each failing target picks
        ("3.15.0", "Linux x86_64"): {**pinned, "numpy": "2.5.5"},
        ("3.14.0", "Linux aarch64"): {**pinned, "oldwheel": "1.0"},
        ("3.14.0", "macOS arm64"): {**pinned, "oldwheel": "1.0"},
    }
    for python in WINDOW:  # Intel macOS lacks argon2-cffi-bindings 26's wheels everywhere
        picked[f"{python}.0", "macOS x86_64"] = {**pinned, "argon2-cffi-bindings": "25.1.0"}
    picked["3.15.0", "macOS x86_64"]["numpy"] = "2.5.5"
    monkeypatch.setattr(lock, "wheel_only_resolution", lambda py, plat: picked[py, plat.name])
    monkeypatch.setattr(lock, "pins_for", lambda *args, **kwargs: pinned)
    failed = [lock.DryRun(py, by_name[name], False, "no wheel") for py, name in picked]
    upgrades, hints = lock.repairs(failed)
    assert upgrades == {"numpy"}
    assert hints == [
        "argon2-cffi-bindings==25.1.0 ; sys_platform == 'darwin' and platform_machine == 'x86_64'",
        "oldwheel==1.0 ; ((sys_platform == 'linux' and platform_machine == 'aarch64') or "
        "(sys_platform == 'darwin' and platform_machine == 'arm64')) and (python_version == '3.14')",
    ]
    for hint in hints:  # valid PEP 508, true exactly where it is needed
        req = Requirement(hint)
        assert req.marker.evaluate(lock.marker_env("3.13.0", by_name["macOS x86_64"])) == (
            req.name == "argon2-cffi-bindings"
        )
