"""In the child: `loss.backward()` without torch's Python layers, for the plain call.

A submission's two training runs call `loss.backward()` two hundred times. On a loss of a
handful of numbers, torch's own path spends about 14 µs of each call in Python before its C++
engine runs (`Tensor.backward`, `autograd.backward`, `_make_grads`): about 3 ms of a job's CPU.
For the plain call the shortcut makes the same engine call with the same arguments that path
would make: `torch.autograd._engine_run_backward((loss,), (ones_like(loss),), False, False,
())`. Anything else goes down torch's own path, unchanged:

- arguments (a gradient, `retain_graph`, `create_graph`, `inputs`);
- a loss that is not a plain, floating-point, one-element tensor that requires grad (a
  subclass, a nested tensor, an integer one), or any torch function mode on;
- functorch transforms active;
- any of the pieces that path calls replaced (by the submission: as if the shortcut were not
  there).

So every gradient, every error and its message are torch's own; the student's frames in a
traceback are the same. The zygote installs it before its first fork, a fresh child before it
reads its job (`install`), each only when it has checked here that the two paths agree.
"""

import functools

import torch


def _pieces() -> tuple | None:
    """What torch's own path calls, as it is now; None on a torch without its engine wrapper
    (older than 2.3), where nothing is installed."""
    engine = getattr(torch.autograd, "_engine_run_backward", None)
    make_grads = getattr(torch.autograd, "_make_grads", None)
    if engine is None or make_grads is None:
        return None
    return torch.autograd.backward, make_grads, engine, torch.ones_like


def shortcut(original, pieces: tuple):
    """`Tensor.backward` with the shortcut, `original` for everything else."""
    autograd_backward, make_grads, engine, ones_like = pieces
    tensor, preserve = torch.Tensor, torch.preserve_format
    torch_function = torch._C._has_torch_function_unary
    functorch = torch._C._are_functorch_transforms_active
    autograd = torch.autograd

    @functools.wraps(original)
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if (gradient is None and retain_graph is None and create_graph is False
                and inputs is None and type(self) is tensor and not torch_function(self)
                and self.requires_grad and self.numel() == 1
                and self.dtype.is_floating_point and not self.is_nested and not functorch()
                and autograd.backward is autograd_backward
                and autograd._make_grads is make_grads
                and autograd._engine_run_backward is engine and torch.ones_like is ones_like):
            engine((self,), (ones_like(self, memory_format=preserve),), False, False, (),
                   allow_unreachable=True, accumulate_grad=True)
            return None
        return original(self, gradient, retain_graph, create_graph, inputs)

    backward.__shortcut__ = True
    return backward


def _agree(fast) -> bool:
    """Whether the shortcut gives torch's own gradients here, on a small graph."""
    def grads(step) -> list:
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(5, 3, generator=gen)
        w = torch.randn(2, 3, generator=gen, requires_grad=True)
        b = torch.randn(2, generator=gen, requires_grad=True)
        for _ in range(2):  # the second call accumulates onto the first's gradients
            diff = x @ w.T + b - 1.0
            step(torch.sum(diff * diff) / diff.numel())
        return [w.grad, b.grad]

    try:
        return all(torch.equal(a, c) for a, c in zip(grads(torch.Tensor.backward), grads(fast),
                                                     strict=True))
    except Exception:
        return False


def install() -> bool:
    """Put the shortcut in place of `torch.Tensor.backward`, once, if it agrees with torch's
    own path here; whether it is in place."""
    original = torch.Tensor.backward
    if getattr(original, "__shortcut__", False):
        return True
    pieces = _pieces()
    if pieces is None:
        return False
    fast = shortcut(original, pieces)
    if not _agree(fast):
        return False
    torch.Tensor.backward = fast
    return True
