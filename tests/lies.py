"""Tensors that lie: torch.Tensor subclasses whose methods, comparisons and
`__torch_function__` tell the grader what it wants to hear. Each entry's honest twin is the same
code without `.as_subclass(...)`: a lying entry must get exactly its twin's points and
outcomes on every check, and be told that it returned no plain tensor (`test_lies`)."""

import re

from gallery import Entry, model, mse, step

CLASSES = '''
class Liar(torch.Tensor):
    """Says yes to every comparison and hands out made-up values."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def tolist(self):
        return [[1.0]]

    def numpy(self, *args, **kwargs):
        import numpy
        return numpy.zeros(1)

    def item(self):
        return 1.0

    def __float__(self):
        return 1.0

    def detach(self):
        return self

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "isclose", "__eq__", "eq"):
            return True
        if name in ("tolist", "item"):
            return 1.0
        return super().__torch_function__(func, types, args, kwargs or {})


class MeanGradients(torch.Tensor):
    """A loss whose backward() (and autograd.grad) hand out the gradients of the mean."""

    def backward(self, *args, **kwargs):
        torch.Tensor.backward(self.as_subclass(torch.Tensor) / self.scale_, *args, **kwargs)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") == "grad":
            out = args[0]
            return torch.autograd.grad(out.as_subclass(torch.Tensor) / out.scale_, args[1])
        return super().__torch_function__(func, types, args, kwargs or {})


def mean_gradients(value, count):
    out = value.as_subclass(MeanGradients)
    out.scale_ = count
    return out
'''


def _lying(name: str, replace: dict[str, str], fails: dict[str, str]) -> Entry:
    return Entry(name, replace, fails, extra=CLASSES)


def honest(entry: Entry) -> Entry:
    """The same submission with every tensor made plain where it is returned."""
    plain = {k: re.sub(r"\.as_subclass\(\w+\)", "", v).replace(
        "mean_gradients(", "(lambda value, count: value)(") for k, v in entry.replace.items()}
    return Entry(f"{entry.name}_honest", plain, entry.fails, extra=CLASSES)


NO_BIAS = ("model.values", "model.hidden", "gradients", "training.converges")
SUMMED = ("mse.values", "mse.hidden", "gradients", "training.converges")
LIES = [
    _lying("lying_model_without_bias", model("(x @ w.T).as_subclass(Liar)"),
           {**dict.fromkeys(NO_BIAS, "not a plain tensor"), "model.values": "bias is missing"}),
    _lying("lying_model_that_is_right", model("(x @ w.T + b).as_subclass(Liar)"), {}),
    _lying("lying_summed_mse", mse("((preds - targets) ** 2).sum().as_subclass(Liar)"),
           {**dict.fromkeys(SUMMED, "not a plain tensor"),
            "mse.values": "sum of the squared errors"}),
    _lying("summed_mse_with_the_gradients_of_the_mean",
           mse("mean_gradients(((preds - targets) ** 2).sum(), preds.numel())"),
           {**dict.fromkeys(SUMMED, "not a plain tensor"),
            "mse.values": "sum of the squared errors"}),
    _lying("lying_loss_after_the_update", step("""
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad = None
            b.grad = None
        return mse(model(inputs, w, b), targets).as_subclass(Liar)
    """), {"train_step.loss": "after the update"}),
]
