"""The sandbox's layer is detected once a process, whatever the threads that ask at once."""

import threading

from autograder.sandbox import layers


def test_threads_that_ask_at_once_get_the_one_layer():
    # a cluster's worker grades two submissions at once from its start: both threads asked,
    # both probed the same cgroup folder, and one of them graded without cgroup limits
    before = layers.detect()
    layers._detect.cache_clear()
    start, found = threading.Barrier(8), []

    def ask():
        start.wait()
        found.append(layers.detect())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [before] * 8
