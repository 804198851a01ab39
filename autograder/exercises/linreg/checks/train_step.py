"""Checks of `train_step`, run with known-good `model` and `mse` in place, so that only the
step itself is graded: the loss it returns, the update, the gradient reset, and no_grad."""

import numpy as np

from autograder.exercises.linreg.data import LEARNING_RATE
from autograder.grading.checks import (
    Check,
    Evidence,
    Hint,
    Verdict,
    failure,
    incorrect,
    ladder,
    over_cases,
    passed,
    values,
)
from autograder.grading.tolerance import allclose

STEPS = ("train_step/crop", "train_step/hidden", "train_step/crop_lr")
PARAMS = ("w", "b")
HINTS = (
    Hint("leaf Variable that requires grad is being used in an in-place operation",
         "The update ran while autograd was recording: put it inside `with torch.no_grad():`.",
         "update_outside_no_grad"),
    Hint("'NoneType' object has no attribute 'zero_'",
         "A gradient is None before the first backward(): zero the gradients after the update, "
         "or guard with `if w.grad is not None`, or set `w.grad = None` instead.",
         "zero_before_first_backward"),
    Hint("backward through the graph a second time",
         "backward() ran twice on the same graph: call it once per step.", "double_backward"),
    Hint("must match the size of tensor",
         "The update mixes up shapes: update w with w.grad and b with b.grad.",
         "b_updated_with_w_grad"),
    # the two below name a symptom with several causes, so no mistake is counted
    Hint("NoneType", "A gradient is None: call loss.backward() before the update, and update w "
                     "and b themselves, not copies."),
    Hint("does not require grad", "The loss has no graph: compute it with autograd on, outside "
                                  "torch.no_grad()."),
)


def _delta(obs: dict, args: dict, p: str) -> np.ndarray | None:
    after, before = values(obs[p]), np.asarray(args[p], dtype=np.float64)
    return after - before if after.shape == before.shape else None


def _close(a, b) -> bool:
    return a.shape == b.shape and allclose(a, b, 1e-3, 1e-6 * max(
        1.0, float(np.abs(b).max()) if b.size else 1.0))


def _update_mistake(p: str, d, e, lr: float, p0, bumped: bool) -> tuple[str | None, str]:
    """The mistake's id (None when none is recognised) and what to say."""
    if _close(d, -e):
        return "gradient_ascent", (f"{p} moves up the gradient (gradient ascent): subtract "
                                   f"lr * {p}.grad, don't add it.")
    if _close(d, e / lr):
        return "lr_ignored", (f"{p} changes by the whole gradient: multiply it by the learning "
                              "rate lr.")
    if abs(lr - LEARNING_RATE) > 1e-9 and _close(d, e * LEARNING_RATE / lr):
        return "hard_coded_lr", (f"{p} changes as if lr were {LEARNING_RATE:g}: use the lr "
                                 "argument, not a number.")
    if _close(d, -lr * p0):
        return "shrinks_weights", (f"{p} -= {p} * lr shrinks the weights: step along the "
                                   f"gradient, {p}.grad * lr.")
    if _close(d, 2 * e):
        return "double_step", (f"{p} moves twice as far as it should: the gradient was counted "
                               "twice (backward() called twice, or the update applied twice).")
    if np.allclose(d, 0, atol=1e-12):
        if bumped:
            return "zeroed_before_use", (f"{p} did not change although it was updated: its "
                                         "gradient was zeroed before it was used. Reset "
                                         "gradients after the update, or before backward().")
        return "rebinding", (f"The caller's {p} did not change: `{p} = {p} - ...` makes a new "
                             f"tensor inside train_step. Update in place: `{p} -= lr * {p}.grad` "
                             "under torch.no_grad().")
    return None, f"{p} changed, but not by -lr * {p}.grad."


def _update_one(ev: Evidence, cid: str) -> Verdict:
    obs, ref, args = ev.observed[cid], ev.expected[cid], ev.cases[cid].args
    if "error" in obs:
        return failure(obs["error"], HINTS)
    wrong = {}
    for p in PARAMS:
        d, e = _delta(obs, args, p), _delta(ref, args, p)
        if d is None:
            wrong[p] = None, f"{p} changed shape: it must keep its shape."
        elif not _close(d, e):
            wrong[p] = _update_mistake(p, d, e, args["lr"], np.asarray(args[p]),
                                       obs[f"{p}_version"] > 0)
    if not wrong:
        return passed("Correct: w and b each moved by -lr times their gradient, in place.")
    if set(wrong) == {"b"} and np.allclose(_delta(obs, args, "b"), 0) and not obs["b_version"]:
        return incorrect("Only w is updated: b needs its own step too, b -= lr * b.grad.",
                         "only_w_updated")
    mistakes = [mistake for mistake, _ in wrong.values() if mistake]
    return incorrect("\n".join(text for _, text in wrong.values()),
                     mistakes[0] if mistakes else None)


