"""Notebooks read in the parent: cells, magics, what students do to notebooks."""

import json

import pytest

from autograder.inputs import magics, notebook, submission

FUNCTIONS = ("model", "mse", "train_step")


def _nb(*cells, version: int = 4) -> str:
    return json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {},
                       "cells": list(cells)})


def code(source, **meta) -> dict:
    return {"cell_type": "code", "source": source, "metadata": meta, "outputs": []}


def markdown(source) -> dict:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


def _run(text: str) -> dict:
    scope: dict = {}
    exec(compile(notebook.convert(text, FUNCTIONS).source, "nb", "exec"), scope)
    return scope


def test_magics_and_shell_lines_become_pass_and_keep_their_lines():
    code_ = "%matplotlib inline\nx = 1\n!pip install torch\nfiles = !ls\nmodel?\n  %time y = 2"
    out = magics.neutralise(code_)
    assert len(out.splitlines()) == 6 and "x = 1" in out
    assert [ln.split("#")[0].strip() for ln in out.splitlines()] == [
        "pass", "x = 1", "pass", "pass", "pass", "pass"]


def test_a_shell_cell_magic_is_commented_out_and_a_python_one_kept():
    assert magics.neutralise("%%bash\nrm -rf /\n").splitlines() == ["# %%bash", "# rm -rf /"]
    assert magics.neutralise("%%time\nx = 1").splitlines()[1] == "x = 1"


def test_code_cells_run_in_order_without_selfchecks_tests_or_outputs():
    scope = _run(_nb(markdown("x = 'markdown never runs'"), code("x = 1"),
                     code("x = 2", tags=[notebook.SELFCHECK_TAG]),
                     code("x = 3", nbgrader={"grade": True, "solution": False, "points": 1}),
                     code(["x ", "+= 10\n"], nbgrader={"grade": False, "solution": True})))
    assert scope["x"] == 11


def test_a_failing_cell_does_not_stop_the_next_one(capsys):
    scope = _run(_nb(code("1 / 0"), code("y = 5")))
    assert scope["y"] == 5
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_prose_turned_to_code_is_skipped_but_a_broken_function_is_kept():
    assert _run(_nb(code("This cell was markdown."), code("y = 5")))["y"] == 5
    converted = notebook.convert(_nb(markdown("intro"), code("def model(x, w, b)\n  return x")),
                                 FUNCTIONS)
    with pytest.raises(SyntaxError) as err:
        compile(converted.source, "nb", "exec")
    assert converted.origin[err.value.lineno] == (2, 1)


def test_multiline_strings_keep_their_text():
    text = 's = """a\nb\n  c"""'
    assert _run(_nb(code(text)))["s"] == "a\nb\n  c"


def test_version_3_notebooks_are_read():
    nb = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "heading", "source": "Title", "level": 1, "metadata": {}},
        {"cell_type": "code", "input": "z = 3", "language": "python", "outputs": [],
         "metadata": {}}]}]}
    assert _run(json.dumps(nb))["z"] == 3


@pytest.mark.parametrize("text, words", [
    ("{not json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),  # nested past the parser's reach
    ("[1, 2]", "not a Jupyter notebook"),
    ('{"nbformat": 4, "cells": 3}', "no list of cells"),
    ('{"nbformat": 4, "cells": [5]}', "cell 1 is not a cell"),
    ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": {"a": 1}}]}',
     "cell 1 holds no text where its code should be"),
    ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["x = 1", 5]}]}',
     "cell 1 holds no text where its code should be")])
def test_unreadable_notebooks_say_why(text, words):
    """Each the student's to repair, never the grader's error."""
    with pytest.raises(notebook.NotebookError, match=words):
        notebook.convert(text, FUNCTIONS)


def _of_kernel(language: str, *cells) -> str:
    nb = json.loads(_nb(*cells))
    nb["metadata"] = {"kernelspec": {"name": "ir", "display_name": "R", "language": language},
                      "language_info": {"name": language}}
    return json.dumps(nb)


def test_a_notebook_of_another_languages_kernel_is_told_so():
    text = _of_kernel("R", code("model <- function(x, w, b) {\n  x %*% t(w) + b\n}"))
    with pytest.raises(notebook.NotebookError, match=r"^Your notebook is written for R \(its "
                       r"kernel: R\), and the grader runs its code as Python: none of model, "):
        notebook.convert(text, FUNCTIONS)


def test_python_code_under_another_kernels_name_is_graded_as_python():
    """Only the metadata says R: the functions are there, and they are what is graded."""
    scope = _run(_of_kernel("R", code("def model(x, w, b):\n    return 7\n")))
    assert scope["model"](1, 2, 3) == 7
    _run(_of_kernel("python", code("x = 1")))  # a Python notebook that defines nothing yet


