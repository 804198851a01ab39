"""The loss curve: cleaned of whatever the child sent, and where it parts from the reference."""

import math

from autograder.grading import curves, registry
from autograder.grading.curves import LossCurve

REFERENCE = [100.0, 50.0, 25.0, 12.5]
SPEC = registry.get().curve
CASE = SPEC.case


def _observed(losses) -> dict:
    return {CASE: {"losses": losses, "checkpoints": []}}


def _expected() -> dict:
    return {CASE: {"losses": REFERENCE, "checkpoints": []}}


def test_a_run_that_follows_the_reference_never_parts_from_it():
    curve = curves.of(_observed([100.0, 50.00001, 25.0, 12.5]), _expected(), SPEC)
    assert curve == LossCurve((100.0, 50.00001, 25.0, 12.5), tuple(REFERENCE))
    assert curve.parts_at is None and not curve.stopped


def test_the_first_epoch_off_the_reference_is_where_they_part():
    assert curves.of(_observed([100.0, 50.0, 26.0, 12.5]), _expected(), SPEC).parts_at == 3
    assert curves.of(_observed([101.0, 50.0, 25.0, 12.5]), _expected(), SPEC).parts_at == 1


def test_a_run_that_raised_parts_where_it_stopped():
    curve = curves.of(_observed([100.0, 50.0]), _expected(), SPEC)
    assert curve.stopped and curve.parts_at == 3


def test_anything_but_one_finite_number_becomes_a_gap():
    sent = [100.0, "50", True, math.nan, math.inf, {"x": 1}, None, 7, 8.0]  # longer than 4
    curve = curves.of(_observed(sent), _expected(), SPEC)
    assert curve.student == (100.0, None, None, None)
    assert curve.parts_at == 2


def test_no_curve_without_both_runs():
    assert curves.of({}, _expected(), SPEC) is None
    assert curves.of(_observed("not a list"), _expected(), SPEC) is None
    assert curves.of(_observed(REFERENCE), {}, SPEC) is None
    assert curves.of({CASE: {"kind": "crashed"}}, _expected(), SPEC).student == ()


def test_no_curve_for_an_exercise_without_a_training_run():
    assert curves.of(_observed(REFERENCE), _expected(), None) is None


def test_a_saved_curve_reads_back_cleaned():
    curve = LossCurve((1.0, None), (1.0, 0.5), SPEC)
    assert LossCurve.from_plain(curve.plain(), SPEC) == curve
    assert LossCurve.from_plain({"student": [1.0], "reference": [1.0, "x"]}, SPEC) is None
    assert LossCurve.from_plain(None, SPEC) is None


def test_how_a_run_parts_is_said_in_a_few_words():
    def parting(losses) -> str:
        return curves.of(_observed(losses), _expected(), SPEC).parting

    assert parting(REFERENCE) == "follows the reference for all 4 epochs"
    assert parting([100.0, 50.0, 30.0, 12.5]) == "leaves the reference at epoch 3"
    assert parting([100.0, math.inf]) == "has no finite loss at epoch 2"
    assert parting([100.0]) == "stops at epoch 2: train_step raised"
