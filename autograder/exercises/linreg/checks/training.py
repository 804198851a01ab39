"""Check the student's whole pipeline: 100 epochs from a seeded start, against the reference
run from the same start. No fixed loss threshold: those fail some correct runs."""

import dataclasses

import numpy as np

from autograder.exercises.linreg.checks import train_step
from autograder.grading.checks import (
    Check,
    Evidence,
    Outcome,
    Verdict,
    failed,
    failure,
    incorrect,
    over_cases,
    passed,
    upstream,
    values,
)
from autograder.grading.tolerance import allclose, finite

PARTS = ("model.values", "model.autograd", "mse.values", "mse.autograd")
"""The checks of the student's own model and mse on the crop data, which training runs."""
STEP = tuple(c.id for c in train_step.CHECKS)
LEAD = "Training runs your own model, mse and train_step together"

RTOL = 2e-3


def _trajectory(obs: dict) -> list[np.ndarray] | None:
    try:
        return [np.concatenate([values(cp["w"]).ravel(), values(cp["b"]).ravel()])
                for cp in obs["checkpoints"]]
    except (KeyError, TypeError, ValueError):
        return None


def _follows(got: list[np.ndarray], want: list[np.ndarray]) -> bool:
    return len(got) == len(want) and all(
        g.shape == w.shape and allclose(g, w, RTOL, RTOL * float(np.abs(w).max()))
        for g, w in zip(got, want, strict=True))


def _why_not(losses: list) -> str:
    numbers = [v for v in losses if v is not None]
    if numbers and not np.all(np.isfinite(numbers)):
        return "The loss became NaN or infinite: training diverged."
    if len(numbers) >= 2 and numbers[-1] > numbers[0]:
        return "The loss went up over the epochs instead of down."
    if len(numbers) >= 2 and numbers[-1] == numbers[0]:
        return "The loss did not change over the epochs: the weights are not being updated."
    return "Training does not follow gradient descent on the mean squared error."


def _one(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    cause = upstream(ev, (*PARTS, *STEP), LEAD)
    if "error" in obs:
        # train_step's hints assume a working model and mse: when those fail, they mislead
        verdict = failure(obs["error"], () if failed(ev, PARTS) else train_step.HINTS)
        if verdict.outcome is Outcome.NOT_ATTEMPTED:
            return verdict
        return dataclasses.replace(
            verdict, feedback=f"At epoch {obs.get('epoch')}: {verdict.feedback}{cause}")
    got, want = _trajectory(obs), _trajectory(ev.expected[cid])
    if got is not None and all(finite(g) for g in got) and _follows(got, want):
        return passed("Correct: 100 epochs of your model, mse and train_step follow the "
                      "reference run from the same start, and the loss falls.")
    return incorrect(_why_not(obs.get("losses", [])) + " Your whole pipeline (model, mse and "
                     "train_step together) does not follow the reference run from the same "
                     "starting weights." + cause)


CONVERGES = Check("training.converges", "training: 100 epochs bring the loss down", 10,
                  "visible", ("training/public", "training/seeded"),
                  lambda ev: over_cases(ev, ["training/public", "training/seeded"], _one),
                  "your own model, mse and train_step, 100 epochs at lr 1e-5, follow the "
                  "reference run from the same seeded start")
CHECKS = (CONVERGES,)
