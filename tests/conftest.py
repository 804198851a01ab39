import functools
import gc
import socket
from pathlib import Path

import pytest

from autograder.grading import batch, reference
from autograder.grading.pipeline import Expectations
from autograder.sandbox.warm import quiet_collector


@pytest.fixture(scope="session")
def expect() -> Expectations:
    return Expectations(reference=reference.load())


@pytest.fixture(scope="session")
def listener():
    """A loopback server in the trusted parent: no submission may reach it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


PARTS = 4
"""Each gallery's entries (the hostile one's with "network", which reaches for `listener`)
come in this many parts, every `PARTS`-th entry in one: a part's files are graded each way
once (the pool's .py files and notebook twins, fresh interpreters' .py files) in the xdist
group of its own that every test reading one of its entries joins (`group`). The parts run
side by side, and no file is graded twice by the pool."""


@functools.cache
def _names() -> dict[str, list[str]]:
    from gallery import GALLERY
    from hostile import HOSTILE

    return {"gallery": [e.name for e in GALLERY],
            "hostile": [e.name for e in HOSTILE] + ["network"]}


def gallery_of(name: str) -> str | None:
    """The gallery that has an entry of that name, if any."""
    return next((g for g, names in _names().items() if name in names), None)


def part_of(name: str) -> int:
    return _names()[gallery_of(name)].index(name) % PARTS


@pytest.fixture(scope="session")
def warm_pool():
    """The warm pool the grader itself uses, the process's own (`pool.default()`): the
    galleries' parts a worker grades and every test of it that grades without a spawner share
    its zygote, as a batch's submissions do (a pool of each part's own cost a zygote more in
    each worker: an import of torch, 1.0-1.6 CPU-s)."""
    from autograder.sandbox import pool

    shared = pool.default()
    assert isinstance(shared, pool.Pool), "AUTOGRADER_POOL=0: the pool's tests need the pool"
    return shared


@pytest.fixture(scope="session")
def files_of(expect, listener, tmp_path_factory, warm_pool):
    """The entry's name -> its part of its gallery, graded each way on first use
    (`pooled.Gallery`), by the process's warm pool where a pool grades."""
    from gallery import GALLERY
    from hostile import HOSTILE, LEFT_BEHIND, reaching
    from pooled import Gallery

    for path in LEFT_BEHIND:  # a grading at a lower layer, whose /tmp is the machine's own
        Path(path).unlink(missing_ok=True)  # (AUTOGRADER_SANDBOX=user), may have left them
    entries = {"gallery": GALLERY, "hostile": [*HOSTILE, reaching(listener.getsockname()[1])]}
    assert {w: [e.name for e in es] for w, es in entries.items()} == _names()  # parts by index
    made: dict[tuple[str, int], Gallery] = {}

    def of(name: str) -> Gallery:
        which, part = gallery_of(name), part_of(name)
        if (which, part) not in made:
            made[which, part] = Gallery(expect, entries[which][part::PARTS],
                                        tmp_path_factory.mktemp(f"{which}-{part}"), warm_pool)
        return made[which, part]

    return of


SLOW = {"test_pool", "test_observer", "test_pool_hostile", "test_hostile", "test_fresh",
        "test_nbgrader", "test_nbgrader_builtins", "test_gradescope", "test_student_notebook",
        "test_student_notebook_builtins", "test_notebook_twins", "test_reports_cli",
        "test_settings", "test_runner", "test_a_new_exercise", "test_cli", "test_selfcheck",
        "test_notebook_cli", "test_classroom", "test_cluster"}
"""The end-to-end modules (both galleries graded both ways, nbgrader, Gradescope's setup.sh,
Chromium, fresh interpreters, the command line): marked `slow`, so that `pytest -m "not slow"`
is the quick day-to-day subset. The README's test command runs them all."""


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: two workers more than the cores: each worker waits part of the time (on its
    children's limits, on a cluster or a kernel starting), and a core left idle then is time
    lost (on 2 cores the suite took 376 s with 2 workers, 328 s with 3; later, with the groups
    in ORDER, 240 s with 3 and 231 s with 4, when the cores were busy 1.4 of 2 on average; with
    the galleries' parts, in place and alternating, 270, 261 and 232 s with 3 against 254, 238
    and 223 s with 4, then 257 and 232 s with 5 against 232 and 233 s with 4)."""
    return batch.cores() + 2


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: an end-to-end test, left out by -m 'not slow'")
    config.addinivalue_line("markers", "entry(name): the gallery entry whose gradings the "
                            "test reads, and so its part's xdist group")
    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no":
        # a process that runs tests (not xdist's controller, which only hands them out):
        # torch as the command line imports it, before the test modules do, without the
        # collector walking its objects (the modules above never import it)
        with quiet_collector():
            import torch  # noqa: F401


def pytest_collection_finish(session):
    """The modules and items collected live as long as the worker: frozen, the collector never
    walks them again; and it runs a tenth as often. (It took a fifth of a worker's CPU in the
    quick subset, 1.7-2.0 of 8-10 s; now 0.9-1.0.)"""
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


SHARED = {"test_gallery", "test_pool", "test_hostile", "test_pool_hostile", "test_fresh"}
"""Modules whose tests read the galleries' gradings (`files_of`): each such test joins the
group of its entry's part (the entry, name or key it is given, or its `entry` mark)."""


ORDER = ("part-0", "part-1", "part-2", "part-3", "test_cluster", "test_gradescope",
         "test_nbgrader_builtins", "test_nbgrader", "test_hostile", "test_builtins_gallery",
         "test_selfcheck", "test_a_new_exercise", "test_runner", "test_reports_cli",
         "test_student_notebook_builtins", "test_pool", "test_settings", "test_cli",
         "test_student_notebook")
"""The groups in the order xdist hands them out (`--no-loadscope-reorder`), longest first:
each worker is given two groups up front, a part and then one of the four longest of the
rest. The rest follow in file order. (xdist's own order, by the number of tests, left a
31 s group behind the hostile one, then 207 s long with the fresh gradings; test_hostile's
own tests, the fallback layers' hangs, last in file order, ended the suite 27 s late, and
test_settings, with a test of 8 s, 9 s.)"""


def _entry(item) -> str | None:
    """The gallery entry whose gradings the item reads, if its module reads any."""
    if item.module.__name__ not in SHARED:
        return None
    from recorded import entry_name

    marked = item.get_closest_marker("entry")
    if marked:
        return marked.args[0]
    params = item.callspec.params if hasattr(item, "callspec") else {}
    for param in ("entry", "name", "key"):
        value = params.get(param)
        name = getattr(value, "name", value)
        if isinstance(name, str):
            name = entry_name(name) if param == "key" else name
            if gallery_of(name):
                return name
    return None


def group(item) -> str:
    """The item's xdist group: its entry's part, or its module's."""
    name = _entry(item)
    return item.module.__name__ if name is None else f"part-{part_of(name)}"


def _rank(item) -> int:
    name = group(item)
    return ORDER.index(name) if name in ORDER else len(ORDER)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(items):
    for item in items:
        name = item.module.__name__
        if name in SLOW:
            item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.xdist_group(group(item)))
    items.sort(key=_rank)
