"""Check that backward() through the student's own model and mse gives the right gradients."""

import numpy as np

from autograder.checks.base import (Check, Evidence, Outcome, Verdict, failure, incorrect,
                                    ladder, over_cases, passed)

HINTS = (
    ("does not require grad", "The loss has no graph: model or mse returns a detached result."),
    ("has no attribute 'backward'", "mse returns something that is not a tensor (.item()?): "
                                    "backward() needs the loss tensor."),
    ("mat1 and mat2 shapes", "model multiplies by w without transposing it: x @ w.T."),
)
UPSTREAM = ("model.values", "model.autograd", "mse.values", "mse.autograd")


def _cause(ev: Evidence) -> str:
    failed = [cid for cid in UPSTREAM if cid in ev.verdicts and not ev.verdicts[cid].passed]
    return f"\nThe gradients come from your model and mse: fix {', '.join(failed)} first." \
        if failed else ""


def _scaled(got: np.ndarray, want: np.ndarray) -> str | None:
    ratio = np.divide(got, want, out=np.full_like(got, np.nan), where=np.abs(want) > 1e-9)
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size and np.allclose(ratio, ratio[0], rtol=1e-3) and abs(ratio[0] - 1) > 1e-3:
        return (f"The gradients are {ratio[0]:.3g} times too large: a loss that sums instead of "
                "averaging scales them all by the same factor.")
    return None


def _one(ev: Evidence, cid: str) -> Verdict:
    obs, want = ev.observed[cid], ev.expected[cid]
    if "error" in obs:
        return failure(obs["error"], HINTS)
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
    return Verdict(verdict.outcome, verdict.feedback + _cause(ev))


GRADIENTS = Check("gradients", "gradients through model and mse", 10, "visible",
                  ("gradients/crop", "gradients/hidden"), judge,
                  "w.grad and b.grad after mse(model(x, w, b), y).backward()")
CHECKS = (GRADIENTS,)
