"""Check make_loader: batches of the right sizes covering every pair once, kept as pairs, and
shuffled anew at every pass."""

import numpy as np

from autograder.grading.checks import (
    Check,
    Evidence,
    Verdict,
    failure,
    incorrect,
    over_cases,
    passed,
    values,
)

WHAT = "the loader make_loader returned"


def _rows(desc: dict, width: int) -> np.ndarray | None:
    if desc.get("kind") != "tensor" or len(desc["shape"]) != 2 or desc["shape"][1] != width:
        return None
    return values(desc)


def _pass_verdict(one: dict, args: dict) -> tuple[Verdict | None, list]:
    """A pass's verdict when it is wrong, else None and the order of the rows it gave."""
    if "error" in one:
        return failure(one["error"]), []
    x, y = np.asarray(args["x"]), np.asarray(args["y"])
    n, size = len(x), args["batch_size"]
    batches = one["batches"]
    if any("other" in b for b in batches):
        kind = next(b["other"] for b in batches if "other" in b)
        shape = kind.get("shape")
        if shape is not None and len(shape) == 1:
            return incorrect(f"Iterating over {WHAT} gives single samples, not batches: wrap the "
                             "TensorDataset in a DataLoader with batch_size.",
                             "dataset_not_loader"), []
        return incorrect(f"Each item of {WHAT} should be a pair (inputs, targets) of tensors; "
                         f"one was a {kind.get('type', kind.get('kind'))}."), []
    if one.get("endless"):
        return incorrect(f"{WHAT} gave more batches than there are samples."), []
    if batches and all(len(b["x"].get("shape", ())) == 1 for b in batches):
        return incorrect(f"Iterating over {WHAT} gives single samples, not batches: wrap the "
                         "TensorDataset in a DataLoader with batch_size.",
                         "dataset_not_loader"), []
    got = [(_rows(b["x"], x.shape[1]), _rows(b["y"], y.shape[1])) for b in batches]
    if any(bx is None or by is None or len(bx) != len(by) for bx, by in got):
        return incorrect(f"The batches of {WHAT} are not pairs of (inputs, targets) tensors of "
                         f"{x.shape[1]} and {y.shape[1]} columns with one row per sample."), []
    sizes = [len(bx) for bx, _ in got]
    want = [size] * (n // size) + ([n % size] if n % size else [])
    if sizes != want:
        mistake = "batch_size_ignored" if sizes in ([n], [1] * n) else None
        return incorrect(f"{WHAT} gave batches of {sizes} rows for {n} samples and "
                         f"batch_size={size}; expected {want}.", mistake), []
    order = []
    for bx, by in got:
        for rx, ry in zip(bx, by, strict=True):
            found = [i for i in range(n) if np.allclose(x[i], rx) and np.allclose(y[i], ry)]
            if not found:
                in_x = any(np.allclose(x[i], rx) for i in range(n))
                return incorrect(f"A batch of {WHAT} pairs inputs with the targets of another "
                                 "sample: shuffle the pairs together (a TensorDataset in the "
                                 "DataLoader), not inputs and targets apart."
                                 if in_x else f"A batch of {WHAT} holds rows that are not in "
                                 "the data.", "pairs_broken" if in_x else None), []
            order.append(found[0])
    if sorted(order) != list(range(n)):
        return incorrect(f"One pass over {WHAT} gives some samples twice and others never."), []
    return None, order


def _batches(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if "error" in obs:
        return failure(obs["error"])
    for one in obs["passes"]:
        verdict, _ = _pass_verdict(one, args)
        if verdict:
            return verdict
    return passed(f"Correct: batches of {args['batch_size']} covering every sample once, as "
                  "pairs.")


def _shuffled(ev: Evidence, cid: str) -> Verdict:
    obs, args = ev.observed[cid], ev.cases[cid].args
    if "error" in obs:
        return failure(obs["error"])
    orders = [_pass_verdict(one, args) for one in obs["passes"]]
    if any(verdict for verdict, _ in orders):
        return incorrect("The loader's batches are wrong (see make_loader.batches), so its "
                         "shuffling cannot be checked.")
    first, second = (order for _, order in orders)
    if first == second:
        return incorrect("Two passes over the loader give the samples in the same order: pass "
                         "shuffle=True to the DataLoader, so each epoch sees them anew.",
                         "not_shuffled")
    return passed("Correct: every pass gives the samples in a new order.")


CHECKS = (
    Check("make_loader.batches", "make_loader: batches of the crop data", 10, "visible",
          ("make_loader/crop",), lambda ev: over_cases(ev, ["make_loader/crop"], _batches),
          "batches of `batch_size` (inputs, targets) pairs covering each sample once per pass"),
    Check("make_loader.shuffled", "make_loader: shuffled at every pass", 5, "visible",
          ("make_loader/crop",), lambda ev: over_cases(ev, ["make_loader/crop"], _shuffled),
          "each pass over the loader gives the samples in a new order"),
    Check("make_loader.hidden", "make_loader: hidden data and batch size", 5, "after_published",
          ("make_loader/hidden",),
          lambda ev: over_cases(ev, ["make_loader/hidden"], _batches,
                                baseline=["make_loader/crop"]),
          "the same on other shapes and a batch size that leaves a smaller last batch"),
)
