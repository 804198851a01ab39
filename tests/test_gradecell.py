"""nbgrader's test cells (`points`): a run of them is graded once, and anything that may have
changed what they grade grades afresh. Each verdict is the one a grading of its own gives."""

import sys
from types import SimpleNamespace

import pytest
from gallery import REFERENCE

from autograder.exercises.linreg import checks
from autograder.integrations import gradecell

MODEL_CELLS = ("model.values", "model.hidden", "model.autograd")
BUGGY_MODEL = "def model(x, w, b):\n    return x @ w.T\n"  # the bias forgotten


@pytest.fixture
def gradings(monkeypatch) -> list[int]:
    """Each grading of a namespace, counted; no grading kept from another test."""
    made: list[int] = []
    grade = gradecell.grade_namespace

    def counted(namespace, **kwargs):
        made.append(1)
        return grade(namespace, **kwargs)

    monkeypatch.setattr(gradecell, "grade_namespace", counted)
    monkeypatch.setattr(gradecell, "_last", None)
    return made


@pytest.fixture
def shell(monkeypatch) -> SimpleNamespace:
    """A kernel's shell: `execution_count` is the cell running."""
    kernel = SimpleNamespace(execution_count=1)
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: kernel))
    return kernel


def _namespace(source: str = REFERENCE.read_text()) -> dict:
    namespace = {"__name__": "__main__"}
    exec(source, namespace)
    return namespace


def _alone(namespace: dict, check_id: str) -> float:
    """The check's points from a grading of its own."""
    gradecell._last = None
    return gradecell.points(namespace, check_id)


def test_a_run_of_check_cells_is_graded_once_with_the_same_points(gradings, shell):
    namespace = _namespace(REFERENCE.read_text().replace("x @ w.T + b", "x @ w.T"))
    got = {}
    for check_id in MODEL_CELLS:
        shell.execution_count += 1
        got[check_id] = gradecell.points(namespace, check_id)
    assert len(gradings) == 1
    assert got == {c: _alone(namespace, c) for c in MODEL_CELLS}
    assert got["model.values"] == 0 and got["model.autograd"] > 0


def test_every_check_of_the_rubric_reads_the_one_grading(gradings, shell, capsys):
    namespace = _namespace()
    shell.execution_count = 7
    total = 0.0
    for check in checks.ALL:
        shell.execution_count += 1
        total += gradecell.points(namespace, check.id)
    assert len(gradings) == 1 and total == sum(c.points for c in checks.ALL)
    assert capsys.readouterr().out.count(" points\n") == len(checks.ALL)  # a verdict each


def test_a_cell_run_in_between_grades_afresh(gradings, shell):
    namespace = _namespace()
    gradecell.points(namespace, "model.values")
    shell.execution_count += 2  # the student's own cell ran between the two
    gradecell.points(namespace, "model.hidden")
    assert len(gradings) == 2


def test_a_function_defined_again_grades_afresh_even_in_the_next_cell(gradings, shell):
    namespace = _namespace()
    assert gradecell.points(namespace, "model.values") > 0
    shell.execution_count += 1
    exec(BUGGY_MODEL, namespace)  # in the check cell itself, before its points()
    assert gradecell.points(namespace, "model.values") == 0
    assert len(gradings) == 2


def test_another_namespace_or_exercise_grades_afresh(gradings, shell):
    first, second = _namespace(), _namespace()
    gradecell.points(first, "model.values")
    gradecell.points(second, "model.values")
    gradecell.points(second, "model.values", exercise="linreg")
    assert len(gradings) == 3


def test_outside_a_kernel_every_call_grades(gradings, monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    namespace = _namespace()
    gradecell.points(namespace, "model.values")
    gradecell.points(namespace, "model.values")
    assert len(gradings) == 2
