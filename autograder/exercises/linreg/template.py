# The one template of the exercise, in the percent format (`# %%` starts a cell). `autograder
# build` turns it, with the functions of reference/linreg.py and the data of data.py (both in
# this folder), into the student notebook, the .py stubs and nbgrader's source notebook. Kinds:
#   [markdown]  the lesson, in every notebook (read-only in nbgrader)
#   (none)      code in every notebook; [setup] the same, read-only in nbgrader
#   [data]      replaced by the crop data of data.py
#   [function]  a stub: as it is for students, with the reference's body for nbgrader
#   [checks] T  students: a self-check cell of topic T; nbgrader: a test cell per check
#   [py]        the .py stubs only
# Edit this file, never the generated ones, then run `autograder build`.

# %% [py]
"""Linear regression from scratch: fill in the three functions below.

Check your work with `pytest` in this folder.
"""

import torch  # noqa: F401  (you will need it)

# %% [markdown]
# # Linear regression from scratch in PyTorch
#
# A farmer wants to know how many tons of apples and oranges per hectare a region will yield,
# from three things measured there: the average temperature (°F), the rainfall (mm) and the
# humidity (%). We have these numbers, and the yields, for five regions. You will build a
# model that predicts both yields from the three measurements, and train it with gradient
# descent, writing each piece yourself: the model, the loss and one training step.
#
# After each function there is a **self-check cell**: run it to see whether your function
# passes the course's checks, with a note on what is wrong when it does not (`hint("model")`
# gives a hint). The self-checks never show you the expected numbers. Run the cells from top
# to bottom.

# %% [setup]
import torch

from autograder.selfcheck import hint, run_checks  # noqa: F401  (hint: for when you are stuck)

torch.manual_seed(0)  # the same random start every time you run the notebook

# %% [markdown]
# ## The data, as tensors
#
# A tensor is PyTorch's array: numbers in a grid of any number of dimensions, that can also
# remember how they were computed. Our inputs are a matrix with one row per region and one
# column per measurement, shape `(n, f)` = `(5, 3)`; the targets have one row per region and
# one column per crop, shape `(n, k)` = `(5, 2)`. Both hold floating-point numbers
# (`float32`), which is what gradients need.

# %% [data]

# %%
print(inputs.shape, inputs.dtype)
print(targets.shape, targets.dtype)

# %% [markdown]
# ## The model: a matrix product plus a bias
#
# A linear model predicts each crop's yield as a weighted sum of the three measurements, plus a
# constant: `apples = w11 * temp + w12 * rain + w13 * humidity + b1`, and the same for
# oranges with other weights. Put the weights in a matrix `w` of shape `(k, f)`, one row per
# crop, and the constants in a vector `b` of shape `(k,)`. For all regions at once the model
# is one matrix product, `x @ w.T`, of shape `(n, f) @ (f, k) -> (n, k)`, plus `b`, which
# PyTorch adds to every row (broadcasting).
#
# Write `model`. Use only torch operations on the tensors you are given, so that PyTorch can
# follow the computation back to `w` and `b` later, and leave its arguments unchanged.

# %% [function]
def model(x, w, b):
    """Predictions of the linear model: x @ w.T + b."""
    # x (n, f), w (k, f), b (k,) -> (n, k)
    raise NotImplementedError


# %% [checks] model

# %% [markdown]
# Try it with random weights: the predictions have the targets' shape, and they are far off,
# since nothing has been learnt yet.

# %%
w = torch.randn(2, 3, requires_grad=True)  # (k, f): one row of weights per crop
b = torch.randn(2, requires_grad=True)  # (k,): one bias per crop
try:
    print(model(inputs, w, b))
except NotImplementedError:
    print("model is not written yet")

# %% [markdown]
# ## The loss: how wrong are we?
#
# To improve the model we need one number that says how far the predictions are from the
# targets. The mean squared error (MSE) takes every difference `preds - targets`, squares it
# (so that errors in both directions count, and large ones count more) and averages over
# **every** element: all regions and both crops. It must stay a tensor, not a Python number:
# the gradients in the next section start from it.

# %% [function]
def mse(preds, targets):
    """Mean squared error over every element, as a 0-dim tensor autograd can differentiate."""
    # preds (n, k), targets (n, k) -> ()
    raise NotImplementedError


# %% [checks] mse

# %% [markdown]
# ## Gradients with `backward()`
#
# Because `w` and `b` were made with `requires_grad=True`, PyTorch records every operation
# that uses them. `loss.backward()` walks that record backwards and stores in `w.grad` the
# derivative of the loss with respect to each weight: how much the loss rises when that
# weight grows a little. To lower the loss, move each weight a small step *against* its
# gradient.
#
# The next cell shows something that surprises everyone once: `backward()` does not replace
# `w.grad`, it **adds** to it. Gradients accumulate, which is useful when one step combines
# several losses, and a classic bug otherwise: each training step must start from zero.

# %%
try:
    loss = mse(model(inputs, w, b), targets)
    loss.backward()
    first = w.grad.clone()
    mse(model(inputs, w, b), targets).backward()  # a second backward() adds to w.grad
    print("loss:", loss.item())
    print("second w.grad / first:", (w.grad / first).mean().item())  # 2: accumulated
    w.grad = None  # start again from no gradient
    b.grad = None
except NotImplementedError:
    print("model and mse are not written yet")

# %% [markdown]
# ## One step of gradient descent
#
# A training step: predict, compute the loss, `backward()`, then update every weight,
# `w -= lr * w.grad`, where `lr`, the learning rate, keeps each step small. The update goes
# inside `with torch.no_grad():`: it is not part of the model, and PyTorch must neither record
# it (the next `backward()` would run through it) nor let a leaf tensor that requires a
# gradient be changed in place while recording. Change `w` and `b` in place (`-=`), because
# the caller holds these very tensors; `w = w - ...` would only make a new local tensor.
# Finally reset the gradients (`w.grad.zero_()` or `w.grad = None`) so that they do not
# accumulate into the next step, and return the loss you computed at the start.

# %% [function]
def train_step(inputs, targets, w, b, lr):
    """One step of gradient descent on w and b, in place; returns this step's loss."""
    # forward, loss, backward(), update under torch.no_grad(), reset the gradients
    raise NotImplementedError


# %% [checks] train_step

# %% [markdown]
# ## Training: watch the loss fall
#
# Now repeat the step: 100 epochs (passes over the data) with a learning rate of `1e-5`. The
# loss should fall quickly at first and then more slowly. Try other learning rates: a little
# larger trains faster, much larger makes the loss explode (to `nan`).

# %%
try:
    for epoch in range(1, 101):
        loss = train_step(inputs, targets, w, b, 1e-5)
        if epoch % 10 == 0:
            print(f"epoch {epoch:3d}: loss {float(loss):10.2f}")
    print(model(inputs, w, b).detach())  # compare with the targets
except NotImplementedError:
    print("model, mse and train_step are not all written yet")

# %% [markdown]
# ## What next
#
# You have written linear regression from scratch: a model, a loss, gradients and an update
# rule. PyTorch's `torch.nn.Linear`, `torch.nn.functional.mse_loss` and `torch.optim.SGD` do
# these same three jobs; now you know what is inside them.
