"""Checks that tell a student which mistake they made, not just that something is wrong.

Each check calls the student's function on fresh inputs (new arrays for every
call, drawn from a fixed seed so that the report's text is the same on every
run), compares what comes back with the package's reference, and returns a
:class:`Report`::

    >>> from softmax import feedback, mistakes
    >>> report = feedback.check_loss(mistakes.loss_missing_mean)
    >>> print(str(report).splitlines()[0])
    ✗ 1 problem
    >>> report.mistakes, sorted(report.wrong)
    (['missing-mean'], ['gradient', 'loss'])

The parts of a loss function judged separately (``report.wrong``):

``interface``     raises on valid input, or returns the wrong type, shape or arity,
                  or calls (or is) the package's own reference functions, or runs past
                  the time limit;
``loss``          the loss differs from the reference on ordinary inputs;
``gradient``      dW differs from the reference gradient on ordinary inputs (a
                  gradient right for the true loss is right even if the loss is
                  not);
``stability``     scores of about ±1000 (within a row and across the rows of one
                  batch) give inf/nan, wrong values or no usable result, or could not
                  be measured (the result is already inf/nan on ordinary inputs, or
                  the time limit was reached);
``side-effects``  an input array was modified;
``values``        for :func:`check_softmax` and :func:`check_numerical_gradient`
                  (and the outcome of :func:`check_training`), the numbers returned;
``vectorization`` (:func:`check_vectorized` only) a Python loop over examples,
                  features or classes: the Python events one call executes
                  (lines run, functions started, counted with sys.settrace)
                  grow when N, D or C grows. Counted, never timed: the same
                  code gets the same grade on any machine, idle or busy. The
                  speed against the package's naive loss is a note, not graded.

What a check guarantees about the numbers:

- the probes: several shapes, among them N = 1, D = C and N = C (a result of the
  transposed shape, transposed back only when it does not fit, is an ``interface``
  finding); ``reg = 0`` and ``reg = 0.5`` on the same W, X, y, in float64 and in
  float32; for the loss and softmax, scores near ±1000 across rows and within rows;
- wrong means a relative error (largest |got − expected| over the largest
  |expected|) above 1e-4 on ordinary inputs, above 1e-2 on scores near ±1000
  (1e-6 for a numerical gradient, against centred differences with the same h).
  float32 arithmetic and a dW by finite differences stay below; every catalogue
  mistake is off by more than 1e-2. An accepted error above float64 round-off
  (1e-9) is a note;
- no point without evidence: a probe with no usable result (None, the wrong type
  or shape, an exception, the time limit) fails the part it probes, or withholds
  it as "not measured" (kind ``not-measured``); it never passes. A report is "not
  implemented yet" only when the function raises NotImplementedError on every
  ordinary probe (the untouched stub);
- a mistake is named only when the student's output agrees with that mistake's
  own output on the same probes (to the tolerance above, inf and nan alike), it
  breaks nothing the student got right, and every other wrong part is explained by
  another named mistake: otherwise its diagnosis would be contradicted by a
  finding. Without a name a finding gives the part, expected vs got (the entry
  that differs most), on which probes it is wrong and right, and how the numbers
  differ when that has a simple exact form (a loss N times too large, dW off by
  exactly 2·reg·W or Xᵀ·Y/N, log-probabilities instead of probabilities, ...);
- findings come in the order interface, values on ordinary inputs, stability,
  side effects; an input changed by round-off only (x + h − 2h + h) is a note;
- each :class:`Finding` has a ``kind`` (:data:`FINDING_KINDS`), and the tests check
  the text of every kind.

What a check guarantees. On Linux and macOS each call of the student's function runs
in a child process (forked, in its own process group; about 8 ms a call) that is
killed with SIGKILL at the time limit: whatever the function does (an endless loop
that catches every exception, SIGALRM ignored, ``exit()``, ``os._exit``, a crash),
the check returns within its time limit plus a fraction of a second, and nothing
the function changes (module attributes, numpy's error state, signal handlers,
``sys.modules``) reaches the caller; only changes to the array arguments are
copied back, to be reported as side effects. Every exception the function raises,
``SystemExit`` and ``KeyboardInterrupt`` included, is a finding, shown with its
type, message and the line of the student's code; the user's own interrupt (the
kernel's stop button) still stops the check. In the child, the package's code
(the references, ``softmax.fast``, the catalogue of :mod:`softmax.mistakes`, code
objects saved from them) raises when the student's code calls it, however it was
imported, rebuilt or renamed; the function under check may itself be the
package's (that is how the references and the catalogue are tested). Expected
values come from private copies of the reference modules compiled from the files
on disk when this module is imported (:mod:`softmax.feedback._trusted` says what
that covers and what it does not). On Windows (no fork) the function runs in the
caller's process: references disabled, exceptions caught, but no time limit.

Maths layer: numpy and the standard library only.
"""

from ._arrays import check_numerical_gradient, check_softmax
from ._loss import check_loss, check_vectorized
from ._report import FINDING_KINDS, Finding, Report, section_ref
from ._run import GRADCHECK_GOOD, GRADCHECK_WRONG
from ._training import check_gradient_check, check_training

__all__ = [
    "FINDING_KINDS",
    "GRADCHECK_GOOD",
    "GRADCHECK_WRONG",
    "Finding",
    "Report",
    "check_gradient_check",
    "check_loss",
    "check_numerical_gradient",
    "check_softmax",
    "check_training",
    "check_vectorized",
    "section_ref",
]
