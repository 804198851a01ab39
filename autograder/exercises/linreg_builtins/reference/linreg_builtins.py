"""The instructor's reference: linear regression with PyTorch's built-ins."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(inputs, targets, batch_size):
    """A shuffled DataLoader over the pairs (inputs[i], targets[i]), in batches of batch_size."""
    dataset = TensorDataset(inputs, targets)
    return DataLoader(dataset, batch_size, shuffle=True)


def make_model(num_inputs, num_outputs):
    """A linear model: num_inputs features in, num_outputs predictions out."""
    return nn.Linear(num_inputs, num_outputs)


def fit(num_epochs, model, loss_fn, opt, loader):
    """Train for num_epochs; return each epoch's mean batch loss, as a list of floats."""
    model.train()
    history = []
    for _ in range(num_epochs):
        losses = []
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history


def evaluate(model, loss_fn, loader):
    """The loss over every sample of the loader (batches weighted by their size), as a float."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item() * len(xb)
            count += len(xb)
    return total / count
