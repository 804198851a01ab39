"""GitHub Classroom: the grading step of an assignment repository's workflow, on every push.

GitHub Classroom's autograding runs a workflow (`.github/workflows/classroom.yml`) whose
grading steps each leave a `result` output: base64 of a runner's JSON, `{"version": 1,
"status": "pass" | "fail" | "error", "max_score": N, "tests": [{"name", "status", "score",
"message", ...}]}`. Its reporter (classroom-resources/autograding-grading-reporter, src/main.js
and src/notify-classroom.js) reads `<ID>_RESULTS` for each runner id it is given, adds up the
tests' `score` over the runners that have a `max_score`, and sends the total to Classroom. So
one step here gives every check its own points. Beside the output, the step writes the job's
summary (`$GITHUB_STEP_SUMMARY`, a Markdown table), an annotation per check that lost points
(workflow commands on stdout), and exits 1 when points were lost, 0 when none were.

The workflow runs in the student's own repository: the student can read it, and change it. So
nothing here is secret: hidden checks' feedback and the submission's prints are never written,
and without a reference (the usual case: it must never be committed to a student's repository)
only the visible checks are graded, with the reference's stored answers, as the students'
self-check does. An instructor's grade of record comes from a batch of the collected
repositories (`autograder grade`).
"""

import base64
import json
import os
import sys
import time
from pathlib import Path

from autograder.grading import reference, registry
from autograder.grading.exercise import Exercise
from autograder.grading.expectations import Expectations
from autograder.grading.report import CheckResult, Report
from autograder.integrations.gradescope import grade_upload
from autograder.outputs.writers import HIDDEN_FEEDBACK
from autograder.sandbox import pool
from autograder.sandbox.limits import Limits

WORKFLOW = Path(__file__).with_name("classroom.yml")
"""The workflow template an assignment repository copies to .github/workflows/."""
RUNNER = "autograder"
"""The step's id in the workflow, which the reporter is given as its runner."""
GRADER_FAILED = ("The grader could not grade this push; no points were sent. Your instructor "
                 "has been told.")


def _test(result: CheckResult) -> dict:
    shown = result.feedback if result.visibility == "visible" else HIDDEN_FEEDBACK
    return {"name": result.title, "status": "pass" if result.passed else "fail",
            "score": result.points, "message": shown, "test_code": result.id,
            "filename": "", "line_no": 0, "execution_time": ""}


def runner_result(report: Report) -> dict:
    """The runner's JSON the reporter reads. A grader failure sends no points at all (no
    `max_score`: the reporter leaves the runner out of the total), never a student's 0."""
    if report.status not in ("ok", "could not load"):
        return {"version": 1, "status": "error", "max_score": 0,
                "tests": [{"name": "grading", "status": "error", "score": 0,
                           "message": GRADER_FAILED}]}
    tests = [_test(r) for r in report.results]
    if report.status == "could not load":
        tests = [{**t, "message": report.message} for t in tests]
    return {"version": 1, "status": "pass" if report.score >= report.max_score else "fail",
            "max_score": report.max_score, "tests": tests}


def _escape(text: str, *, prop: bool = False) -> str:
    """A workflow command's data (and, with `prop`, a property), escaped as GitHub's
    toolkit does: one line, whatever the feedback holds."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotations(report: Report, filename: str) -> list[str]:
    """A warning on the submission for each check that lost points."""
    if report.status == "could not load":
        return [f"::error file={_escape(filename, prop=True)},title=Not graded::"
                f"{_escape(report.message)}"]
    return [f"::warning file={_escape(filename, prop=True)},title={_escape(t['name'], prop=True)}"
            f"::{_escape(t['message'])}" for t in map(_test, report.results)
            if t["status"] != "pass"]


def summary(report: Report) -> str:
    """The job summary: the score and a row per check."""
    lines = [f"## Autograder: {report.score:g} / {report.max_score:g} points", ""]
    if report.status == "could not load":
        lines += [report.message, ""]
    lines += ["| check | points | feedback |", "|---|---:|---|"]
    for t, r in ((_test(r), r) for r in report.results):
        cell = t["message"].replace("|", "\\|").replace("\n", "<br>")
        lines.append(f"| {t['name']} | {r.points:g} / {r.max_points:g} | {cell} |")
    return "\n".join(lines) + "\n"


def _expectations(exercise: Exercise, given: Path | None) -> tuple[Expectations, bool]:
    """The reference when one is given or installed, else the stored public answers (and
    then only the visible checks)."""
    try:
        return Expectations.observed(exercise, given, spawner=pool.default()), False
    except reference.ReferenceError:
        if given is not None:
            raise
        return Expectations.stored_for(exercise), True


def _grade(folder: Path, exercise: Exercise, given: Path | None) -> tuple[Report, str]:
    expect, visible_only = _expectations(exercise, given)
    rubric = tuple(c for c in exercise.checks if not (visible_only and c.hidden))
    report, path = grade_upload(folder, exercise, rubric=rubric, limits=Limits(),
                                expect=lambda: expect)
    return report, str(path.relative_to(folder)) if path else f"{exercise.module}.py"


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)


def run(folder: Path, exercise_name: str | None = None, given: Path | None = None) -> int:
    """Grade the submission in `folder` (the checked-out repository) as a workflow step:
    0 with every point, 1 with points lost or a file that does not load, 2 when the grader
    failed (and then no points are sent)."""
    try:
        report, filename = _grade(folder, registry.get(exercise_name), given)
    except Exception as exc:  # the grader's own, never the student's
        print(f"autograder: the grader failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        report, filename = Report("submission", (), "grader error", GRADER_FAILED), ""
    result = runner_result(report)
    encoded = base64.b64encode(json.dumps(result).encode()).decode()
    _append("GITHUB_OUTPUT", f"result={encoded}\n")
    if result["status"] == "error":
        _append("GITHUB_STEP_SUMMARY", f"## Autograder\n\n{GRADER_FAILED}\n")
    else:
        _append("GITHUB_STEP_SUMMARY", summary(report))
        for line in annotations(report, filename):
            print(line)
    print(f"{report.submission}: {report.score:g}/{report.max_score:g} "
          f"({time.strftime('%Y-%m-%d %H:%M:%S')})")
    return {"pass": 0, "fail": 1}.get(result["status"], 2)
