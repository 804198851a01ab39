"""Every generated file of each exercise, from its template, its reference and its data.

`autograder build` writes them; `autograder build --check` (and a test) fails when a committed
one is stale. Students get the stubs, the student notebook and the self-check's test file;
nbgrader's source notebook, with the reference's code between its solution markers, stays with
the instructor. Per exercise NAME (files named after its module M): assignments/NAME/M.py,
M.ipynb and test_M.py; course/source/NAME/M.ipynb; the exercise's expected_public.json.
"""

import ast
from pathlib import Path

from autograder.grading import expected, reference, registry
from autograder.grading.exercise import EXPECTED, Exercise
from autograder.inputs import syntax
from autograder.integrations import template
from autograder.integrations.notebooks import nbgrader_notebook, student_notebook

ROOT = Path(__file__).resolve().parent.parent.parent


def bodies(reference_source: str) -> dict[str, str]:
    """Each reference function's body without its docstring, as written (comments kept)."""
    lines = reference_source.splitlines()
    found = {}
    for node in syntax.parse(reference_source).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            found[node.name] = "\n".join(lines[body[0].lineno - 1:node.end_lineno])
    return found


def stubs_py(cells: list[template.TemplateCell]) -> str:
    parts = [c.source for c in cells if c.kind in {"py", "function"}]
    return "\n\n\n".join(parts) + "\n"


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


def stale(files: dict[Path, str]) -> list[Path]:
    return [p for p, text in files.items() if not _current(p, text)]


def write(files: dict[Path, str]) -> list[Path]:
    changed = stale(files)
    for path in changed:
        (ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / path).write_text(files[path], encoding="utf-8")
    return changed
