"""Linear regression with PyTorch's built-ins: fill in the four functions below.

Check your work with `pytest` in this folder.
"""

import torch  # noqa: F401  (you will need them)
from torch import nn  # noqa: F401
from torch.utils.data import DataLoader, TensorDataset  # noqa: F401


def make_loader(inputs, targets, batch_size):
    """A shuffled DataLoader over the pairs (inputs[i], targets[i]), in batches of batch_size."""
    raise NotImplementedError


def make_model(num_inputs, num_outputs):
    """A linear model: num_inputs features in, num_outputs predictions out."""
    raise NotImplementedError


def fit(num_epochs, model, loss_fn, opt, loader):
    """Train for num_epochs; return each epoch's mean batch loss, as a list of floats."""
    raise NotImplementedError


def evaluate(model, loss_fn, loader):
    """The loss over every sample of the loader (batches weighted by their size), as a float."""
    raise NotImplementedError
