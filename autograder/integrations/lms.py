"""A batch's results as a gradebook to import into Canvas or Moodle: one row per student.

The student is named by the submission's file name, through the instructor's regular
expression (a group `id`): a file whose name does not match, a student with two submissions
and a submission the grader failed on are left out and listed, never dropped in silence, and
a grader failure never becomes a 0.

Canvas ("How do I import grades in the Gradebook?", Canvas Instructor Guide; the columns as
the Gradebook exports them): `Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`, then a
column per assignment, `Assignment Name (ID)` for an existing one (a new name makes a new
assignment); the student is found by one of `ID`, `SIS User ID` or `SIS Login ID`, and the
export's second row, `Points Possible`, gives each assignment's points.
Moodle ("Grade import", https://docs.moodle.org/en/Grade_import; grade/import/csv in
moodle/moodle): any columns, mapped at import: a user column ("Map from") to `useridnumber`,
`useremail` or `username` ("Map to"), a column to a grade item; we name them as Moodle's own
export does.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.report import Report
from autograder.outputs import writers


class ExportError(Exception):
    """Bad input for the export (the pattern, the folder): the message says what to change."""


@dataclass(frozen=True)
class Gradebook:
    """One LMS's import format."""

    name: str
    id_columns: tuple[str, ...]
    """The columns that can name the student; the first is the default."""
    fixed: tuple[str, ...] = ()
    """The columns before the assignment's, as the LMS exports them; none: the id column
    alone."""
    points_row: str | None = None
    """The label of a row of points possible under the header, if the format has one."""

    def columns(self, id_column: str) -> tuple[str, ...]:
        return self.fixed or (id_column,)

    def header(self, id_column: str, assignment: str) -> list[str]:
        return [*self.columns(id_column), assignment]

    def row(self, id_column: str, student: str, points: str) -> list[str]:
        return [writers.cell(student) if c == id_column else ""
                for c in self.columns(id_column)] + [points]


CANVAS = Gradebook("canvas", ("SIS Login ID", "SIS User ID", "ID"),
                   fixed=("Student", "ID", "SIS User ID", "SIS Login ID", "Section"),
                   points_row="    Points Possible")  # spelt as Canvas's own export
MOODLE = Gradebook("moodle", ("ID number", "Email address", "Username"))
GRADEBOOKS = {g.name: g for g in (CANVAS, MOODLE)}


def points(value: float) -> str:
    """Points to two decimals, as the report rounds them, without trailing zeros."""
    return f"{round(value, 2):g}"


def pattern(text: str) -> re.Pattern:
    try:
        compiled = re.compile(text)
    except re.error as exc:
        raise ExportError(f"--id-pattern {text!r} is not a regular expression: {exc}") from None
    if "id" not in compiled.groupindex:
        raise ExportError(f"--id-pattern {text!r} has no group named id: write the student's "
                          r"part as (?P<id>...), e.g. '(?P<id>[a-z0-9]+)_linreg\.py'")
    return compiled


@dataclass
class Export:
    """What goes into the gradebook, and what was left out of it and why."""

    grades: dict[str, Report] = field(default_factory=dict)
    """Student id -> their report."""
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """(file, why) for every results file not in the gradebook."""


def read_results(folder: Path) -> list[tuple[Path, Report | None]]:
    """Every results file of a batch (`autograder grade DIR --out folder`), read back; None
    for a JSON file that is not one."""
    if not folder.is_dir():
        raise ExportError(f"no such folder: {folder} (give the folder `autograder grade DIR "
                          "--out FOLDER` wrote)")
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            found.append((path, writers.report_from_gradescope(json.loads(path.read_text(
                encoding="utf-8")))))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            found.append((path, None))
    if not found:
        raise ExportError(f"no results (*.json) in {folder}: grade a folder first, "
                          f"`autograder grade DIR --out {folder}`")
    return found


def collect(results: list[tuple[Path, Report | None]], id_pattern: re.Pattern) -> Export:
    export, seen = Export(), {}
    for path, report in results:
        if report is None:
            export.left_out.append((path.name, "not a results file of `autograder grade`"))
            continue
        match = id_pattern.fullmatch(report.submission)
        if report.status == "grader error":
            export.left_out.append((report.submission, "the grader failed on it (not a 0): "
                                    "grade it again"))
        elif not match or not match.group("id"):
            export.left_out.append((report.submission, "its file name does not match "
                                    "--id-pattern"))
        else:
            seen.setdefault(match.group("id"), []).append(report)
    for student, reports in sorted(seen.items()):
        if len(reports) == 1:
            export.grades[student] = reports[0]
            continue
        names = ", ".join(r.submission for r in reports)
        export.left_out += [(r.submission, f"student {student} has several submissions "
                             f"({names}): keep one") for r in reports]
    return export


def total(export: Export) -> float:
    """The points each grade is out of: the exercise's total, with the settings' points."""
    totals = sorted({r.max_score for r in export.grades.values()})
    if len(totals) > 1:
        told = ", ".join(map(points, totals))
        raise ExportError(f"the results are out of different totals ({told}): grade the "
                          "whole folder again with one set of settings")
    return totals[0] if totals else 0.0


def gradebook_csv(export: Export, book: Gradebook, *, id_column: str, assignment: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(book.header(id_column, assignment))
    if book.points_row is not None:
        blanks = [""] * (len(book.columns(id_column)) - 1)
        writer.writerow([book.points_row, *blanks, points(total(export))])
    for student, report in sorted(export.grades.items()):
        writer.writerow(book.row(id_column, student, points(report.score)))
    return buffer.getvalue()


def export(folder: Path, out: Path, *, lms: str, id_pattern: str, id_column: str | None = None,
           assignment: str) -> Export:
    """Write the gradebook of the batch in `folder` to `out`; what was left out is in the
    result (the caller says so)."""
    book = GRADEBOOKS[lms]
    id_column = id_column or book.id_columns[0]
    if id_column not in book.id_columns:
        raise ExportError(f"{book.name} finds students by {', '.join(book.id_columns)}, "
                          f"not {id_column!r}")
    done = collect(read_results(folder), pattern(id_pattern))
    total(done)  # different totals fail before anything is written
    writers.atomic_write(out, gradebook_csv(done, book, id_column=id_column,
                                            assignment=assignment))
    return done
