"""The class summary of a batch, for the instructor: how the scores spread, how often each check
passed, and how many students made each named mistake, with one example of what they were told.

Anonymous: no file name appears in it, and an example's quoted student lines are left out.
"""

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.checks import Outcome
from autograder.grading.exercise import Exercise
from autograder.grading.report import Report
from autograder.outputs import pages, plots

STEM = "summary"
"""The summary's files in the batch's folder: summary.md and summary.html."""
BANDS = 10
BAR = "\u2588"
WHERE = re.compile(r"^\s+(?:cell \d+, )?line \d+, in .*(?:\n|$)", re.M)
"""A quoted line of student code in feedback (see `plain.raised`), kept out of examples."""


@dataclass(frozen=True)
class CheckRate:
    id: str
    title: str
    passed: int
    graded: int
    """Submissions that got a verdict on this check (not those the grader failed on)."""

    @property
    def percent(self) -> str:
        return f"{100 * self.passed / self.graded:.0f}%" if self.graded else "-"


@dataclass(frozen=True)
class Mistake:
    id: str
    students: int
    example: str
    """What one of them was told, without file names or their code."""
    name: str = ""
    """The phrase for the instructor (`Exercise.mistakes`)."""


@dataclass(frozen=True)
class ClassSummary:
    scores: tuple[float, ...]
    """One per submission the grader could grade, in the batch's order."""
    max_score: float
    statuses: tuple[tuple[str, int], ...]
    """How many submissions ended with each status: ok, could not load, grader error."""
    checks: tuple[CheckRate, ...]
    mistakes: tuple[Mistake, ...]
    """Commonest first."""

    @property
    def bands(self) -> list[tuple[float, float, int]]:
        """(low, high, students) for ten equal bands; a full score counts in the top one."""
        width = self.max_score / BANDS
        counts = Counter(min(int(s // width), BANDS - 1) for s in self.scores)
        return [(i * width, (i + 1) * width, counts[i]) for i in range(BANDS)]

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else 0.0


def anonymised(feedback: str, submission: str) -> str:
    return WHERE.sub("", feedback).replace(submission, "<submission>").strip()


def _mistakes(reports: list[Report], names: dict[str, str]) -> tuple[Mistake, ...]:
    students, examples = Counter(), {}
    for report in reports:
        told = {}
        for result in report.results:
            if result.mistake:
                told.setdefault(result.mistake, result.feedback)
        students.update(told.keys())  # once per student, however many checks it cost
        for mistake, feedback in told.items():
            examples.setdefault(mistake, anonymised(feedback, report.submission))
    order = list(names)
    ranked = sorted(students, key=lambda m: (-students[m], order.index(m) if m in order else 0))
    return tuple(Mistake(m, students[m], examples[m], names.get(m, m)) for m in ranked)


def summarise(reports: list[Report], exercise: Exercise) -> ClassSummary:
    graded = [r for r in reports if r.status != "grader error"]
    rates = []
    # every check of the rubric, and any the settings added (the policy) after them
    titles = {c.id: c.title for c in exercise.checks} | {x.id: x.title for r in graded
                                                          for x in r.results}
    for cid, title in titles.items():
        results = [x for r in graded for x in r.results
                   if x.id == cid and x.outcome is not Outcome.GRADER_ERROR]
        rates.append(CheckRate(cid, title, sum(x.passed for x in results), len(results)))
    return ClassSummary(tuple(r.score for r in graded),
                        max((r.max_score for r in graded), default=exercise.total),
                        tuple(Counter(r.status for r in reports).items()), tuple(rates),
                        _mistakes(graded, exercise.mistakes))


def _overview(summary: ClassSummary) -> str:
    count = sum(n for _, n in summary.statuses)
    statuses = ", ".join(f"{n} {status}" for status, n in summary.statuses)
    return (f"{count} submissions ({statuses}); mean score {summary.mean:.1f} of "
            f"{summary.max_score:g}.")


def _band(low: float, high: float) -> str:
    return f"{low:g}\u2013{high:g}"


def markdown(summary: ClassSummary) -> str:
    lines = ["# Class summary", "", _overview(summary), "", "## Scores", "",
             "| score | students | |", "|---|--:|---|"]
    lines += [f"| {_band(lo, hi)} | {n} | {BAR * n} |" for lo, hi, n in summary.bands]
    lines += ["", "## Pass rate of each check", "", "| check | passed | rate |", "|---|--:|--:|"]
    lines += [f"| {pages.text(c.title)} (`{pages.text(c.id)}`) | {c.passed}/{c.graded} "
              f"| {c.percent} |" for c in summary.checks]
    lines += ["", "## Named mistakes", ""]
    if not summary.mistakes:
        lines.append("No submission made a mistake the grader can name.")
    else:
        lines += ["| mistake | students |", "|---|--:|"]
        lines += [f"| {pages.text(m.name)} (`{pages.text(m.id)}`) | {m.students} |"
                  for m in summary.mistakes]
    for m in summary.mistakes:
        lines += ["", f"### {pages.text(m.name)}: {_students(m.students)}", "",
                  "One of them was told:", "", pages.fenced(m.example)]
    return "\n".join(lines) + "\n"


def _students(n: int) -> str:
    return f"{n} student{'' if n == 1 else 's'}"


def _table(head: list[str], rows: list[list[str]], numeric: tuple[int, ...]) -> str:
    """An HTML table of cells already escaped; the `numeric` columns aligned right."""

    def row(cells: list[str], tag: str) -> str:
        return "<tr>" + "".join(f'<{tag}{" class=num" if i in numeric else ""}>{c}</{tag}>'
                                for i, c in enumerate(cells)) + "</tr>"

    return "<table>" + row(head, "th") + "".join(row(r, "td") for r in rows) + "</table>"


def html(summary: ClassSummary, histogram: bytes) -> str:
    body = ["<h1>Class summary</h1>", f"<p>{pages.text(_overview(summary))}</p>",
            "<h2>Scores</h2>", f'<figure><img id="histogram" alt="Histogram of the scores" '
            f'src="{pages.data_uri(histogram)}"></figure>',
            "<h2>Pass rate of each check</h2>",
            _table(["check", "passed", "rate"],
                   [[f"{pages.text(c.title)} <code>{pages.text(c.id)}</code>",
                     f"{c.passed}/{c.graded}", c.percent] for c in summary.checks], (1, 2)),
            "<h2>Named mistakes</h2>",
            _table(["mistake", "students", "one of them was told"],
                   [[f"{pages.text(m.name)}<br><code>{pages.text(m.id)}</code>", str(m.students),
                     f"<pre>{pages.text(m.example)}</pre>"] for m in summary.mistakes], (1,))
            if summary.mistakes else "<p>No submission made a mistake the grader can name.</p>"]
    return pages.html_page("Class summary", "\n".join(body))


def write(reports: list[Report], folder: Path, exercise: Exercise) -> tuple[Path, Path]:
    """summary.md and summary.html in `folder`."""
    summary = summarise(reports, exercise)
    return pages.write_pair(Path(folder) / STEM, markdown(summary),
                            html(summary, plots.histogram(summary.bands)))
