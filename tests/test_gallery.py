"""Every gallery submission gets exactly the verdict the rubric says, check by check."""

import re

import pytest
from gallery import GALLERY, assert_verdicts

from autograder.exercises.linreg import cases
from autograder.exercises.linreg.checks import mistakes
from autograder.grading.pipeline import grade_source


@pytest.fixture
def report(entry, files_of):
    """The entry's .py graded by the warm pool (once a session, with its part: test_pool and
    test_fresh read it too)."""
    return files_of(entry.name).py(entry.name).report


@pytest.mark.parametrize("entry", GALLERY, ids=lambda e: e.name)
def test_each_check_as_the_rubric_says(entry, report):
    assert_verdicts(entry, report)


@pytest.mark.parametrize("entry", GALLERY, ids=lambda e: e.name)
def test_each_known_mistake_is_tagged_with_its_id_and_no_other(entry, report):
    tags = {r.mistake for r in report.results} - {None}
    assert tags == ({entry.mistake} if entry.mistake else set())


def test_every_mistake_a_summary_can_count_has_a_gallery_example():
    # the from-scratch policy is off by default: its examples are in test_policy
    assert {e.mistake for e in GALLERY if e.mistake} == set(mistakes.NAMES) - {"used_builtins"}


SAMPLE = [e for e in GALLERY if e.name in {"reference", "sum_instead_of_mean", "rebinding",
                                           "os_exit_in_model", "stubs"}]


@pytest.mark.parametrize("entry", SAMPLE, ids=lambda e: e.name)
def test_the_same_submission_gets_the_same_report(entry, report, expect):
    again = grade_source(entry.text(), "linreg.py", expect=expect, limits=entry.limits)
    assert again.results == report.results


def _expected_numbers(entry, expect) -> set[str]:
    """The reference's answers for this submission's cases, as a student would see them."""
    built = cases.build(expect.seed(entry.text()))
    found = set()
    for obs in expect.observe(list(built.values()), {}).values():
        for key in ("out", "ret", "w_grad", "b_grad"):
            for value in obs.get(key, {}).get("values", []):
                if abs(value) >= 0.01:
                    found |= {f"{value:.3g}", f"{value:.4g}", f"{value:.2f}", f"{value:.1f}"}
    return found


@pytest.mark.parametrize("entry", [e for e in GALLERY if e.fails], ids=lambda e: e.name)
def test_feedback_never_shows_the_expected_numbers(entry, report, expect):
    numbers = _expected_numbers(entry, expect)
    assert len(numbers) > 50
    for result in report.results:
        shown = {n for n in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", result.feedback)
                 if sum(c.isdigit() for c in n) >= 3}  # "exit code 1", "1/2" say nothing
        assert not shown & numbers, f"{result.id} reveals {shown & numbers}: {result.feedback}"
