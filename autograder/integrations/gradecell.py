"""nbgrader's test cells: one check's points, as the cell's last expression.

nbgrader reads a number left as a test cell's last expression as its partial credit, and
scores a cell 0 for anything on stderr: `points` prints its verdict on stdout only, and the
student code it runs cannot print or warn into the cell. With the reference at hand (the
instructor's autograde) every check runs; without it (a student running the released
notebook) the visible ones run against the stored answers, as the self-check does.
"""

import functools
from collections.abc import MutableMapping

from autograder.grading import reference, registry
from autograder.grading.expectations import Expectations
from autograder.grading.kernel import grade_namespace


@functools.cache
def _expectations(exercise: str | None) -> Expectations:
    ex = registry.get(exercise)
    try:
        return Expectations.with_reference(ex)
    except reference.ReferenceError:
        return Expectations.stored_for(ex)


def points(namespace: MutableMapping, check_id: str, exercise: str | None = None) -> float:
    if namespace.get("__name__") != "__main__":  # imported by the grader: never a second grade
        return 0.0
    expect = _expectations(exercise)
    report = grade_namespace(namespace, expect=expect, only_visible=expect.reference is None)
    found = {r.id: r for r in report.results}
    if check_id not in found:
        print(f"{check_id}: a hidden check, run when your work is graded.")
        return 0.0
    result = found[check_id]
    print(f"{result.title}: {result.points:g} of {result.max_points:g} points")
    if not result.passed:
        print(result.feedback)
    return float(result.points)
