"""Hints for the notebook's self-check, on request: a nudge towards the idea, never the answer
and never a number."""

HINTS = {
    "model": (
        "Write the shapes down: x is (n, f), one row per region, and w is (k, f), one row per "
        "output. A matrix product needs the inner sizes to agree, so one of them has to be "
        "transposed. Then add b: broadcasting adds it to every row. Use torch operations only, "
        "so autograd can follow the result back to w and b."),
    "mse": (
        "Three steps: the difference between predictions and targets, its square, and the "
        "average over every element (not only over one dimension). Keep it a tensor: .item() "
        "or float() would cut it off from autograd. Compute new tensors rather than changing "
        "the arguments in place."),
    "train_step": (
        "In order: predictions, loss, loss.backward(). Then, inside `with torch.no_grad():`, "
        "change w and b in place (w -= ...), stepping against the gradient, scaled by lr. "
        "Then reset w.grad and b.grad, because backward() adds to whatever is already there. "
        "Return the loss you computed at the start."),
}


def hint(topic: str) -> str:
    return HINTS.get(topic, f"No hint for {topic!r}: try one of {', '.join(HINTS)}.")
