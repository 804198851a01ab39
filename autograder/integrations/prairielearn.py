"""PrairieLearn: the grading run inside an external grader's container.

PrairieLearn's "External Grading" documentation (docs/externalGrading.md in
PrairieLearn/PrairieLearn; https://prairielearn.readthedocs.io/en/latest/externalGrading/):
the student's files are copied to `/grade/student`, the question's `tests/` folder to
`/grade/tests`, and the job must write `/grade/results/results.json` (whose folder is not made
for it). Gradable results need one key, `score`, a fraction in [0, 1]; `"gradable": false`
marks input that is "invalid or formatted incorrectly, for example if it has a syntax error":
no points are awarded or lost and no attempt is charged, with `format_errors` saying why.
`<pl-external-grader-results>` renders `message`, `output` and `tests`, each test with
`name`, `description`, `points`, `max_points`, `message` and `output`. The file is limited to
1 MB. The root is `/grade`, or $AUTOGRADER_PL_ROOT (a test mimics the layout in a folder).
"""

import json
import os
import sys
from pathlib import Path

from autograder import __version__
from autograder.grading import registry, settings
from autograder.grading.checks import Check
from autograder.grading.expectations import Expectations
from autograder.grading.report import CheckResult, Report
from autograder.integrations.gradescope import grade_upload
from autograder.outputs import writers
from autograder.outputs.writers import HIDDEN_FEEDBACK
from autograder.sandbox import pool

ROOT_VARIABLE = "AUTOGRADER_PL_ROOT"
DEFAULT_ROOT = Path("/grade")
GRADER_FAILED = ("The grader could not grade this submission; it was not counted as an "
                 "attempt. Your instructor has been told.")


def _test(result: CheckResult, check: Check | None) -> dict:
    visible = result.visibility == "visible"
    test = {"name": result.title, "points": result.points, "max_points": result.max_points,
            "message": "Passed" if result.passed else result.outcome.value.capitalize(),
            "output": result.feedback if visible else HIDDEN_FEEDBACK}
    if check is not None:
        test["description"] = check.description
    return test


def _not_gradable(report: Report, why: str, *, format_error: bool) -> dict:
    out = {"gradable": False, "message": why, "extra_data": _extra(report)}
    if format_error:  # the documented place for what is wrong with the student's input
        out["format_errors"] = [why]
    return out


def _extra(report: Report) -> dict:
    """Not rendered by PrairieLearn (the docs allow any further data): for the instructor."""
    return {"submission": report.submission, "status": report.status,
            "grader_version": __version__, "isolation": report.isolation}


def results(report: Report, rubric: tuple[Check, ...] = ()) -> dict:
    """PrairieLearn's results.json for `report`; `rubric` gives each test its description.
    The submission's own printed output is never included: PrairieLearn would show it to the
    student, and code can print the hidden inputs it is called with."""
    if report.status == "could not load":
        return _not_gradable(report, report.message, format_error=True)
    if report.status != "ok" or report.max_score <= 0:
        return _not_gradable(report, GRADER_FAILED, format_error=False)
    checks = {c.id: c for c in rubric}
    return {"gradable": True, "score": min(1.0, max(0.0, report.score / report.max_score)),
            "message": f"{report.score:g} of {report.max_score:g} points.",
            "tests": [_test(r, checks.get(r.id)) for r in report.results],
            "extra_data": _extra(report)}


def _failed(exc: Exception) -> dict:
    """The grader's failure, never the student's: not gradable, and one line for the
    instructor's log (stdout, which PrairieLearn may show, gets no detail)."""
    print(f"autograder: the grader failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    return results(Report("submission", (), "grader error", GRADER_FAILED))


def _lock(folder: Path) -> None:
    """The question's tests/ (the reference, the settings) are root's alone when student code
    runs as an unprivileged user (the sandbox's user layer), as setup.sh does for Gradescope."""
    if folder.is_dir() and os.geteuid() == 0:
        folder.chmod(0o700)


def _grade(root: Path, exercise_name: str | None) -> tuple[Report, tuple[Check, ...]]:
    exercise = registry.get(exercise_name)
    tests = root / "tests"
    _lock(tests)
    chosen = settings.load(settings.find(tests) if tests.is_dir() else None, exercise)
    given = tests / f"{exercise.module}.py"
    report, _ = grade_upload(root / "student", exercise, rubric=chosen.rubric(),
                          limits=chosen.limits, expect=lambda: Expectations.observed(
                              exercise, given if given.is_file() else None,
                              spawner=pool.default()))
    return report, chosen.rubric()


def run(root: Path, exercise_name: str | None = None) -> int:
    """Grade the files under `root`/student and write `root`/results/results.json, whatever
    happens; 0 when the submission was graded (or was not a submission). A grader failure is
    written as not gradable (1), never as a student's 0."""
    status = 0
    try:
        report, rubric = _grade(root, exercise_name)
        out = results(report, rubric)
        print(writers.summary(report, detail=False))
    except Exception as exc:  # the grader's own, never the student's
        out, status = _failed(exc), 1
    writers.atomic_write(root / "results" / "results.json", json.dumps(out, indent=2) + "\n")
    return status


def default_root() -> Path:
    return Path(os.environ.get(ROOT_VARIABLE, DEFAULT_ROOT))
