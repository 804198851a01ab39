"""Each entry of a gallery graded once by the warm pool, as its .py file and as its notebook
twin, and once by fresh interpreters (its .py), for the modules that prove the pool the same
as fresh interpreters and every result the same as recorded before the move (test_pool: the
gallery; test_pool_hostile: the hostile submissions, in a file of their own so that the
suite's workers share the fresh interpreters' cost)."""

import contextlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from recorded import RECORDED, files

from autograder.grading.pipeline import grade_file
from autograder.outputs import writers
from autograder.sandbox.layers import detect
from autograder.sandbox.pool import Pool
from autograder.sandbox.spawn import Fresh, Spawner


@dataclass
class Graded:
    """results.json texts, as `write_gradescope` writes them, by file name ("rmse.ipynb")."""

    pooled: dict[str, str]
    """Every entry's .py and each recorded notebook twin, from the warm pool."""
    fresh: dict[str, str]
    """Every entry's .py, from fresh interpreters."""
    again: Callable[[str], str]
    """That file graded once more by the pool, alone."""


@contextlib.contextmanager
def graded_both_ways(expect, entries, folder: Path):
    """The pool grades two files at a time; fresh interpreters one after the other. The
    pool is closed when the context ends."""
    by_key = {key: (entry, text) for entry in entries for key, text in files(entry).items()
              if key.endswith(".py") or key in RECORDED}

    def grade(key: str, spawner: Spawner) -> str:
        entry, text = by_key[key]
        path = folder / key.rsplit(".", 1)[0] / f"linreg.{key.rsplit('.', 1)[1]}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        report = grade_file(path, expect=expect, limits=entry.limits, spawner=spawner)
        return json.dumps(writers.gradescope(report), indent=2) + "\n"

    pool = Pool(detect())
    try:
        with ThreadPoolExecutor(2) as threads:
            pooled = dict(zip(by_key, threads.map(lambda k: grade(k, pool), by_key),
                              strict=True))
        fresh = {key: grade(key, Fresh(detect())) for key in by_key if key.endswith(".py")}
        yield Graded(pooled, fresh, lambda key: grade(key, pool))
    finally:
        pool.close()
