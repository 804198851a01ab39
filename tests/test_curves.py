"""The loss curve: cleaned of whatever the child sent, and where it parts from the reference."""

import math

from autograder.grading import curves
from autograder.grading.curves import LossCurve

REFERENCE = [100.0, 50.0, 25.0, 12.5]


def _observed(losses) -> dict:
    return {curves.CASE: {"losses": losses, "checkpoints": []}}


def _expected() -> dict:
    return {curves.CASE: {"losses": REFERENCE, "checkpoints": []}}


def test_a_run_that_follows_the_reference_never_parts_from_it():
    curve = curves.of(_observed([100.0, 50.00001, 25.0, 12.5]), _expected())
    assert curve == LossCurve((100.0, 50.00001, 25.0, 12.5), tuple(REFERENCE))
    assert curve.parts_at is None and not curve.stopped


def test_the_first_epoch_off_the_reference_is_where_they_part():
    assert curves.of(_observed([100.0, 50.0, 26.0, 12.5]), _expected()).parts_at == 3
    assert curves.of(_observed([101.0, 50.0, 25.0, 12.5]), _expected()).parts_at == 1


def test_a_run_that_raised_parts_where_it_stopped():
    curve = curves.of(_observed([100.0, 50.0]), _expected())
    assert curve.stopped and curve.parts_at == 3


def test_anything_but_one_finite_number_becomes_a_gap():
    sent = [100.0, "50", True, math.nan, math.inf, {"x": 1}, None, 7, 8.0]  # longer than 4
    curve = curves.of(_observed(sent), _expected())
    assert curve.student == (100.0, None, None, None)
    assert curve.parts_at == 2


def test_no_curve_without_both_runs():
    assert curves.of({}, _expected()) is None
    assert curves.of(_observed("not a list"), _expected()) is None
    assert curves.of(_observed(REFERENCE), {}) is None
    assert curves.of({curves.CASE: {"kind": "crashed"}}, _expected()).student == ()


def test_a_saved_curve_reads_back_cleaned():
    curve = LossCurve((1.0, None), (1.0, 0.5))
    assert LossCurve.from_plain(curve.plain()) == curve
    assert LossCurve.from_plain({"student": [1.0], "reference": [1.0, "x"]}) is None
    assert LossCurve.from_plain(None) is None


def test_how_a_run_parts_is_said_in_a_few_words():
    def parting(losses) -> str:
        return curves.of(_observed(losses), _expected()).parting

    assert parting(REFERENCE) == "follows the reference for all 4 epochs"
    assert parting([100.0, 50.0, 30.0, 12.5]) == "leaves the reference at epoch 3"
    assert parting([100.0, math.inf]) == "has no finite loss at epoch 2"
    assert parting([100.0]) == "stops at epoch 2: train_step raised"
