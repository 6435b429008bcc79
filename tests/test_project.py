"""The project's own files agree with each other: dependencies, pins, commands, lint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def direct(pyproject):
    """Direct dependencies of the project (core + the extras `make` installs)."""
    project = pyproject["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in ("lab", "test"):
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return {canonical(r.name): r for r in reqs}


@pytest.fixture(scope="module")
def direct_here(direct):
    """The direct dependencies on environment.yml's Python 3.11 (markers evaluated)."""
    py311 = {"python_version": "3.11", "python_full_version": "3.11.0"}
    return {name: r for name, r in direct.items() if r.marker is None or r.marker.evaluate(py311)}


@pytest.fixture(scope="module")
def pins():
    """requirements/constraints.txt as {name: {python-version marker or '': version}}."""
    result: dict[str, dict[str, str]] = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"not an exact pin: {line}"
        result.setdefault(canonical(req.name), {})[str(req.marker or "")] = spec.version
    return result


@pytest.fixture(scope="module")
def conda_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    (pip_section,) = [d for d in env["dependencies"] if isinstance(d, dict)]
    return env, pip_section["pip"]


def pin_for_311(pins, name):
    versions = pins[name]
    return versions.get("") or versions['python_version >= "3.11"']


def test_environment_yml_lists_the_same_dependencies_and_pins(direct_here, pins, conda_pip):
    env, pip_lines = conda_pip
    assert "-e ." in pip_lines, "environment.yml must install the project itself"
    listed = {}
    for line in pip_lines:
        if line == "-e .":
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "=="
        listed[canonical(req.name)] = spec.version
    assert set(listed) == set(direct_here), (
        "environment.yml and pyproject.toml list different packages"
    )
    for name, version in listed.items():
        assert version == pin_for_311(pins, name), f"{name}: environment.yml != constraints.txt"
        assert direct_here[name].specifier.contains(version), (
            f"{name}=={version} outside pyproject's range"
        )
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert python == ["python=3.11"], "environment.yml's Python must match the pins' Python"


def test_every_dependency_is_pinned_for_every_supported_python(direct, pins):
    for name, req in direct.items():
        assert name in pins, f"{name} is not pinned in requirements/constraints.txt"
        for version in pins[name].values():
            assert req.specifier.contains(version), f"{name}=={version} outside {req.specifier}"


@pytest.mark.parametrize(
    "name", ["numpy", "matplotlib", "ipykernel", "ipywidgets", "nbval", "nbconvert", "jupyterlab"]
)
def test_output_changing_packages_are_pinned_and_installed_at_the_pin(pins, name):
    from importlib.metadata import version

    marker = (
        'python_version >= "3.11"' if sys.version_info >= (3, 11) else 'python_version < "3.11"'
    )
    expected = pins[name].get("") or pins[name][marker]
    assert Version(version(name)) == Version(expected), f"{name} is not installed at its pin"


def test_makefile_has_the_documented_targets():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, flags=re.M))
    for target in (
        "lab",
        "test",
        "lint",
        "format",
        "clean",
        "execute",
        "bench",
        "slides",
        "handouts",
    ):
        assert target in targets, f"make {target} is missing"
    assert "--allow-root" in makefile
    assert "-c $(CONSTRAINTS)" in makefile


def test_readme_gives_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_block = readme[: readme.index("```", readme.index("```") + 3)]
    assert "make lab" in first_block and "make test" in first_block


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^(time )?make test$", ci, flags=re.M)
    assert "set -euo pipefail" in ci


def test_gitignore_covers_local_state():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", "build/", ".ipynb_checkpoints/", "node_modules/"):
        assert entry in ignored


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_example_runs_and_says_what_it_claims(capsys):
    readme = (ROOT / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    exec(compile(code, "README.md", "exec"), {})
    loss, error = re.fullmatch(
        r"loss (\S+), largest relative error (\S+)\n", capsys.readouterr().out
    ).groups()
    assert abs(float(loss) - 2.303) < 0.01
    assert float(error) < 1e-7
