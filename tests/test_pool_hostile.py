"""The warm pool gives exactly the results of fresh interpreters for every hostile submission
(and one that reaches for the network), as test_pool shows for the gallery."""

import socket

import pytest
from hostile import HOSTILE, reaching
from pooled import pooled_and_fresh


@pytest.fixture(scope="module")
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    yield server
    server.close()


@pytest.fixture(scope="module")
def results(expect, listener):
    return pooled_and_fresh(expect, [*HOSTILE, reaching(listener.getsockname()[1])])


@pytest.mark.parametrize("name", [e.name for e in HOSTILE] + ["network"])
def test_the_pool_gives_the_results_of_fresh_interpreters(name, results):
    pooled, fresh = results[name]
    assert pooled == fresh
