"""Build offline reveal.js slide decks from the notebooks (``make slides``).

Usage: python tools/build_slides.py [--force] [--jobs N] [--out DIR] [NOTEBOOK ...]
(default: every notebooks/*.ipynb into build/slides/).

For each notebook this script
- executes it top to bottom in a fresh kernel (the environment of tests/notebook_env.py),
  so the deck carries fresh figures and the widget state that static widget views need;
- converts it with nbconvert's SlidesExporter and the template in tools/slides/, which
  drops cells tagged ``remove-cell``, hides the input of code cells tagged ``hide-input``,
  turns ``notes`` cells into speaker notes (press S in the deck) and loads nothing
  from the network;
- writes build/slides/<name>.slides.html.

reveal.js, MathJax 2, require.js, jQuery and the Jupyter widget renderer come from the
npm packages pinned in package.json / package-lock.json: ``npm ci`` runs only when
node_modules/ is missing or older than the lock file, and the files the decks load are
copied into build/slides/assets/. The folder build/slides/ therefore works from file://
with no network and can be copied to a USB stick as it is; build/slides/index.html lists
the decks.

A deck is rebuilt only when one of its inputs changed (the notebook, the softmax package,
this script, the template, the lock file); ``--force`` rebuilds everything.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = ROOT / "tools" / "slides"
TEMPLATE_NAME = "softmax_reveal"
NODE_MODULES = ROOT / "node_modules"
LOCK = ROOT / "package-lock.json"
LOCK_STAMP = NODE_MODULES / ".softmax-lock.sha256"
DEFAULT_OUT = ROOT / "build" / "slides"
MANIFEST = ".build-manifest.json"
ASSETS = "assets"

sys.path.insert(0, str(ROOT / "tools"))  # execute_notebooks, also when imported by the tests

# Slide geometry (16:9 projector) and look; see tools/slides/softmax-slides.css.
REVEAL = {"width": "1280", "height": "720", "theme": "white", "transition": "none", "number": "c/t"}

# What each deck loads, relative to build/slides/: (source in node_modules, destination).
# Only the files that a deck needs are copied (MathJax: TeX input, CommonHTML output and its
# TeX web fonts; about 8 MB in all), so the folder stays small enough for a USB stick.
ASSET_FILES = [
    ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.js"),
    ("reveal.js/dist/reveal.css", "reveal.js/dist/reveal.css"),
    ("reveal.js/dist/reset.css", "reveal.js/dist/reset.css"),
    ("reveal.js/dist/theme/white.css", "reveal.js/dist/theme/white.css"),
    ("reveal.js/dist/theme/fonts/source-sans-pro", "reveal.js/dist/theme/fonts/source-sans-pro"),
    ("reveal.js/plugin/notes/notes.js", "reveal.js/plugin/notes/notes.js"),
    ("reveal.js/LICENSE", "reveal.js/LICENSE"),
    ("mathjax/MathJax.js", "mathjax/MathJax.js"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax/extensions", "mathjax/extensions"),
    ("mathjax/jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax/jax/element", "mathjax/jax/element"),
    ("mathjax/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("mathjax/fonts/HTML-CSS/TeX/otf", "mathjax/fonts/HTML-CSS/TeX/otf"),
    ("mathjax/localization/en", "mathjax/localization/en"),
    ("requirejs/require.js", "requirejs/require.js"),
    ("jquery/dist/jquery.min.js", "jquery/jquery.min.js"),
    ("jquery/LICENSE.txt", "jquery/LICENSE.txt"),
    # embed-amd.js finds its icon fonts next to itself.
    ("@jupyter-widgets/html-manager/dist", "html-manager"),
]
# Parts of html-manager/dist that no deck loads (source maps, the non-AMD bundles).
ASSET_SKIP = ("*.map", "embed.js", "embed.js.LICENSE.txt", "libembed-amd.js")

NPM_MISSING = (
    "error: npm is needed to fetch the pinned slide assets (reveal.js, MathJax, require.js, jQuery,\n"
    "the widget renderer) but was not found on PATH.\n"
    "Install Node.js/npm: apt-get install npm (Debian/Ubuntu), brew install node (macOS),\n"
    "or see https://nodejs.org/; then run `make slides` again."
)


class BuildError(RuntimeError):
    """A deck or its assets could not be built; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_node_modules() -> None:
    """Run ``npm ci`` unless node_modules/ already matches package-lock.json.

    Raises
    ------
    BuildError
        npm is missing, or ``npm ci`` failed.
    """
    lock_hash = sha256_file(LOCK)
    if LOCK_STAMP.is_file() and LOCK_STAMP.read_text().strip() == lock_hash:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(NPM_MISSING)
    print(
        "slides: npm ci (pinned reveal.js, MathJax, require.js, jQuery, html-manager)", flush=True
    )
    start = time.perf_counter()
    # --ignore-scripts: none of these packages needs an install script (font-awesome's only
    # prints a message), and skipping them keeps the install fast and side-effect free.
    cmd = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"error: `{' '.join(cmd)}` failed:\n{proc.stdout}{proc.stderr}")
    LOCK_STAMP.write_text(lock_hash + "\n")
    print(f"slides: npm ci done in {time.perf_counter() - start:.1f} s", flush=True)


