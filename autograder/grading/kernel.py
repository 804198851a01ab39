"""The in-process path: the same probes and judges, on functions that live in this process.

For a Jupyter kernel, where the student's functions already are: the notebook's self-check
cells and nbgrader's test cells. There is no sandbox here (the student's own code, in the
student's own kernel, or nbgrader's); `autograder grade` is the isolated path.
"""

import contextlib
import importlib
import inspect
import io
import warnings
from collections.abc import Iterator, MutableMapping

import torch

from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import judged, plan
from autograder.grading.report import Report
from autograder.sandbox.calls import Caller, honest_functions, modes_set_aside, observe_case
from autograder.sandbox.runner import RunResult

ISOLATION = "in process (no sandbox)"
_MISSING = object()


class _Names:
    """Attribute access over a live namespace, as the Caller expects of a module."""

    def __init__(self, namespace: MutableMapping):
        self._namespace = namespace

    def __getattr__(self, name: str):
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(name) from None


def _files(namespace: MutableMapping, graded: tuple[str, ...]) -> frozenset[str]:
    """The files (kernel cells) the graded functions come from: their frames are the student's."""
    code = (getattr(namespace.get(n), "__code__", None) for n in graded)
    return frozenset(c.co_filename for c in code if c is not None)


def source_of(namespace: MutableMapping, graded: tuple[str, ...]) -> str:
    """The graded functions' source, for the hidden cases' seed."""
    parts = []
    for name in graded:
        try:
            parts.append(inspect.getsource(namespace[name]))
        except (KeyError, TypeError, OSError):
            parts.append("")
    return "\n".join(parts)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Whatever the student's code prints or warns stays out of the cell's output: nbgrader
    scores a test cell 0 for anything on stderr."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _injected(namespace: MutableMapping, sources: dict[str, str] | None) -> Iterator[None]:
    """Known-good functions in place of the student's for a while, as in the grader's child."""
    saved = {name: namespace.get(name, _MISSING) for name in sources or {}}
    for name, source in (sources or {}).items():
        scope = {"torch": torch}
        exec(compile(source, f"<known-good {name}>", "exec"), scope)
        namespace[name] = scope[name]
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value


class _Entries(_Names):
    """Attributes that are a namespace's entries, both ways (for `honest_functions`)."""

    def __setattr__(self, name: str, value) -> None:
        if name == "_namespace":
            object.__setattr__(self, name, value)
        else:
            self._namespace[name] = value


@contextlib.contextmanager
def _honest(namespace: MutableMapping, names: tuple[str, ...], seen: set) -> Iterator[None]:
    """The graded functions wrapped for a while, as in the grader's child (`calls.honest`)."""
    saved = {name: namespace[name] for name in names if name in namespace}
    honest_functions(_Entries(namespace), names, seen)
    try:
        yield
    finally:
        namespace.update(saved)


def observe(namespace: MutableMapping, cases: list, expect: Expectations,
            inject: dict | None = None) -> dict:
    ex, observed = expect.exercise, {}
    probes = importlib.import_module(ex.probes).PROBES
    with modes_set_aside(), _quiet(), torch.random.fork_rng(), _injected(namespace, inject):
        call = Caller(_Names(namespace), _files(namespace, ex.functions))
        with _honest(namespace, ex.functions, call.subclasses):
            for case in cases:
                observed[case.id] = observe_case(probes[case.probe], call, case.args)
        torch.set_grad_enabled(True)
    return observed


def grade_namespace(namespace: MutableMapping, *, expect: Expectations,
                    only_visible: bool, name: str = "notebook") -> Report:
    graded = expect.exercise.functions
    isolated = expect.exercise.alone.probes if expect.exercise.alone else ()
    selected, wanted = plan(expect, source_of(namespace, graded), only_visible=only_visible)
    observed = observe(namespace, [c for c in wanted if c.probe not in isolated], expect)
    observed |= observe(namespace, [c for c in wanted if c.probe in isolated], expect,
                        expect.known_good())
    return judged(name, selected, wanted, RunResult(observed, isolation=ISOLATION), expect,
                  source_of(namespace, graded))
