"""The warm pool gives exactly the results recorded before the move for every hostile
submission, as test_pool shows for the gallery (and test_fresh, the results of fresh
interpreters for both)."""

import pytest
from hostile import HOSTILE
from recorded import assert_as_recorded, entry_name, keys_of


@pytest.mark.parametrize("key", keys_of(HOSTILE))
def test_results_are_byte_identical_to_before_the_move(key, files_of):
    graded = files_of(entry_name(key))
    assert_as_recorded(graded.pooled[key], key, lambda: graded.again(key))
