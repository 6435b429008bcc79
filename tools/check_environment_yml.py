"""Check environment.yml's promise without conda: its pip list alone runs the notebooks.

Usage (from the repo root, any Python with PyYAML and packaging):
    python tools/check_environment_yml.py [VENV] [--uv PATH]

conda and Binder (repo2docker) create a Python of the version environment.yml names
and then pip-install its ``pip:`` list. This script does the second half the same
way: a fresh virtual environment of that Python (from PATH or ~/.pyenv), ``pip
install`` of exactly that list (no constraints file: the other packages resolve as
they would for a conda user; ``--uv`` does the same with ``uv pip install``, which .ci/run
uses: pip's resolver took 9 minutes here, uv under 2), then every notebook under strict
nbval. What it does
not test: conda itself (conda-forge's own Python build and channel), and a Binder
build (repo2docker's image). .ci/run calls it; tests/test_project.py checks that the
file is valid and its pins equal requirements/constraints.txt.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from lock import find_python  # tools/lock.py: PATH, then ~/.pyenv

ROOT = Path(__file__).resolve().parents[1]


def read() -> tuple[str, list[str]]:
    """environment.yml's Python version ("3.11") and its pip list."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    (python,) = [d.split("=", 1)[1] for d in deps if isinstance(d, str) and d.startswith("python=")]
    (section,) = [d["pip"] for d in deps if isinstance(d, dict)]
    return python, section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", nargs="?", type=Path, default=ROOT / "build" / "envyml-venv")
    parser.add_argument("--uv", help="install with `UV pip install` instead of pip (faster)")
    args = parser.parse_args()
    version, pip_list = read()
    python = find_python(version)
    if python is None:
        print(f"environment.yml: no Python {version} on this machine: not checked")
        return 1
    start = time.monotonic()
    shutil.rmtree(args.venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(args.venv)], check=True)
    venv_python = args.venv / "bin" / "python"
    if args.uv:
        install = [args.uv, "pip", "install", f"--python={venv_python}"]
    else:
        install = [venv_python, "-m", "pip", "install"]
    pip_args = [arg for line in pip_list for arg in shlex.split(line)]  # "-e ." is two arguments
    subprocess.run([*install, "--quiet", *pip_args], check=True, cwd=ROOT)
    installed = time.monotonic()
    print(f"environment.yml: pip list installed on Python {version} in {installed - start:.0f} s")
    result = subprocess.run(
        [venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "notebooks"], cwd=ROOT
    )
    print(f"environment.yml: notebooks under strict nbval in {time.monotonic() - installed:.0f} s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
