"""Tensors that lie: torch.Tensor subclasses whose methods, comparisons and
`__torch_function__` tell the grader what it wants to hear (`SUBCLASSES`), and submissions that
lie through torch's global state instead (`LEFT_ON`): a torch function or dispatch mode entered
and left on, torch.Tensor's methods replaced. Each entry's honest twin is the same code without
`.as_subclass(...)`, without `leave_on(...)` and without its top-level set-up: a lying entry
must get exactly its twin's points and outcomes on every check, and one that returned a
subclass must be told that it returned no plain tensor (`test_lies`)."""

import re

from gallery import GALLERY, MODEL, MSE, Entry, model, mse, only, step

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


from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode


class SaysYes(TorchFunctionMode):
    """Left on, it sees every torch call: yes to every comparison, made-up values."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "isclose", "__eq__", "eq"):
            return True
        if name in ("tolist", "item"):
            return 1.0
        return func(*args, **(kwargs or {}))


class ReadsOne(TorchDispatchMode):
    """Left on, it sees every operation below autograd: every number read is 1, every
    comparison equal, every copy (the grader's double()) ones."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func is torch.ops.aten._local_scalar_dense.default:
            return 1.0
        if func is torch.ops.aten.equal.default:
            return True
        if func is torch.ops.aten._to_copy.default:
            return torch.ones_like(out)
        return out


def leave_on(mode):
    mode.__enter__()
'''

PATCHES = '''
import itertools

_reads = itertools.count(1)
torch.Tensor._version = property(lambda self: next(_reads))  # as if updated in place
torch.Tensor.is_leaf = property(lambda self: True)
torch.Tensor.tolist = lambda self: [1.0] * self.numel()
torch.Tensor.item = lambda self: 1.0
torch.Tensor.__float__ = lambda self: 1.0
torch.Tensor.double = lambda self: self
torch.equal = lambda a, b: True
'''


def _lying(name: str, replace: dict[str, str], fails: dict[str, str]) -> Entry:
    return Entry(name, replace, fails, extra=CLASSES)


def _left_on(name: str, replace: dict[str, str], fails: dict[str, str],
             top_level: str = "", in_class_mix: bool = True) -> Entry:
    return Entry(name, replace, fails, extra=CLASSES + top_level, in_class_mix=in_class_mix)


def _hidden_by_patches(mistake: str) -> Entry:
    """A mistake of the gallery, with torch.Tensor's reads replaced to hide it."""
    entry = next(e for e in GALLERY if e.name == mistake)
    return _left_on(f"patched_tensor_reads_with_{mistake}", entry.replace, entry.fails,
                    top_level=PATCHES)


def honest(entry: Entry) -> Entry:
    """The same submission with every tensor made plain where it is returned, no mode left on
    and torch as it was (its top-level set-up, after CLASSES, left out)."""
    plain = {k: re.sub(r"\.as_subclass\(\w+\)", "", v).replace(
        "mean_gradients(", "(lambda value, count: value)(").replace(
        "leave_on(", "(lambda mode: None)(") for k, v in entry.replace.items()}
    return Entry(f"{entry.name}_honest", plain, entry.fails, extra=CLASSES)


NO_BIAS = ("model.values", "model.hidden", "gradients", "training.converges")
SUMMED = ("mse.values", "mse.hidden", "gradients", "training.converges")
SUBCLASSES = [
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
LEFT_ON = [
    _left_on("function_mode_left_on_at_import", model("x @ w.T"),
             {**only(*MODEL, words="bias is missing"), "gradients": "model.values",
              "training.converges": "model.values"}, top_level="leave_on(SaysYes())\n"),
    _left_on("dispatch_mode_left_on_in_mse", {"mse": """
def mse(preds, targets):
    leave_on(ReadsOne())
    return ((preds - targets) ** 2).sum()
"""}, {**only(*MSE, words="sum"), "gradients": "too large", "training.converges": "pipeline"},
             in_class_mix=False),  # every operation after mse's, through the mode: slow
    _left_on("dispatch_mode_left_on_in_train_step", step("""
        leave_on(ReadsOne())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        return loss
        """), {"train_step.zero_grad": "never reset", "training.converges": "pipeline"},
             in_class_mix=False),
    *(_hidden_by_patches(name) for name in ("data_update", "model_modifies_x")),
]
LIES = SUBCLASSES + LEFT_ON
