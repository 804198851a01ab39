"""A pytest plugin: the CPU each test costs, for `suite.py --by-test`.

Loaded with `-p testcpu` (this folder on PYTHONPATH) in every process that runs tests (each
xdist worker), it appends a line per test to a file of that process in the folder TESTCPU_DIR
names: the test's id, the CPU seconds its process spent on it (setup, call and teardown), those
of the children it reaped meanwhile, and its wall seconds. Only the tests of the suite whose
root TESTCPU_ROOT names are counted, not those of a pytest a test runs on a folder of its own.
A shared fixture's making counts in the first test that asks for it (a gallery part's
gradings, in one test of test_fresh each), and a child when it is reaped: one that a fixture
of a wider scope started (a warm pool's zygote and its jobs, forked for many tests) counts in
the test whose teardown reaps it, or in none when that is the session's end. On a machine
whose cores the suite keeps busy, a test's CPU tells its cost better than its wall time
(`--durations`) does.
"""

import os
import resource
import time
from pathlib import Path

import pytest

DIR_ENV = "TESTCPU_DIR"
ROOT_ENV = "TESTCPU_ROOT"
"""The suite's root: only its own tests are counted."""


def _cpu() -> tuple[float, float]:
    own, reaped = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                       resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, reaped.ru_utime + reaped.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    folder = os.environ.get(DIR_ENV)
    if not folder or os.environ.get(ROOT_ENV) != str(item.config.rootpath):
        yield  # not asked for, or a pytest that a test runs on a folder of its own
        return
    (own, reaped), started = _cpu(), time.monotonic()
    yield
    own_after, reaped_after = _cpu()
    line = (f"{item.nodeid}\t{own_after - own:.3f}\t{reaped_after - reaped:.3f}\t"
            f"{time.monotonic() - started:.3f}\n")
    with (Path(folder) / f"{os.getpid()}.tsv").open("a") as out:
        out.write(line)


def read(folder: Path) -> list[tuple[str, float, float, float]]:
    """Every test's line: (id, its process's CPU, its reaped children's, wall)."""
    rows = []
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text().splitlines():
            test, own, reaped, wall = line.rsplit("\t", 3)
            rows.append((test, float(own), float(reaped), float(wall)))
    return rows