@pytest.mark.parametrize("magic", ["%%writefile linreg.py", "%%file helpers.py"])
def test_functions_only_written_to_a_file_are_told_so(magic):
    """In Jupyter, the next cell's `from linreg import *` finds them; here no cell runs them."""
    text = _nb(markdown("m"), code(f"{magic}\nimport torch\ndef model(x, w, b):\n    return 7"),
               code("from linreg import *"))
    with pytest.raises(notebook.NotebookError, match=r"^Your notebook defines model, mse, "
                       r"train_step only in a %%writefile cell \(cell 2\)"):
        notebook.convert(text, FUNCTIONS)


def test_a_file_written_beside_functions_defined_in_cells_changes_nothing():
    scope = _run(_nb(code("%%writefile notes.txt\ndef model(): nothing"),
                     code("def model(x, w, b):\n    return 7\n")))
    assert scope["model"](1, 2, 3) == 7


def test_a_cell_nested_past_the_parser_is_skipped_as_a_cell_that_does_not_parse():
    deep = "x = " + "-" * 200_000 + "1"  # a MemoryError from the parser, not a SyntaxError
    scope = _run(_nb(code(deep), code("def model(x, w, b):\n    return 7\n")))
    assert scope["model"](1, 2, 3) == 7


FUTURE = "from __future__ import annotations\n"
ANNOTATED = "def model(x: Tensor, w, b):\n    return 7\n"  # Tensor: never defined


@pytest.mark.parametrize("cells", [
    [code(FUTURE + ANNOTATED)],
    [code("import torch"), code(FUTURE), code(ANNOTATED)],  # its own cell, after others
    [code('"""My lab."""\n' + FUTURE + ANNOTATED)],
    [code("from __future__ import (annotations,\n    division)\n" + ANNOTATED)],
    [code('"""é"""; from __future__ import annotations; import torch\n' + ANNOTATED)],
    [code(FUTURE + "from __future__ import division\n" + ANNOTATED)],
], ids=["at the top of the cell", "a cell of its own", "after a docstring", "over two lines",
        "on a line with others", "two"])
def test_a_cell_may_begin_with_a_future_import_as_in_jupyter(cells):
    """It was a syntax error of the whole notebook: a future import must open a module."""
    scope = _run(_nb(*cells))
    assert scope["model"](1, 2, 3) == 7 and scope["model"].__annotations__["x"] == "Tensor"


def test_a_future_import_keeps_every_line_told_as_its_cell():
    converted = notebook.convert(_nb(markdown("m"), code(FUTURE + "a = 1\nb = 2")), FUNCTIONS)
    assert converted.source.startswith(notebook.FUTURES + FUTURE)
    line = next(n for n, (cell, ln) in converted.origin.items() if (cell, ln) == (2, 3))
    assert converted.source.splitlines()[line - 1].strip() == "b = 2"


@pytest.mark.parametrize("before", ["import torch\n", "1\n"])
def test_a_future_import_where_python_refuses_one_is_the_students_syntax_error(before):
    with pytest.raises(SyntaxError, match="from __future__ imports must occur at the beginning"):
        _run(_nb(code(before + FUTURE + ANNOTATED)))  # Jupyter refuses it too


def test_line_numbers_are_told_as_cells():
    converted = notebook.convert(_nb(markdown("m"), code("a = 1\nb = 2")), FUNCTIONS)
    line = next(n for n, (cell, ln) in converted.origin.items() if (cell, ln) == (2, 2))
    sub = submission.Submission(converted.source, converted.origin)
    assert sub.where(f"  line {line}, in <module>: b = 2") == "  cell 2, line 2, in <module>: b = 2"
    assert sub.where(f"syntax error at line {line}: x") == "syntax error at cell 2, line 2: x"


@pytest.mark.parametrize("data, source", [
    (b"\xef\xbb\xbfdef model(x, w, b):\n    pass\n", "def model(x, w, b):\n    pass\n"),
    ("# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1"),
     "# -*- coding: latin-1 -*-\nNAME = 'café'\n"),
], ids=["byte order mark", "coding declaration"])
def test_a_py_file_is_read_as_python_reads_it(data, source, tmp_path):
    """Windows' Notepad saves UTF-8 with a byte order mark: `python linreg.py` runs it, and so
    must the grader (read as plain UTF-8, it was a syntax error at line 1)."""
    path = tmp_path / "linreg.py"
    path.write_bytes(data)
    assert submission.load(path, FUNCTIONS).source == source
    compile(source, "linreg.py", "exec")


@pytest.mark.parametrize("data, words", [
    (b"x = '\xff'\n", r"could not be read as UTF-8 text \(UnicodeDecodeError\)"),
    (b"# coding: klingon\n", "could not be read: unknown encoding: klingon"),
    (b"# coding: ascii\nx = '\xc3\xa9'\n", r"could not be read as ascii text")])
def test_a_py_file_python_could_not_read_says_why(data, words, tmp_path):
    path = tmp_path / "linreg.py"
    path.write_bytes(data)
    with pytest.raises(submission.SubmissionError, match=words):
        submission.load(path, FUNCTIONS)


def test_a_notebook_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "linreg.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + _nb(code("a = 1")).encode())
    assert "a = 1" in submission.load(path, FUNCTIONS).source
