"""Check the whole lesson: the student's loader, model and fit, 100 epochs from a seeded
start, against the reference's run from the same start. The shuffled batches may come in
another order than the reference's, which moves the final loss by about 1% (measured over 20
orders from each of three starts): a run within RTOL of the reference's final loss converges."""

import math

from autograder.grading.checks import (
    Check,
    Evidence,
    Verdict,
    failed,
    failure,
    incorrect,
    over_cases,
    passed,
    upstream,
)

RTOL = 0.05
PARTS = ("make_loader.batches", "make_model.layer", "fit.zero_grad", "fit.step")
LEAD = "Training runs your own make_loader, make_model and fit together"


def _converges(ev: Evidence, cid: str) -> Verdict:
    obs, want = ev.observed[cid], ev.expected[cid]
    if "error" in obs:
        verdict = failure(obs["error"])
        return Verdict(verdict.outcome, verdict.feedback + upstream(ev, PARTS, LEAD))
    final, target = obs["final"], want["final"]
    if not isinstance(final, float) or not math.isfinite(final):
        return incorrect("After 100 epochs your model's loss is not a finite number: the "
                         "training diverged." + upstream(ev, PARTS, LEAD))
    if final > target * (1 + RTOL):
        return incorrect(f"After 100 epochs your model's loss is {final / target:.3g} times the "
                         "reference's from the same start." + upstream(ev, PARTS, LEAD))
    return passed("Correct: 100 epochs of your make_loader, make_model and fit bring the loss "
                  "down as far as the reference's from the same start.")


def _judge(ev: Evidence) -> Verdict:
    # when a part fails, training's failure is its consequence: the part's mistake is named
    return over_cases(ev, ["training/public", "training/seeded"], _converges,
                      hard_coded=not failed(ev, PARTS))


CHECKS = (
    Check("training.converges", "training: 100 epochs bring the loss down", 10, "visible",
          ("training/public", "training/seeded"), _judge,
          "100 epochs of your loader, model and fit from a seeded start end within 5% of the "
          "reference's final loss"),
)
