"""The model, optimiser and loss handed to a student's fit and evaluate: PyTorch's own, each
recording what is done with it, as plain data (`probes` reads the records)."""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.sandbox import plain as read
from autograder.sandbox.calls import tensor
from autograder.sandbox.plain import plain

MAX_EVENTS = 4000
MAX_LOSSES = 1000


class Linear(nn.Linear):
    """The model handed to fit and evaluate: a linear layer that records what it sees."""

    def __init__(self, w, b, events: list):
        super().__init__(len(w[0]), len(w))
        with torch.no_grad():
            self.weight.copy_(tensor(w))
            self.bias.copy_(tensor(b))
        self.events = events
        self.fresh = {}
        for name, p in self.named_parameters():
            p.register_hook(lambda g, name=name: self._backward(name, g))

    def _backward(self, name: str, grad):
        if name == "weight" and len(self.events) < MAX_EVENTS:
            self.events.append("B")
        self.fresh[name] = read.clone(read.detach(grad))

    def forward(self, x):
        if len(self.events) < MAX_EVENTS:
            self.events.append(("F" if self.training else "f") +
                               ("" if read.grad_enabled() else "-"))
        return super().forward(x)

    def zero_grad(self, set_to_none: bool = True):
        if len(self.events) < MAX_EVENTS:
            self.events.append("z")
        return super().zero_grad(set_to_none)


class SGD(torch.optim.SGD):
    """SGD that records, at each step, the gradients it applies beside the fresh ones."""

    def __init__(self, model: Linear, lr: float, steps: list, keep: int):
        super().__init__(model.parameters(), lr=lr)
        self.model, self.steps, self.keep = model, steps, keep

    def step(self, closure=None):
        events = self.model.events
        if len(events) < MAX_EVENTS:
            events.append("S")
        if len(self.steps) < self.keep:
            self.steps.append({name: {"applied": plain(read.grad(p)),
                                      "fresh": plain(self.model.fresh.get(name))}
                               for name, p in self.model.named_parameters()})
        return super().step(closure)

    def zero_grad(self, set_to_none: bool = True):
        if len(self.model.events) < MAX_EVENTS:
            self.model.events.append("Z")
        return super().zero_grad(set_to_none)


def loss_fn_recording(seen: list):
    def loss_fn(preds, targets):
        value = F.mse_loss(preds, targets)
        if len(seen) < MAX_LOSSES:
            seen.append(float(torch.Tensor.detach(value)))
        return value
    return loss_fn