def copy_assets(out: Path) -> None:
    """Copy the files the decks load from node_modules/ into ``out/assets``.

    Skipped when the copy was made from the same lock file and stylesheet.
    """
    css = TEMPLATE_DIR / "softmax-slides.css"
    key = hashlib.sha256(
        (sha256_file(LOCK) + sha256_file(css) + json.dumps(ASSET_FILES)).encode()
    ).hexdigest()
    dest_root = out / ASSETS
    stamp = dest_root / ".assets.sha256"
    if stamp.is_file() and stamp.read_text().strip() == key:
        return
    if dest_root.exists():
        shutil.rmtree(dest_root)
    for src_rel, dest_rel in ASSET_FILES:
        src = NODE_MODULES / src_rel
        dest = dest_root / dest_rel
        if not src.exists():
            raise BuildError(f"error: {src} is missing; delete node_modules/ and run again")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*ASSET_SKIP))
        else:
            shutil.copy2(src, dest)
    shutil.copy2(css, dest_root / css.name)
    stamp.write_text(key + "\n")


def inputs_hash(notebook: Path) -> str:
    """Hash of everything a deck depends on: notebook, package, template, lock, this script."""
    h = hashlib.sha256()
    files = [notebook, Path(__file__).resolve(), LOCK, ROOT / "tests" / "notebook_env.py"]
    files += sorted(TEMPLATE_DIR.rglob("*"))
    files += sorted((ROOT / "softmax").rglob("*.py"))
    files += sorted((ROOT / "data").glob("*"))
    for path in files:
        if path.is_file():
            label = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            h.update(str(label).encode())
            h.update(sha256_file(path).encode())
    return h.hexdigest()


def deck_title(nb) -> str:
    """The notebook's first Markdown heading (or its metadata title)."""
    if nb.metadata.get("title"):
        return str(nb.metadata["title"])
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return ""


