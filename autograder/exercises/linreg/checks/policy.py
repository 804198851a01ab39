"""The "from scratch" policy: a check of its own, off unless the instructor's settings switch it
on, that flags PyTorch's ready-made optimisers, linear layer and loss. It reads the code (and
what the child saw it call); the behaviour checks never read its verdict."""

from autograder.grading import scratch
from autograder.grading.checks import Check, Evidence, incorrect, passed

WHY = ("This exercise asks you to write the model, the loss and the update yourself; PyTorch's "
       "ready-made versions skip exactly what it teaches.")


def _found(ev: Evidence) -> list[str]:
    """A line per use: where the code spells it, then what only the run showed."""
    findings = scratch.scan(ev.source)
    lines = [f"  line {f.line}: {f.text} ({f.label})" for f in findings]
    seen = {f.label for f in findings}
    lines += [f"  while it ran: {label}" for label in sorted(ev.used - seen)]
    return lines


def judge(ev: Evidence):
    try:
        lines = _found(ev)
    except scratch.ScanError:
        return incorrect("Your code could not be inspected for PyTorch's built-ins (it is too "
                         "large or too deeply nested).", "used_builtins")
    if not lines:
        return passed("Written from scratch: no torch.optim, nn.Linear, nn.MSELoss or "
                      "F.mse_loss.")
    return incorrect("Your code uses PyTorch's built-ins:\n" + "\n".join(lines) + f"\n{WHY}",
                     "used_builtins")


CHECK = Check("policy.from_scratch", "from scratch: no torch.optim, nn.Linear, nn.MSELoss or "
              "F.mse_loss", 10, "visible", (), judge,
              "no `torch.optim`, `nn.Linear`, `nn.MSELoss` or `F.mse_loss` anywhere in the code "
              "(only when the instructor's settings enable the policy)")
