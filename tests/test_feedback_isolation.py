"""softmax.feedback runs student code in a child process: every check comes back, the caller's
state is untouched, the package's reference paths are unusable from student code, and the
expected values do not move when the kernel's references are replaced (issue 14, §3 and §6).

The student functions are written the way students write them: endless loops that swallow
every exception, ``exit()``, patches of the package, calls to its internals."""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
import threading
import time
import types
import warnings

import numpy as np
import pytest

import softmax
from softmax import fast, mistakes
from softmax import loss as loss_module
from softmax.feedback import (
    _child,
    _run,
    check_gradient_check,
    check_loss,
    check_numerical_gradient,
    check_softmax,
    check_training,
    check_vectorized,
)

pytestmark = pytest.mark.skipif(not _child.CAN_FORK, reason="the child process needs os.fork")

LIMIT = 2.0  # seconds: low, to keep the suite fast
SLACK = 5.0  # a check returns within its limit plus this


EXP, LOG = np.exp, np.log  # the student's own references: a test replaces numpy's


def right_loss(W, X, y, reg):
    N = X.shape[0]
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    E = EXP(S)
    sums = E.sum(axis=1, keepdims=True)
    loss = np.mean(LOG(sums[:, 0]) - S[np.arange(N), y]) + reg * np.sum(W * W)
    P = E / sums
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W


def _large(W, X):
    return np.abs(X @ W).max() > 500


# --------------------------------------------------------------------------- §3 a check always comes back


def hangs_on_large_scores(W, X, y, reg):
    while _large(W, X):
        pass
    return right_loss(W, X, y, reg)


def swallows_everything(W, X, y, reg):
    while True:
        try:
            while True:
                pass
        except:  # noqa: E722 - the student's bare except
            pass


def swallows_base_exception(W, X, y, reg):
    while True:
        try:
            time.sleep(0.01)
        except BaseException:
            continue


def ignores_sigalrm(W, X, y, reg):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass


def calls_exit(W, X, y, reg):
    exit()


def calls_sys_exit(W, X, y, reg):
    sys.exit(3)


def calls_os_exit(W, X, y, reg):
    os._exit(0)


def raises_keyboard_interrupt(W, X, y, reg):
    raise KeyboardInterrupt


def crashes(W, X, y, reg):
    ctypes.string_at(0)  # SIGSEGV in compiled code


def changes_the_callers_state(W, X, y, reg):
    np.seterr(all="raise")
    signal.signal(signal.SIGALRM, lambda *a: None)
    sys.modules["softmax.loss"] = None
    softmax.softmax_loss_vectorized = lambda *a: (0.0, np.zeros_like(W))
    return right_loss(W, X, y, reg)


HOSTILE = [
    (hangs_on_large_scores, None),
    (swallows_everything, "did not finish within the time limit of 2 s"),
    (swallows_base_exception, "did not finish within the time limit of 2 s"),
    (ignores_sigalrm, "did not finish within the time limit of 2 s"),
    (calls_exit, "SystemExit"),
    (calls_sys_exit, "SystemExit: 3"),
    (calls_os_exit, "the process ended with exit status 0"),
    (raises_keyboard_interrupt, "KeyboardInterrupt"),
    (crashes, "killed by signal SIGSEGV"),
    (changes_the_callers_state, None),
]


@pytest.mark.parametrize(("fn", "words"), HOSTILE, ids=[f.__name__ for f, _ in HOSTILE])
def test_every_check_comes_back_and_the_callers_state_is_untouched(fn, words):
    def handler(signum, frame):  # the caller's own handler
        raise AssertionError("the caller's SIGALRM handler ran")

    previous = signal.signal(signal.SIGALRM, handler)
    errors = np.geterr()
    modules = dict(sys.modules)
    reference = softmax.softmax_loss_vectorized
    try:
        start = time.monotonic()
        report = check_loss(fn, time_limit=LIMIT)
        took = time.monotonic() - start
        assert signal.getsignal(signal.SIGALRM) is handler
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert took < LIMIT + SLACK, took
    assert np.geterr() == errors
    assert all(sys.modules.get(k) is v for k, v in modules.items())  # (the harness may import)
    assert softmax.softmax_loss_vectorized is reference
    if words is not None:  # (how a hang on large scores is counted is §1's matter)
        assert "interface" in report.wrong and words in str(report), str(report)