def _loss_one(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    if "error" in obs:
        return failure(obs["error"], HINTS)
    after = obs.get("loss_after")

    def named(got, want) -> Verdict | None:
        if after is not None and got.size == 1 and np.isclose(got.item(), after, rtol=1e-5) \
                and not np.isclose(after, want.item(), rtol=1e-5):
            return incorrect("train_step returned the loss after the update: return the loss of "
                             "this step, the one you called backward() on.", "loss_after_update")
        return None

    verdict = ladder(obs["ret"], ev.expected[cid]["ret"], "train_step", named, scalar=True)
    if verdict.passed:
        return passed("Correct: train_step returns this step's loss, before the update.")
    return verdict


def _unused(obs: dict, args: dict, clean: dict, p: str) -> bool:
    """p.grad left exactly as the call found it, and p moved by the fresh gradient alone: the
    step never reads .grad (torch.autograd.grad), so the stale value cannot leak into it."""
    d = _delta(obs, args, p)
    return (np.array_equal(values(obs[f"{p}_grad"]), np.asarray(args[f"{p}_grad"]))
            and d is not None and _close(d, _delta(clean, args, p)))


def _leaks(obs: dict, args: dict, clean: dict, p: str) -> bool:
    """Whether the stale gradient the call began with is still in p.grad when it returns. The
    fresh gradient can be far larger than the stale one, so no relative tolerance can tell
    "fresh" from "stale + fresh": the nearest candidate, by absolute distance, decides."""
    grad = obs[f"{p}_grad"]
    if grad["kind"] == "none":
        return False
    g, stale = values(grad), np.asarray(args[f"{p}_grad"])
    fresh = -_delta(clean, args, p) / args["lr"]
    if g.shape != fresh.shape:
        return True
    if _unused(obs, args, clean, p):
        return False

    def gap(c) -> float:
        return float(np.max(np.abs(g - c)))

    return min(gap(stale + m * fresh) for m in (0, 1, 2)) < min(gap(m * fresh) for m in (0, 1, 2))


def _zero_grad(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if "error" in obs:
        return failure(obs["error"], HINTS)
    leaks = [p for p in PARAMS if _leaks(obs, args, ev.expected["train_step/crop"], p)]
    if not leaks:
        return passed("Correct: no gradient is left to leak into the next step.")
    names = " and ".join(f"{p}.grad" for p in leaks)
    return incorrect(f"{names} {'is' if len(leaks) == 1 else 'are'} never reset: backward() adds "
                     "to .grad, so every later step would use the sum of all gradients so far. "
                     "After the update, zero them (w.grad.zero_(), b.grad.zero_()) or set them "
                     "to None.", "grad_not_reset")


def _no_grad_one(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if "error" in obs:
        return failure(obs["error"], HINTS)
    if not obs["grad_enabled"]:
        return incorrect("Autograd was still off after train_step returned: use the block form "
                         "`with torch.no_grad():`, which switches it back on at the end.",
                         "grad_mode_left_off")
    for p in PARAMS:
        if not obs[f"{p}_leaf"]:
            return incorrect(f"After train_step, {p} is no longer a leaf that requires grad: "
                             "update it in place under torch.no_grad(), do not replace it.")
    changed = {p: not np.array_equal(values(obs[p]), np.asarray(args[p], dtype=np.float32))
               for p in PARAMS}
    via_data = [p for p in PARAMS if changed[p] and not obs[f"{p}_version"]]
    if via_data:
        return incorrect(f"You updated {' and '.join(via_data)} through .data. It works here, but "
                         ".data hides the change from autograd, which can silently give wrong "
                         "gradients in bigger programs. The safe way: `with torch.no_grad(): "
                         "w -= lr * w.grad`.", "data_update")
    if not any(obs[f"{p}_version"] for p in PARAMS):
        return incorrect("No in-place update of w or b was seen, so there is no update under "
                         "torch.no_grad() to check.", "rebinding")
    return passed("Correct: w and b were updated in place with autograd off and stay leaves.")


LOSS = Check("train_step.loss", "train_step: returns this step's loss", 10, "visible", STEPS,
             lambda ev: over_cases(ev, STEPS, _loss_one),
             "returns the loss before the update (tensor or float)")
UPDATE = Check("train_step.update", "train_step: updates w and b in place", 15, "visible", STEPS,
               lambda ev: over_cases(ev, STEPS, _update_one),
               "w and b change in place by exactly -lr * grad, for several lr values")
ZERO_GRAD = Check("train_step.zero_grad", "train_step: no gradient leaks into the next step", 10,
                  "visible", ("train_step/stale", "train_step/crop"),
                  lambda ev: over_cases(ev, ["train_step/stale"], _zero_grad),
                  "gradients zeroed after the update, set to None, or reset before backward()")
NO_GRAD = Check("train_step.no_grad", "train_step: update under torch.no_grad()", 5, "visible",
                STEPS, lambda ev: over_cases(ev, STEPS, _no_grad_one),
                "in-place update with autograd off, not via .data; w and b stay leaves")
CHECKS = (LOSS, UPDATE, ZERO_GRAD, NO_GRAD)
