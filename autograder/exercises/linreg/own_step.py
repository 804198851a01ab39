"""The self-check's expectation for train_step without the reference: a correct step is one
that follows the submission's own model and mse."""

import numpy as np

from autograder.grading.checks import values


def expected(case, obs: dict) -> dict | None:
    """Without the reference, a correct step is one that follows the submission's own model
    and mse: the loss at the start, then -lr * gradient, with nothing left in .grad."""
    own = obs.get("own") if case.probe == "train_step" else None
    if not own or own["loss"] is None or "values" not in own["w_grad"]:
        return None
    lr, step = case.args["lr"], {"ret": {"kind": "number", "shape": [], "dtype": "float",
                                          "values": [own["loss"]]}}
    for p in ("w", "b"):
        after = np.asarray(case.args[p]) - lr * values(own[f"{p}_grad"])
        step[p] = {"kind": "tensor", "shape": list(after.shape), "dtype": "float32",
                   "values": after.ravel().tolist()}
    return step
