"""The built-ins exercise's student notebook runs top to bottom: with the stubs every self-check
says "not attempted", with the reference pasted in every visible check passes, and the grader
agrees with what the notebook showed."""

import pytest
from builtins_gallery import EXERCISE
from test_student_notebook import ROOT, _execute, _selfchecks

from autograder.grading import reference
from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import grade_file
from autograder.integrations import build, template

STUDENT = build.student_path(EXERCISE)


def _solved() -> str:
    cells = template.parse(EXERCISE.template_path.read_text())
    return build.student_notebook(cells, EXERCISE, build.bodies(reference.load(EXERCISE).source))


@pytest.fixture(scope="module")
def runs():
    return _execute((ROOT / STUDENT).read_text()), _execute(_solved())


def test_with_the_stubs_every_check_says_not_attempted(runs):
    shown = _selfchecks(runs[0])
    assert len(shown) == len(EXERCISE.topics)
    for text in shown.values():
        verdicts = [ln for ln in text.splitlines() if ln.startswith(("  PASS", "  FAIL"))]
        assert verdicts and all(v.endswith("(not attempted)") for v in verdicts), text


def test_with_the_reference_pasted_in_everything_passes(runs):
    for source, text in _selfchecks(runs[1]).items():
        topic = source.split("'")[1]
        assert f"visible checks of {topic} pass." in text and "FAIL" not in text, text
    training = "".join(o.get("text", "") for o in runs[1][-1].outputs)
    assert "loss before:" in training and "loss after:" in training


def test_the_grader_agrees_with_the_notebook(tmp_path):
    expect = Expectations.with_reference(EXERCISE)
    solved, stub = tmp_path / "solved.ipynb", tmp_path / "stub.ipynb"
    solved.write_text(_solved())
    stub.write_text((ROOT / STUDENT).read_text())
    assert grade_file(solved, expect=expect).score == 100
    assert grade_file(stub, expect=expect).score == 0
