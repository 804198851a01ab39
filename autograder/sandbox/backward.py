"""In the child: `loss.backward()` without torch's Python layers, for the plain call.

A submission's two training runs call `loss.backward()` two hundred times. On a loss of a
handful of numbers torch's own path spends about 20 µs of each call in Python around its C++
engine (`Tensor.backward`, `autograd.backward`, `_make_grads`, `_engine_run_backward`). For
the plain call the shortcut makes the engine call that path would make, with the same
arguments: `run_backward((loss,), (ones_like(loss),), False, False, ())`, the caller's context
stashed around it as torch's wrapper does. Anything else goes down torch's own path, unchanged:

- arguments (a gradient, `retain_graph`, `create_graph`, `inputs`);
- a loss that is not a plain, floating-point, one-element tensor that requires grad (a
  subclass, a nested tensor, an integer one), or any torch function mode on;
- functorch transforms active, or torch's autograd logging at DEBUG;
- any of the Python pieces of that path replaced (by the submission: as if the shortcut were
  not there).

So every gradient, every error and its message are torch's own, and the student's frames in a
traceback the same. The zygote installs it before its first fork, a fresh child before it
reads its job (`install`), each only after checking that the two paths agree here.
"""

import functools
import logging

import torch

WRAPPER_NAMES = frozenset({
    "DEBUG", "Variable", "_C", "_execution_engine", "_register_logging_hooks_on_whole_graph",
    "_remove_obj_from_tls", "_stash_obj_in_tls", "contextvars", "copy_context",
    "getEffectiveLevel", "log", "logging", "run_backward", "torch"})
"""The names torch's engine wrapper (`autograd.graph._engine_run_backward`) uses in torch
2.13: debug logging's hooks, else the caller's context stashed for compiled autograd's
threads, and the engine. Where it uses just these the shortcut does its work itself (about
7 µs a call less); a torch whose wrapper uses others has the wrapper called."""


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
    autograd_backward, make_grads, wrapper, ones_like = pieces
    tensor, preserve, autograd = torch.Tensor, torch.preserve_format, torch.autograd
    graph = autograd.graph
    torch_function = torch._C._has_torch_function_unary
    functorch = torch._C._are_functorch_transforms_active
    log = run = None  # another torch's wrapper: called as its own path calls it
    if frozenset(getattr(getattr(wrapper, "__code__", None), "co_names", ())) == WRAPPER_NAMES:
        log, run = graph.log, graph.Variable._execution_engine.run_backward
        stash, remove, context = torch._C._stash_obj_in_tls, torch._C._remove_obj_from_tls, \
            graph.contextvars.copy_context

    @functools.wraps(original)
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if not (gradient is None and retain_graph is None and create_graph is False
                and inputs is None and type(self) is tensor and not torch_function(self)
                and self.requires_grad and self.numel() == 1
                and self.dtype.is_floating_point and not self.is_nested and not functorch()
                and autograd.backward is autograd_backward
                and autograd._make_grads is make_grads
                and autograd._engine_run_backward is wrapper and torch.ones_like is ones_like
                and (log is None or log.getEffectiveLevel() > logging.DEBUG)):
            return original(self, gradient, retain_graph, create_graph, inputs)
        grads = (ones_like(self, memory_format=preserve),)
        if run is None:
            wrapper((self,), grads, False, False, (), allow_unreachable=True,
                    accumulate_grad=True)
            return None
        stash("context", context())
        try:
            run((self,), grads, False, False, (), allow_unreachable=True, accumulate_grad=True)
        finally:
            remove("context")
        return None

    backward.__shortcut__ = True
    return backward


def _agree(original, fast) -> bool:
    """Whether the shortcut gives `original`'s gradients here, on a small graph."""
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
        return all(torch.equal(a, c) for a, c in zip(grads(original), grads(fast), strict=True))
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
    try:  # a torch unlike the ones known: its own path, whatever went wrong here
        fast = shortcut(original, pieces)
    except Exception:
        return False
    if not _agree(original, fast):
        return False
    torch.Tensor.backward = fast
    return True
