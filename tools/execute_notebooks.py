"""Re-run notebooks top to bottom in a fresh kernel and save them with outputs.

Usage: python tools/execute_notebooks.py notebooks/01_cross_entropy.ipynb [...]
(``make execute`` runs it on every notebook.)

What nbval later compares must be reproducible, so this script:
- starts a fresh ``python3`` kernel of the current environment for each notebook,
  in the notebook's folder, with the environment tests/conftest.py also sets;
- records no per-cell timing metadata;
- drops the saved widget state (random model ids) from the notebook metadata;
- stops with an error if a cell not tagged ``raises-exception`` fails.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from notebook_env import NOTEBOOK_ENV  # noqa: E402


def run(nb: nbformat.NotebookNode, folder: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute ``nb`` in place, top to bottom, in a fresh ``python3`` kernel started in
    ``folder`` with NOTEBOOK_ENV; no per-cell timing metadata. Returns ``nb``.

    Also used by tools/build_slides.py, so decks are built the way outputs are saved.
    """
    os.environ.update(NOTEBOOK_ENV)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,
    ).execute()
    return nb


def execute(path: Path, timeout: int = 600) -> float:
    """Execute the notebook at ``path`` and save it without widget state. Returns seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    run(nb, path.parent, timeout)
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name).resolve()
        seconds = execute(path)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"executed {shown} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
