"""Every misconception a check of this exercise can name, by its stable id, with a phrase for
the instructor (the class summary counts students by them; the gallery holds an example of
each, and a test keeps the two in step)."""

NAMES: dict[str, str] = {
    "dataset_not_loader": "make_loader returns the dataset, not a DataLoader over it",
    "batch_size_ignored": "make_loader ignores batch_size",
    "pairs_broken": "make_loader shuffles inputs and targets apart",
    "not_shuffled": "make_loader does not shuffle",
    "sizes_swapped": "make_model swaps the numbers of inputs and outputs",
    "no_bias": "make_model has no bias",
    "not_a_module": "make_model returns something other than an nn.Module",
    "zero_grad_forgotten": "fit never resets the gradients",
    "zero_grad_before_step": "fit resets the gradients between backward() and opt.step()",
    "zero_grad_once_per_epoch": "fit resets the gradients once per epoch, not per batch",
    "step_once_per_epoch": "fit calls opt.step() once per epoch, not per batch",
    "step_missing": "fit never calls opt.step()",
    "step_twice": "fit calls opt.step() more than once per batch",
    "step_before_backward": "fit calls opt.step() before backward()",
    "no_train_mode": "fit does not switch the model to training mode (model.train())",
    "last_batch_loss": "fit returns each epoch's last batch loss, not the epoch's mean",
    "summed_batch_losses": "fit returns each epoch's summed batch losses, not their mean",
    "unweighted_mean": "evaluate averages batch means, not weighting batches by their size",
    "grad_enabled_in_evaluate": "evaluate runs the model with autograd on (no torch.no_grad())",
    "no_eval_mode": "evaluate does not switch the model to evaluation mode (model.eval())",
    "no_return": "a function returns nothing",
    "nan_values": "a result holds NaN or infinite values",
    "hard_coded": "works on the notebook's data only (hard-coded shapes, data or sizes)",
}
