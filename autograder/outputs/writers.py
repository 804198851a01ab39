"""Turn reports into files and text: Gradescope results.json, grades.csv, a terminal summary.

Every file is written whole to a temporary name and renamed, so a reader never sees half of one.
"""

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder import __version__
from autograder.grading.checks import Check, Outcome
from autograder.grading.curves import LossCurve
from autograder.grading.exercise import Curve, Exercise
from autograder.grading.report import CheckResult, Report


class CannotWrite(Exception):
    """A file could not be written (no such folder, no space, no right): the same for every
    file after it, so a batch stops on it, with what it wrote before kept."""


def atomic_write(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide results from the instructor's tools
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:  # no half-written file left beside the results (a full disk)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise CannotWrite(f"cannot write {path}: {exc.strerror or exc}") from None


def writable(folder: Path) -> None:
    """Write a file in `folder` (made if need be, and removed again), or raise CannotWrite:
    asked before a batch, so that a wrong --out is told at once, not after every submission
    was graded; and a batch stopped before its first result leaves no empty folder."""
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]  # the deepest first
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".autograder-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        why = "a file, not a folder" if folder.is_file() else exc.strerror or exc
        raise CannotWrite(f"cannot write in {folder}: {why}") from None
    finally:
        for made in missing:
            with contextlib.suppress(OSError):
                made.rmdir()


def _test_extra(result: CheckResult) -> dict:
    extra = {"outcome": result.outcome.value}
    if result.mistake:
        extra["mistake"] = result.mistake
    return extra


def gradescope(report: Report) -> dict:
    """Gradescope's results.json: a test per check, tagged with its id; failed when points
    were lost; hidden checks only after the grades are published."""
    tests = [{"name": r.title, "score": r.points, "max_score": r.max_points,
              "status": "passed" if r.passed else "failed", "output": r.feedback,
              "visibility": r.visibility, "tags": [r.id], "extra_data": _test_extra(r)}
             for r in report.results]
    out = {"score": report.score, "max_score": report.max_score, "tests": tests,
           "visibility": "visible", "stdout_visibility": "hidden",
           "extra_data": {"submission": report.submission, "status": report.status,
                          "grader_version": __version__, "isolation": report.isolation}}
    if report.message:
        out["output"] = report.message
    if report.curve:
        out["extra_data"]["loss_curve"] = report.curve.plain()
    return out


def write_gradescope(report: Report, path: Path, *, key: str | None = None) -> None:
    """`key` identifies what the result was computed from, so a batch can resume."""
    results = gradescope(report)
    if key:
        results["extra_data"]["key"] = key
    atomic_write(Path(path), json.dumps(results, indent=2) + "\n")


def report_from_gradescope(saved: dict, curve: Curve | None = None) -> Report:
    """A report back from our own results.json, for a batch that resumes (`curve`: the
    exercise's, to read its loss curve back)."""
    extra = saved["extra_data"]
    results = tuple(CheckResult(t["tags"][0], t["name"], t["visibility"], t["max_score"],
                                t["score"], Outcome(t["extra_data"]["outcome"]), t["output"],
                                t["extra_data"].get("mistake"))
                    for t in saved["tests"])
    return Report(extra["submission"], results, extra["status"], saved.get("output", ""),
                  isolation=extra.get("isolation", ""),
                  curve=LossCurve.from_plain(extra.get("loss_curve"), curve))


@dataclass(frozen=True)
class ResultFiles:
    """Where a batch keeps its results: each one's results.json, with the key it was made
    with, so an interrupted batch finds what it already has (`grading.batch.Store`)."""

    exercise: Exercise

    def load(self, target: Path, key: str) -> Report | None:
        try:
            saved = json.loads(Path(target).read_text(encoding="utf-8"))
            if saved.get("extra_data", {}).get("key") == key:
                return report_from_gradescope(saved, self.exercise.curve)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def save(self, report: Report, target: Path, key: str) -> None:
        write_gradescope(report, target, key=key)


FORMULA = ("=", "+", "-", "@", "\t")
"""What a spreadsheet takes a cell to begin a formula with (OWASP's CSV injection)."""


