"""IPython syntax in a code cell made harmless: magics, `!shell` lines and `name?` help.

Each such line becomes `pass` with the original kept as a comment, so the cell still parses
and every other line keeps its number. Nothing is run: a `!pip install` is never executed.
"""

import re

PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}
"""Cell magics whose body is Python: the body stays, only the magic line goes."""
_LINE = re.compile(r"^(\s*)(?:[%!]|[\w.]+\?{1,2}\s*$|\?{1,2}[\w.])")
_ASSIGNED = re.compile(r"^(\s*)[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!]")


def _silenced(line: str, indent: str) -> str:
    return f"{indent}pass  # {line.strip()}"


def neutralise(code: str) -> str:
    lines = code.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(maxsplit=1)[0] if lines[first].strip()[2:] else ""
        if name not in PYTHON_CELL_MAGICS:  # %%bash, %%html, %%writefile: not Python at all
            return "\n".join("# " + ln for ln in lines)
        lines[first] = _silenced(lines[first], "")
    out = []
    for line in lines:
        match = _LINE.match(line) or _ASSIGNED.match(line)
        out.append(_silenced(line, match.group(1)) if match else line)
    return "\n".join(out)
