"""Checks of `mse(preds, targets)`: values, hidden shapes, and a differentiable 0-dim result."""

import numpy as np

from autograder.grading.checks import (
    Check,
    Evidence,
    Verdict,
    failure,
    incorrect,
    is_failure,
    ladder,
    over_cases,
    passed,
    untouched,
)


def _fingerprints(case_args: dict):
    diff = np.asarray(case_args["preds"]) - np.asarray(case_args["targets"])
    n, k = diff.shape

    def named(got: np.ndarray, want: np.ndarray) -> Verdict | None:
        if got.shape == (k,) and np.isclose(got.mean(), want, rtol=1e-4):
            return incorrect("mse returned one value per column: it averages over the rows "
                             "only. Take the mean over every element, so the loss is a single "
                             "number.", "mean_over_rows_only")
        if got.shape == (n,) and np.isclose(got.mean(), want, rtol=1e-4):
            return incorrect("mse returned one value per row: it averages over the columns "
                             "only. Take the mean over every element, so the loss is a single "
                             "number.", "mean_over_columns_only")
        if got.shape == diff.shape:
            return incorrect("mse returned every squared error: take their mean, a single "
                             "number.", "no_mean")
        if got.shape != want.shape:
            return None
        for factor, mistake, text in _SCALED:
            if np.isclose(got, want * factor(n, k), rtol=1e-4):
                return incorrect(text, mistake)
        for other, mistake, text in _FORMULAS:
            if np.isclose(got, other(diff, want), rtol=1e-4):
                return incorrect(text, mistake)
        return None

    return named


# (the result's ratio to the mean squared error, the mistake, what to say)
_SCALED = (
    (lambda n, k: n * k, "sum_instead_of_mean", "mse is the sum of the squared errors: divide "
                                                "by their number (take the mean) instead."),
    (lambda n, k: n, "sum_over_rows", "mse sums over the rows: take the mean over every "
                                      "element instead."),
    (lambda n, k: k, "sum_over_columns", "mse sums over the columns: take the mean over every "
                                         "element instead."),
    (lambda n, k: 0.5, "half_mse", "mse is half the mean squared error: drop the factor 1/2."),
    (lambda n, k: n * k / (n * k - 1), "mean_n_minus_1", "mse divides by the count minus one: "
                                                         "divide by the number of elements."),
)
# (what the result equals, the mistake, what to say)
_FORMULAS = (
    (lambda d, want: np.sqrt(want), "rmse", "mse takes a square root: that is the RMSE. The "
                                            "mean squared error has no root."),
    (lambda d, want: np.abs(d).mean(), "mae", "mse averages absolute errors: that is the MAE. "
                                              "Square the differences instead."),
    (lambda d, want: d.mean() ** 2, "squared_mean", "mse squares the mean difference: square "
                                                    "each difference first, then take the mean."),
)


def _values(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    verdict = ladder(obs["out"], ev.expected[cid]["out"], "mse(preds, targets)",
                     _fingerprints(ev.cases[cid].args), scalar=True)
    return untouched(verdict, obs, "mse")


def _autograd(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    out = obs["out"]
    if is_failure(out):
        return failure(out)
    if out["kind"] == "number":
        return incorrect("mse returned a plain Python number: .item() or float() cuts the loss "
                         "off from autograd, so backward() cannot run. Return the tensor.",
                         "loss_item")
    if out["kind"] == "ndarray":
        return incorrect("mse returned a NumPy array: autograd cannot follow it. Compute with "
                         "torch operations and return the tensor.", "numpy_output")
    if out["kind"] != "tensor":
        return incorrect("mse should return a tensor, so that loss.backward() works.")
    if len(out.get("values", [])) != 1:
        return incorrect("mse should return a single number (a 0-dim tensor), so that "
                         "loss.backward() works without arguments.")
    if not out["graph"] or not obs["reaches"].get("preds"):
        return incorrect("mse's result is detached from preds: no gradient can flow back. Avoid "
                         ".detach(), .data, .item() and torch.tensor(...) on the loss.",
                         "detached_output")
    return passed("Correct: a single-number tensor that autograd can differentiate.")


VALUES = Check("mse.values", "mse: loss on the crop data", 10, "visible", ("mse/crop",),
               lambda ev: over_cases(ev, ["mse/crop"], _values),
               "mean of the squared differences over every element, inputs unchanged")
HIDDEN = Check("mse.hidden", "mse: other shapes and values", 5, "after_published",
               ("mse/hidden",),
               lambda ev: over_cases(ev, ["mse/hidden"], _values, baseline=["mse/crop"]),
               "the same on inputs drawn at grading time (other n and k)")
AUTOGRAD = Check("mse.autograd", "mse: a differentiable single number", 5, "visible",
                 ("mse/crop",), lambda ev: over_cases(ev, ["mse/crop"], _autograd),
                 "a 0-dim (or one-element) tensor whose graph reaches preds")
CHECKS = (VALUES, HIDDEN, AUTOGRAD)
