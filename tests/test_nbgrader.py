"""End to end with the real nbgrader: release, autograde, gradebook, feedback, and the same
totals as `autograder grade` on the same notebooks."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_release import notebook_code, reference_leaks

from autograder.exercises.linreg import checks
from autograder.grading import reference
from autograder.grading.pipeline import grade_file
from autograder.integrations import build

ROOT = Path(__file__).resolve().parent.parent
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"
BUGS = {  # student -> (function, body), and the checks that must lose their points
    "carol": (("mse", "    return ((preds - targets) ** 2).sum()"),
              {"mse.values", "mse.hidden", "gradients", "training.converges"}),
    "dave": (("train_step", "    loss = mse(model(inputs, w, b), targets)\n"
                            "    loss.backward()\n    with torch.no_grad():\n"
                            "        w -= lr * w.grad\n        b -= lr * b.grad\n    return loss"),
             {"train_step.zero_grad", "training.converges"}),
}
WORDS = {"carol": "sum of the squared errors", "dave": "never reset"}


def nbgrader(course: Path, *args) -> None:
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def _filled(release: dict, bodies: dict[str, str]) -> dict:
    """The released notebook with some solution cells filled in, as a student would."""
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        name = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution") and name in bodies:
            cell["source"] = "".join(cell["source"]).replace(STUB, bodies[name])
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "course" / "source", course / "source")
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", "linreg")
    release = json.loads((course / "release" / "linreg" / "linreg.ipynb").read_text())
    answers = build.bodies(reference.load().source)
    submissions = {"alice": _filled(release, answers), "bob": release}
    submissions |= {s: _filled(release, answers | dict([fix])) for s, (fix, _) in BUGS.items()}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / "linreg"
        folder.mkdir(parents=True)
        (folder / "linreg.ipynb").write_text(json.dumps(nb))
    nbgrader(course, "autograde", "linreg")
    nbgrader(course, "generate_feedback", "linreg")
    return course


def _scores(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook("linreg", "linreg", student)
        return {g.name: g.score for g in notebook.grades}


def _expected(failing: set[str]) -> dict[str, float]:
    return {"test_" + c.id.replace(".", "_"): 0.0 if c.id in failing else float(c.points)
            for c in checks.ALL}


def test_the_release_holds_no_solution_and_no_hidden_test(course):
    text = (course / "release" / "linreg" / "linreg.ipynb").read_text()
    assert not reference_leaks(notebook_code(text))
    assert "BEGIN SOLUTION" not in text and "HIDDEN" not in text and "model.hidden" not in text
    assert "points(globals(), 'model.values')" in text


@pytest.mark.parametrize("student, failing", [
    ("alice", set()), ("bob", {c.id for c in checks.ALL}),
    *((s, failing) for s, (_, failing) in BUGS.items())])
def test_scores_cell_by_cell(course, student, failing):
    assert _scores(course, student) == _expected(failing)


@pytest.mark.parametrize("student", ["alice", "bob", *BUGS])
def test_nbgrader_and_autograder_agree(course, student, expect):
    submitted = course / "submitted" / student / "linreg" / "linreg.ipynb"
    report = grade_file(submitted, expect=expect)
    assert sum(_scores(course, student).values()) == report.score
    by_cell = {"test_" + r.id.replace(".", "_"): r.points for r in report.results}
    assert by_cell == _scores(course, student)


@pytest.mark.parametrize("student", BUGS)
def test_the_feedback_names_the_mistake(course, student):
    html = (course / "feedback" / student / "linreg" / "linreg.html").read_text()
    assert WORDS[student] in html
