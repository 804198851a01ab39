"""A notebook grades like its `.py` twin: same points, same outcome, same feedback (with lines
told as cells of the notebook; hidden checks draw other inputs, so only their verdicts match)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import twins
from gallery import GALLERY

from autograder.grading.pipeline import grade_file
from autograder.inputs.submission import Submission

NAMES = ("reference", "stubs", "missing_transpose", "sum_instead_of_mean", "rebinding",
         "top_level_exploration", "sys_exit_at_import")
SAMPLE = [e for e in GALLERY if e.name in NAMES]


@pytest.fixture(scope="module")
def pairs(expect, tmp_path_factory):
    folder = tmp_path_factory.mktemp("twins")

    def both(entry):
        py, nb = folder / f"{entry.name}.py", folder / f"{entry.name}.ipynb"
        py.write_text(entry.text())
        text, where = twins.notebook(entry.text())
        nb.write_text(text)
        graded = [grade_file(p, expect=expect, limits=entry.limits) for p in (py, nb)]
        return (*graded, Submission(entry.text(), where))

    with ThreadPoolExecutor(2) as pool:
        return {e.name: graded for e, graded in zip(SAMPLE, pool.map(both, SAMPLE), strict=True)}


def test_the_sample_is_all_there():
    assert sorted(e.name for e in SAMPLE) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_notebook_grades_like_its_py_twin(name, pairs):
    py, nb, twin = pairs[name]
    assert (nb.status, nb.score) == (py.status, py.score)
    assert nb.message == twin.where(py.message)
    for a, b in zip(py.results, nb.results, strict=True):
        assert (b.id, b.points, b.outcome) == (a.id, a.points, a.outcome)
        if b.visibility == "visible":  # hidden inputs are drawn from the source, which differs
            assert b.feedback == twin.where(a.feedback)


def test_lines_are_told_as_cells(pairs):
    py, nb, _ = pairs["missing_transpose"]
    assert "line " in py.result("model.values").feedback
    assert "cell 5, line 2, in model: return x @ w + b" in nb.result("model.values").feedback
