"""Check that backward() through the student's own model and mse gives the right gradients."""

import dataclasses

import numpy as np

from autograder.exercises.linreg.checks.model import transpose_hint
from autograder.grading.checks import (
    Check,
    Evidence,
    Hint,
    Outcome,
    Verdict,
    failure,
    incorrect,
    ladder,
    over_cases,
    passed,
    upstream,
)

# No mistake ids here: each names a consequence of a mistake model's or mse's checks name
HINTS = (
    Hint("does not require grad", "The loss has no graph: model or mse returns a detached "
                                  "result."),
    Hint("has no attribute 'backward'", "mse returns something that is not a tensor (.item()?): "
                                        "backward() needs the loss tensor."),
    Hint("only for scalar outputs", "mse returns more than one number: backward() needs a "
                                    "single-number loss."),
)
UPSTREAM = ("model.values", "model.hidden", "model.autograd", "mse.values", "mse.hidden",
            "mse.autograd")


def _scaled(got: np.ndarray, want: np.ndarray) -> Verdict | None:
    """All gradients off by one common factor: the loss is a multiple of the MSE. The factor
    itself is not shown, as it would give the expected gradients away."""
    ratio = np.divide(got, want, out=np.full_like(got, np.nan), where=np.abs(want) > 1e-9)
    ratio = ratio[np.isfinite(ratio)]
    if not (ratio.size and np.allclose(ratio, ratio[0], rtol=1e-3)) or abs(ratio[0] - 1) < 1e-3:
        return None
    # no mistake id: mse's own checks name which multiple it is
    if ratio[0] < 0:
        return incorrect("The gradients all point the wrong way: the loss has the wrong sign.")
    size = "large" if ratio[0] > 1 else "small"
    return incorrect(f"The gradients are all too {size} by one common factor: the loss is a "
                     "multiple of the mean squared error (a sum instead of a mean, a square "
                     "root, a factor 1/2?).")


def _one(ev: Evidence, cid: str) -> Verdict:
    obs, want = ev.observed[cid], ev.expected[cid]
    if "error" in obs:
        return failure(obs["error"], (transpose_hint(ev.cases[cid].args), *HINTS))
    for name in ("w", "b"):
        got = obs[f"{name}_grad"]
        if got["kind"] == "none":
            return incorrect(f"{name}.grad is None after backward(): {name} is not part of the "
                             "graph of the loss.")
        verdict = ladder(got, want[f"{name}_grad"], f"{name}.grad", _scaled)
        if not verdict.passed:
            return verdict
    return passed("Correct: backward() through your model and mse gives the right w.grad and "
                  "b.grad.")


def judge(ev: Evidence) -> Verdict:
    verdict = over_cases(ev, ["gradients/crop", "gradients/hidden"], _one)
    if verdict.outcome in (Outcome.PASSED, Outcome.NOT_ATTEMPTED):
        return verdict
    return dataclasses.replace(verdict, feedback=verdict.feedback + upstream(
        ev, UPSTREAM, "The gradients come from your model and mse"))


GRADIENTS = Check("gradients", "gradients through model and mse", 10, "visible",
                  ("gradients/crop", "gradients/hidden"), judge,
                  "w.grad and b.grad after mse(model(x, w, b), y).backward()")
CHECKS = (GRADIENTS,)
