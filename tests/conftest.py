import pytest

from autograder.sandbox.warm import quiet_collector

with quiet_collector():  # torch's import in every worker, as the command line imports it
    from autograder.grading import batch, reference
    from autograder.grading.pipeline import Expectations


@pytest.fixture(scope="session")
def expect() -> Expectations:
    return Expectations(reference=reference.load())


SLOW = {"test_pool", "test_pool_hostile", "test_hostile", "test_nbgrader",
        "test_nbgrader_builtins", "test_gradescope", "test_student_notebook",
        "test_student_notebook_builtins", "test_notebook_twins", "test_reports_cli",
        "test_settings", "test_runner", "test_a_new_exercise", "test_cli", "test_selfcheck",
        "test_notebook_cli", "test_classroom", "test_cluster"}
"""The end-to-end modules (both galleries graded both ways, nbgrader, Gradescope's setup.sh,
Chromium, fresh interpreters, the command line): marked `slow`, so that `pytest -m "not slow"`
is the quick day-to-day subset. The README's test command runs them all."""


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than the cores, as a batch grades one more submission than
    there are cores: each worker waits part of the time (on its children's limits, on a
    cluster or a kernel starting), and a core left idle then is time lost (on 2 cores the
    suite took 376 s with 2 workers, 328 s with 3)."""
    return batch.cores() + 1


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: an end-to-end test, left out by -m 'not slow'")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__ in SLOW:
            item.add_marker(pytest.mark.slow)
    # the long files first in one process (-n 0); xdist gives its workers the files with the
    # most tests first, the galleries' among them
    items.sort(key=lambda item: item.module.__name__ not in SLOW)
