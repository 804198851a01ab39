"""A student's folder and the one file in it to grade: a service's upload (Gradescope), a
repository (GitHub Classroom, on a push and in the instructor's batch of the collected
repositories), or a folder of a batch (an export with a folder per student).

One rule for all of them, so that a batch of the collected repositories grades the very file
each push graded.
"""

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from autograder.inputs import submission, syntax


class Named(Protocol):
    """What of an exercise the choice reads (`grading.exercise.Exercise`)."""

    module: str
    functions: tuple[str, ...]


SKIPPED = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")
"""Folders of copies, never the student's work: a Mac's archive, Jupyter's checkpoints."""


def _candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.suffix in submission.LOADERS and not p.name.startswith(".")
                  and not set(p.relative_to(folder).parts) & set(SKIPPED))


def _stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function is still the release's stub: its body (past a docstring) begins
    with `raise NotImplementedError`, or is only `pass` or `...`."""
    body = syntax.past_docstring(function.body)
    if not body or all(isinstance(s, ast.Pass) or isinstance(s, ast.Expr) and isinstance(
            s.value, ast.Constant) and s.value.value is Ellipsis for s in body):
        return True
    raised = body[0].exc if isinstance(body[0], ast.Raise) else None
    raised = raised.func if isinstance(raised, ast.Call) else raised
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def attempted(path: Path, functions: tuple[str, ...]) -> int:
    """How many of `functions` the file defines beyond their stubs (the last definition of
    each, as it runs); every one when it does not parse (a stub parses: a student edited it),
    none when it cannot be read."""
    try:
        tree = syntax.parse(submission.load(path, functions).source)
    except submission.SubmissionError:
        return 0
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return len(functions)
    defined = sorted((node for node in ast.walk(tree) if isinstance(
        node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in functions),
        key=lambda node: (node.lineno, node.col_offset))
    last = {node.name: node for node in defined}  # in the order they run: the last one stays
    return sum(not _stub(node) for node in last.values())


SHOWN = 5
"""Files named in `find`'s message, and in a batch's messages (`some`), at most (a repository
with a virtual environment in it holds thousands)."""


def some(paths: list[Path]) -> str:
    """The first `SHOWN` files' names, then ", ..." if there are more."""
    return ", ".join(p.name for p in paths[:SHOWN]) + (", ..." if len(paths) > SHOWN else "")


def find(folder: Path, exercise: Named) -> tuple[Path | None, str]:
    """The file to grade in `folder` (the only .py or .ipynb in it, or the one named for the
    exercise), or None and why, for the student. Where both the .py and the notebook of the
    exercise's name are there (a repository made from a release that holds both), the one
    the student worked in: the most functions written, the notebook on a tie (as before:
    the first in sorted order)."""
    found = _candidates(folder)
    if len(found) == 1:
        return found[0], ""
    py, nb = f"{exercise.module}.py", f"{exercise.module}.ipynb"
    named = [p for p in found if p.name in (py, nb)]
    if len(named) == 1:
        return named[0], ""
    if named:  # max keeps the first of a tie: the notebook (sorted, .ipynb < .py)
        return max(named, key=lambda p: attempted(p, exercise.functions)), ""
    if not found:
        return None, f"No .py or .ipynb file was found in your submission: upload {py} or {nb}."
    names = ", ".join(p.relative_to(folder).as_posix() for p in found[:SHOWN])
    more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
    return None, (f"Your submission holds several files ({names}{more}) and none is named "
                  f"{py} or {nb}: upload only the one to grade.")


FOLDER_LINK = ("Your submission is a symbolic link to a folder, not a folder: submit the "
               "folder itself (the grader never reads through a link).")


@dataclass(frozen=True)
class Upload:
    """What a batch was given for one student: a file, or a folder and the file in it."""

    path: Path
    """The file or the folder, as the batch found it."""
    file: Path | None
    """The file to grade; None when there is none (`why` says so)."""
    why: str = ""

    @property
    def label(self) -> str:
        """The submission as the instructor names it: the file's name, or the folder's with the
        file's place in it (`alice/linreg.py`; `alice/` when there is none to grade)."""
        if self.file == self.path:
            return self.path.name
        inside = self.file.relative_to(self.path).as_posix() if self.file else ""
        return f"{self.path.name}/{inside}"


def of(path: Path, exercise: Named) -> Upload:
    """The upload at `path`: a file is graded as it is; a folder is searched (`find`), never
    through a link (a link to a folder could lead the search anywhere on the machine)."""
    path = Path(path)
    if not path.is_dir():
        return Upload(path, path)
    if path.is_symlink():
        return Upload(path, None, FOLDER_LINK)
    try:
        return Upload(path, *find(path, exercise))
    except OSError as exc:  # a folder the grader may not read
        return Upload(path, None, f"Your folder could not be read ({type(exc).__name__}).")


RESULTS_MARK = "grades.csv"
"""A folder that holds one is a batch's results (`autograder grade --out`), never a student's."""


def listed(folder: Path, results: Path | None = None) -> list[Path]:
    """The submissions of a batch's folder: each .py or .ipynb file in it, and each folder in
    it, one a student's (an export with a folder per student, the collected repositories),
    but for folders of copies (`SKIPPED`), hidden ones and results (`results`, the batch's
    own `--out`, and any other batch's: `RESULTS_MARK`)."""
    return sorted(p for p in Path(folder).iterdir() if not p.name.startswith(".") and (
        p.is_file() and p.suffix in submission.LOADERS
        or p.is_dir() and p.name not in SKIPPED and not _results(p, results)))


def left_out(folder: Path) -> list[Path]:
    """The files of a batch's folder that are not submissions (an archive, a PDF, notes):
    told to the instructor, since a student's work in one of them would get no grade."""
    return sorted(p for p in Path(folder).iterdir() if not p.name.startswith(".")
                  and p.is_file() and p.suffix not in submission.LOADERS)


def _results(folder: Path, results: Path | None) -> bool:
    try:
        return (folder / RESULTS_MARK).exists() or (
            results is not None and results.exists() and folder.samefile(results))
    except OSError:
        return False
