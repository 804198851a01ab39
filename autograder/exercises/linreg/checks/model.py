"""Checks of `model(x, w, b)`: values, hidden shapes, and a graph back to the weights."""

import numpy as np

from autograder.grading.checks import (
    Check,
    Evidence,
    Hint,
    Verdict,
    failure,
    incorrect,
    is_failure,
    ladder,
    over_cases,
    passed,
    shape_text,
    untouched,
)


def transpose_hint(args: dict) -> Hint:
    """Names a missing transpose only when the product that failed was exactly (n, f) @ (k, f):
    hard-coded data or shapes fail with the same error, and need another hint."""
    (n, f), k = np.shape(args["x"]), len(args["w"])
    return Hint(f"mat1 and mat2 shapes cannot be multiplied ({n}x{f} and {k}x{f})",
                "The shapes do not fit: w is (k, f), so the product needs its transpose, x @ w.T.",
                "missing_transpose")


def _fingerprints(case_args: dict):
    b = np.asarray(case_args["b"])

    def named(got: np.ndarray, want: np.ndarray) -> Verdict | None:
        if got.shape == want.shape[::-1]:
            return incorrect(f"model returned shape {shape_text(got.shape)} instead of "
                             f"{shape_text(want.shape)}: one row of predictions per row of x, "
                             "x @ w.T + b.", "transposed_output")
        if got.shape != want.shape:
            return None
        if np.allclose(got, want - b, rtol=1e-4):
            return incorrect("The bias is missing: add b to the product, x @ w.T + b.",
                             "missing_bias")
        if np.allclose(got, want - 2 * b, rtol=1e-4):
            return incorrect("The bias is subtracted: it should be added, x @ w.T + b.",
                             "subtracted_bias")
        return None

    return named


def _values(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    if is_failure(obs["out"]):
        return failure(obs["out"], [transpose_hint(ev.cases[cid].args)])
    verdict = ladder(obs["out"], ev.expected[cid]["out"], "model(x, w, b)",
                     _fingerprints(ev.cases[cid].args))
    return untouched(verdict, obs, "model")


def _autograd(ev: Evidence, cid: str) -> Verdict:
    obs = ev.observed[cid]
    out = obs["out"]
    if is_failure(out):
        return failure(out, [transpose_hint(ev.cases[cid].args)])
    if out["kind"] == "ndarray":
        return incorrect("model returned a NumPy array: autograd cannot follow it back to w and "
                         "b. Compute with torch operations and return the tensor.", "numpy_output")
    if out["kind"] != "tensor":
        return incorrect("model should return a tensor, so autograd can follow it back to w.")
    if not out["graph"] or not obs["reaches"].get("w"):
        return incorrect("model's output is detached from w: no gradient can reach the weights. "
                         "Avoid .detach(), .data, .numpy() and torch.tensor(...) on the result.",
                         "detached_output")
    return passed("Correct: the output carries a graph back to w.")


VALUES = Check("model.values", "model: predictions on the crop data", 10, "visible",
               ("model/crop",), lambda ev: over_cases(ev, ["model/crop"], _values),
               "x @ w.T + b on the crop data, arguments left unchanged")
HIDDEN = Check("model.hidden", "model: other shapes and values", 5, "after_published",
               ("model/hidden",),
               lambda ev: over_cases(ev, ["model/hidden"], _values, baseline=["model/crop"]),
               "the same on inputs drawn at grading time (other n, f, k)")
AUTOGRAD = Check("model.autograd", "model: output connected to the weights", 5, "visible",
                 ("model/crop",), lambda ev: over_cases(ev, ["model/crop"], _autograd),
                 "returns a tensor whose graph reaches w")
CHECKS = (VALUES, HIDDEN, AUTOGRAD)
