"""Check make_model: an nn.Module whose weight is (outputs, inputs), with a bias, that predicts
x @ weight.T + bias with its own parameters (any initial values will do)."""

import numpy as np

from autograder.grading.checks import (
    Check,
    Evidence,
    Hint,
    Verdict,
    close,
    failure,
    incorrect,
    over_cases,
    passed,
    shape_text,
    values,
)

SWAPPED = Hint("mat1 and mat2 shapes cannot be multiplied",
               "The layer's sizes look swapped: nn.Linear takes the number of inputs first, "
               "then the number of outputs.", "sizes_swapped")


def _layer(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    f, k = args["f"], args["k"]
    if "error" in obs:
        return failure(obs["error"], [SWAPPED])
    if not obs["module"]:
        kind = obs["out"].get("type", obs["out"].get("kind"))
        return incorrect(f"make_model({f}, {k}) returned a {kind}, not a model (an nn.Module "
                         "such as nn.Linear).", "no_return" if kind == "none" else "not_a_module")
    params = {n: p for n, p in obs["params"].items() if p.get("kind") == "tensor"}
    shapes = sorted(tuple(p["shape"]) for p in params.values())
    if shapes == sorted([(f, k), (f,)]) and f != k:
        return incorrect(f"make_model({f}, {k})'s weight has shape {shape_text((f, k))}: "
                         "nn.Linear takes the number of inputs first, then the number of "
                         "outputs.", "sizes_swapped")
    if shapes == [(k, f)]:
        return incorrect(f"make_model({f}, {k}) has a weight but no bias: keep nn.Linear's "
                         "bias (bias=True, its default).", "no_bias")
    if shapes != sorted([(k, f), (k,)]):
        return incorrect(f"make_model({f}, {k}) has parameters of shapes "
                         f"{', '.join(shape_text(s) for s in shapes) or 'none'}; a linear model "
                         f"of {f} inputs and {k} outputs has a weight {shape_text((k, f))} and "
                         f"a bias {shape_text((k,))}.")
    if not obs["requires_grad"]:
        return incorrect(f"make_model({f}, {k})'s parameters do not require gradients, so no "
                         "optimiser can train them.")
    out = obs["out"]
    if out.get("kind") in {"raised", "missing", "timeout", "crashed"}:
        return failure(out, [SWAPPED])
    weight = next(values(p) for p in params.values() if tuple(p["shape"]) == (k, f))
    bias = next(values(p) for p in params.values() if tuple(p["shape"]) == (k,))
    want = np.asarray(args["x"]) @ weight.T + bias
    if out.get("kind") != "tensor" or not close(values(out), want):
        return incorrect(f"make_model({f}, {k})'s model does not predict x @ weight.T + bias "
                         "with its own weight and bias.")
    return passed(f"Correct: a linear model of {f} inputs and {k} outputs.")


CHECKS = (
    Check("make_model.layer", "make_model: a linear layer of 3 inputs and 2 outputs", 10,
          "visible", ("make_model/crop",),
          lambda ev: over_cases(ev, ["make_model/crop"], _layer),
          "an `nn.Module` with a weight (2, 3) and a bias (2,) that predicts x @ weight.T + bias"),
    Check("make_model.hidden", "make_model: hidden sizes", 5, "after_published",
          ("make_model/hidden",),
          lambda ev: over_cases(ev, ["make_model/hidden"], _layer,
                                baseline=["make_model/crop"]),
          "the same for other numbers of inputs and outputs"),
)
