"""Hints for the notebook's self-check, on request: a nudge towards the idea, never the answer
and never a number."""

HINTS = {
    "make_loader": (
        "Two steps: a TensorDataset pairs each row of inputs with the same row of targets, and "
        "a DataLoader cuts the dataset into batches. Ask the loader to shuffle, so each epoch "
        "sees the samples in a new order."),
    "make_model": (
        "nn.Linear holds a weight and a bias and computes x @ weight.T + bias. It takes the "
        "number of inputs first, then the number of outputs."),
    "fit": (
        "For each epoch, for each batch of the loader: predictions, the loss, backward(), "
        "opt.step(), opt.zero_grad(). backward() adds to the gradients already there, so they "
        "must be reset once per batch. Keep each batch's loss.item() and return one mean per "
        "epoch. model.train() first: an evaluation may have switched the model to eval mode."),
    "evaluate": (
        "No training here: model.eval(), and the loop inside `with torch.no_grad():`. The last "
        "batch may be smaller than the others, so weight each batch's loss by its size."),
}


def hint(topic: str) -> str:
    return HINTS.get(topic, f"No hint for {topic!r}: try one of {', '.join(HINTS)}.")
