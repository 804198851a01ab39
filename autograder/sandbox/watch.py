"""In the child: note which of PyTorch's ready-made pieces the submission calls, for the "from
scratch" policy. Each is wrapped so it still works exactly as before (the behaviour checks
never notice); the submission could undo the wrapping, so the policy reads its code too."""

import functools

LABELS = ("torch.optim", "nn.Linear", "nn.MSELoss", "F.mse_loss")
"""What the child may report; the parent keeps nothing else (`scratch.FORBIDDEN`'s labels)."""


def _wrap(owner, attr: str, label: str, used: set[str]) -> None:
    original = getattr(owner, attr)

    @functools.wraps(original)
    def noted(*args, **kwargs):
        used.add(label)
        return original(*args, **kwargs)

    setattr(owner, attr, noted)


@functools.cache
def install(torch) -> set[str]:
    """Wrap the pieces, once a process; the returned set fills as they are called. The zygote
    wraps them before its first fork, a fresh child before it reads its job (0.4 ms a job when
    each did: wrapping a class's method changes the class and its subclasses); a job empties
    the set before its submission loads (`child.run`), since the zygote's warm-ups call them
    too (the built-ins exercise's first optimiser)."""
    used: set[str] = set()
    _wrap(torch.optim.Optimizer, "__init__", "torch.optim", used)
    _wrap(torch.nn.Linear, "__init__", "nn.Linear", used)
    _wrap(torch.nn.MSELoss, "__init__", "nn.MSELoss", used)
    _wrap(torch.nn.functional, "mse_loss", "F.mse_loss", used)
    return used


def seen(used: set[str]) -> list[str]:
    """What to report: nn.MSELoss calls F.mse_loss itself, which is no use of its own."""
    return sorted(used - {"F.mse_loss"} if "nn.MSELoss" in used else used)
