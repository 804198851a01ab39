"""Every gallery submission gets exactly the verdict the rubric says, check by check."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from gallery import ALL_CHECKS, GALLERY

from autograder.grade import grade_source


@pytest.fixture(scope="module")
def reports(expect):
    with ThreadPoolExecutor(2) as pool:
        graded = pool.map(lambda e: grade_source(e.text(), "linreg.py", expect=expect), GALLERY)
        return {entry.name: report for entry, report in zip(GALLERY, graded, strict=True)}


@pytest.mark.parametrize("entry", GALLERY, ids=lambda e: e.name)
def test_each_check_as_the_rubric_says(entry, reports):
    report = reports[entry.name]
    assert [r.id for r in report.results] == list(ALL_CHECKS)
    for result in report.results:
        if result.id in entry.fails:
            assert result.points == 0, f"{result.id} should fail: {result.feedback}"
            assert entry.fails[result.id].lower() in result.feedback.lower(), (
                f"{result.id}: {result.feedback!r} does not name {entry.fails[result.id]!r}")
        else:
            assert result.points == result.max_points, f"{result.id}: {result.feedback}"


@pytest.mark.parametrize("entry", GALLERY, ids=lambda e: e.name)
def test_the_same_submission_gets_the_same_report(entry, reports, expect):
    if entry.name not in {"reference", "sum_instead_of_mean", "stubs"}:
        pytest.skip("grading twice is checked on a sample")
    again = grade_source(entry.text(), "linreg.py", expect=expect)
    assert again.results == reports[entry.name].results
