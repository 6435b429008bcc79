"""The nbgrader settings of a course (:func:`configure`): the feedback page a student reads,
without the hidden tests, and duplicated graded cells that do not stop the autograder.

nbgrader's ``generate_feedback`` renders the autograded notebook as it ran, hidden tests and the
``AssertionError`` tracebacks that quote them included (nbgrader issues #917, #1363). A course
made by ``tools/course.py`` (and the autograde demo) configures it with :func:`configure`:

- :class:`HideHiddenTests` removes every hidden-test region from the cells (nbgrader's
  ``ClearHiddenTests``), and replaces the outputs of each autograded cell by its verdict: its
  points and ✓ or ✗, pointing at the check's own report just above it (the report names the
  mistake). Nothing is re-executed: the verdict is the grade in the gradebook, and the
  student's code is not run a second time outside the grading step. Any other output that
  quotes a hidden-test line (a submission can print what it likes) is replaced by a notice.
- The Markdown's maths (``$...$``, ``$$...$$``) becomes MathML (``latex2mathml``), which the
  browser renders with no network; the template in ``feedback_template/`` drops the CDN
  MathJax that nbconvert's page would load.
- Autograde: nbgrader's ``DeduplicateIds`` leaves an empty ``nbgrader`` metadata on the extra
  copies of a duplicated graded cell, and ``OverwriteCells.add_missing_cells`` then fails with a
  ``KeyError: 'grade_id'`` (nbgrader 0.9.5 and 0.9.6): :class:`DeduplicateIds` removes it.
- Code is highlighted with the ``a11y-high-contrast-light`` Pygments style (accessible-pygments):
  every token colour has a contrast of at least 4.5:1 on its background (WCAG AA).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import nbgrader
from jinja2 import pass_context
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    GetGrades,
    OverwriteCells,
    OverwriteKernelspec,
)
from nbgrader.preprocessors import DeduplicateIds as NbgraderDeduplicateIds

TEMPLATE_DIR = Path(__file__).resolve().parent / "feedback_template"
TEMPLATE_NAME = "softmax_feedback"
PYGMENTS_STYLE = "a11y-high-contrast-light"
HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"
# WCAG AA contrast on white: 5.1:1 and 5.4:1.
PASS_COLOUR = "#1a7f37"
FAIL_COLOUR = "#cf222e"
REMOVED_NOTICE = "[output removed from the feedback: it quoted the hidden tests]"


def hidden_test_lines(sources: list[str]) -> set[str]:
    """The stripped, non-empty lines between the hidden-test markers of ``sources``."""
    lines, inside = set(), False
    for source in sources:
        for line in source.splitlines():
            if HIDDEN_BEGIN in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and line.strip():
                lines.add(line.strip())
    return lines


def notebook_hidden_test_lines(path: Path) -> set[str]:
    """Every hidden-test line of a source notebook (what must never reach a student)."""
    nb = nbformat.read(path, as_version=4)
    return hidden_test_lines([cell.source for cell in nb.cells])


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join(
            [output.get("ename", ""), output.get("evalue", ""), *output.get("traceback", [])]
        )
    data = output.get("data", {})
    return "\n".join(
        v if isinstance(v, str) else "\n".join(v)
        for v in data.values()
        if isinstance(v, (str, list))
    )


def _verdict_output(cell) -> nbformat.NotebookNode:
    """The output shown under an autograded cell instead of what its hidden test printed."""
    meta = cell.metadata.nbgrader
    points = float(meta.get("points") or 0)
    score = float(meta.get("score") or 0)
    errors = [
        o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"
    ]
    if score >= points:
        mark, colour = "✓", PASS_COLOUR
        text = "this part of the check passed."
    else:
        mark, colour = "✗", FAIL_COLOUR
        text = "this part of the check failed: the check's report above says what it found."
        if errors and errors[0] != "AssertionError":
            text += (
                f" (The hidden test stopped with a {errors[0]}: did a cell above fail, or was "
                "its name changed?)"
            )
    plain = f"{mark} {score:g} / {points:g} points: {text}"
    rich = (
        f'<p class="softmax-verdict" style="color:{colour};font-weight:bold">'
        f"{html.escape(plain)}</p>"
    )
    return nbformat.v4.new_output("display_data", data={"text/plain": plain, "text/html": rich})


class HideHiddenTests(ClearHiddenTests):
    """Remove the hidden tests and every output that shows them; give each graded cell its verdict.

    Runs in ``GenerateFeedback.preprocessors`` after nbgrader's ``GetGrades`` (which puts each
    graded cell's score in its metadata).
    """

    def preprocess(self, nb, resources):
        self._hidden = hidden_test_lines([cell.source for cell in nb.cells])
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for i, output in enumerate(cell.outputs):
                text = _output_text(output)
                if any(line in text for line in self._hidden):
                    cell.outputs[i] = nbformat.v4.new_output(
                        "stream", name="stdout", text=REMOVED_NOTICE + "\n"
                    )
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        removed = self._remove_hidden_test_region(cell)
        if removed and cell.cell_type == "code":
            cell.outputs = (
                [_verdict_output(cell)] if cell.metadata.get("nbgrader", {}).get("grade") else []
            )
        elif removed and not cell.metadata.get("nbgrader", {}).get("grade"):
            raise RuntimeError(
                f"a hidden-test region in cell {cell_index}, which is not a graded cell"
            )
        return cell, resources


# Links underlined and dark enough: #1d5a93 is 7.1:1 on white and 6.6:1 on the code
# background #f5f5f5; the cell headings' "(Top)" links white on their #337ab7 (4.6:1).
A11Y_CSS = """<style>
a, a:visited { color: #1d5a93; text-decoration: underline; }
div.nbgrader_cell .panel-heading a, div.nbgrader_cell .panel-heading a:visited { color: #ffffff; }
</style>
"""


class FeedbackHTMLExporter(HTMLExporter):
    """nbgrader's feedback page made to meet WCAG 2.1 AA (tests/test_student.py runs axe-core
    on the demo students' pages): its ``<html>`` declares the language, and :data:`A11Y_CSS`
    fixes the contrast of nbgrader's links (#337ab7 on #f5f5f5, 4.2:1; #bbbbbb on #337ab7,
    2.4:1) and underlines them (they differed from the text by colour alone)."""

    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(nb, resources, **kw)
        output = output.replace("<html>", '<html lang="en">', 1)
        return output.replace("</head>", A11Y_CSS + "</head>", 1), resources


class DeduplicateIds(NbgraderDeduplicateIds):
    """nbgrader's: keeps the last copy of a graded cell; the other copies become plain cells
    (their ``nbgrader`` metadata removed, not left empty)."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


# --------------------------------------------------------------------------- maths as MathML

# Code (inline or blocks) is left alone; everything else is searched for $$...$$ then $...$.
_CODE_RE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.S)
_DISPLAY_RE = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_RE = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]+?)(?<!\\)\$")


