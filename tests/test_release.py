"""What students receive holds no reference code, and every generated file is current."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from autograder.exercises.linreg import checks
from autograder.grading import expected, reference
from autograder.integrations import build
from autograder.outputs import writers

ROOT = Path(__file__).resolve().parent.parent
STUDENT_SIDE = [*sorted((ROOT / "assignments").rglob("*.py")),
                *sorted((ROOT / "autograder").rglob("*.py"))]
STUDENT_NOTEBOOKS = sorted((ROOT / "assignments").rglob("*.ipynb"))


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


def test_no_statement_of_the_reference_reaches_students():
    answers = _statements(reference.default_path().read_text()) - {"raise NotImplementedError"}
    assert answers, "the reference has statements to look for"
    for path in STUDENT_SIDE:
        leaked = answers & _statements(path.read_text())
        assert not leaked, f"{path.relative_to(ROOT)} contains reference code: {leaked}"


def notebook_code(text: str) -> str:
    """The code cells of a notebook, as one module."""
    return "\n".join("".join(c["source"]) for c in json.loads(text)["cells"]
                     if c["cell_type"] == "code")


def reference_leaks(code: str) -> set[str]:
    answers = _statements(reference.default_path().read_text()) - {"raise NotImplementedError"}
    assert answers, "the reference has statements to look for"
    return answers & _statements(code)


def test_no_notebook_students_receive_holds_reference_code():
    assert [p.name for p in STUDENT_NOTEBOOKS] == ["linreg.ipynb"]
    for path in STUDENT_NOTEBOOKS:
        leaked = reference_leaks(notebook_code(path.read_text()))
        assert not leaked, f"{path.relative_to(ROOT)} contains reference code: {leaked}"


def test_the_leak_test_finds_reference_code_in_a_notebook():
    cells = build.template.parse(build.template.default_path().read_text())
    solved = build.student_notebook(cells, build.bodies(reference.default_path().read_text()))
    assert reference_leaks(notebook_code(solved))


def test_every_generated_file_is_current():
    files = build.generated()
    assert set(files) >= {build.STUBS, build.STUDENT, build.NBGRADER}
    assert build.stale(files) == [], "run `autograder build`"
    assert build.stale({**files, build.STUBS: files[build.STUBS] + "# edited"}) == [build.STUBS]


def test_the_stubs_are_stubs():
    stub = ROOT / "assignments" / "linreg" / "linreg.py"
    bodies = {n.name: [ast.unparse(s) for s in n.body[1:]]
              for n in ast.parse(stub.read_text()).body if isinstance(n, ast.FunctionDef)}
    assert bodies == {name: ["raise NotImplementedError"]
                      for name in ("model", "mse", "train_step")}


def test_the_stored_expectations_are_current():
    stored = expected.path().read_text(encoding="utf-8")
    assert stored == expected.dumps(expected.build(reference.load())), (
        "run `autograder build-expected`")


def test_the_readme_rubric_is_generated_from_the_checks():
    readme = (ROOT / "README.md").read_text()
    table = re.search(r"<!-- rubric:start.*?-->\n(.*?)\n<!-- rubric:end -->", readme, re.S)
    assert table and table.group(1) == writers.rubric_markdown()
    assert checks.TOTAL == 100


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


def test_the_child_cannot_import_the_reference(tmp_path):
    probe = "import importlib.util, sys; print(importlib.util.find_spec('solutions'))"
    run = subprocess.run([sys.executable, "-I", "-B", "-c", probe], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.stdout.strip() == "None"
