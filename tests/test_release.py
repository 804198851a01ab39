"""What students receive holds no reference code, and every generated file is current."""

import ast
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading import expected, reference, registry
from autograder.integrations import build
from autograder.outputs import writers
from autograder.sandbox.folders import SECRET

ROOT = Path(__file__).resolve().parent.parent
STUDENT_SIDE = [*sorted((ROOT / "assignments").rglob("*.py")),
                *sorted(p for p in (ROOT / "autograder").rglob("*.py")
                        if SECRET not in p.relative_to(ROOT).parts)]
"""What students receive: their files and the installable package (no reference folder)."""
STUDENT_NOTEBOOKS = sorted((ROOT / "assignments").rglob("*.ipynb"))
EXERCISES = registry.every()
NAMES = [ex.name for ex in EXERCISES]


def _statements(source: str) -> set[str]:
    """Every statement inside a function, normalised, docstrings left out."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.stmt) and not isinstance(stmt, ast.FunctionDef) and not (
                        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                    found.add(ast.unparse(stmt))
    return found


def _answers() -> set[str]:
    """Every exercise's reference statements, but for what a stub also holds."""
    found = set().union(*(_statements(ex.reference_path.read_text()) for ex in EXERCISES))
    return found - {"raise NotImplementedError"}


def test_no_statement_of_the_reference_reaches_students():
    answers = _answers()
    assert answers, "the reference has statements to look for"
    for path in STUDENT_SIDE:
        leaked = answers & _statements(path.read_text())
        assert not leaked, f"{path.relative_to(ROOT)} contains reference code: {leaked}"


def notebook_code(text: str) -> str:
    """The code cells of a notebook, as one module."""
    return "\n".join("".join(c["source"]) for c in json.loads(text)["cells"]
                     if c["cell_type"] == "code")


def reference_leaks(code: str) -> set[str]:
    answers = _answers()
    assert answers, "the reference has statements to look for"
    return answers & _statements(code)


def test_no_notebook_students_receive_holds_reference_code():
    assert [p.name for p in STUDENT_NOTEBOOKS] == sorted(f"{ex.module}.ipynb" for ex in EXERCISES)
    for path in STUDENT_NOTEBOOKS:
        leaked = reference_leaks(notebook_code(path.read_text()))
        assert not leaked, f"{path.relative_to(ROOT)} contains reference code: {leaked}"


@pytest.mark.parametrize("ex", EXERCISES, ids=NAMES)
def test_the_leak_test_finds_reference_code_in_a_notebook(ex):
    cells = build.template.parse(ex.template_path.read_text())
    solved = build.student_notebook(cells, ex, build.bodies(ex.reference_path.read_text()))
    assert reference_leaks(notebook_code(solved))


@pytest.mark.parametrize("ex", EXERCISES, ids=NAMES)
def test_every_generated_file_is_current(ex):
    files = build.generated(ex)
    stubs = build.stubs_path(ex)
    assert set(files) >= {stubs, build.student_path(ex), build.tests_path(ex),
                          build.nbgrader_path(ex)}
    assert build.stale(files) == [], "run `autograder build`"
    assert build.stale({**files, stubs: files[stubs] + "# edited"}) == [stubs]


@pytest.mark.parametrize("ex", EXERCISES, ids=NAMES)
def test_the_stubs_are_stubs(ex):
    stub = ROOT / build.stubs_path(ex)
    bodies = {n.name: [ast.unparse(s) for s in n.body[1:]]
              for n in ast.parse(stub.read_text()).body if isinstance(n, ast.FunctionDef)}
    assert bodies == {name: ["raise NotImplementedError"] for name in ex.functions}


@pytest.mark.parametrize("ex", EXERCISES, ids=NAMES)
def test_the_stored_expectations_are_current(ex):
    stored = expected.path(ex).read_text(encoding="utf-8")
    assert expected.same(stored, expected.dumps(expected.build(reference.load(ex)))), (
        "run `autograder build-expected`")


def test_stored_expectations_are_stale_when_an_answer_changes():
    ex = registry.get()
    built = expected.build(reference.load(ex))
    text = expected.dumps(built)
    built["mse/crop"]["out"]["values"][0] *= 1.001
    assert expected.same(text, text) and not expected.same(text, expected.dumps(built))


@pytest.mark.parametrize("ex", EXERCISES, ids=NAMES)
def test_the_readme_rubric_is_generated_from_the_checks(ex):
    readme = (ROOT / "README.md").read_text()
    named = "" if ex.name == registry.DEFAULT else f" {ex.name}"
    table = re.search(rf"<!-- rubric{named}:start.*?-->\n(.*?)\n<!-- rubric:end -->", readme,
                      re.S)
    assert table and table.group(1) == writers.rubric_markdown(ex.checks)
    assert ex.total == 100


def test_ci_runs_exactly_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```sh\n(pip install .*?)\n```", readme)
    assert len(commands) == 2, "two commands for a fresh machine"
    assert "autograder grade" in commands[0] and "pytest" in commands[1]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line and not line.startswith(("#", "set ", "cd ", "command -v bwrap ",
                                            "command -v chromium "))]  # system prerequisites
    assert ci == [commands[1]]


def test_the_example_in_the_readme_exists():
    assert (ROOT / "examples" / "bob.py").is_file()


def test_the_wheel_holds_every_exercise_and_no_reference(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if f"/{SECRET}/" in n]
    for ex in EXERCISES:
        assert f"autograder/exercises/{ex.name}/exercise.py" in names
        assert f"autograder/exercises/{ex.name}/expected_public.json" in names


def test_the_slow_modules_are_modules_of_the_suite():
    from conftest import SLOW

    assert {p.stem for p in (ROOT / "tests").glob("test_*.py")} >= SLOW