def _mathml(tex: str, display: str) -> str:
    tex = html.unescape(tex)
    try:
        return latex_to_mathml(tex, display=display)
    except Exception:  # latex2mathml cannot parse it: show the TeX as code, never raw
        return f"<code>{html.escape(tex)}</code>"


def math_to_mathml(rendered: str) -> str:
    """Replace the ``$$...$$`` and ``$...$`` maths of rendered Markdown HTML by MathML."""
    parts = _CODE_RE.split(rendered)
    for i in range(0, len(parts), 2):  # even parts are outside code
        text = _DISPLAY_RE.sub(lambda m: _mathml(m[1], "block"), parts[i])
        parts[i] = _INLINE_RE.sub(lambda m: _mathml(m[1], "inline"), text)
    return "".join(parts)


@pass_context
def markdown2html(context, source: str) -> str:
    """nbconvert's Markdown filter (the same renderer as HTMLExporter's), maths as MathML."""
    cell = context.get("cell", {})
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments", {}), path=path)
    return math_to_mathml(MarkdownWithMath(renderer=renderer).render(source))


# --------------------------------------------------------------------------- configuration


def configure(c) -> None:
    """Set ``c`` (an nbgrader traitlets config) to produce the feedback described above."""
    nbgrader_templates = (
        Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    )
    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        OverwriteCells,
        CheckCellMetadata,
    ]
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
    c.GenerateFeedback.exporter_class = FeedbackHTMLExporter
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATE_DIR), str(nbgrader_templates)]
    c.HTMLExporter.filters = {"markdown2html": markdown2html}
    c.CSSHTMLHeaderPreprocessor.style = PYGMENTS_STYLE