def _exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    prefix = ASSETS
    c = Config()
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    c.SlidesExporter.template_name = TEMPLATE_NAME
    c.SlidesExporter.reveal_url_prefix = f"{prefix}/reveal.js"
    c.SlidesExporter.reveal_theme = REVEAL["theme"]
    c.SlidesExporter.reveal_transition = REVEAL["transition"]
    c.SlidesExporter.reveal_number = REVEAL["number"]
    c.SlidesExporter.reveal_width = REVEAL["width"]
    c.SlidesExporter.reveal_height = REVEAL["height"]
    c.SlidesExporter.mathjax_url = f"{prefix}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    c.SlidesExporter.require_js_url = f"{prefix}/requirejs/require.js"
    c.SlidesExporter.jquery_url = f"{prefix}/jquery/jquery.min.js"
    c.SlidesExporter.widget_renderer_url = f"{prefix}/html-manager/embed-amd.js"
    # Not loaded by the template (the mermaid block is empty); pointed here so no http URL
    # reaches the page even if a later nbconvert adds another use.
    c.SlidesExporter.mermaid_js_url = ""
    c.SlidesExporter.font_awesome_url = ""
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    c.TagRemovePreprocessor.remove_input_tags = {"hide-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    return SlidesExporter(config=c)


def build_deck(notebook: Path, out: Path, timeout: int = 600) -> dict:
    """Execute one notebook and write ``out/<name>.slides.html``.

    Parameters
    ----------
    notebook : Path
        The .ipynb to build; it is read, never written.
    out : Path
        The slides folder (assets are expected in ``out/assets``).
    timeout : int
        Seconds a single cell may run.

    Returns
    -------
    dict
        ``name``, ``title``, ``file`` (relative to out), ``seconds`` and ``hash``.
    """
    import nbformat
    from execute_notebooks import run  # the same kernel set-up as `make execute`

    start = time.perf_counter()
    nb = nbformat.read(notebook, as_version=4)
    try:
        run(nb, notebook.parent, timeout)  # keeps the widget state: the deck shows it
    except Exception as exc:  # the kernel's error names the cell; add the notebook
        raise BuildError(f"error: executing {notebook.name} failed:\n{exc}") from exc
    body, _ = _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": notebook.stem}, "softmax_assets": ASSETS}
    )
    name = f"{notebook.stem}.slides.html"
    (out / name).write_text(body, encoding="utf-8")
    return {
        "name": notebook.stem,
        "title": deck_title(nb),
        "file": name,
        "seconds": round(time.perf_counter() - start, 2),
        "hash": inputs_hash(notebook),
    }


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>softmax-notebooks: slide decks</title>
<style>
body {{ font-family: sans-serif; font-size: 22px; max-width: 52em; margin: 2em auto; color: #222; }}
h1 {{ font-size: 34px; }}
li {{ margin: 0.5em 0; }}
a {{ color: #0072B2; }}
kbd {{ border: 1px solid #999; border-radius: 3px; padding: 0 0.3em; font-size: 18px; }}
.note {{ font-size: 18px; color: #444; }}
</style>
</head>
<body>
<h1>softmax-notebooks: slide decks</h1>
<ol>
{items}
</ol>
<p class="note">Keys: <kbd>&rarr;</kbd>/<kbd>Space</kbd> next, <kbd>&larr;</kbd> back,
<kbd>S</kbd> speaker notes, <kbd>F</kbd> full screen, <kbd>Esc</kbd> overview.
Everything these pages load is in this folder (no network needed): copy the whole folder.
A printable version: add <code>?print-pdf</code> to a deck's address and print to PDF,
or run <code>make handouts</code>.</p>
</body>
</html>
"""


def write_index(out: Path, decks: list[dict]) -> None:
    """Write ``out/index.html`` linking every deck in notebook order."""
    items = "\n".join(
        f'<li><a href="{html.escape(d["file"])}">{html.escape(d["title"] or d["name"])}</a>'
        f" <small>({html.escape(d['name'])})</small></li>"
        for d in sorted(decks, key=lambda d: d["name"])
    )
    (out / "index.html").write_text(INDEX.format(items=items), encoding="utf-8")


def build(
    notebooks: list[Path],
    out: Path = DEFAULT_OUT,
    force: bool = False,
    jobs: int = 2,
    prune: bool = False,
) -> list[dict]:
    """Build every deck that is missing or stale, then the index.

    Parameters
    ----------
    notebooks : list of Path
        Notebooks to build (the index lists these).
    out : Path
        Output folder, created if needed.
    force : bool
        Rebuild decks even when their inputs did not change.
    jobs : int
        Notebooks executed at once (each runs its own kernel).
    prune : bool
        Delete decks of notebooks not in ``notebooks`` (the index lists every deck in ``out``).

    Returns
    -------
    list of dict
        One entry per deck (see `build_deck`), with ``rebuilt`` True when it was built now.
    """
    if not notebooks:
        raise BuildError("error: no notebooks to build")
    ensure_node_modules()
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    todo, decks = [], {}
    for nb in notebooks:
        old = manifest.get(nb.stem)
        if not force and old and old["hash"] == inputs_hash(nb) and (out / old["file"]).is_file():
            decks[nb.stem] = {**old, "rebuilt": False}
        else:
            todo.append(nb)
    if todo:
        workers = max(1, min(jobs, len(todo)))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for deck in pool.map(build_deck, todo, [out] * len(todo)):
                print(f"slides: {deck['file']} built in {deck['seconds']:.1f} s", flush=True)
                decks[deck["name"]] = {**deck, "rebuilt": True}
                manifest[deck["name"]] = deck
                manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if prune:  # decks of notebooks that no longer exist
        for name in set(manifest) - {nb.stem for nb in notebooks}:
            (out / manifest.pop(name)["file"]).unlink(missing_ok=True)
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    listed = {name: d for name, d in manifest.items() if (out / d["file"]).is_file()}
    write_index(out, list(listed.values()))
    return [decks[nb.stem] for nb in notebooks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/slides")
    parser.add_argument("--force", action="store_true", help="rebuild every deck")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    args = parser.parse_args(argv)
    every = not args.notebooks
    notebooks = [p.resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("*.ipynb")
    )
    start = time.perf_counter()
    try:
        decks = build(
            notebooks, out=args.out.resolve(), force=args.force, jobs=args.jobs, prune=every
        )
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    rebuilt = sum(d["rebuilt"] for d in decks)
    print(
        f"slides: {len(decks)} decks in {args.out} ({rebuilt} rebuilt, "
        f"{len(decks) - rebuilt} up to date) in {time.perf_counter() - start:.1f} s; "
        f"open {args.out / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
