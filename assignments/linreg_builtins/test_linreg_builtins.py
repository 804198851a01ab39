"""Self-check: run `pytest` in this folder to see how your linreg_builtins.py does on the
visible checks.

Needs the course's autograder package (`pip install linreg-autograder`). Your code runs in a
separate process, with the same checks and the same feedback as the grader; hidden checks on
other inputs run only when your work is graded.
"""

from pathlib import Path

import pytest

from autograder.selfcheck import check, visible

EXERCISE = 'linreg_builtins'


@pytest.fixture(scope="module")
def report():
    return check(Path(__file__).with_name("linreg_builtins.py"), EXERCISE)


@pytest.mark.parametrize("check_id", visible(EXERCISE))
def test_check(check_id, report):
    result = report.result(check_id)
    if not result.passed:
        pytest.fail(f"{result.title} ({result.outcome.value}): {result.feedback}",
                    pytrace=False)
