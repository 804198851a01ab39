import pytest

from autograder import reference
from autograder.grade import Expectations


@pytest.fixture(scope="session")
def expect() -> Expectations:
    return Expectations(reference=reference.load())
