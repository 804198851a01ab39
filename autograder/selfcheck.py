"""The students' self-check: the visible checks, on their own file, with stored expectations.

Used by `assignments/linreg/test_linreg.py`; the same children and checks as the grader, so the
feedback is the grader's own.
"""

from pathlib import Path

from autograder import checks, expected
from autograder.grade import Expectations, grade_file
from autograder.report import Report

VISIBLE = tuple(c.id for c in checks.ALL if not c.hidden)


def check(path: Path) -> Report:
    return grade_file(Path(path), expect=Expectations(stored=expected.load()), only_visible=True)