@pytest.mark.parametrize(
    "check",
    [
        lambda fn: check_softmax(lambda S: fn(None, None, None, None), time_limit=LIMIT),
        lambda fn: check_numerical_gradient(lambda f, x, h=1e-5: fn(0, 0, 0, 0), time_limit=LIMIT),
        lambda fn: check_vectorized(fn, time_limit=LIMIT),
        lambda fn: check_gradient_check(
            right_loss, lambda f, x, h: fn(0, 0, 0, 0), time_limit=LIMIT
        ),
        lambda fn: check_training(lambda *a, **k: fn(0, 0, 0, 0), right_loss, time_limit=LIMIT),
    ],
    ids=["softmax", "numerical_gradient", "vectorized", "gradient_check", "training"],
)
def test_each_check_comes_back_from_an_endless_loop_that_catches_everything(check):
    start = time.monotonic()
    report = check(swallows_base_exception)
    assert time.monotonic() - start < LIMIT + SLACK
    assert "interface" in report.wrong and "time limit" in str(report), str(report)


def test_the_users_interrupt_still_interrupts_and_kills_the_child(tmp_path):
    pid_file = tmp_path / "pid"

    def hangs(W, X, y, reg):
        pid_file.write_text(str(os.getpid()))
        while True:
            pass

    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        check_loss(hangs, time_limit=30)
    assert time.monotonic() - start < 10
    child = int(pid_file.read_text())
    assert child != os.getpid()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # killed and reaped


def test_no_fork_warning_reaches_the_callers_output():
    """Python >= 3.12 warns when a multi-threaded process (a Jupyter kernel) forks."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            report = check_loss(right_loss)
    finally:
        stop.set()
    assert report.ok, str(report)


def test_what_the_student_prints_is_shown(capsys):
    def chatty(W, X, y, reg):
        print("shape of X:", X.shape)
        return right_loss(W, X, y, reg)

    assert check_loss(chatty).ok
    assert "shape of X: (9, 5)" in capsys.readouterr().out


def test_side_effects_in_the_child_are_still_seen():
    def mutates(W, X, y, reg):
        out = right_loss(W.copy(), X, y, reg)
        X *= 2.0
        return out

    report = check_loss(mutates)
    assert report.wrong == {"side-effects"} and "X changed" in str(report), str(report)


def test_the_in_process_fallback_without_fork(monkeypatch):
    """Windows has no fork: the function runs in the caller's process, as before."""
    monkeypatch.setattr(_child, "CAN_FORK", False)
    assert check_loss(right_loss).ok
    report = check_loss(lambda W, X, y, reg: softmax.softmax_loss_vectorized(W, X, y, reg))
    assert report.wrong == {"interface"} and "softmax.softmax_loss_vectorized" in str(report)
    assert "SystemExit: 3" in str(check_loss(calls_sys_exit))
    assert all(f.__code__ is _run._ORIGINAL_CODE[id(f)] for f, _ in _run._REFERENCES)


# --------------------------------------------------------------------------- §6 the package's code is unusable


def _saved_code(W, X, y, reg):
    inner = loss_module.softmax_loss_vectorized.__wrapped__
    rebuilt = types.FunctionType(inner.__code__, inner.__globals__, "mine")
    return rebuilt(W, X, y, reg)


SAVED = loss_module.softmax_loss_naive.__wrapped__.__code__


def _renamed_code(W, X, y, reg):
    code = SAVED.replace(co_filename="my_notebook_cell.py", co_name="mine")
    return types.FunctionType(code, loss_module.__dict__)(W, X, y, reg)


def _catalogue_no_mistake(W, X, y, reg):
    return mistakes._buggy_loss(W, X, y, reg)


def _catalogue_loop_no_mistake(W, X, y, reg):
    return mistakes.CATALOGUE["missing-mean"].loop.func(W, X, y, reg)


def _blocked(W, X, y, reg):
    return fast._blocked_loss(W, X, y, reg, 4, False)


