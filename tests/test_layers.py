"""The sandbox's layer is detected once a process, and its warm pool made once, whatever the
threads that ask at once."""

import threading

from autograder.sandbox import layers, pool


def test_threads_that_ask_at_once_get_the_one_layer():
    # a cluster's worker grades two submissions at once from its start: both threads asked,
    # both probed the same cgroup folder, and one of them graded without cgroup limits
    before = layers.detect()
    layers._detect.cache_clear()
    start, found = threading.Barrier(8), []

    def ask():
        start.wait()
        found.append(layers.detect())

    _at_once(ask)
    assert found == [before] * 8


def test_threads_that_ask_at_once_share_one_pool():
    start, found = threading.Barrier(8), []

    def ask():
        start.wait()
        found.append(pool.default())

    _at_once(ask)
    assert len({id(p) for p in found}) == 1  # one zygote, not one a thread


def _at_once(ask) -> None:
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
