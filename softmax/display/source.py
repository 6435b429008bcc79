"""Show the source of a package function in a notebook, each line beside its equation.

The notebooks never copy code from the package: they display it with
:func:`show_source`, so what a student reads on the page is what runs, and can
never drift from it. Notes are tied to lines by a piece of their text, so a note
whose line has changed or gone raises an error instead of labelling the wrong line.

>>> from softmax import softmax_loss_vectorized
>>> listing = show_source(
...     softmax_loss_vectorized,
...     start="S = X @ W",
...     stop="dW += 2 * reg * W",
...     notes={"S = X @ W": "s = W^T x"},
... )
>>> print(str(listing).splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
loss.py:...  S = X @ W    # s = W^T x
"""

from __future__ import annotations

import ast
import html
import inspect
import io
import textwrap
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SourceListing", "show_source"]


@dataclass(frozen=True)
class SourceListing:
    """Some lines of a function's source, with notes.

    Attributes
    ----------
    qualname : str
        The function's qualified name, e.g. ``softmax_loss_vectorized``.
    filename : str
        The file it lives in, relative to the package (``loss.py``).
    first_line : int
        The line number of ``lines[0]`` in that file.
    lines : tuple of str
        The lines, dedented as a block, without trailing newlines.
    notes : tuple of str
        One note per line ("" for none).
    line_numbers : tuple of int, optional
        The line number of each line in the file; default consecutive from
        ``first_line`` (they skip where comment lines were left out).
    """

    qualname: str
    filename: str
    first_line: int
    lines: tuple[str, ...]
    notes: tuple[str, ...]
    line_numbers: tuple[int, ...] = ()

    def numbers(self) -> tuple[int, ...]:
        """The file's line number of each shown line."""
        return self.line_numbers or tuple(range(self.first_line, self.first_line + len(self.lines)))

    def __str__(self) -> str:
        width = max(len(line) for line in self.lines)
        out = []
        for number, line, note in zip(self.numbers(), self.lines, self.notes, strict=True):
            where = f"{self.filename}:{number}"
            text = f"{line:<{width}}    # {note}" if note else line
            out.append(f"{where:>12}  {text}".rstrip())
        return "\n".join(out)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain-text display: the listing itself, not the dataclass fields."""
        printer.text(str(self))

    def _repr_html_(self) -> str:
        # Compact rows (notebook CSS pads table cells): a listing reads like code and fits a slide.
        cell = "padding:0.05em 0.6em 0.05em 0;line-height:1.35;"
        rows = []
        for number, line, note in zip(self.numbers(), self.lines, self.notes, strict=True):
            rows.append(
                "<tr>"
                f'<td style="{cell}color:#595959;text-align:right">{number}</td>'
                f'<td style="{cell}text-align:left;white-space:pre;font-family:monospace">'
                f"{html.escape(line) or '&nbsp;'}</td>"
                f'<td style="{cell}text-align:left;padding-left:1.5em;color:#0072B2">'
                f"{html.escape(note)}</td>"
                "</tr>"
            )
        caption = (
            f'<caption style="caption-side:top;text-align:left;color:#555">'
            f"<code>{html.escape(self.qualname)}</code> in <code>softmax/{self.filename}</code>"
            f" (lines {self.numbers()[0]}-{self.numbers()[-1]})</caption>"
        )
        return (
            '<table class="softmax-source" style="border-collapse:collapse;font-size:90%">'
            f"{caption}{''.join(rows)}</table>"
        )


def _find(lines: list[str], text: str, after: int, what: str, func_name: str) -> int:
    for k in range(after, len(lines)):
        if text in lines[k]:
            return k
    raise ValueError(f"{what}: no line of {func_name} (from line {after + 1} on) contains {text!r}")


def _without_comment(line: str) -> str:
    """``line`` without its trailing ``# comment`` (a ``#`` inside a string stays)."""
    code = line.lstrip()
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                return line[: len(line) - len(code) + token.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):  # an unclosed bracket: the comment came first
        pass
    return line


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the function's signature and docstring."""
    (node,) = ast.parse("\n".join(lines)).body
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        return first.end_lineno  # 1-based end of the docstring = 0-based next line
    return first.lineno - 1


def show_source(
    func: Callable,
    *,
    start: str | None = None,
    stop: str | None = None,
    notes: Mapping[str, str] | None = None,
    comments: bool = True,
) -> SourceListing:
    """The source of ``func`` from the line containing ``start`` to the one containing ``stop``.

    Parameters
    ----------
    func : function
        A function of the package (its source file must be readable).
    start, stop : str, optional
        Pieces of text that pick the first and the last line shown (the first
        line of code, after the docstring, containing ``start``; the first line
        from there on containing ``stop``). Default: the whole function,
        decorators and docstring included.
    notes : mapping str -> str, optional
        ``{piece of a line: note}``: the note is shown beside the first shown
        line that contains the piece (typically the equation the line computes).
    comments : bool
        ``False`` leaves out comment lines and trailing comments (when the notes
        say the same, and the full lines would not fit a slide); the lines keep
        their numbers in the file. Notes are matched against what is shown.

    Returns
    -------
    SourceListing
        Shows as a numbered table in a notebook, and as plain text with ``str``.

    Raises
    ------
    TypeError
        ``func`` is not a function, or its source cannot be read.
    ValueError
        ``start``, ``stop`` or a key of ``notes`` matches no line: the code has
        changed and the notebook's text about it must be checked.
    """
    if not inspect.isfunction(func):
        raise TypeError(f"func: expected a Python function, got {type(func).__name__}")
    func = inspect.unwrap(func)  # the function itself, not a checking wrapper
    try:
        source, first = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:  # pragma: no cover - built without sources
        raise TypeError(f"func: the source of {func.__qualname__} cannot be read ({exc})") from exc
    lines = textwrap.dedent("".join(source)).splitlines()
    name = func.__qualname__
    lo = _find(lines, start, _body_start(lines), "start", name) if start is not None else 0
    hi = _find(lines, stop, lo, "stop", name) if stop is not None else len(lines) - 1
    shown = textwrap.dedent("\n".join(lines[lo : hi + 1])).split("\n")
    numbers = [first + lo + k for k in range(len(shown))]
    if not comments:
        kept = [(n, _without_comment(line)) for n, line in zip(numbers, shown, strict=True)]
        kept = [(n, line) for n, line in kept if line.strip() or not shown[n - first - lo].strip()]
        numbers, shown = [n for n, _ in kept], [line for _, line in kept]
    shown_notes = [""] * len(shown)
    for piece, note in (notes or {}).items():
        k = _find(shown, piece, 0, "notes", name)
        shown_notes[k] = note
    path = Path(inspect.getsourcefile(func))
    package = Path(__file__).resolve().parent.parent
    try:
        filename = path.resolve().relative_to(package).as_posix()
    except ValueError:
        filename = path.name
    return SourceListing(
        name, filename, numbers[0], tuple(shown), tuple(shown_notes), tuple(numbers)
    )
