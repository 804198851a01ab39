"""The inputs every check runs on: fixed public cases, and secret ones drawn at grading time.

Cases hold plain numbers only (lists, not tuples), so the same case reaches a child process
and the reference's observer as it is.
"""

import numpy as np

from autograder.exercises.linreg import data
from autograder.sandbox.case import Case

# Fixed weights for the public cases: small, signed and distinct, so that a missing or
# subtracted bias, a transposed weight or a stray factor each give a different answer.
W_FIXED = ((0.25, -0.5, 0.75), (-0.125, 0.5, 0.375))
B_FIXED = (1.5, -2.25)
PREDS_FIXED = ((60.5, 65.0), (77.25, 110.0), (125.0, 120.5), (30.0, 31.5), (95.5, 128.0))
STALE_W = ((3.0, -1.0, 2.0), (-2.0, 4.0, 1.0))
STALE_B = (5.0, -3.0)
PUBLIC_TRAINING_SEED = 2024
SECRET_STARTS = 32
"""The secret training run starts from one of this many seeded starts (fixed ones: the
grader's code is open), which one depends on the submission. A hard-coded start still shows,
and the reference's run from each start is made once per batch instead of once per submission
(100 epochs of the reference cost more than any other case)."""
SECRET_START_BASE = 10_000
CHECKPOINT_EVERY = 10


def _crop(**extra) -> dict:
    return {"x": [list(r) for r in data.INPUTS], "y": [list(r) for r in data.TARGETS], **extra}


def _fixed_params() -> dict:
    return {"w": [list(r) for r in W_FIXED], "b": list(B_FIXED)}


def seeded_start(seed: int, k: int = 2, f: int = 3) -> dict:
    """Starting weights for a training run, the same for the student and the reference."""
    rng = np.random.default_rng(seed)
    return {"w": rng.standard_normal((k, f)).tolist(), "b": rng.standard_normal(k).tolist()}


def public_cases() -> list[Case]:
    fixed = _fixed_params()
    crop_step = _crop(**fixed, lr=data.LEARNING_RATE)
    return [
        Case("model/crop", "model", {"x": _crop()["x"], **fixed}),
        Case("mse/crop", "mse", {"preds": [list(r) for r in PREDS_FIXED], "targets": _crop()["y"]}),
        Case("gradients/crop", "gradients", _crop(**fixed)),
        Case("train_step/crop", "train_step", crop_step),
        Case("train_step/stale", "train_step",
             {**crop_step, "w_grad": [list(r) for r in STALE_W], "b_grad": list(STALE_B)}),
        Case("training/public", "training", _training_args(PUBLIC_TRAINING_SEED)),
    ]


def _training_args(seed: int) -> dict:
    return _crop(**seeded_start(seed), lr=data.LEARNING_RATE, epochs=data.EPOCHS,
                 every=CHECKPOINT_EVERY)


def _shapes(rng: np.random.Generator) -> tuple[int, int, int]:
    # n != 5 and k != 2 expose hard-coded shapes; f != k keeps a missing transpose an error
    n, f = int(rng.integers(6, 13)), int(rng.integers(4, 8))
    k = int(rng.choice([v for v in (3, 4, 5) if v != f]))
    return n, f, k


def _random_problem(rng: np.random.Generator) -> dict:
    n, f, k = _shapes(rng)
    x = rng.uniform(-3.0, 3.0, (n, f))
    w, b = rng.standard_normal((k, f)), rng.standard_normal(k)
    y = x @ rng.standard_normal((k, f)).T + rng.standard_normal((n, k))
    return {"x": x.tolist(), "y": y.tolist(), "w": w.tolist(), "b": b.tolist()}


def secret_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    problem = _random_problem(rng)
    n, k = int(rng.integers(6, 13)), int(rng.integers(3, 6))
    # a learning rate far from the notebook's 1e-5, so a hard-coded one shows
    hidden_lr = float(10 ** rng.uniform(-2.5, -1.5))
    crop_lr = float(10 ** rng.uniform(-6.5, -5.5)) * 0.5
    return [
        Case("model/hidden", "model", {k_: problem[k_] for k_ in ("x", "w", "b")}, True),
        Case("mse/hidden", "mse", {"preds": (rng.standard_normal((n, k)) * 5).tolist(),
                                   "targets": (rng.standard_normal((n, k)) * 5).tolist()}, True),
        Case("gradients/hidden", "gradients", problem, True),
        Case("train_step/hidden", "train_step", {**problem, "lr": hidden_lr}, True),
        Case("train_step/crop_lr", "train_step", _crop(**_fixed_params(), lr=crop_lr), True),
        Case("training/seeded", "training",
             _training_args(SECRET_START_BASE + int(rng.integers(SECRET_STARTS))), True),
    ]


def build(seed: int | None) -> dict[str, Case]:
    """Public cases, plus the secret ones when a seed is given."""
    cases = public_cases() + (secret_cases(seed) if seed is not None else [])
    return {c.id: c for c in cases}