def _fast(W, X, y, reg):
    return softmax.softmax_loss_fast(W, X, y, reg)


def _catalogue_with_a_mistake(W, X, y, reg):
    return mistakes.loss_no_max_shift(W, X, y, reg)  # right on ordinary scores


def _swallows_the_guard(W, X, y, reg):
    try:
        return loss_module.softmax_loss_vectorized(W, X, y, reg)
    except BaseException:
        return right_loss(W, X, y, reg)


def _switches_the_guard_off(W, X, y, reg):
    sys.settrace(None)
    return loss_module.softmax_loss_vectorized(W, X, y, reg)


def test_switching_the_guard_off_is_reported():
    report = check_loss(_switches_the_guard_off)
    assert report.wrong == {"interface"} and "guard was switched off" in str(report)


def _classifier(W, X, y, reg):
    return softmax.classifier.softmax_loss_vectorized(W, X, y, reg)


PATHS = [
    (_saved_code, "softmax_loss_vectorized"),
    (_renamed_code, "softmax_loss_naive"),
    (_catalogue_no_mistake, "softmax.mistakes._buggy_loss"),
    (_catalogue_loop_no_mistake, "softmax.mistakes._buggy_loss_loop"),
    (_blocked, "softmax.fast._blocked_loss"),
    (_fast, "softmax.softmax_loss_fast"),
    (_catalogue_with_a_mistake, "softmax.mistakes.loss_no_max_shift"),
    (_swallows_the_guard, "softmax.softmax_loss_vectorized"),
    (_classifier, "softmax.softmax_loss_vectorized"),
]


@pytest.mark.parametrize(("fn", "name"), PATHS, ids=[f.__name__ for f, _ in PATHS])
def test_reference_paths_are_reported_not_passed(fn, name):
    report = check_loss(fn)
    assert report.wrong == {"interface"}, str(report)
    assert "called the package's own softmax." in str(report) and name in str(report)


def test_the_function_under_check_may_be_the_packages_own():
    """The references pass their own checks and the catalogue's mistakes are named when
    they are the function checked (the tests and the autograde demo rely on it)."""
    assert check_loss(softmax.softmax_loss_fast).ok
    assert check_loss(mistakes.CATALOGUE["missing-mean"].vectorized).mistakes == ["missing-mean"]


def test_a_softmax_or_numerical_gradient_built_on_the_package_is_reported():
    report = check_softmax(lambda S: mistakes._softmax_vectorized(S))
    assert report.wrong == {"interface"} and "softmax.mistakes._softmax_vectorized" in str(report)
    report = check_numerical_gradient(lambda f, x, h=1e-5: mistakes._numgrad_flat(f, x, h))
    assert report.wrong == {"interface"} and "_numgrad_flat" in str(report)


# --------------------------------------------------------------------------- §6 expected values stay


def _wrong_loss(W, X, y, reg):
    loss, dW = right_loss(W, X, y, reg)
    return 2 * loss, 2 * dW


def test_patching_the_reference_inside_the_function_changes_nothing_later():
    def patches(W, X, y, reg):
        loss_module.softmax_loss_vectorized = _wrong_loss
        softmax.softmax_loss_vectorized = _wrong_loss
        loss_module.softmax_loss_vectorized.__code__ = _wrong_loss.__code__
        return _wrong_loss(W, X, y, reg)

    before = loss_module.softmax_loss_vectorized
    assert not check_loss(patches).ok
    assert loss_module.softmax_loss_vectorized is before
    assert check_loss(right_loss).ok and not check_loss(_wrong_loss).ok


def test_patching_the_references_before_the_check_changes_no_expected_value(monkeypatch):
    wrong = {}
    for module, name in [
        (loss_module, "softmax_loss_vectorized"),
        (softmax, "softmax_loss_vectorized"),
        (softmax.functions, "softmax"),
        (softmax.gradcheck, "numerical_gradient"),
    ]:
        monkeypatch.setattr(module, name, _wrong_loss)
    monkeypatch.setattr(np, "exp", lambda x, *a, **k: np.ones_like(x))  # numpy itself
    monkeypatch.setattr(np, "log", lambda x, *a, **k: np.zeros_like(x))
    monkeypatch.setitem(sys.modules, "softmax.loss", None)
    monkeypatch.setattr(
        mistakes._buggy_loss, "__code__", _wrong_loss.__code__.replace(co_name="_buggy_loss")
    )
    wrong["loss"] = check_loss(_wrong_loss)
    wrong["right"] = check_loss(right_loss)
    monkeypatch.undo()
    assert {"loss", "gradient"} <= wrong["loss"].wrong, str(wrong["loss"])
    assert wrong["right"].ok, str(wrong["right"])


