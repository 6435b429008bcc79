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
                  or calls the package's own reference functions, or runs past
                  the time limit;
``loss``          the loss differs from the reference on ordinary inputs;
``gradient``      dW differs from the reference gradient on ordinary inputs (a
                  gradient right for the true loss is right even if the loss is
                  not);
``stability``     ordinary inputs pass, but scores of about ±1000 (within a row
                  and across the rows of one batch) give inf/nan or wrong values;
``side-effects``  an input array was modified;
``values``        for :func:`check_softmax` and :func:`check_numerical_gradient`
                  (and the outcome of :func:`check_training`), the numbers returned;
``vectorization`` (:func:`check_vectorized` only) a Python loop, or less than 5x
                  faster than the student's naive version at the dev shape.

A mistake is recognised from the numbers, never from the code: each wrong part's
output is compared with what each mistake of :data:`softmax.mistakes.CATALOGUE`
returns on the same inputs (a loss N times too large, dW off by exactly 2·reg·W
or by Xᵀ·Y/N, failures on exactly the large-score batches where a missing max
shift fails, ...). A mistake that is not in the catalogue still gets the wrong
parts, expected vs got, and a description of how the numbers differ.

While a check runs the student's code, the package's reference functions
(``softmax_loss_naive``, ``softmax_loss_vectorized``, ``softmax_loss_fast``,
``softmax``, ``log_softmax``, ``logsumexp``, ``numerical_gradient``,
``grad_check_sparse``) raise if called, however they were imported; they are
restored afterwards, also when the check fails. Checks never raise because of a
student's error: an exception is shown with its type, message and the line of
the student's code; a function still running after the time limit is
interrupted (on the main thread, with SIGALRM) and reported.

Maths layer: numpy and the standard library only.
"""

from ._arrays import check_numerical_gradient, check_softmax
from ._loss import check_loss, check_vectorized
from ._report import Finding, Report, section_ref
from ._run import GRADCHECK_GOOD, GRADCHECK_WRONG
from ._training import check_gradient_check, check_training

__all__ = [
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
