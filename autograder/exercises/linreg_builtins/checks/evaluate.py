"""Check evaluate: the loss over every sample (batches weighted by their size), computed in
evaluation mode with autograd off."""

import numpy as np

from autograder.grading.checks import (
    Check,
    Evidence,
    Verdict,
    close,
    failure,
    incorrect,
    ladder,
    over_cases,
    passed,
)


def _batch_means(args: dict) -> list[float]:
    x, y = np.asarray(args["x"]), np.asarray(args["y"])
    preds = x @ np.asarray(args["w"]).T + np.asarray(args["b"])
    size = args["batch_size"]
    return [float(np.mean((preds[i:i + size] - y[i:i + size]) ** 2))
            for i in range(0, len(x), size)]


def _values(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if "error" in obs:
        return failure(obs["error"])

    def fingerprints(got, _want):
        if got.size == 1 and close(got.ravel(), [np.mean(_batch_means(args))], 1e-4):
            return incorrect("evaluate averages the batches' losses as if all batches were "
                             "the same size: weight each by its number of samples (the last "
                             "batch is smaller).", "unweighted_mean")
        return None

    return ladder(obs["ret"], ev.expected[cid]["ret"], "evaluate(model, loss_fn, loader)",
                  fingerprints, scalar=True)


def _no_grad(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    if "error" in obs:
        return failure(obs["error"])
    forwards = [e for e in obs["events"] if e[0] in "Ff"]
    if not forwards:
        return incorrect("evaluate never runs the model.")
    if any(not e.endswith("-") for e in forwards) or obs["grads"]:
        return incorrect("evaluate runs the model with autograd on: wrap the loop in "
                         "`with torch.no_grad():`, so no graph is built and no gradient "
                         "left behind.", "grad_enabled_in_evaluate")
    if any(e[0] == "F" for e in forwards):
        return incorrect("evaluate runs the model in training mode: call model.eval() first "
                         "(layers such as dropout and batch norm behave otherwise).",
                         "no_eval_mode")
    return passed("Correct: evaluation in eval mode, with autograd off.")


def _value_judge(ev: Evidence) -> Verdict:
    return over_cases(ev, ["evaluate/crop"], _values)


CHECKS = (
    Check("evaluate.values", "evaluate: the loss over every sample", 5, "visible",
          ("evaluate/crop",), _value_judge,
          "the loss over all samples, each batch weighted by its size (a smaller last batch)"),
    Check("evaluate.no_grad", "evaluate: eval mode and torch.no_grad()", 5, "visible",
          ("evaluate/crop",), lambda ev: over_cases(ev, ["evaluate/crop"], _no_grad),
          "`model.eval()` and `torch.no_grad()`: no graph, no gradients, evaluation mode"),
)


