"""`np.allclose` and a finiteness test for the few numbers a check compares, at a fraction of
numpy's cost: a grading makes some fifty such comparisons, and numpy spends about 20 µs on
each whatever its size (its `isclose` builds several arrays under an `errstate`), a tenth of
the grading's own work in the parent.

The result is numpy's, bit for bit: the same float64 arithmetic, `|x - y| <= atol + rtol * |y|`
with y finite, or x == y, element by element. Anything else (other dtypes, shapes to
broadcast, array tolerances, many numbers) goes to numpy itself.
"""

import math

import numpy as np

FEW = 512
"""Up to this many numbers, a loop in Python is faster than numpy's arrays."""


def allclose(got, want, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
    """`np.allclose(got, want, rtol=rtol, atol=atol)`."""
    if (type(got) is np.ndarray and type(want) is np.ndarray and got.dtype == np.float64
            and want.dtype == np.float64 and got.shape == want.shape and got.size <= FEW
            and isinstance(rtol, float) and isinstance(atol, float)):
        rtol, atol, isfinite = float(rtol), float(atol), math.isfinite  # np.float64 is a float
        for x, y in zip(got.ravel().tolist(), want.ravel().tolist(), strict=True):
            if not ((abs(x - y) <= atol + rtol * abs(y) and isfinite(y)) or x == y):
                return False
        return True
    return bool(np.allclose(got, want, rtol=rtol, atol=atol))


def finite(values: np.ndarray) -> bool:
    """`np.all(np.isfinite(values))`, without `np.all`'s dispatch."""
    return bool(np.isfinite(values).all())
