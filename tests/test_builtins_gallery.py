"""The built-ins exercise: every gallery submission gets exactly the verdict the rubric says,
check by check, and each known mistake is named with its id and no other."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from builtins_gallery import ALL_CHECKS, EXERCISE, GALLERY
from gallery import assert_verdicts

from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import grade_source


@pytest.fixture(scope="module")
def expect() -> Expectations:
    return Expectations.with_reference(EXERCISE)


@pytest.fixture(scope="module")
def reports(expect):
    with ThreadPoolExecutor(2) as pool:
        graded = pool.map(lambda e: grade_source(e.text(), "linreg_builtins.py", expect=expect,
                                                   limits=e.limits), GALLERY)
        return {entry.name: report for entry, report in zip(GALLERY, graded, strict=True)}


@pytest.mark.parametrize("entry", GALLERY, ids=lambda e: e.name)
def test_each_check_as_the_rubric_says(entry, reports):
    assert_verdicts(entry, reports[entry.name], ALL_CHECKS)


@pytest.mark.parametrize("entry", GALLERY, ids=lambda e: e.name)
def test_each_known_mistake_is_tagged_with_its_id_and_no_other(entry, reports):
    tags = {r.mistake for r in reports[entry.name].results} - {None}
    assert tags == ({entry.mistake} if entry.mistake else set())


def test_every_mistake_a_summary_can_count_has_a_gallery_example():
    assert {e.mistake for e in GALLERY if e.mistake} == set(EXERCISE.mistakes)


def test_the_reference_gets_full_marks_and_a_loss_curve(reports):
    report = reports["reference"]
    assert report.score == report.max_score == 100
    assert report.curve and report.curve.parts_at is None
