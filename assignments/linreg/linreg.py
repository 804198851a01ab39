"""Linear regression from scratch: fill in the three functions below.

Check your work with `pytest` in this folder.
"""

import torch  # noqa: F401  (you will need it)


def model(x, w, b):
    """Predictions of the linear model: x @ w.T + b."""
    # x (n, f), w (k, f), b (k,) -> (n, k)
    raise NotImplementedError


def mse(preds, targets):
    """Mean squared error over every element, as a 0-dim tensor autograd can differentiate."""
    # preds (n, k), targets (n, k) -> ()
    raise NotImplementedError


def train_step(inputs, targets, w, b, lr):
    """One step of gradient descent on w and b, in place; returns this step's loss."""
    # forward, loss, backward(), update under torch.no_grad(), reset the gradients
    raise NotImplementedError
