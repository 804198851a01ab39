"""Every misconception a check can name, by its stable id, with a phrase for the instructor.

The checks tag a verdict with one of these ids where they recognise the mistake (a fingerprint,
or an exception that gives it away); the class summary counts students by them. A submission
with one mistake carries one id, however many checks it costs: consequences elsewhere (wrong
gradients after a summed loss, a diverging training run) stay untagged. The gallery holds an
example of each, and a test keeps the two in step.
"""

NAMES: dict[str, str] = {
    "missing_transpose": "model multiplies by w instead of w.T",
    "transposed_output": "model returns its predictions transposed, (k, n)",
    "missing_bias": "model leaves out the bias",
    "subtracted_bias": "model subtracts the bias",
    "numpy_output": "model or mse returns a NumPy array",
    "detached_output": "model or mse detaches its result from the graph",
    "modifies_input": "model or mse changes its arguments in place",
    "no_return": "a function returns nothing",
    "nan_values": "a result holds NaN or infinite values",
    "hard_coded": "works on the notebook's data only (hard-coded shapes or data)",
    "mean_over_rows_only": "mse averages over the rows only",
    "mean_over_columns_only": "mse averages over the columns only",
    "no_mean": "mse returns every squared error, not their mean",
    "sum_instead_of_mean": "mse sums the squared errors instead of averaging them",
    "sum_over_rows": "mse sums over the rows",
    "sum_over_columns": "mse sums over the columns",
    "half_mse": "mse has a factor 1/2",
    "mean_n_minus_1": "mse divides by the count minus one",
    "rmse": "mse takes a square root (RMSE)",
    "mae": "mse averages absolute errors (MAE)",
    "squared_mean": "mse squares the mean difference",
    "loss_item": "mse returns a Python number (.item()), cut off from autograd",
    "gradient_ascent": "train_step adds the gradient (gradient ascent)",
    "lr_ignored": "train_step steps by the whole gradient, without lr",
    "hard_coded_lr": "train_step uses a fixed learning rate instead of lr",
    "shrinks_weights": "train_step subtracts lr * w instead of lr * w.grad",
    "double_step": "train_step counts the gradient twice",
    "double_backward": "train_step calls backward() twice on one graph",
    "zeroed_before_use": "train_step zeroes the gradients before the update",
    "zero_before_first_backward": "train_step zeroes gradients that do not exist yet",
    "rebinding": "train_step rebinds w = w - ... instead of updating in place",
    "only_w_updated": "train_step updates w but not b",
    "b_updated_with_w_grad": "train_step updates b with w.grad",
    "grad_not_reset": "train_step never resets the gradients",
    "update_outside_no_grad": "train_step updates outside torch.no_grad()",
    "grad_mode_left_off": "train_step switches autograd off and leaves it off",
    "data_update": "train_step updates through .data",
    "loss_after_update": "train_step returns the loss after the update",
    "used_builtins": "uses torch.optim, nn.Linear, nn.MSELoss or F.mse_loss (from-scratch policy)",
}
