"""The warm pool gives exactly the results of fresh interpreters for every hostile submission
(and one that reaches for the network), and exactly the results recorded before the move, as
test_pool shows for the gallery."""

import pytest
from hostile import HOSTILE
from recorded import assert_as_recorded, keys_of


@pytest.fixture
def graded(hostile_files):
    return hostile_files


@pytest.mark.parametrize("name", [e.name for e in HOSTILE] + ["network"])
def test_the_pool_gives_the_results_of_fresh_interpreters(name, graded):
    assert graded.pooled[f"{name}.py"] == graded.fresh[f"{name}.py"]


@pytest.mark.parametrize("key", keys_of(HOSTILE))
def test_results_are_byte_identical_to_before_the_move(key, graded):
    assert_as_recorded(graded.pooled[key], key, lambda: graded.again(key))
