"""The one file graded in a student's folder (a Gradescope upload, a repository, a batch's
folder for each student), and what a batch's folder holds for grading."""

import json
from pathlib import Path

import pytest

from autograder.grading import registry
from autograder.inputs import uploads

LINREG = registry.get("linreg")
ROOT = Path(__file__).resolve().parent.parent


def test_several_files_choose_linreg_or_ask_for_one(tmp_path):
    for name in ("a.py", "b.ipynb"):
        (tmp_path / name).write_text("")
    path, why = uploads.find(tmp_path, LINREG)
    assert path is None and "several files (a.py, b.ipynb)" in why
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "linreg.py").write_text("")
    (tmp_path / "linreg.ipynb").write_text("")
    assert uploads.find(tmp_path, LINREG) == (tmp_path / "linreg.ipynb", "")


def test_several_files_are_named_five_at_most(tmp_path):
    for i in range(8):
        (tmp_path / f"f{i}.py").write_text("")
    path, why = uploads.find(tmp_path, LINREG)
    assert path is None and "several files (f0.py, f1.py, f2.py, f3.py, f4.py and 3 more)" in why


def test_the_submission_is_found_by_the_exercises_file_name(tmp_path):
    builtins = registry.get("linreg_builtins")
    for name in ("notes.py", "linreg_builtins.py"):
        (tmp_path / name).write_text("x = 1\n")
    assert uploads.find(tmp_path, builtins) == (tmp_path / "linreg_builtins.py", "")
    (tmp_path / "empty").mkdir()
    path, why = uploads.find(tmp_path / "empty", builtins)
    assert path is None and "upload linreg_builtins.py or linreg_builtins.ipynb" in why


def _notebook(source: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}]})


STUBS = (ROOT / "assignments" / "linreg" / "linreg.py").read_text()
WORKED = (ROOT / "examples" / "alice.py").read_text()


@pytest.mark.parametrize("py, nb, chosen", [
    (STUBS, WORKED, "linreg.ipynb"),  # a release of both, the notebook filled in
    (WORKED, STUBS, "linreg.py"),
    (STUBS, STUBS, "linreg.ipynb"),  # a tie: the notebook, as before
    (WORKED, WORKED, "linreg.ipynb"),
    (STUBS.replace("raise NotImplementedError", "return x @ w.T + b", 1), WORKED,
     "linreg.ipynb"),  # one function against three
    ("def model(x, w, b)\n", STUBS, "linreg.py"),  # it does not parse: a student edited it
])
def test_of_the_py_and_the_notebook_the_one_the_student_worked_in_is_graded(tmp_path, py, nb,
                                                                          chosen):
    (tmp_path / "linreg.py").write_text(py)
    (tmp_path / "linreg.ipynb").write_text(_notebook(nb))
    (tmp_path / "test_linreg.py").write_text("")
    assert uploads.find(tmp_path, LINREG) == (tmp_path / chosen, "")


@pytest.mark.parametrize("body, stub", [
    ('    """Doc."""\n    raise NotImplementedError', True),
    ("    # YOUR CODE HERE\n    raise NotImplementedError()", True),  # nbgrader's
    ('    raise NotImplementedError("write me")\n    return 1', True),
    ("    pass", True),
    ("    ...", True),
    ("    return x", False),
    ('    """Doc."""\n    y = x\n    raise NotImplementedError', False),
    ("    raise ValueError", False),
])
def test_a_stub_is_a_body_that_only_raises_not_implemented_or_passes(tmp_path, body, stub):
    (tmp_path / "linreg.py").write_text(f"def model(x, w, b):\n{body}\n")
    assert uploads.attempted(tmp_path / "linreg.py", ("model", "mse")) == (0 if stub else 1)


def test_the_last_definition_is_the_one_that_counts(tmp_path):
    (tmp_path / "linreg.py").write_text("def model(x):\n    return x\n\n"
                                        "def model(x):\n    raise NotImplementedError\n")
    assert uploads.attempted(tmp_path / "linreg.py", ("model",)) == 0


def test_a_link_counts_as_nothing_written_and_is_never_read(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text(WORKED)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "linreg.py").symlink_to(secret)
    (tmp_path / "sub" / "linreg.ipynb").write_text(_notebook(STUBS))
    assert uploads.attempted(tmp_path / "sub" / "linreg.py", LINREG.functions) == 0
    assert uploads.find(tmp_path / "sub", LINREG) == (tmp_path / "sub" / "linreg.ipynb", "")


def test_a_file_is_graded_as_it_is_under_its_own_name(tmp_path):
    (tmp_path / "alice.py").write_text("")
    upload = uploads.of(tmp_path / "alice.py", LINREG)
    assert (upload.file, upload.why, upload.label) == (tmp_path / "alice.py", "", "alice.py")


def test_a_folder_is_named_with_the_place_of_its_file_or_alone_when_it_has_none(tmp_path):
    (tmp_path / "alice" / "work").mkdir(parents=True)
    (tmp_path / "alice" / "work" / "linreg.ipynb").write_text("")
    (tmp_path / "alice" / "README.md").write_text("")
    alice = uploads.of(tmp_path / "alice", LINREG)
    assert (alice.file, alice.label) == (tmp_path / "alice" / "work" / "linreg.ipynb",
                                         "alice/work/linreg.ipynb")
    (tmp_path / "bob").mkdir()
    bob = uploads.of(tmp_path / "bob", LINREG)
    assert (bob.file, bob.label) == (None, "bob/")
    assert bob.why.startswith("No .py or .ipynb file was found in your submission")


def test_a_link_to_a_folder_is_never_searched(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linreg.py").write_text("")
    (tmp_path / "mallory").symlink_to(tmp_path / "elsewhere")
    mallory = uploads.of(tmp_path / "mallory", LINREG)
    assert (mallory.file, mallory.why, mallory.label) == (None, uploads.FOLDER_LINK, "mallory/")


def test_a_link_to_a_folder_inside_a_students_folder_is_not_followed(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linreg.py").write_text("")
    (tmp_path / "mallory").mkdir()
    (tmp_path / "mallory" / "code").symlink_to(tmp_path / "elsewhere")
    assert uploads.of(tmp_path / "mallory", LINREG).file is None


def test_a_folder_the_grader_cannot_read_says_so(tmp_path, monkeypatch):
    def refuse(folder):  # as rglob does in a folder this process may not list
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(uploads, "_candidates", refuse)
    (tmp_path / "locked").mkdir()
    locked = uploads.of(tmp_path / "locked", LINREG)
    assert (locked.file, locked.label) == (None, "locked/")
    assert locked.why == "Your folder could not be read (PermissionError)."


def test_a_batch_folder_lists_its_files_and_a_folder_per_student_but_no_results_and_tells_the_rest(
        tmp_path):
    for name in ("alice.py", "bob.ipynb", "notes.txt", ".hidden.py"):
        (tmp_path / name).write_text("")
    for folder in ("carol", "dave", ".git", "__MACOSX", "out", "old_results"):
        (tmp_path / folder).mkdir()
    (tmp_path / "old_results" / "grades.csv").write_text("")  # an earlier batch's --out
    listed = uploads.listed(tmp_path, tmp_path / "out")
    assert [p.name for p in listed] == ["alice.py", "bob.ipynb", "carol", "dave"]
    assert "out" in [p.name for p in uploads.listed(tmp_path, tmp_path / "elsewhere")]
    assert [p.name for p in uploads.left_out(tmp_path)] == ["notes.txt"]
