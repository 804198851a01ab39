"""A tensor that lies earns exactly what its honest values earn, on every check, and is told
that it is no plain tensor: the child makes whatever the graded functions return a plain
tensor (also where they call each other), and the parent says so in the feedback."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from gallery import assert_verdicts
from lies import LEFT_ON, LIES, SUBCLASSES, honest

from autograder.grading.pipeline import grade_source


@pytest.fixture(scope="module")
def pairs(expect):
    def both(entry):
        return tuple(grade_source(e.text(), "linreg.py", expect=expect, limits=e.limits)
                     for e in (entry, honest(entry)))

    with ThreadPoolExecutor(2) as pool:
        return dict(zip((e.name for e in LIES), pool.map(both, LIES), strict=True))


@pytest.mark.parametrize("entry", LIES, ids=lambda e: e.name)
def test_a_lie_earns_what_its_honest_values_earn(entry, pairs):
    lying, plain = pairs[entry.name]
    assert [(r.id, r.points, r.outcome, r.mistake) for r in lying.results] == \
        [(r.id, r.points, r.outcome, r.mistake) for r in plain.results]
    assert_verdicts(entry, lying)


@pytest.mark.parametrize("entry", SUBCLASSES, ids=lambda e: e.name)
def test_a_lie_is_told_it_returned_no_plain_tensor(entry, pairs):
    lying, plain = pairs[entry.name]
    told = [r.id for r in lying.results if "not a plain tensor" in r.feedback]
    assert told, lying.results
    assert not [r.id for r in plain.results if "not a plain tensor" in r.feedback]


def test_a_lie_through_torchs_state_is_told_nothing_it_need_not_hear(pairs):
    for entry in LEFT_ON:
        lying, plain = pairs[entry.name]
        assert [r.feedback for r in lying.results] == [r.feedback for r in plain.results]


def test_the_self_check_in_a_kernel_is_not_fooled_either(expect):
    from autograder.grading.kernel import grade_namespace

    for entry in SUBCLASSES:  # (LEFT_ON would change this process's torch)
        for version in (entry, honest(entry)):
            namespace = {"__name__": "__main__"}
            exec(compile(version.text(), "cell", "exec"), namespace)
            functions = {n: namespace[n] for n in ("model", "mse", "train_step")}
            report = grade_namespace(namespace, expect=expect, only_visible=False)
            assert {n: namespace[n] for n in functions} == functions  # put back as they were
            if version is entry:
                lying = report
        assert lying.score == report.score, entry.name
