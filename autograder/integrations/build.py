"""Every generated file of each exercise, from its template, its reference and its data.

`autograder build` writes them; `autograder build --check` (and a test) fails when a committed
one is stale. Students get the stubs, the student notebook and the self-check's test file;
nbgrader's source notebook, with the reference's code between its solution markers, stays with
the instructor. Per exercise NAME (files named after its module M): assignments/NAME/M.py,
M.ipynb and test_M.py; course/source/NAME/M.ipynb; the exercise's expected_public.json.
"""

import ast
import json
from pathlib import Path

from autograder.grading import expected, reference, registry
from autograder.grading.exercise import Exercise
from autograder.inputs.notebook import SELFCHECK_TAG
from autograder.integrations import template

ROOT = Path(__file__).resolve().parent.parent.parent
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


TESTS = '''"""Self-check: run `pytest` in this folder to see how your {module}.py does on the
visible checks.

Needs the course's autograder package (`pip install linreg-autograder`). Your code runs in a
separate process, with the same checks and the same feedback as the grader; hidden checks on
other inputs run only when your work is graded.
"""

from pathlib import Path

import pytest

from autograder.selfcheck import check, visible

EXERCISE = {name!r}


@pytest.fixture(scope="module")
def report():
    return check(Path(__file__).with_name("{module}.py"), EXERCISE)


@pytest.mark.parametrize("check_id", visible(EXERCISE))
def test_check(check_id, report):
    result = report.result(check_id)
    if not result.passed:
        pytest.fail(f"{{result.title}} ({{result.outcome.value}}): {{result.feedback}}",
                    pytrace=False)
'''
"""The students' test file: the self-check of their `.py` file, under pytest."""


def stubs_path(ex: Exercise) -> Path:
    return Path("assignments") / ex.name / f"{ex.module}.py"


def student_path(ex: Exercise) -> Path:
    return Path("assignments") / ex.name / f"{ex.module}.ipynb"


def tests_path(ex: Exercise) -> Path:
    return Path("assignments") / ex.name / f"test_{ex.module}.py"


def nbgrader_path(ex: Exercise) -> Path:
    return Path("course") / "source" / ex.name / f"{ex.module}.ipynb"


def _relative(path: Path) -> Path:
    """Relative to the repository where it lies inside it (a course's own exercise may not)."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def course_root(ex: Exercise) -> Path:
    """Where an exercise's assignments/ and course/ go: this repository for the package's
    exercises, the folder that holds a course's own exercise for one outside it."""
    return ROOT if ex.folder.is_relative_to(ROOT / "autograder") else ex.folder.parent


def generated(ex: Exercise) -> dict[Path, str]:
    """Every generated file of `ex` (relative to the repository where it lies in it) and its
    content; an exercise without a template has only its stored answers."""
    ref = reference.load(ex)
    files = {_relative(ex.expected_path): expected.dumps(expected.build(ref))}
    if not ex.template_path.is_file():
        return files
    cells = template.parse(ex.template_path.read_text(encoding="utf-8"))
    solutions = bodies(ref.source)
    made = {stubs_path(ex): stubs_py(cells), student_path(ex): student_notebook(cells, ex),
            tests_path(ex): TESTS.format(name=ex.name, module=ex.module),
            nbgrader_path(ex): nbgrader_notebook(cells, ex, solutions)}
    return {_relative(course_root(ex) / path): text for path, text in made.items()} | files


def every() -> dict[Path, str]:
    """The generated files of every exercise."""
    return {path: text for ex in registry.every() for path, text in generated(ex).items()}


def _current(path: Path, text: str) -> bool:
    if not (ROOT / path).is_file():
        return False
    old = (ROOT / path).read_text(encoding="utf-8")
    return expected.same(old, text) if path.name == EXPECTED else old == text


EXPECTED = "expected_public.json"


def stale(files: dict[Path, str]) -> list[Path]:
    return [p for p, text in files.items() if not _current(p, text)]


def write(files: dict[Path, str]) -> list[Path]:
    changed = stale(files)
    for path in changed:
        (ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / path).write_text(files[path], encoding="utf-8")
    return changed
