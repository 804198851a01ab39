"""Each entry graded by the warm pool and by fresh interpreters, for the tests that prove the
two the same (test_pool: the gallery; test_pool_hostile: the hostile submissions, in a file of
their own so that the suite's workers share the fresh interpreters' cost)."""

from concurrent.futures import ThreadPoolExecutor

from autograder.grading.pipeline import grade_source
from autograder.outputs import writers
from autograder.sandbox.layers import detect
from autograder.sandbox.pool import Pool
from autograder.sandbox.spawn import Fresh


def pooled_and_fresh(expect, entries) -> dict[str, tuple[dict, dict]]:
    """Each entry's results.json: from the pool, two at a time, and from fresh interpreters,
    one submission after the other."""
    def grade(entry, spawner):
        report = grade_source(entry.text(), "linreg.py", expect=expect, limits=entry.limits,
                              spawner=spawner)
        return writers.gradescope(report)

    pool = Pool(detect())
    try:
        with ThreadPoolExecutor(2) as threads:
            pooled = list(threads.map(lambda e: grade(e, pool), entries))
    finally:
        pool.close()
    fresh = [grade(e, Fresh(detect())) for e in entries]
    return {e.name: (p, f) for e, p, f in zip(entries, pooled, fresh, strict=True)}
