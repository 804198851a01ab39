"""The exercise's one template: a percent-format script (`# %% [kind] arg`) read into cells."""

import re
from dataclasses import dataclass
from pathlib import Path

KINDS = {"markdown", "code", "setup", "data", "function", "checks", "py"}
_START = re.compile(r"^# %%(?: \[(\w+)\])?(?: (\w+))?\s*$")


@dataclass(frozen=True)
class TemplateCell:
    kind: str
    source: str
    """Code as written; for markdown, the text without the leading `# `."""
    arg: str = ""
    """The topic of a [checks] cell."""

    @property
    def function(self) -> str:
        """The name a [function] cell defines."""
        match = re.search(r"^def (\w+)\(", self.source, re.M)
        return match.group(1) if match else ""


def _uncomment(lines: list[str]) -> str:
    return "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines)


def _cell(kind: str, arg: str, lines: list[str]) -> TemplateCell:
    text = _uncomment(lines) if kind == "markdown" else "\n".join(lines)
    return TemplateCell(kind, text.strip("\n"), arg)


def parse(text: str) -> list[TemplateCell]:
    """Cells in order; what stands before the first `# %%` is the template's own comment."""
    cells, kind, arg, lines = [], None, "", []
    for line in text.splitlines():
        match = _START.match(line)
        if not match:
            lines.append(line)
            continue
        if kind is not None:
            cells.append(_cell(kind, arg, lines))
        kind, arg, lines = match.group(1) or "code", match.group(2) or "", []
        if kind not in KINDS:
            raise ValueError(f"unknown cell kind [{kind}] in the template")
    if kind is not None:
        cells.append(_cell(kind, arg, lines))
    return cells


def default_path() -> Path:
    return Path(__file__).resolve().parent.parent / "exercises" / "linreg" / "template.py"
