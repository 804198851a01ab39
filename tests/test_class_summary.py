"""The class summary: score bands, pass rates, and each named mistake counted once per student
with an example that names nobody."""

import pytest

from autograder.grading import registry
from autograder.grading.checks import Outcome, Verdict
from autograder.grading.report import CheckResult, Report
from autograder.outputs.class_summary import anonymised, markdown, summarise

LINREG = registry.get()

SUMMED = Verdict(Outcome.INCORRECT, "mse is the sum of the squared errors.",
                 mistake="sum_instead_of_mean")
TRANSPOSE = Verdict(Outcome.RAISED, "model(x, w, b) raised RuntimeError: mat1 and mat2\n"
                                    "  line 7, in model: return x @ w + b  # zoe_k.py\n"
                                    "The shapes do not fit: x @ w.T.", mistake="missing_transpose")


def _student(name: str, **failing: Verdict) -> Report:
    return Report(name, tuple(CheckResult.of(c, failing.get(c.id.replace(".", "_"),
                                                            Verdict(Outcome.PASSED, "Correct.")))
                              for c in LINREG.checks))


@pytest.fixture(scope="module")
def summary():
    return summarise([
        _student("ann.py"),
        _student("ben.py", mse_values=SUMMED, mse_hidden=SUMMED),  # one mistake, two checks
        _student("cat.py", mse_values=SUMMED, model_values=TRANSPOSE),
        _student("zoe_k.py", model_values=TRANSPOSE, model_hidden=TRANSPOSE),
        Report("dan.py", (), "grader error", "could not grade"),
    ], LINREG)


def test_each_named_mistake_counts_each_student_once(summary):
    assert [(m.id, m.students) for m in summary.mistakes] == [("missing_transpose", 2),
                                                                ("sum_instead_of_mean", 2)]


def test_an_example_names_no_file_and_quotes_no_student_code(summary):
    example = next(m.example for m in summary.mistakes if m.id == "missing_transpose")
    assert example == ("model(x, w, b) raised RuntimeError: mat1 and mat2\n"
                       "The shapes do not fit: x @ w.T.")
    assert anonymised("see zoe_k.py", "zoe_k.py") == "see <submission>"
    assert anonymised("x\n  cell 4, line 2, in mse: y\nz", "a.py") == "x\nz"


def test_a_grader_error_is_no_student_score(summary):
    assert sorted(summary.scores) == [80.0, 85.0, 85.0, 100.0]
    assert dict(summary.statuses) == {"ok": 4, "grader error": 1}


def test_scores_fall_in_ten_bands_with_a_full_score_in_the_top_one(summary):
    assert [n for _, _, n in summary.bands] == [0] * 8 + [3, 1]
    assert summary.bands[-1][:2] == (90.0, 100.0)


def test_pass_rates_count_every_submission_graded(summary):
    rates = {c.id: (c.passed, c.graded, c.percent) for c in summary.checks}
    assert rates["model.values"] == (2, 4, "50%")
    assert rates["mse.values"] == (2, 4, "50%")
    assert rates["gradients"] == (4, 4, "100%")


def test_the_markdown_has_the_tables_an_instructor_reads(summary):
    text = markdown(summary)
    assert "| 80\u201390 | 3 | \u2588\u2588\u2588 |" in text
    assert "| model: predictions on the crop data (`model.values`) | 2/4 | 50% |" in text
    assert "| mse sums the squared errors instead of averaging them (`sum_instead_of_mean`) " \
           "| 2 |" in text
    for name in ("ann.py", "ben.py", "cat.py", "zoe_k", "dan.py"):
        assert name not in text