# --------------------------------------------------------------------------- §6 a loss that is not a number


@pytest.mark.parametrize(
    ("loss", "words"),
    [
        ("1.5", "the loss is a str"),
        (b"1.5", "the loss is a bytes"),
        (1.5 + 0j, "the loss is a complex"),
        (np.complex128(1.5), "the loss is a complex128"),
        (True, "the loss is a bool"),
        (None, "the loss is a NoneType"),
        (np.array([1.5]), "the loss is a ndarray of shape (1,)"),
    ],
    ids=["str", "bytes", "complex", "numpy complex", "bool", "None", "array (1,)"],
)
def test_a_loss_that_is_not_one_real_number_is_an_interface_error(loss, words):
    def fn(W, X, y, reg):
        return loss, right_loss(W, X, y, reg)[1]

    report = check_loss(fn)
    assert "interface" in report.wrong and words in str(report), str(report)


@pytest.mark.parametrize(
    "convert",
    [float, np.float64, np.float32, np.asarray, lambda v: np.array(v, dtype=np.float32)],
    ids=["float", "float64", "float32", "0-d array", "0-d float32"],
)
def test_numbers_of_every_kind_are_fine(convert):
    def fn(W, X, y, reg):
        loss, dW = right_loss(W, X, y, reg)
        return convert(loss), dW

    assert check_loss(fn).ok


class _Exploit:
    def __reduce__(self):  # would run in whoever unpickles it
        return (os.system, ("touch /tmp/feedback-exploit-ran",))


def test_odd_returned_objects_are_interface_text_and_never_run_in_the_caller():
    def fn(W, X, y, reg):
        return _Exploit(), (v for v in range(3))

    report = check_loss(fn)
    assert "interface" in report.wrong and "_Exploit" in str(report)
    assert not os.path.exists("/tmp/feedback-exploit-ran")


@pytest.mark.parametrize(
    "bind",
    [
        lambda: softmax.softmax_loss_vectorized,
        lambda: loss_module.softmax_loss_naive,
        lambda: fast.softmax_loss_fast,
        lambda: functools.partial(softmax.softmax_loss_vectorized),
        lambda: types.FunctionType(
            softmax.softmax_loss_vectorized.__wrapped__.__code__,
            softmax.softmax_loss_vectorized.__wrapped__.__globals__,
        ),
    ],
    ids=["public", "module", "fast", "partial", "rebuilt"],
)
def test_a_name_bound_to_the_package_function_is_not_the_students_code(bind, monkeypatch):
    """`softmax_loss_vectorized = softmax.softmax_loss_vectorized` in a solution cell runs no
    code of the student's: an interface finding, every point of the exercise withheld."""
    monkeypatch.setattr(_run, "ALLOW_PACKAGE_FUNCTIONS", False)
    report = check_loss(bind())
    assert not report.ok and "interface" in report.wrong
    assert [f.kind for f in report.findings] == ["reference-called"]
    assert "the package's own softmax_loss_" in str(report)
    monkeypatch.setattr(_run, "ALLOW_PACKAGE_FUNCTIONS", True)
    assert check_loss(bind()).ok  # the same function, allowed as a stand-in in tests


def test_numerical_gradient_and_softmax_bound_to_the_package_are_caught(monkeypatch):
    monkeypatch.setattr(_run, "ALLOW_PACKAGE_FUNCTIONS", False)
    assert "interface" in check_softmax(softmax.softmax).wrong
    assert "interface" in check_numerical_gradient(softmax.numerical_gradient).wrong
    # A catalogue mistake bound to the name is still judged on its numbers (the demo's students).
    report = check_loss(mistakes.loss_missing_mean)
    assert report.mistakes == ["missing-mean"]