def cell(text: str) -> str:
    """A CSV cell of text, never a formula when a spreadsheet opens the file: a file name is
    the student's to choose (`=HYPERLINK(...).py`), and the instructor opens grades.csv in
    Excel. Such a cell gets a leading quote, which the spreadsheet shows as text. Control
    characters are written out (`printable`): a carriage return, which the csv module leaves
    unquoted, made the file unreadable."""
    text = printable(text)
    return "'" + text if text.startswith(FORMULA) else text


def grades_csv(reports: list[Report], rubric: tuple[Check, ...]) -> str:
    """A row per submission, a column per check of `rubric` (then any other a report has)."""
    ids = list(dict.fromkeys([c.id for c in rubric] +
                             [r.id for report in reports for r in report.results]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "score", "max_score", "status", *ids])
    for report in reports:
        points = {r.id: r.points for r in report.results}
        writer.writerow([cell(report.submission), report.score, report.max_score,
                         report.status, *(points.get(i, "") for i in ids)])
    return buffer.getvalue()


def write_csv(reports: list[Report], path: Path, rubric: tuple[Check, ...]) -> None:
    atomic_write(Path(path), grades_csv(reports, rubric))


def write_timings(reports: list[Report], seconds: dict[str, float], path: Path) -> None:
    """How long each submission took to grade (a result reused from an earlier run: the time
    it took to find it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "status", "seconds"])
    for report in reports:
        writer.writerow([cell(report.submission), report.status,
                         f"{seconds.get(report.submission, float('nan')):.4f}"])
    atomic_write(Path(path), buffer.getvalue())


def _points(value: float) -> str:
    return f"{value:g}"


UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters but the tab and the newline, C1's too, and the bidirectional overrides."""


def printable(text: str) -> str:
    """`text` with each character of UNPRINTABLE written as its escape (\\x1b, \\r): what a
    submission says (an exception's message, its file's name) reaches a terminal or a report as
    text, never as the terminal's commands (clear the screen, set its title, write its
    clipboard), a carriage return over a line, or text turned around."""
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def summary(report: Report, *, detail: bool = True) -> str:
    """A readable verdict for the terminal: a line per check, feedback under each loss;
    without `detail`, the score line alone."""
    if not detail:
        return printable(f"{report.submission}: {_points(report.score)}/"
                         f"{_points(report.max_score)} {report.status}")
    lines = [f"{report.submission}: {_points(report.score)}/{_points(report.max_score)}"
             + ("" if report.status == "ok" else f"  [{report.status}]")]
    if report.message:
        lines.append("  " + report.message.replace("\n", "\n  "))
    for r in report.results:
        mark = "PASS" if r.passed else "FAIL"
        lines.append(f"  {mark} {r.id:<21} {_points(r.points):>3}/{_points(r.max_points):<3} "
                     f"{r.title}")
        if not r.passed and not report.message:
            lines.append("       " + r.feedback.replace("\n", "\n       "))
    if report.detail:
        lines.append("  grader: " + report.detail.replace("\n", "\n  grader: "))
    return printable("\n".join(lines))


HIDDEN_FEEDBACK = ("This check runs on inputs drawn at grading time: its points count, and "
                   "its feedback is kept for your instructor.")
"""What a student is told of a hidden check where a service shows every test at once (PrairieLearn,
GitHub Classroom): its feedback may describe the hidden inputs, and would let a student tune
code to them over many attempts; `autograder grade` on the same file gives the instructor the
same report, feedback included."""

VISIBILITY_WORDS = {"visible": "visible", "hidden": "never shown",
                    "after_due_date": "hidden until the due date",
                    "after_published": "hidden until published"}


def rubric_markdown(rubric: tuple[Check, ...]) -> str:
    """The README's rubric table, generated from the checks themselves (and the settings)."""
    rows = ["| check | points | visibility | what earns the points |", "|---|---|---|---|"]
    rows += [f"| `{c.id}` | {c.points:g} | {VISIBILITY_WORDS[c.visibility]} "
             f"| {c.description} |" for c in rubric]
    rows.append(f"| **total** | **{sum(c.points for c in rubric):g}** | | |")
    return "\n".join(rows)
