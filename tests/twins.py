"""Notebook twins of `.py` submissions: the same code, cut into cells as a student's notebook.

Each top-level function gets a cell of its own, followed by a markdown cell and a self-check
cell whose stored output claims that everything passed (outputs must never count).
"""

import ast
import json

from autograder.inputs.notebook import SELFCHECK_TAG


def _code(source: str, **meta) -> dict:
    return {"cell_type": "code", "execution_count": 7, "metadata": meta, "source": source,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "All checks passed"}]}


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _chunks(source: str) -> list[tuple[int, int]]:
    """Line ranges [start, end) of the code cells: each top-level def alone, the rest between."""
    lines = source.splitlines()
    cuts = {0, len(lines)}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            cuts |= {node.lineno - 1, node.end_lineno}
    edges = sorted(cuts)
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a]


def notebook(source: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """The notebook's JSON, and where each line of `source` went: line -> (cell, line)."""
    lines = source.splitlines(keepends=True)
    cells, where = [_markdown("# Linear regression\nFill in the functions.")], {}
    for start, end in _chunks(source):
        cells.append(_code("".join(lines[start:end])))
        where.update({start + i + 1: (len(cells), i + 1) for i in range(end - start)})
        cells += [_markdown("Check it:"),
                  _code("check(globals(), 'model')", tags=[SELFCHECK_TAG])]
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}}}
    return json.dumps(nb, indent=1), where
