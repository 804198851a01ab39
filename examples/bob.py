"""An example submission with two classic mistakes: a summed loss and a step up the gradient."""

import torch


def model(x, w, b):
    return x @ w.t() + b


def mse(preds, targets):
    diff = preds - targets
    return torch.sum(diff * diff)


def train_step(inputs, targets, w, b, lr):
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    with torch.no_grad():
        w += w.grad * lr
        b += b.grad * lr
        w.grad.zero_()
        b.grad.zero_()
    return loss
