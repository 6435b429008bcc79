"""The report a check returns: a verdict line, findings, notes (str and HTML)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from ..mistakes import SECTIONS


def section_ref(key: str) -> str:
    """``"notebook 03, section 'A batch: (P - Y) / N'"`` for a key of :data:`softmax.mistakes.SECTIONS`.

    Gradient-checking keys name notebook 04 (e.g. ``"notebook 04, section 'Gradient checking:
    centred differences'"``).
    """
    notebook, heading = SECTIONS[key]
    plain = heading.replace("$", "").replace("\\ln", "ln").replace("\\times", "×")
    return f"notebook {notebook}, section '{plain}'"


# --------------------------------------------------------------------------- the report

FINDING_KINDS = {
    "not-a-function": "the argument of a check is not callable",
    "exception": "the student's function raised on valid input",
    "time-limit": "the student's function ran past the time limit",
    "reference-called": "the student's function called one of the package's reference functions",
    "returned": "the returned value has the wrong type, arity or shape (or None)",
    "transposed": "on a probe with D == C (or N == C) the result is the transpose of the right one",
    "loss-values": "the loss differs from the reference on ordinary inputs",
    "gradient-values": "dW differs from the reference gradient on ordinary inputs",
    "array-values": "softmax / numerical gradient values differ from the reference",
    "stability": "ordinary inputs pass, large scores give inf/nan or wrong values (or no result)",
    "not-measured": "a probe gave no usable result: the part it probes is withheld, not passed",
    "side-effects": "an input array was modified",
    "gradient-check": "the student's gradient check: numerical gradient vs dW",
    "training": "check_training: diverged, rising, stuck or a poor classifier",
    "vectorization": "check_vectorized: a Python loop over examples, features or classes",
}
"""Every kind of :class:`Finding` (``Finding.kind``), for tests that check each kind's text."""


@dataclass
class Finding:
    """One problem a check found.

    Attributes
    ----------
    parts : tuple of str
        The parts found wrong (see the module docstring).
    checked : str
        What was checked, in words.
    expected, got : str
        The reference's and the student's numbers (rounded), or what was expected.
    rel_error : float or None
        Relative error of the first differing result, if numbers were compared.
    diagnosis : str
        What the numbers say, in plain words.
    hint : str
        What to look at, ending with the notebook section that explains it.
    mistake : str or None
        The catalogue id recognised, if any.
    where : str
        For an exception: the line of the student's code that raised it.
    evidence : str
        For a recognised mistake: what the numbers show on the probe (e.g. "your dW =
        right dW -0.5·2·reg·W"), when the difference has an exact simple form.
    where_wrong : str
        On which probes the part is wrong and on which it is right (e.g. "wrong on the 2
        float32 batches, right on the 6 float64 ones"), measured.
    kind : str
        A key of :data:`FINDING_KINDS`: which kind of finding this is.
    """

    parts: tuple
    checked: str
    expected: str = ""
    got: str = ""
    rel_error: float | None = None
    diagnosis: str = ""
    hint: str = ""
    mistake: str | None = None
    where: str = ""
    evidence: str = ""
    where_wrong: str = ""
    kind: str = ""

    def __post_init__(self):
        if not self.kind and "vectorization" in self.parts:
            self.kind = "vectorization"

    def lines(self) -> list[str]:
        head = " and ".join(self.parts)
        if self.mistake:
            head += f" [{self.mistake}]"
        out = [f"{head}: {self.checked}"]
        if self.expected or self.got:
            diff = f"expected {self.expected}, got {self.got}"
            if self.rel_error is not None and math.isfinite(self.rel_error):
                diff += f" (relative error {_round_sig(self.rel_error)})"
            out.append(diff)
        if self.where:
            out.append(self.where)
        if self.where_wrong:
            out.append(self.where_wrong)
        if self.diagnosis:
            out.append(self.diagnosis)
        if self.evidence:
            out.append(f"the numbers: {self.evidence}")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


@dataclass
class Report:
    """What a check found. ``ok`` is True only if every part passed.

    Attributes
    ----------
    check : str
        The check's name, e.g. ``"check_loss"``.
    findings : list of Finding
    notes : list of str
        Information that is not a problem (validation accuracy, speed).
    not_implemented : bool
        The function raised NotImplementedError: nothing else was checked.
    """

    check: str
    findings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    not_implemented: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings and not self.not_implemented

    @property
    def wrong(self) -> set:
        return {p for f in self.findings for p in f.parts}

    @property
    def mistakes(self) -> list:
        return [f.mistake for f in self.findings if f.mistake]

    @property
    def verdict(self) -> str:
        if self.not_implemented:
            return "✗ not implemented yet"
        if self.ok:
            return "✓ all checks passed"
        n = len(self.findings)
        return f"✗ {n} problem{'s' if n > 1 else ''}"

    def __str__(self) -> str:
        lines = [self.verdict]
        if self.not_implemented:
            lines.append(
                "write the function above (replace raise NotImplementedError), run its cell, then this one"
            )
        for k, finding in enumerate(self.findings, 1):
            first, *rest = finding.lines()
            lines.append(f"{k}. {first}")
            lines.extend(f"   {line}" for line in rest)
        lines.extend(self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        parts = [
            '<div class="softmax-feedback">',
            f'<p style="color:{colour};font-weight:bold">{html.escape(self.verdict)}</p>',
        ]
        if self.not_implemented:
            parts.append(f"<p>{html.escape(str(self).splitlines()[1])}</p>")
        if self.findings:
            parts.append("<ol>")
            for finding in self.findings:
                first, *rest = finding.lines()
                items = "".join(f"<br>{html.escape(line)}" for line in rest)
                parts.append(f"<li><b>{html.escape(first)}</b>{items}</li>")
            parts.append("</ol>")
        parts.extend(f"<p>{html.escape(note)}</p>" for note in self.notes)
        parts.append("</div>")
        return "".join(parts)


def _round_sig(x: float, digits: int = 2) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def _num(x) -> str:
    """A number rounded for the report (low bits differ between BLAS builds)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.5g}"
