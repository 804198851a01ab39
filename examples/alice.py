"""An example submission: correct, written differently from the reference."""

import torch


def model(x, w, b):
    return torch.einsum("nf,kf->nk", x, w) + b


def mse(preds, targets):
    return torch.mean((targets - preds) ** 2)


def train_step(inputs, targets, w, b, lr):
    w.grad, b.grad = None, None  # optimizer style: reset before backward
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    with torch.no_grad():
        w.sub_(lr * w.grad)
        b.sub_(lr * b.grad)
    return loss.item()
