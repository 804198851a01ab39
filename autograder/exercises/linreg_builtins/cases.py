"""The inputs every check runs on: fixed public cases, and secret ones drawn at grading time.

Plain numbers only. The public training run and the fit cases start from seeded weights, the
same for the student and the reference; `fit` is handed a loader of fixed order, so its run is
the reference's step for step.
"""

import numpy as np

from autograder.exercises.linreg_builtins import data
from autograder.sandbox.case import Case

PUBLIC_TRAINING_SEED = 2025
SECRET_STARTS = 32
"""The secret training run starts from one of this many seeded starts, which one depends on
the submission: the reference's run from each is made once per batch."""
SECRET_START_BASE = 20_000
FIT_EPOCHS = 3
"""Enough for the gradients of one epoch to meet the next one's."""
EVAL_BATCH = 4
"""15 regions in batches of 4: the last batch is smaller, so a mean of batch means is off."""
PROBE_X = ((1.0, -2.0, 0.5), (3.0, 0.25, -1.0), (-0.5, 1.5, 2.0), (0.0, 1.0, -3.0))


def _crop(**extra) -> dict:
    return {"x": [list(r) for r in data.INPUTS], "y": [list(r) for r in data.TARGETS], **extra}


def seeded_start(seed: int, k: int = 2, f: int = 3) -> dict:
    """Starting weights, the same for the student and the reference."""
    rng = np.random.default_rng(seed)
    return {"w": rng.standard_normal((k, f)).tolist(), "b": rng.standard_normal(k).tolist()}


def _training_args(seed: int) -> dict:
    return _crop(**seeded_start(seed), batch_size=data.BATCH_SIZE, lr=data.LEARNING_RATE,
                 epochs=data.EPOCHS)


def public_cases() -> list[Case]:
    start = seeded_start(7)
    return [
        Case("make_loader/crop", "make_loader", _crop(batch_size=data.BATCH_SIZE)),
        Case("make_model/crop", "make_model", {"f": 3, "k": 2, "x": [list(r) for r in PROBE_X]}),
        Case("fit/crop", "fit", _crop(**start, batch_size=data.BATCH_SIZE,
                                      lr=data.LEARNING_RATE, epochs=FIT_EPOCHS)),
        Case("evaluate/crop", "evaluate", _crop(**start, batch_size=EVAL_BATCH)),
        Case("training/public", "training", _training_args(PUBLIC_TRAINING_SEED)),
    ]


def _problem(rng: np.random.Generator) -> dict:
    # n not a multiple of the batch size, and f, k other than 3 and 2: hard-coding shows
    n, f, k = int(rng.integers(11, 15)), int(rng.integers(4, 7)), int(rng.integers(3, 5))
    x = rng.uniform(-3.0, 3.0, (n, f))
    y = x @ rng.standard_normal((k, f)).T + rng.standard_normal((n, k))
    return {"x": x.tolist(), "y": y.tolist(), **seeded_start(int(rng.integers(1 << 30)), k, f)}


def secret_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    problem = _problem(rng)
    n = len(problem["x"])
    batch = int(rng.choice([b for b in (3, 4, 5) if n % b]))  # 11..14: one always fits
    f, k = len(problem["x"][0]), len(problem["y"][0])
    probe_x = rng.uniform(-2.0, 2.0, (5, f)).tolist()
    return [
        Case("make_loader/hidden", "make_loader", {**problem, "batch_size": batch}, True),
        Case("make_model/hidden", "make_model", {"f": f, "k": k, "x": probe_x}, True),
        Case("fit/hidden", "fit", {**problem, "batch_size": batch,
                                   "lr": float(10 ** rng.uniform(-2.5, -1.5)), "epochs": 4}, True),
        Case("training/seeded", "training",
             _training_args(SECRET_START_BASE + int(rng.integers(SECRET_STARTS))), True),
    ]


def build(seed: int | None) -> dict[str, Case]:
    """Public cases, plus the secret ones when a seed is given."""
    cases = public_cases() + (secret_cases(seed) if seed is not None else [])
    return {c.id: c for c in cases}
