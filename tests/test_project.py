"""The project's own files agree with each other: dependencies, pins, commands, lint."""

from __future__ import annotations

import importlib.util
import platform
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


def _load_lock_tool():
    """tools/lock.py, which reads the constraints file the same way for lock and tests."""
    spec = importlib.util.spec_from_file_location("lock", ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = _load_lock_tool()
canonical = lock.canonical
# Every Python the README promises (pyproject's requires-python window, 3.10 to 3.15), at its
# first and a late patch release: the lock's markers may split inside a minor version
# (python_full_version < '3.11.5').
SUPPORTED = [f"{minor}.{patch}" for minor in lock.python_window() for patch in (0, 99)]


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def direct():
    """Direct dependencies of the project (core + the extras `make` installs)."""
    return lock.direct_requirements()


@pytest.fixture(scope="module")
def conda_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    (pip_section,) = [d for d in env["dependencies"] if isinstance(d, dict)]
    return env, pip_section["pip"]


def test_constraints_are_exact_pins():
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            (spec,) = Requirement(line).specifier
            assert spec.operator == "==", f"not an exact pin: {line}"


def test_makefile_installs_the_extras_the_lock_covers(pyproject):
    makefile = (ROOT / "Makefile").read_text()
    assert f"-e '.[{','.join(lock.EXTRAS)}]'" in makefile
    assert set(lock.EXTRAS) == set(pyproject["project"]["optional-dependencies"])


def test_environment_yml_lists_the_same_dependencies_and_pins(direct, conda_pip):
    env, pip_lines = conda_pip
    # A conda environment file: these keys only, conda-forge, pip itself before its list.
    assert set(env) == {"name", "channels", "dependencies"}
    assert env["name"] == "softmax-notebooks" and env["channels"] == ["conda-forge"]
    strings = [d for d in env["dependencies"] if isinstance(d, str)]
    assert strings == [f"python={lock.ENV_PYTHON}", "pip"]
    assert "-e ." in pip_lines, "environment.yml must install the project itself"
    listed = {}
    for line in pip_lines:
        if line == "-e .":
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"environment.yml: not an exact pin: {line}"
        listed[canonical(req.name)] = spec.version
    for patch in (0, 99):
        here = lock.marker_env(f"{lock.ENV_PYTHON}.{patch}")
        wanted = {canonical(r.name) for r in direct if r.marker is None or r.marker.evaluate(here)}
        assert set(listed) == wanted, "environment.yml and pyproject.toml list different packages"
        pins = lock.pins_for(f"{lock.ENV_PYTHON}.{patch}")
        for name, version in listed.items():
            assert version == pins[name], f"{name}: environment.yml != constraints.txt"


@pytest.mark.parametrize("python", SUPPORTED)
def test_every_dependency_is_pinned_for_every_supported_python(direct, python):
    pins = lock.pins_for(python)
    env = lock.marker_env(python)
    for req in direct:
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonical(req.name)
        assert name in pins, f"{name} is not pinned for Python {python}"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} outside {req.specifier}"


@pytest.mark.parametrize(
    "name", ["numpy", "matplotlib", "ipykernel", "ipywidgets", "nbval", "nbconvert", "jupyterlab"]
)
def test_output_changing_packages_are_pinned_and_installed_at_the_pin(name):
    from importlib.metadata import version

    expected = lock.pins_for(platform.python_version())[name]
    assert Version(version(name)) == Version(expected), f"{name} is not installed at its pin"


def test_import_contracts():
    """import-linter: display above bench above the maths modules; only display plots."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint_imports], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/lint-imports" in makefile.split("\nlint:")[1].split("\n\n")[0]


def test_import_softmax_needs_numpy_alone():
    """A fresh interpreter: `import softmax` loads no plotting, widget or download library."""
    heavy = [
        "matplotlib",
        "ipywidgets",
        "pooch",
        "tqdm",
        "requests",
        "softmax.display",
        "softmax.bench",
    ]
    code = (
        "import sys, softmax\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
        "print('numpy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True"], result.stdout


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


def test_ci_runs_the_readme_test_command_and_the_other_pythons():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert re.search(r"^stage .* make test$", ci, flags=re.M), "CI must run the README's make test"
    assert 'make VENV=".venv-3.$minor" PYTHON="$py" UV="$uv" coretest' in ci
    assert re.search(r"^stage .* tools/check_environment_yml.py --uv \"\$uv\"$", ci, flags=re.M)
    makefile = (ROOT / "Makefile").read_text()
    coretest = makefile.split("\ncoretest:")[1].split("\n\n")[0]
    assert '-m "not browser"' in coretest and "$(BIN)/python -m pytest" in coretest


def test_gitignore_covers_local_state():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", ".venv-*/", "build/", ".ipynb_checkpoints/", "node_modules/"):
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
