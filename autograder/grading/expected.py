"""Expected observations for the public cases, stored for the students' self-check.

Generated from the reference by `autograder build-expected` into the exercise's folder: the
self-check can then grade the visible checks with no reference code on the student's machine.
A test fails when it is stale.
"""

import json
import math
from pathlib import Path

from autograder.grading.exercise import Exercise
from autograder.grading.reference import Reference


def build(reference: Reference) -> dict[str, dict]:
    return reference.observe(reference.exercise.public_cases())


def dumps(observed: dict[str, dict]) -> str:
    return json.dumps(observed, indent=1, sort_keys=True) + "\n"


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float))
                and math.isclose(a, b, rel_tol=RTOL, abs_tol=RTOL))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_close, a, b))
    return a == b


RTOL = 1e-6
"""How far a stored number may be from the reference's run here: float32 sums round
differently in their last bits on other CPUs, which makes no answer stale."""


def same(stored: str, built: str) -> bool:
    """Whether stored answers are those the reference gives here (to float32's last bits)."""
    try:
        return stored == built or _close(json.loads(stored), json.loads(built))
    except ValueError:
        return False


def path(exercise: Exercise) -> Path:
    return exercise.expected_path


def load(exercise: Exercise) -> dict[str, dict]:
    return json.loads(exercise.expected_path.read_text(encoding="utf-8"))
