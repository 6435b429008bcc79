"""Run a notebook's own code with a bug planted in it, and read its verdict lines.

A ✓ printed by a notebook earns its place only if the bug it is about turns it into ✗.
:func:`run_mutant` plants that bug in the notebook's *own source* (a text replacement that
must match exactly once, so a mutant can never silently stop applying when the notebook is
edited), runs the code cells in order in an in-process IPython shell (magics and ``display``
work; figures go to the Agg backend and are closed), and returns the verdict lines printed.

    lines = run_mutant("03_gradient.ipynb", {"np.outer(p, p)": "np.diag(p**2)"},
                       until="diag(p) − ppᵀ vs numeric Jacobian")
    assert verdict(lines, "diag(p) − ppᵀ vs numeric Jacobian") == "✗"

With no replacements it runs the notebook as committed, which is how a test shows the same
line is ✓ first (the pair is the proof that the check can fail).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def code_cells(notebook: str) -> list[str]:
    """The sources of ``notebooks/<notebook>``'s code cells, in order."""
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def plant(cells: list[str], replacements: dict[str, str]) -> list[str]:
    """Apply each ``old -> new`` replacement; each ``old`` must occur exactly once in all cells."""
    cells = list(cells)
    for old, new in replacements.items():
        hits = [i for i, src in enumerate(cells) if old in src]
        count = sum(src.count(old) for src in cells)
        if count != 1:
            raise AssertionError(
                f"mutant {old!r} must occur exactly once in the notebook's code; found {count}"
            )
        cells[hits[0]] = cells[hits[0]].replace(old, new)
    return cells


def run_mutant(
    notebook: str,
    replacements: dict[str, str] | None = None,
    *,
    until: str,
    skip: tuple[str, ...] = ("widgets.", "interact"),
) -> list[str]:
    """Run ``notebook``'s code cells (with ``replacements`` planted) up to the cell holding ``until``.

    Parameters
    ----------
    notebook : str
        File name under ``notebooks/`` (e.g. ``"03_gradient.ipynb"`` or
        ``"optional/spiral.ipynb"``).
    replacements : dict of str to str, optional
        Source text to replace, each occurring exactly once (see :func:`plant`).
    until : str
        Text of the last cell to run (it must occur in some code cell).
    skip : tuple of str
        Cells whose source contains any of these are not run (widgets need a front end);
        the cell holding ``until`` always runs.

    Returns
    -------
    list of str
        Every line printed (stdout) by the cells run, in order.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    cells = plant(code_cells(notebook), replacements or {})
    last = next((i for i, src in enumerate(cells) if until in src), None)
    if last is None:
        raise AssertionError(f"no code cell of {notebook} holds {until!r}")
    import matplotlib

    # Agg for this process only: os.environ is left alone, since nbval's kernels started
    # later in the same pytest run inherit it (MPLBACKEND=Agg there would drop every figure).
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    saved = sys.displayhook, sys.excepthook, dict(os.environ)
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.user_ns["__name__"] = "__main__"
    cwd = os.getcwd()
    os.chdir(NOTEBOOKS / Path(notebook).parent)
    out: list[str] = []
    try:
        for i, src in enumerate(cells[: last + 1]):
            if i != last and any(s in src for s in skip):
                continue
            with capture_output(display=False) as cap:
                result = shell.run_cell(src, store_history=False, silent=False)
            out += cap.stdout.splitlines()
            if not result.success:
                raise AssertionError(
                    f"{notebook}, code cell {i} raised {result.error_in_exec!r}\n{src}"
                ) from result.error_in_exec
            plt.close("all")
    finally:
        os.chdir(cwd)
        InteractiveShell.clear_instance()
        sys.displayhook, sys.excepthook = saved[:2]
        os.environ.clear()
        os.environ.update(saved[2])
    return out


def verdict(lines: list[str], name: str) -> str:
    """The mark (``"✓"`` or ``"✗"``) of the one verdict line named ``name``."""
    marks = [ln[0] for ln in lines if ln[:1] in "✓✗" and ln[2:].startswith(name)]
    if len(marks) != 1:
        raise AssertionError(f"expected one verdict line named {name!r}; got {len(marks)}")
    return marks[0]


def marks(lines: list[str], names) -> dict[str, str]:
    """The mark of each verdict line in ``names`` (see :func:`verdict`)."""
    return {name: verdict(lines, name) for name in names}
