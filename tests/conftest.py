import gc
import socket
from pathlib import Path

import pytest

from autograder.sandbox.warm import quiet_collector

with quiet_collector():  # torch's import in every worker, as the command line imports it
    from autograder.grading import batch, reference
    from autograder.grading.pipeline import Expectations


@pytest.fixture(scope="session")
def expect() -> Expectations:
    return Expectations(reference=reference.load())


@pytest.fixture(scope="session")
def gallery_files(expect, tmp_path_factory):
    """The gallery's files, each graded once each way on first use (`pooled.Gallery`), for
    test_gallery and test_pool."""
    from gallery import GALLERY
    from pooled import Gallery

    graded = Gallery(expect, GALLERY, tmp_path_factory.mktemp("gallery"))
    yield graded
    graded.close()


@pytest.fixture(scope="session")
def listener():
    """A loopback server in the trusted parent: no submission may reach it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="session")
def hostile_files(expect, listener, tmp_path_factory):
    """The hostile submissions' files (and one that reaches for `listener`, "network"), each
    graded each way on first use, for test_hostile and test_pool_hostile."""
    from hostile import HOSTILE, LEFT_BEHIND, reaching
    from pooled import Gallery

    for path in LEFT_BEHIND:  # a grading at a lower layer, whose /tmp is the machine's own
        Path(path).unlink(missing_ok=True)  # (AUTOGRADER_SANDBOX=user), may have left them
    entries = [*HOSTILE, reaching(listener.getsockname()[1])]
    graded = Gallery(expect, entries, tmp_path_factory.mktemp("hostile"))
    yield graded
    graded.close()


SLOW = {"test_pool", "test_pool_hostile", "test_hostile", "test_fresh", "test_nbgrader",
        "test_nbgrader_builtins", "test_gradescope", "test_student_notebook",
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
    in ORDER, 240 s with 3 and 231 s with 4, when the cores were busy 1.4 of 2 on average)."""
    return batch.cores() + 2


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: an end-to-end test, left out by -m 'not slow'")


def pytest_collection_finish(session):
    """The modules and items collected live as long as the worker: frozen, the collector never
    walks them again; and it runs a tenth as often. (It took a fifth of a worker's CPU in the
    quick subset, 1.7-2.0 of 8-10 s; now 0.9-1.0.)"""
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


SHARED = {"test_gallery": "gallery", "test_pool": "gallery",
          "test_hostile": "hostile", "test_pool_hostile": "hostile"}
"""Modules that read the same gallery's gradings (`gallery_files`, `hostile_files`): one xdist
worker runs each pair, so that each file is graded once. Every other module is a group of
its own (`--dist loadgroup`: as `loadfile` would give each its worker)."""


ORDER = ("hostile", "fresh-0", "fresh-1", "fresh-2", "test_architecture", "test_curves",
         "test_writers", "test_progress", "fresh-3", "gallery", "test_cluster",
         "test_gradescope", "test_nbgrader", "test_nbgrader_builtins", "test_builtins_gallery",
         "test_selfcheck", "test_a_new_exercise", "test_runner", "test_reports_cli",
         "test_student_notebook_builtins", "test_cli", "test_student_notebook")
"""The groups in the order xdist hands them out (`--no-loadscope-reorder`), longest first, but
for four quick ones after the first four: each worker is given a second group up front, which
it runs after its first. The rest follow in file order. (xdist's own order, by the number of
tests, left a 31 s group behind the hostile one, then 207 s long with the fresh gradings.)"""


def group(item) -> str:
    """The item's xdist group: its module's, or its gallery's; test_fresh's, its part's."""
    name = item.module.__name__
    if name == "test_fresh":
        return f"fresh-{item.callspec.params['part']}"
    return SHARED.get(name, name)


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
