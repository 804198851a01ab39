"""The built-ins exercise with the real nbgrader: its own source notebook releases, autogrades
cell by cell, and agrees with `autograder grade --exercise linreg_builtins`."""

import json
import shutil

import pytest
from builtins_gallery import EXERCISE
from test_nbgrader import ROOT, _filled, nbgrader
from test_release import notebook_code, reference_leaks

from autograder.grading import reference
from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import grade_file
from autograder.integrations import build

NAME = EXERCISE.name
FORGETS = ("fit", "    model.train()\n    history = []\n    for _ in range(num_epochs):\n"
                  "        losses = []\n        for xb, yb in loader:\n"
                  "            loss = loss_fn(model(xb), yb)\n            loss.backward()\n"
                  "            opt.step()\n            losses.append(loss.item())\n"
                  "        history.append(sum(losses) / len(losses))\n    return history")
"""A fit that never resets the gradients."""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "course" / "source", course / "source")
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", NAME)
    release = json.loads((course / "release" / NAME / f"{NAME}.ipynb").read_text())
    answers = build.bodies(reference.load(EXERCISE).source)
    submissions = {"alice": _filled(release, answers), "bob": release,
                   "dave": _filled(release, answers | dict([FORGETS]))}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(json.dumps(nb))
    nbgrader(course, "autograde", NAME)
    return course


def _scores(course, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(NAME, NAME, student)
        return {g.name: g.score for g in notebook.grades}


def test_the_release_holds_no_solution_and_no_hidden_test(course):
    text = (course / "release" / NAME / f"{NAME}.ipynb").read_text()
    assert not reference_leaks(notebook_code(text))
    assert "BEGIN SOLUTION" not in text and "HIDDEN" not in text
    assert f"points(globals(), 'fit.zero_grad', exercise={NAME!r})" in text


@pytest.mark.parametrize("student, score", [("alice", 100), ("bob", 0)])
def test_a_full_and_an_empty_notebook(course, student, score):
    assert sum(_scores(course, student).values()) == score


@pytest.mark.parametrize("student", ["alice", "bob", "dave"])
def test_nbgrader_and_autograder_agree(course, student):
    submitted = course / "submitted" / student / NAME / f"{NAME}.ipynb"
    report = grade_file(submitted, expect=Expectations.with_reference(EXERCISE))
    by_cell = {"test_" + r.id.replace(".", "_"): r.points for r in report.results}
    assert by_cell == _scores(course, student)
    if student == "dave":
        assert report.result("fit.zero_grad").mistake == "zero_grad_forgotten"
