import pytest

from autograder.grading import reference
from autograder.grading.pipeline import Expectations


@pytest.fixture(scope="session")
def expect() -> Expectations:
    return Expectations(reference=reference.load())
