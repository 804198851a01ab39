"""Notebooks through the `autograder` command, alone and mixed with `.py` files in a folder."""

import csv
import json
from pathlib import Path

import pytest
from command import autograder
from gallery import REFERENCE
from test_notebook import _nb, code, markdown

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = REFERENCE.read_text()

MESSY = _nb(
    markdown("# My notebook"),
    code("%matplotlib inline\n!pip install torch\nimport torch\nimport matplotlib.pyplot as plt"),
    code("This was a markdown cell, now code by mistake."),
    code(REFERENCE),
    code("w = torch.randn(2, 3, requires_grad=True)\nb = torch.randn(2, requires_grad=True)\n"
         "x = torch.rand(5, 3) * 100\ny = torch.rand(5, 2) * 100\nlosses = []\n"
         "for epoch in range(10_000):  # left in by the student\n"
         "    losses.append(float(train_step(x, y, w, b, 1e-5)))\n"
         "plt.plot(losses)\nplt.show()"),
    code("model(torch.ones(2, 2), w, b)  # fails: the cell stops, the notebook goes on"),
    code("import matplotlib_not_here"),
    code("from autograder.selfcheck import run_checks\nfrom autograder.gradecell import points\n"
         "run_checks(globals(), 'model')  # untagged: harmless in the grader\n"
         "points(globals(), 'model.values')"),
)


def _v3(source: str) -> str:
    import nbformat  # imported here: 0.2 s (1.3 without rfc3987), paid by the worker that runs it

    v3 = nbformat.v3
    return v3.writes_json(v3.new_notebook(worksheets=[v3.new_worksheet(cells=[
        v3.new_text_cell("markdown", source="# Old"), v3.new_code_cell(input=source)])]))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder, out = tmp_path_factory.mktemp("subs"), tmp_path_factory.mktemp("out")
    (folder / "bob.py").write_text((ROOT / "examples" / "bob.py").read_text())
    (folder / "messy.ipynb").write_text(MESSY)
    (folder / "old.ipynb").write_text(_v3(REFERENCE))
    (folder / "broken.ipynb").write_text('{"nbformat": 4, "cells": [')
    run = autograder("grade", folder, "--out", out, "--jobs", "2")
    return run, out


def test_notebooks_and_py_files_are_graded_together(graded):
    run, out = graded
    assert run.returncode == 0, run.stderr
    rows = {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert set(rows) == {"bob.py", "messy.ipynb", "old.ipynb", "broken.ipynb"}
    assert float(rows["bob.py"]["score"]) == 50


def test_what_students_do_to_notebooks_costs_nothing(graded):
    """Magics, shell lines, prose as code, a 10,000-epoch loop, plt.show(), failing cells,
    self-check helpers called in untagged cells."""
    results = json.loads((graded[1] / "messy.json").read_text())
    assert results["score"] == 100, results


def test_an_old_notebook_format_is_graded(graded):
    assert json.loads((graded[1] / "old.json").read_text())["score"] == 100


def test_invalid_json_gets_zero_and_a_clear_message(graded):
    results = json.loads((graded[1] / "broken.json").read_text())
    assert results["score"] == 0 and results["extra_data"]["status"] == "could not load"
    assert "not valid JSON" in results["output"]


def test_one_notebook_gets_results_json(tmp_path):
    path = tmp_path / "linreg.ipynb"
    path.write_text(_nb(code(REFERENCE.replace("x @ w.T + b", "x @ w + b"))))
    run = autograder("grade", path, "--json", tmp_path / "r.json")
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    model = next(t for t in results["tests"] if t["tags"] == ["model.values"])
    assert "cell 1, line 8, in model" in model["output"] and model["score"] == 0
