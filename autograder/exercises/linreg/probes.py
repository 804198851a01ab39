"""Probes: call the three functions on one case and record what happened, as plain data.

The same probe runs on a submission (in the child) and on the reference (in the parent), so a
check always compares like with like. A probe never judges; it only observes.
"""

import torch

from autograder.sandbox import plain as read
from autograder.sandbox.calls import Caller, StudentRaised, tensor
from autograder.sandbox.plain import plain, scalar

# What the probes do to tensors the submission has had in its hands goes through `read` and
# through these, taken before it loads: a submission may replace torch's Python-level functions.
_grad, _backward, _sum = torch.autograd.grad, torch.Tensor.backward, torch._C.TensorBase.sum
_requires_grad_, _no_grad, _set_grad_enabled = (torch._C.TensorBase.requires_grad_,
                                                torch.no_grad, torch._C._set_grad_enabled)


def _modified(**pairs) -> list[str]:
    return [name for name, (t, before) in pairs.items() if not read.equal(t, before)]


def _reaches(out, leaves: dict) -> dict:
    """Which leaves the output's graph leads back to."""
    if not isinstance(out, torch.Tensor) or read.grad_fn(out) is None:
        return {name: False for name in leaves}
    with torch._C.DisableTorchFunction():
        try:
            grads = _grad(_sum(out), list(leaves.values()), allow_unused=True)
        except RuntimeError:
            return {name: False for name in leaves}
    return {name: g is not None for name, g in zip(leaves, grads, strict=True)}


def model(call: Caller, args: dict) -> dict:
    x, w, b = tensor(args["x"]), tensor(args["w"], True), tensor(args["b"], True)
    before = (read.clone(x), read.clone(read.detach(w)), read.clone(read.detach(b)))
    try:
        out = call("model", x, w, b, text=f"model(x, w, b) with x {_shape(x)}, w {_shape(w)}, "
                                          f"b {_shape(b)}")
    except StudentRaised as exc:
        return {"out": exc.record}
    return {"out": plain(out), "modified": _modified(x=(x, before[0]), w=(w, before[1]),
                                                     b=(b, before[2])),
            "reaches": _reaches(out, {"w": w, "b": b})}


def mse(call: Caller, args: dict) -> dict:
    preds, targets = tensor(args["preds"], True), tensor(args["targets"])
    before = (read.clone(read.detach(preds)), read.clone(targets))
    try:
        out = call("mse", preds, targets, text=f"mse(preds, targets) with preds and targets "
                                               f"{_shape(preds)}")
    except StudentRaised as exc:
        return {"out": exc.record}
    return {"out": plain(out), "modified": _modified(preds=(preds, before[0]),
                                                     targets=(targets, before[1])),
            "reaches": _reaches(out, {"preds": preds})}


def gradients(call: Caller, args: dict) -> dict:
    x, y = tensor(args["x"]), tensor(args["y"])
    w, b = tensor(args["w"], True), tensor(args["b"], True)
    try:
        preds = call("model", x, w, b, text="model(x, w, b)")
        loss = call("mse", preds, y, text="mse(model(x, w, b), targets)")
        call.guard(lambda: _backward(loss) if type(loss) is torch.Tensor else loss.backward(),
                   "mse(model(x, w, b), targets).backward()")
    except StudentRaised as exc:
        return {"error": exc.record}
    return {"w_grad": plain(read.grad(w)), "b_grad": plain(read.grad(b))}


def _param_state(name: str, p: torch.Tensor, version: int) -> dict:
    return {f"{name}": plain(p), f"{name}_grad": plain(read.grad(p)),
            f"{name}_version": read.version(p) - version,
            f"{name}_leaf": bool(read.is_leaf(p) and read.requires_grad(p))}


def train_step(call: Caller, args: dict) -> dict:
    x, y = tensor(args["x"]), tensor(args["y"])
    w, b = tensor(args["w"], True), tensor(args["b"], True)
    if "w_grad" in args:  # stale gradients, as a previous step that forgot to zero would leave
        w.grad, b.grad = tensor(args["w_grad"]), tensor(args["b_grad"])
    versions = (read.version(w), read.version(b))
    obs = {"own": _own_step(call, x, y, w, b)}
    try:
        ret = call("train_step", x, y, w, b, args["lr"], text=f"train_step(inputs, targets, w, b, "
                                                              f"lr={args['lr']:.3g})")
        obs["ret"] = plain(ret)
    except StudentRaised as exc:
        obs["error"] = exc.record
    obs["grad_enabled"] = read.grad_enabled()
    _set_grad_enabled(True)  # so a student who left it off cannot spoil the next probe
    obs.update(_param_state("w", w, versions[0]) | _param_state("b", b, versions[1]))
    obs["loss_after"] = _loss_at(call, x, y, w, b)
    return obs


def _own_step(call: Caller, x, y, w, b) -> dict | None:
    """Loss and gradients at the start, with the model and mse in place (the student's own in
    the self-check, which has no reference to grade train_step with)."""
    w1, b1 = (_requires_grad_(read.clone(read.detach(p))) for p in (w, b))
    try:
        loss = call("mse", call("model", x, w1, b1, text="model"), y, text="mse")
        grads = call.guard(lambda: _grad(loss, [w1, b1]), "backward")
    except StudentRaised:
        return None
    return {"loss": scalar(loss), "w_grad": plain(grads[0]), "b_grad": plain(grads[1])}


def _loss_at(call: Caller, x, y, w, b) -> float | None:
    """The loss at the current weights, to recognise a loss returned after the update."""
    try:
        with _no_grad():
            preds = call("model", x, read.detach(w), read.detach(b), text="model")
            return scalar(call("mse", preds, y, text="mse"))
    except StudentRaised:
        return None


def training(call: Caller, args: dict) -> dict:
    x, y = tensor(args["x"]), tensor(args["y"])
    w, b = tensor(args["w"], True), tensor(args["b"], True)
    losses, checkpoints = [], []
    for epoch in range(1, args["epochs"] + 1):
        try:
            ret = call("train_step", x, y, w, b, args["lr"],
                       text=f"train_step(...) at epoch {epoch}")
        except StudentRaised as exc:
            return {"losses": losses, "checkpoints": checkpoints, "error": exc.record,
                    "epoch": epoch}
        losses.append(scalar(ret))
        if epoch % args["every"] == 0:
            checkpoints.append({"w": plain(w), "b": plain(b)})
    return {"losses": losses, "checkpoints": checkpoints}


def _shape(t: torch.Tensor) -> str:
    return "(" + ", ".join(str(d) for d in t.shape) + ("," if t.dim() == 1 else "") + ")"


PROBES = {"model": model, "mse": mse, "gradients": gradients, "train_step": train_step,
          "training": training}
