"""The notebooks generated from an exercise's template: the student's (optionally with the
reference pasted in) and nbgrader's source notebook, with its solution markers and a test cell
per check."""

import json

from autograder.grading import registry
from autograder.grading.exercise import Exercise
from autograder.inputs.notebook import SELFCHECK_TAG
from autograder.integrations import template

STUB_LINE = "    raise NotImplementedError"
METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}


def _solved(cell: template.TemplateCell, body: str, markers: bool) -> str:
    if markers:
        body = f"    ### BEGIN SOLUTION\n{body}\n    ### END SOLUTION"
    return cell.source.replace(STUB_LINE, body)


def _cell(kind: str, source: str, **metadata) -> dict:
    cell = {"cell_type": kind, "id": "", "metadata": metadata,
            "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def _notebook(cells: list[dict]) -> str:
    for i, cell in enumerate(cells, 1):
        cell["id"] = f"cell-{i:02d}"  # fixed ids: the file is the same at every build
    nb = {"cells": cells, "metadata": METADATA, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _code(cell: template.TemplateCell, ex: Exercise) -> str:
    return ex.data_code if cell.kind == "data" else cell.source


def _also(ex: Exercise) -> str:
    """The exercise's name for the self-check's calls, but for the default exercise's (whose
    notebooks students already have)."""
    return "" if ex.name == registry.DEFAULT else f", exercise={ex.name!r}"


def student_notebook(cells: list[template.TemplateCell], ex: Exercise,
                     solutions: dict | None = None) -> str:
    """The student's notebook; with `solutions`, the same with the reference pasted in."""
    out = []
    for cell in cells:
        if cell.kind == "markdown":
            out.append(_cell("markdown", cell.source))
        elif cell.kind == "checks":
            out.append(_cell("code", f"run_checks(globals(), {cell.arg!r}{_also(ex)})",
                             tags=[SELFCHECK_TAG]))
        elif cell.kind == "function" and solutions:
            out.append(_cell("code", _solved(cell, solutions[cell.function], False)))
        elif cell.kind != "py":
            out.append(_cell("code", _code(cell, ex)))
    return _notebook(out)


def _nbgrader(grade_id: str, *, locked=False, solution=False, points=None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution, "task": False}
    return {"nbgrader": meta | ({"points": points} if points is not None else {})}


def test_cell_source(check_id: str, ex: Exercise) -> str:
    call = f"points(globals(), {check_id!r}{_also(ex)})"
    if ex.by_id[check_id].hidden:
        return ("# a hidden check: it runs when your work is graded\n"
                "from autograder.gradecell import points\n\n"
                f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS")
    return f"from autograder.gradecell import points\n\n{call}"


def _nbgrader_cells(cell: template.TemplateCell, ex: Exercise, solutions: dict,
                    index: int) -> list[dict]:
    if cell.kind == "markdown":
        return [_cell("markdown", cell.source, **_nbgrader(f"lesson_{index}", locked=True))]
    if cell.kind == "checks":
        return [_cell("code", test_cell_source(cid, ex), **_nbgrader(
            "test_" + cid.replace(".", "_"), locked=True, points=ex.by_id[cid].points))
            for cid in ex.topics[cell.arg]]
    if cell.kind == "function":
        return [_cell("code", _solved(cell, solutions[cell.function], True),
                      **_nbgrader(cell.function, solution=True))]
    if cell.kind in {"setup", "data"}:
        return [_cell("code", _code(cell, ex), **_nbgrader(f"setup_{index}", locked=True))]
    return [] if cell.kind == "py" else [_cell("code", _code(cell, ex))]


def nbgrader_notebook(cells: list[template.TemplateCell], ex: Exercise, solutions: dict) -> str:
    return _notebook([c for i, cell in enumerate(cells, 1)
                      for c in _nbgrader_cells(cell, ex, solutions, i)])
