"""The checks' own allclose and finiteness test give numpy's answer on every input."""

import itertools

import numpy as np
import pytest

from autograder.grading.tolerance import allclose, finite

SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-12, 1e-8, 9.99e-9, 1.0,
           -1.0, 1.0 + 1e-5, 1.0 - 1e-5, 1.00001, 0.99999, 3.0, 1e300, -1e300,
           1.7976931348623157e308, np.inf, -np.inf, np.nan]
TOLERANCES = [(1e-05, 1e-08), (1e-4, 0.0), (2e-3, 0.25), (1e-3, 1e-6), (0.0, 0.0),
              (np.float64(2e-3), np.float64(1.5e-3))]


@pytest.mark.parametrize("rtol,atol", TOLERANCES)
def test_every_pair_of_special_numbers(rtol, atol):
    for x, y in itertools.product(SPECIAL, repeat=2):
        got, want = np.array([x]), np.array([y])
        assert allclose(got, want, rtol, atol) == np.allclose(got, want, rtol=rtol, atol=atol), \
            (x, y, rtol, atol)


def test_random_arrays_near_and_across_the_tolerance():
    rng = np.random.default_rng(7)
    for _ in range(3000):
        shape = tuple(rng.integers(1, 5, size=rng.integers(0, 3)))
        want = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 7)
        rtol, atol = float(10.0 ** rng.uniform(-6, -1)), float(10.0 ** rng.uniform(-9, 0))
        # a gap of about the tolerance itself, either side of it
        got = want + (atol + rtol * np.abs(want)) * rng.uniform(-2, 2, shape)
        if rng.random() < 0.2:
            got.flat[rng.integers(got.size)] = rng.choice([np.nan, np.inf, -np.inf])
        assert allclose(got, want, rtol, atol) == np.allclose(got, want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("got,want,kwargs", [
    (np.zeros(3, np.float32), np.zeros(3), {}),  # another dtype
    (np.zeros((2, 3)), np.zeros(3), {}),  # shapes to broadcast
    (np.ones(3), np.ones(3), {"atol": np.array([0.1, 0.2, 0.3])}),  # an array tolerance
    (np.ones(3), 1, {}),  # a number
    (np.linspace(0, 1, 2000), np.linspace(0, 1, 2000) + 1e-9, {}),  # many numbers
])
def test_what_it_does_not_compute_itself_is_numpys(got, want, kwargs):
    assert allclose(got, want, **kwargs) == np.allclose(got, want, **kwargs)


def test_finite():
    for values in (np.array([]), np.array([1.0, -0.0]), np.array([[1.0, np.nan]]),
                   np.array([np.inf]), np.array(5e-324)):
        assert finite(values) == bool(np.all(np.isfinite(values)))
