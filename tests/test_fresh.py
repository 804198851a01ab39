"""The warm pool gives exactly the results of fresh interpreters graded one at a time: every
entry of the gallery and of the hostile submissions (and one that reaches for the network), its
.py file graded both ways and compared byte for byte.

A fresh interpreter costs a second or more a file, so the entries come in PARTS parts, each an
xdist group of its own (the conftest's `group`) that a worker grades both ways: the parts run
side by side, where in one worker they were the longest stretch of the suite."""

import pytest
from gallery import GALLERY
from hostile import HOSTILE, reaching
from pooled import Gallery

PARTS = 4
NAMES = [e.name for e in [*GALLERY, *HOSTILE]] + ["network"]


@pytest.fixture(scope="module")
def parts(expect, listener, tmp_path_factory):
    """part -> its entries graded (each way on first use), for the parts this worker runs."""
    entries = [*GALLERY, *HOSTILE, reaching(listener.getsockname()[1])]
    assert [e.name for e in entries] == NAMES
    made: dict[int, Gallery] = {}

    def part(number: int) -> Gallery:
        if number not in made:
            made[number] = Gallery(expect, entries[number::PARTS],
                                   tmp_path_factory.mktemp(f"fresh-{number}"))
        return made[number]

    yield part
    for graded in made.values():
        graded.close()


@pytest.mark.parametrize(("part", "name"), [(i % PARTS, n) for i, n in enumerate(NAMES)],
                         ids=NAMES)
def test_the_pool_gives_the_results_of_fresh_interpreters(part, name, parts):
    graded = parts(part)
    assert graded.py(name).text == graded.fresh[f"{name}.py"]
