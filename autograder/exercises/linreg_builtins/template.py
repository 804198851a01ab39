# The one template of the exercise, in the percent format (`# %%` starts a cell). `autograder
# build` turns it, with the functions of reference/linreg_builtins.py and the data of data.py
# (both in this folder), into the student notebook, the .py stubs and nbgrader's source
# notebook. The cell kinds are those of ../linreg/template.py. Edit this file, never the
# generated ones, then run `autograder build`.

# %% [py]
"""Linear regression with PyTorch's built-ins: fill in the four functions below.

Check your work with `pytest` in this folder.
"""

import torch  # noqa: F401  (you will need them)
from torch import nn  # noqa: F401
from torch.utils.data import DataLoader, TensorDataset  # noqa: F401

# %% [markdown]
# # Linear regression with PyTorch's built-ins
#
# In the first half of the lesson you wrote the model, the loss and the update yourself. PyTorch
# has each of them ready-made: `TensorDataset` and `DataLoader` serve the data in shuffled
# batches, `nn.Linear` is the model, `F.mse_loss` the loss and `torch.optim.SGD` the update.
# Here you put them together, on a larger data set of 15 regions, and write the training loop
# that every PyTorch model is trained with.
#
# After each function there is a **self-check cell**: run it to see whether your function
# passes the course's checks (`hint("fit")` gives a hint). Run the cells from top to bottom.

# %% [setup]
import torch
import torch.nn.functional as F
from torch import nn  # noqa: F401  (for your functions)
from torch.utils.data import DataLoader, TensorDataset  # noqa: F401

from autograder.selfcheck import hint, run_checks  # noqa: F401  (hint: for when you are stuck)

torch.manual_seed(0)  # the same random start every time you run the notebook

# %% [markdown]
# ## The data: 15 regions

# %% [data]

# %% [markdown]
# ## Batches with `TensorDataset` and `DataLoader`
#
# A `TensorDataset` pairs each row of the inputs with the same row of the targets. A
# `DataLoader` over it serves the pairs in batches of `batch_size` rows, as `(inputs, targets)`
# tuples, and with `shuffle=True` in a new order at every pass, so the model never sees the
# samples in the same order twice. Write `make_loader`.

# %% [function]
def make_loader(inputs, targets, batch_size):
    """A shuffled DataLoader over the pairs (inputs[i], targets[i]), in batches of batch_size."""
    raise NotImplementedError


# %% [checks] make_loader

# %% [markdown]
# ## The model: `nn.Linear`
#
# `nn.Linear(num_inputs, num_outputs)` holds a weight of shape `(num_outputs, num_inputs)` and
# a bias of shape `(num_outputs,)`, both made with random values and `requires_grad=True`, and
# computes `x @ weight.T + bias`: the model you wrote by hand. Write `make_model`.

# %% [function]
def make_model(num_inputs, num_outputs):
    """A linear model: num_inputs features in, num_outputs predictions out."""
    raise NotImplementedError


# %% [checks] make_model

# %% [markdown]
# ## The training loop
#
# `fit` trains for `num_epochs` passes over the loader. For each batch: the predictions, the
# loss `loss_fn(preds, targets)`, `loss.backward()`, then `opt.step()`, which moves every
# parameter against its gradient, and `opt.zero_grad()`, which resets the gradients (they
# accumulate otherwise, as you saw in the first half). Put the model in training mode first
# (`model.train()`): an evaluation may have left it in eval mode. Return a list with one number
# per epoch: the mean of that epoch's batch losses (`loss.item()` turns each into a float).

# %% [function]
def fit(num_epochs, model, loss_fn, opt, loader):
    """Train for num_epochs; return each epoch's mean batch loss, as a list of floats."""
    raise NotImplementedError


# %% [checks] fit

# %% [markdown]
# ## Evaluation
#
# To measure a model, run it without training: `model.eval()`, and the loop inside `with
# torch.no_grad():`, so that no graph is recorded and no gradient computed. The loss over all
# samples weights each batch by its size: the last batch may be smaller than the others.

# %% [function]
def evaluate(model, loss_fn, loader):
    """The loss over every sample of the loader (batches weighted by their size), as a float."""
    raise NotImplementedError


# %% [checks] evaluate

# %% [markdown]
# ## Train it
#
# 100 epochs with a learning rate of `1e-5`: the loss falls from thousands to a few hundred.

# %%
try:
    loader = make_loader(inputs, targets, 5)
    model = make_model(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=1e-5)
    print("loss before:", evaluate(model, F.mse_loss, loader))
    history = fit(100, model, F.mse_loss, opt, loader)
    print("loss after:", evaluate(model, F.mse_loss, loader))
    print(model(inputs).detach()[:5])  # compare with the targets
except NotImplementedError:
    print("make_loader, make_model, fit and evaluate are not all written yet")
