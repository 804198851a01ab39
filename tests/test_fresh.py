"""The warm pool gives exactly the results of fresh interpreters, one for every child: every
entry of the gallery and of the hostile submissions (and one that reaches for the network), its
.py file graded both ways and compared byte for byte.

A fresh interpreter costs a second or more a file. Each entry is graded with its part
(`files_of` in the conftest): the parts run side by side, each in the xdist group that every
test of its entries joins, and the pool's side is the very grading test_pool and
test_pool_hostile hold to the record."""

import pytest
from gallery import GALLERY
from hostile import HOSTILE

NAMES = [e.name for e in [*GALLERY, *HOSTILE]] + ["network"]


@pytest.mark.parametrize("name", NAMES)
def test_the_pool_gives_the_results_of_fresh_interpreters(name, files_of):
    graded = files_of(name)
    assert graded.py(name).text == graded.fresh[f"{name}.py"]
