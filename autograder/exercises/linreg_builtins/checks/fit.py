"""Check fit: for each batch a forward pass, the loss, backward(), opt.step() and the gradients
reset; the model in training mode; the epoch's mean loss returned. The probe's model records
each forward pass, backward pass, step and reset (`probes`), and at each step the gradients
applied beside the fresh ones of that batch."""

import math

from autograder.grading.checks import (
    Check,
    Evidence,
    Verdict,
    close,
    failure,
    incorrect,
    over_cases,
    passed,
    values,
)

RTOL = 1e-4


def _batches(args: dict) -> int:
    return math.ceil(len(args["x"]) / args["batch_size"]) * args["epochs"]


def _segments(events: list[str]) -> list[str]:
    """The events of each batch: what happened from one forward pass to the next."""
    out: list[str] = []
    for event in events:
        if event[0] in "Ff":
            out.append("")
        elif out:
            out[-1] += event
    return out


def _raised(obs: dict) -> Verdict | None:
    return failure(obs["error"]) if "error" in obs else None


def _step(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if verdict := _raised(obs):
        return verdict
    steps, want = sum(e == "S" for e in obs["events"]), _batches(args)
    if steps == 0:
        return incorrect("fit never calls opt.step(): without it the weights never change.",
                         "step_missing")
    if steps == args["epochs"] and want > steps:
        return incorrect(f"fit calls opt.step() {steps} times in {args['epochs']} epochs of "
                         f"{want // args['epochs']} batches: call it once per batch, inside the "
                         "loop over the loader.", "step_once_per_epoch")
    if steps > want:
        return incorrect(f"fit calls opt.step() {steps} times for {want} batches: once per "
                         "batch, after backward().", "step_twice")
    if any("S" in seg and "B" not in seg.split("S")[0] for seg in _segments(obs["events"])):
        return incorrect("fit calls opt.step() before loss.backward(): the step then applies "
                         "no gradient, or the last batch's.", "step_before_backward")
    if steps != want:
        return incorrect(f"fit calls opt.step() {steps} times for {want} batches.")
    if len(obs["steps"]) != min(steps, _steps_kept()):
        return incorrect("fit's steps were not all made by the optimiser it was given: call its "
                         "opt.step(), once per batch.")
    return passed("Correct: opt.step() once per batch, after backward().")


def _steps_kept() -> int:
    """How many steps the probe's optimiser records. Read from the probes when a run is
    judged, never on import: they import torch, which a command that only lists the checks
    (`autograder exercises`, `rubric`) never needs (1.4 s)."""
    from autograder.exercises.linreg_builtins.probes import STEPS_KEPT

    return STEPS_KEPT


def _fresh(step: dict) -> bool:
    """Whether the gradients a step applied were those of its batch alone."""
    for grads in step.values():
        applied, fresh = grads["applied"], grads["fresh"]
        if applied.get("kind") != "tensor" or fresh.get("kind") != "tensor":
            return False
        if not close(values(applied), values(fresh), RTOL):
            return False
    return True


def _reset_between(segment: str) -> bool:
    """Whether a batch's gradients were reset after its backward() and before its step."""
    back = segment.find("B")
    step = segment.find("S", back + 1) if back >= 0 else -1
    return step > back >= 0 and any(c in "Zz" for c in segment[back:step])


def _zero_grad(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if verdict := _raised(obs):
        return verdict
    if not _step(ev, cid).passed:  # the steps decide which gradients there are to reset
        return incorrect("fit does not call opt.step() once per batch after backward(), so "
                         "when it resets the gradients cannot be checked: fix fit.step first.")
    if all(_fresh(step) for step in obs["steps"]):
        # the records come from objects the submission holds: the run must also end where
        # the reference's ends, which no forged record can arrange
        if not _same_run(ev, cid).passed:
            return incorrect("The records of fit's steps do not match where its training ends: "
                             "the model does not end where the reference's does from the same "
                             "start. Leave the model and the optimiser you are given as they "
                             "are, and call opt.step() and opt.zero_grad() once per batch.")
        return passed("Correct: every step applies the gradients of its own batch alone.")
    resets = sum(e in ("Z", "z") for e in obs["events"])
    if resets == 0:
        return incorrect("fit never resets the gradients: backward() adds to .grad, so each "
                         "step applies the sum of every batch so far. Call opt.zero_grad() "
                         "once per batch.", "zero_grad_forgotten")
    if any(_reset_between(seg) for seg in _segments(obs["events"])):
        return incorrect("fit resets the gradients between loss.backward() and opt.step(): the "
                         "step then has nothing to apply. Reset after the step (or before "
                         "backward()).", "zero_grad_before_step")
    if resets == args["epochs"]:
        return incorrect("fit resets the gradients once per epoch: within an epoch backward() "
                         "adds each batch's gradients to the last. Reset once per batch.",
                         "zero_grad_once_per_epoch")
    return incorrect("Some steps of fit apply gradients that are not their batch's own: reset "
                     "them with opt.zero_grad() once per batch.")


def _train_mode(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    if verdict := _raised(obs):
        return verdict
    forwards = [e for e in obs["events"] if e[0] in "Ff"]
    if not forwards:
        return incorrect("fit never runs the model.")
    if forwards[0][0] == "f":
        return incorrect("fit runs the model in evaluation mode: call model.train() first (an "
                         "evaluation may have left it in eval mode, where layers such as "
                         "dropout behave otherwise).", "no_train_mode")
    return passed("Correct: fit trains the model in training mode.")


def _mean_per_epoch(seen: list, epochs: int) -> list[list[float]] | None:
    if not seen or len(seen) % epochs:
        return None
    per = len(seen) // epochs
    return [seen[i * per:(i + 1) * per] for i in range(epochs)]


def _losses(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if verdict := _raised(obs):
        return verdict
    ret, epochs = obs["ret"], args["epochs"]
    if ret.get("kind") == "none":
        return incorrect("fit returned nothing (None): return the list of each epoch's loss.",
                         "no_return")
    if ret.get("kind") != "list":
        return incorrect(f"fit returned a {ret.get('type', ret.get('kind'))}: return a list "
                         "with one loss per epoch (floats).")
    got = ret["items"]
    if ret["length"] != epochs:
        return incorrect(f"fit returned {ret['length']} losses for {epochs} epochs: one per "
                         "epoch.")
    if any(v is None for v in got):
        return incorrect("fit returned a list of losses with something other than numbers in "
                         "it: append loss.item() (a float).")
    if not all(math.isfinite(v) for v in got):
        return incorrect("fit returned NaN or infinite losses.", "nan_values")
    epochs_seen = _mean_per_epoch(obs["batch_losses"], epochs)
    if epochs_seen is None:
        return incorrect("fit's calls of loss_fn do not split into its epochs evenly: call it "
                         "once per batch.")
    if close(got, [sum(e) / len(e) for e in epochs_seen], RTOL):
        return passed("Correct: one loss per epoch, the mean of its batch losses.")
    if close(got, [e[-1] for e in epochs_seen], RTOL):
        return incorrect("fit returns each epoch's last batch loss: return the mean of the "
                         "epoch's batch losses.", "last_batch_loss")
    if close(got, [sum(e) for e in epochs_seen], RTOL):
        return incorrect("fit returns each epoch's summed batch losses: divide by the number "
                         "of batches.", "summed_batch_losses")
    return incorrect("fit's losses are not the means of each epoch's batch losses.")


def _same_run(ev: Evidence, cid: str) -> Verdict:
    """The run ends where the reference's does, from the same start on the same batches."""
    obs, want = ev.observed[cid], ev.expected[cid]
    if verdict := _raised(obs):
        return verdict
    for name, param in want["final"].items():
        got = obs["final"].get(name, {})
        if got.get("kind") != "tensor" or not close(values(got), values(param), RTOL):
            return incorrect(f"After fit, the model's {name} is not where the reference's "
                             "training ends from the same start on the same batches.")
    return passed("Correct: fit trains the model exactly as the reference does.")


STEP_CHECK = "fit/crop"
CHECKS = (
    Check("fit.losses", "fit: returns each epoch's mean loss", 10, "visible", (STEP_CHECK,),
          lambda ev: over_cases(ev, [STEP_CHECK], _losses),
          "a list of one float per epoch, the mean of the epoch's batch losses"),
    Check("fit.zero_grad", "fit: gradients reset for every batch", 15, "visible", (STEP_CHECK,),
          lambda ev: over_cases(ev, [STEP_CHECK], _zero_grad),
          "each step applies its own batch's gradients (reset once per batch; forgotten, "
          "between backward() and step(), once per epoch: each named)"),
    Check("fit.step", "fit: opt.step() once per batch", 10, "visible", (STEP_CHECK,),
          lambda ev: over_cases(ev, [STEP_CHECK], _step),
          "`opt.step()` exactly once per batch, after `backward()`"),
    Check("fit.train_mode", "fit: the model in training mode", 5, "visible", (STEP_CHECK,),
          lambda ev: over_cases(ev, [STEP_CHECK], _train_mode),
          "`model.train()` before training (the model is handed over in eval mode)"),
    Check("fit.hidden", "fit: hidden data, batch size and learning rate", 5, "after_published",
          ("fit/hidden", STEP_CHECK),
          lambda ev: over_cases(ev, ["fit/hidden"], _same_run, baseline=[STEP_CHECK]),
          "ends where the reference ends, on other shapes, batches and learning rates"),
)

