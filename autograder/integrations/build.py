"""Every generated file of the exercise, from the template, the reference and the crop data.

`autograder build` writes them; `autograder build --check` (and a test) fails when a committed
one is stale. Students get the stubs and the student notebook; nbgrader's source notebook, with
the reference's code between its solution markers, stays with the instructor.
"""

import ast
import json
from pathlib import Path

from autograder.exercises.linreg import checks, data
from autograder.grading import expected, reference
from autograder.inputs.notebook import SELFCHECK_TAG
from autograder.integrations import template
from autograder.integrations.selfcheck import TOPICS

ROOT = Path(__file__).resolve().parent.parent.parent
STUBS = Path("assignments/linreg/linreg.py")
STUDENT = Path("assignments/linreg/linreg.ipynb")
NBGRADER = Path("course/source/linreg/linreg.ipynb")
STUB_LINE = "    raise NotImplementedError"
METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}


def bodies(reference_source: str) -> dict[str, str]:
    """Each reference function's body without its docstring, as written (comments kept)."""
    lines = reference_source.splitlines()
    found = {}
    for node in ast.parse(reference_source).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            found[node.name] = "\n".join(lines[body[0].lineno - 1:node.end_lineno])
    return found


def _solved(cell: template.TemplateCell, body: str, markers: bool) -> str:
    if markers:
        body = f"    ### BEGIN SOLUTION\n{body}\n    ### END SOLUTION"
    return cell.source.replace(STUB_LINE, body)


def data_code() -> str:
    def rows(table) -> str:
        return "\n".join(f"    [{', '.join(map(repr, row))}]," for row in table)

    return ("# temperature (°F), rainfall (mm), humidity (%): one row per region\n"
            f"inputs = torch.tensor([\n{rows(data.INPUTS)}\n])\n"
            "# apples, oranges (tons per hectare): one row per region\n"
            f"targets = torch.tensor([\n{rows(data.TARGETS)}\n])")


def stubs_py(cells: list[template.TemplateCell]) -> str:
    parts = [c.source for c in cells if c.kind in {"py", "function"}]
    return "\n\n\n".join(parts) + "\n"


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


def _code(cell: template.TemplateCell) -> str:
    return data_code() if cell.kind == "data" else cell.source


def student_notebook(cells: list[template.TemplateCell], solutions: dict | None = None) -> str:
    """The student's notebook; with `solutions`, the same with the reference pasted in."""
    out = []
    for cell in cells:
        if cell.kind == "markdown":
            out.append(_cell("markdown", cell.source))
        elif cell.kind == "checks":
            out.append(_cell("code", f"run_checks(globals(), {cell.arg!r})",
                             tags=[SELFCHECK_TAG]))
        elif cell.kind == "function" and solutions:
            out.append(_cell("code", _solved(cell, solutions[cell.function], False)))
        elif cell.kind != "py":
            out.append(_cell("code", _code(cell)))
    return _notebook(out)


def _nbgrader(grade_id: str, *, locked=False, solution=False, points=None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution, "task": False}
    return {"nbgrader": meta | ({"points": points} if points is not None else {})}


def test_cell_source(check_id: str) -> str:
    call = f"points(globals(), {check_id!r})"
    if checks.BY_ID[check_id].hidden:
        return ("# a hidden check: it runs when your work is graded\n"
                "from autograder.integrations.gradecell import points\n\n"
                f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS")
    return f"from autograder.integrations.gradecell import points\n\n{call}"


def _nbgrader_cells(cell: template.TemplateCell, solutions: dict, index: int) -> list[dict]:
    if cell.kind == "markdown":
        return [_cell("markdown", cell.source, **_nbgrader(f"lesson_{index}", locked=True))]
    if cell.kind == "checks":
        return [_cell("code", test_cell_source(cid), **_nbgrader(
            "test_" + cid.replace(".", "_"), locked=True, points=checks.BY_ID[cid].points))
            for cid in TOPICS[cell.arg]]
    if cell.kind == "function":
        return [_cell("code", _solved(cell, solutions[cell.function], True),
                      **_nbgrader(cell.function, solution=True))]
    if cell.kind in {"setup", "data"}:
        return [_cell("code", _code(cell), **_nbgrader(f"setup_{index}", locked=True))]
    return [] if cell.kind == "py" else [_cell("code", _code(cell))]


def nbgrader_notebook(cells: list[template.TemplateCell], solutions: dict) -> str:
    return _notebook([c for i, cell in enumerate(cells, 1)
                      for c in _nbgrader_cells(cell, solutions, i)])


def generated() -> dict[Path, str]:
    """Every generated file (relative to the repository) and its content."""
    cells = template.parse(template.default_path().read_text(encoding="utf-8"))
    ref = reference.load()
    solutions = bodies(ref.source)
    return {STUBS: stubs_py(cells), STUDENT: student_notebook(cells),
            NBGRADER: nbgrader_notebook(cells, solutions),
            expected.path().relative_to(ROOT): expected.dumps(expected.build(ref))}


def stale(files: dict[Path, str]) -> list[Path]:
    return [p for p, text in files.items()
            if not (ROOT / p).is_file() or (ROOT / p).read_text(encoding="utf-8") != text]


def write(files: dict[Path, str]) -> list[Path]:
    changed = stale(files)
    for path in changed:
        (ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / path).write_text(files[path], encoding="utf-8")
    return changed
