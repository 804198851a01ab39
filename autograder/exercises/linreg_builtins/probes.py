"""Probes: call the four functions on one case and record what happened, as plain data.

`fit` and `evaluate` get a model, an optimiser, a loss and a loader made here, instrumented: the
optimiser records each step and each reset, the model each forward pass (in which mode, with
autograd on or off), and each parameter the fresh gradient of each backward pass. A probe never
judges; the parent compares.
"""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from autograder.exercises.linreg_builtins.instruments import (
    MAX_LOSSES,
    SGD,
    Linear,
    loss_fn_recording,
)
from autograder.sandbox import plain as read
from autograder.sandbox.calls import Caller, StudentRaised, tensor
from autograder.sandbox.plain import plain, scalar

STEPS_KEPT = 64
"""Steps of fit whose gradients are recorded."""
MAX_BATCHES = 200
"""Batches read from a student's loader in one pass: enough for any sane one, and an end to
an endless iterator."""


def _batches(call: Caller, loader) -> dict:
    """One pass over a loader: each batch as its two tensors, or what else it was."""
    def one_pass():
        out = []
        for item in loader:
            if len(out) >= MAX_BATCHES:
                return {"batches": out, "endless": True}
            if isinstance(item, (tuple, list)) and len(item) == 2:
                out.append({"x": plain(item[0]), "y": plain(item[1])})
            else:
                out.append({"other": plain(item) if isinstance(item, torch.Tensor) else
                            {"kind": "other", "type": type(item).__name__}})
        return {"batches": out}

    try:
        return call.guard(one_pass, "iterating over the loader make_loader returned")
    except StudentRaised as exc:
        return {"error": exc.record}


def make_loader(call: Caller, args: dict) -> dict:
    x, y = tensor(args["x"]), tensor(args["y"])
    try:
        loader = call("make_loader", x, y, args["batch_size"],
                      text=f"make_loader(inputs, targets, batch_size={args['batch_size']})")
    except StudentRaised as exc:
        return {"error": exc.record}
    return {"type": type(loader).__name__, "is_loader": isinstance(loader, DataLoader),
            "passes": [_batches(call, loader), _batches(call, loader)]}


def _params(model) -> dict:
    with torch.no_grad():
        return {name: plain(p) for name, p in list(model.named_parameters())[:8]}


def _requires_grad(p) -> bool:
    """What autograd itself holds: a parameter's class may say otherwise."""
    return isinstance(p, torch.Tensor) and read.requires_grad(p)


def make_model(call: Caller, args: dict) -> dict:
    try:
        model = call("make_model", args["f"], args["k"],
                     text=f"make_model({args['f']}, {args['k']})")
    except StudentRaised as exc:
        return {"error": exc.record}
    if not isinstance(model, nn.Module):
        return {"module": False, "out": plain(model)}
    try:
        obs = call.guard(lambda: {"module": True, "type": type(model).__name__,
                                  "params": _params(model), "requires_grad": all(
                                      _requires_grad(p) for p in model.parameters())},
                         "the parameters of the model make_model returned")
    except StudentRaised as exc:
        return {"module": True, "error": exc.record}
    try:
        out = call.guard(lambda: model(tensor(args["x"])), "model(x), on the model make_model "
                                                             "returned")
        obs["out"] = plain(out)
    except StudentRaised as exc:
        obs["out"] = exc.record
    return obs


def _losses(ret) -> dict:
    """What fit returned, as a list of numbers where it is one."""
    if isinstance(ret, (list, tuple)):
        # "items", not "values": a description with values is a tensor's, shape and all
        return {"kind": "list", "items": [scalar(v) for v in ret[:MAX_LOSSES]],
                "length": len(ret)}
    return plain(ret)


def fit(call: Caller, args: dict) -> dict:
    x, y = tensor(args["x"]), tensor(args["y"])
    events, steps, seen = [], [], []
    model = Linear(args["w"], args["b"], events)
    model.train(False)  # fit must switch it to training itself
    opt = SGD(model, args["lr"], steps, keep=STEPS_KEPT)
    loader = DataLoader(TensorDataset(x, y), args["batch_size"])  # fixed order
    obs = {"events": events, "steps": steps, "batch_losses": seen}
    try:
        ret = call("fit", args["epochs"], model, loss_fn_recording(seen), opt, loader,
                   text=f"fit({args['epochs']}, model, loss_fn, opt, loader)")
        obs["ret"] = _losses(ret)
    except StudentRaised as exc:
        obs["error"] = exc.record
    torch.set_grad_enabled(True)
    obs["final"] = _params(model)
    return obs


def evaluate(call: Caller, args: dict) -> dict:
    x, y = tensor(args["x"]), tensor(args["y"])
    events = []
    model = Linear(args["w"], args["b"], events)
    model.train(True)  # evaluate must switch it to evaluation itself
    loader = DataLoader(TensorDataset(x, y), args["batch_size"])
    try:
        ret = call("evaluate", model, F.mse_loss, loader,
                   text="evaluate(model, loss_fn, loader)")
        obs = {"ret": plain(ret)}
    except StudentRaised as exc:
        obs = {"error": exc.record}
    torch.set_grad_enabled(True)
    obs["events"] = events
    obs["grads"] = [name for name, p in model.named_parameters() if read.grad(p) is not None]
    return obs


def _start(model, args: dict) -> list:
    """The model's parameters, set to the case's start where they are a weight and a bias."""
    params = list(model.parameters())
    if [tuple(p.shape) for p in params] == [(len(args["w"]), len(args["w"][0])), (len(args["b"]),)]:
        with torch.no_grad():
            params[0].copy_(tensor(args["w"]))
            params[1].copy_(tensor(args["b"]))
    return params


def training(call: Caller, args: dict) -> dict:
    """The student's own loader, model and fit, 100 epochs from a seeded start."""
    x, y = tensor(args["x"]), tensor(args["y"])
    try:
        loader = call("make_loader", x, y, args["batch_size"], text="make_loader(inputs, "
                      f"targets, batch_size={args['batch_size']})")
        f, k = len(args["x"][0]), len(args["y"][0])
        model = call("make_model", f, k, text=f"make_model({f}, {k})")
        params = call.guard(lambda: _start(model, args), "the model make_model returned")
        opt = torch.optim.SGD(params, lr=args["lr"])
        ret = call("fit", args["epochs"], model, F.mse_loss, opt, loader,
                   text=f"fit({args['epochs']}, model, F.mse_loss, opt, loader)")
        with torch.no_grad():
            final = call.guard(lambda: float(F.mse_loss(model(x), y)), "model(inputs)")
    except StudentRaised as exc:
        torch.set_grad_enabled(True)
        return {"error": exc.record}
    torch.set_grad_enabled(True)
    losses = _losses(ret)
    return {"losses": losses.get("items", []) if losses["kind"] == "list" else [],
            "final": final}


def warm_up() -> None:
    """What torch sets up lazily on the first calls these probes make, made once in the warm
    pool's zygote before its first job of this exercise (`sandbox.warm.for_probes`) instead of
    in every job: the first optimiser alone imports about 800 modules, a second of CPU. On
    random numbers, and no step of a training loop: nothing here is an answer."""
    gen = torch.Generator().manual_seed(0)
    torch.optim.SGD([nn.Parameter(torch.randn(3, 4, generator=gen))], lr=0.1)
    next(iter(DataLoader(TensorDataset(torch.randn(6, 4, generator=gen)), 4, shuffle=True)))


PROBES = {"make_loader": make_loader, "make_model": make_model, "fit": fit,
          "evaluate": evaluate, "training": training}
