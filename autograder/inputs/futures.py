"""A notebook cell's `from __future__` imports, moved to the top of the notebook's module.

Jupyter lets a cell begin with them (IPython compiles each cell apart, and keeps the flags for
the cells after it), but in one module they must come before any other statement: left in
their guarded cell, `from __future__ import annotations` made the whole notebook a syntax error.
Every future of Python 3 but `annotations` changes nothing, and `annotations` only defers the
evaluation of annotations, so that it reaching the cells above its own changes nothing either.
"""

import ast

from autograder.inputs import syntax


def _at(line: str, byte: int) -> int:
    """The character a byte offset of the parser (UTF-8) falls on."""
    return len(line.encode()[:byte].decode(errors="ignore"))


def split(code: str) -> tuple[list[str], str]:
    """The cell's leading future imports, as source lines, and the cell with each of them made
    `pass` (every other line keeps its number). A cell that does not parse, or whose future
    import over several lines shares one with another statement, is left as it is."""
    if "__future__" not in code:
        return [], code
    try:
        body = syntax.parse(code).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], code
    body = syntax.past_docstring(body)  # a docstring may come first
    count = next((i for i, node in enumerate(body) if not (
        isinstance(node, ast.ImportFrom) and node.module == "__future__")), len(body))
    leading, others = body[:count], body[count:]
    lines = code.split("\n")  # the parser's lines (splitlines also splits at \f and \x1c)
    shared = {row for node in others for row in (node.lineno, node.end_lineno)}
    if not leading or max(node.end_lineno for node in leading) > len(lines) or any(
            node.lineno < node.end_lineno and {node.lineno, node.end_lineno} & shared
            for node in leading):
        return [], code
    moved = [line for node in leading for line in ast.get_source_segment(code, node)
             .splitlines()]
    for node in reversed(leading):  # from the last: the columns of those before stay true
        first, last = node.lineno - 1, node.end_lineno - 1
        start, end = _at(lines[first], node.col_offset), _at(lines[last], node.end_col_offset)
        lines[first:last + 1] = [lines[first][:start] + "pass" + lines[last][end:],
                                 *[""] * (last - first)]
    return moved, "\n".join(lines)
