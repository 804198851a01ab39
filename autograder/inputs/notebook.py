"""A notebook submission as Python source: read in the trusted parent, graded like a `.py` file.

The notebook's JSON is read directly (formats 4 and 3): no nbformat on the grading path, whose
import costs about 1.5 s (jsonschema), and no schema validation to trip over the odd metadata
students' notebooks carry. Stored outputs are never read. Each code cell runs as Jupyter runs
it: an exception stops that cell, not the notebook (nbgrader executes the same way).
"""

import json
import re
from dataclasses import dataclass

from autograder.inputs import futures, magics

SELFCHECK_TAG = "selfcheck"
"""Cells the template tags as self-checks: the student's feedback, never part of the grade."""
CELL_START = ("try:\n",)
CELL_END = ("    pass\n",  # a cell of comments alone is still a block
            "except Exception:  # as in Jupyter, a failing cell does not stop the others\n",
            "    __import__('traceback').print_exc()\n")


class NotebookError(Exception):
    """The file is not a notebook we can read; the message is for the student."""


@dataclass(frozen=True)
class Cell:
    number: int
    """Position in the notebook, counting every cell from the top, from 1."""
    kind: str
    source: str
    tags: tuple[str, ...] = ()
    nbgrader: dict | None = None


REPAIR = "Open it in Jupyter, save it again, and resubmit."


def _text(number: int, value) -> str:
    """A cell's source: a string, or a list of strings (nbformat), or nothing."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    if isinstance(value, str) or value is None:
        return value or ""
    raise NotebookError(f"Your notebook's cell {number} holds no text where its code should "
                        f"be. {REPAIR}")


def _cell(number: int, raw) -> Cell:
    if not isinstance(raw, dict):
        raise NotebookError(f"Your notebook's cell {number} is not a cell. {REPAIR}")
    meta = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    kind = raw.get("cell_type", "")
    source = raw.get("input") if kind == "code" and "input" in raw else raw.get("source")  # v3
    tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
    nbgrader = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else None
    return Cell(number, str(kind), _text(number, source), tuple(map(str, tags)), nbgrader)


def _parsed(text: str) -> dict:
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested past any notebook
        raise NotebookError(f"Your notebook could not be read: it is not valid JSON ({exc}). "
                            f"{REPAIR}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("nbformat"), int):
        raise NotebookError("Your file is not a Jupyter notebook (no nbformat version).")
    return nb


def read_cells(text: str) -> list[Cell]:
    return _cells(_parsed(text))


def _cells(nb: dict) -> list[Cell]:
    if nb["nbformat"] >= 4:
        raw = nb.get("cells")
    else:  # version 3 kept its cells in worksheets
        raw = [c for ws in nb.get("worksheets") or [] for c in (ws.get("cells") or [])]
    if not isinstance(raw, list):
        raise NotebookError("Your notebook has no list of cells.")
    return [_cell(i, c) for i, c in enumerate(raw, 1)]


def graded(cell: Cell) -> bool:
    """Code the student wrote or was given, without self-checks and nbgrader test cells."""
    nb = cell.nbgrader or {}
    is_test = nb.get("grade") and not nb.get("solution")
    return cell.kind == "code" and SELFCHECK_TAG not in cell.tags and not is_test


@dataclass(frozen=True)
class Converted:
    """The notebook as one module, and where each of its lines came from."""

    source: str
    origin: dict[int, tuple[int, int]]
    """Line of `source` -> (cell number, line in that cell)."""


def _indentable(code: str) -> list[bool]:
    """For each line, whether it may be indented: not the inside of a multi-line string."""
    import io
    import tokenize

    lines = code.splitlines()
    ok = [True] * len(lines)
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
            for row in range(tok.start[0] + 1, tok.end[0] + 1):
                ok[row - 1] = False
    return ok


def _defines_graded(code: str, functions: tuple[str, ...]) -> bool:
    return bool(re.search(rf"^\s*def\s+({'|'.join(map(re.escape, functions))})\b", code, re.M))


def _block(cell: Cell, code: str, functions: tuple[str, ...]) -> list[str] | None:
    """The cell's code as a guarded block, or None when it does not parse and defines nothing
    graded (a markdown cell turned to code): skipped, as Jupyter would run the other cells."""
    try:
        compile(code, f"cell {cell.number}", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # the last two: nested
        # deeper than the parser goes (`-` a million times), as unparseable as a syntax error
        # kept as it is when it defines a graded function: its syntax error is the feedback
        return code.splitlines() if _defines_graded(code, functions) else None
    if not code.strip():
        return None
    lines = code.splitlines()
    body = ["    " + ln if keep else ln for ln, keep in zip(lines, _indentable(code), strict=True)]
    return [*CELL_START, *[ln + "\n" for ln in body], *CELL_END]


FUTURES = "# the cells' `from __future__` imports, first as Python wants them\n"


def to_source(cells: list[Cell], functions: tuple[str, ...]) -> Converted:
    codes = [(cell, *futures.split(magics.neutralise(cell.source)))
             for cell in filter(graded, cells)]
    moved = [line + "\n" for _, lines, _ in codes for line in lines]
    out: list[str] = [FUTURES, *moved] if moved else []
    origin: dict[int, tuple[int, int]] = {}
    for cell, _, code in codes:
        block = _block(cell, code, functions)
        if block is None:
            continue
        out.append(f"# cell {cell.number}\n")
        first = len(out) + 1 + (block[0] == CELL_START[0])  # the cell's first line, from 1
        origin.update({first + i: (cell.number, i + 1) for i in range(len(code.splitlines()))})
        out.extend(line if line.endswith("\n") else line + "\n" for line in block)
    return Converted("".join(out), origin)


def _language(nb: dict) -> tuple[str, str]:
    """The language the notebook's kernel runs, and the kernel's name ("" where not said)."""
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    spec = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    language = spec.get("language") or info.get("name") or ""
    kernel = spec.get("display_name") or spec.get("name") or ""
    return (language, kernel) if isinstance(language, str) and isinstance(kernel, str) else \
        ("", "")


_WRITEFILE = re.compile(r"\s*%%(?:writefile|file)\b")
"""A cell that writes its body to a file (IPython's %%writefile, and its old name %%file)."""


def convert(text: str, functions: tuple[str, ...]) -> Converted:
    """The notebook's code as one source; `functions` are the graded ones (the exercise's).
    A notebook that defines none of them where the grader looks is told why, when it can be
    told: its kernel is another language's (R, Julia), or it writes them to a file
    (%%writefile); "no function named model" would leave its student guessing."""
    nb = _parsed(text)
    cells = _cells(nb)
    converted = to_source(cells, functions)
    if _defines_graded(converted.source, functions):
        return converted
    language, kernel = _language(nb)
    if language.lower() not in ("", "python"):
        raise NotebookError(
            f"Your notebook is written for {language}"
            f"{f' (its kernel: {kernel})' if kernel else ''}, and the grader runs its code as "
            f"Python: none of {', '.join(functions)} is defined in Python in it. Write them in "
            "a notebook with a Python 3 kernel (Kernel > Change kernel in Jupyter), save it and "
            "resubmit.")
    written = [c.number for c in filter(graded, cells) if _WRITEFILE.match(c.source)
               and _defines_graded(c.source, functions)]
    if written:
        raise NotebookError(
            f"Your notebook defines {', '.join(functions)} only in a %%writefile cell (cell "
            f"{written[0]}), which writes them to a file: the grader runs the notebook's own "
            "code cells, never a file they write, nor a `%run` of it. Define the functions in "
            "a code cell of their own (remove the %%writefile line), save it and resubmit.")
    return converted
