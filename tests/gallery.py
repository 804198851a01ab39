"""Known submissions and the verdict each must get: the proof that the grader is right.

Each entry is the reference with some functions replaced (or a whole file of its own), and the
checks it must fail, each with words its feedback must contain. Every check not listed must pass
with full points.
"""

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder.limits import Limits

REFERENCE = Path(__file__).resolve().parent.parent / "solutions" / "linreg.py"
STUB = Path(__file__).resolve().parent.parent / "assignments" / "linreg" / "linreg.py"
ALL_CHECKS = ("model.values", "model.hidden", "model.autograd", "mse.values", "mse.hidden",
              "mse.autograd", "gradients", "train_step.loss", "train_step.update",
              "train_step.zero_grad", "train_step.no_grad", "training.converges")


@dataclass(frozen=True)
class Entry:
    name: str
    replace: dict[str, str] = field(default_factory=dict)
    """Function name -> its new source, put in place of the reference's."""
    fails: dict[str, str] = field(default_factory=dict)
    """Check id -> words its feedback must contain (case-insensitive). All others pass."""
    source: str | None = None
    """A whole file, instead of the patched reference."""
    extra: str = ""
    """Top-level code appended to the file."""
    limits: Limits = Limits()
    """Shorter limits for the entries that hang, so the gallery stays quick."""

    def text(self) -> str:
        base = self.source if self.source is not None else _patched(self.replace)
        return base + ("\n" + self.extra if self.extra else "")


def _patched(replace: dict[str, str]) -> str:
    source = REFERENCE.read_text()
    lines = source.splitlines(keepends=True)
    nodes = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    for name in sorted(replace, key=lambda n: -nodes[n].lineno):  # bottom up keeps line numbers
        node = nodes[name]
        lines[node.lineno - 1:node.end_lineno] = [replace[name].strip("\n") + "\n"]
    return "".join(lines)


#BODY
