"""Reference solution: the instructor's only copy of the answers. Never give it to students."""

import torch


def model(x, w, b):
    """Linear model: one row of predictions per row of inputs."""
    return x @ w.T + b  # (n, f) @ (f, k) + (k,) -> (n, k)


def mse(preds, targets):
    """Mean squared error over every element, as a 0-dim tensor."""
    diff = preds - targets
    return torch.sum(diff * diff) / diff.numel()


def train_step(inputs, targets, w, b, lr):
    """One step of gradient descent on w and b, in place; returns the loss before the update."""
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    with torch.no_grad():  # the update itself must not become part of the graph
        w -= w.grad * lr
        b -= b.grad * lr
        w.grad.zero_()  # backward() accumulates: clear for the next step
        b.grad.zero_()
    return loss
