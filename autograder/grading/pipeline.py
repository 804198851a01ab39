"""Grade one submission: cases, children, reference, checks, report. The whole pipeline."""

import dataclasses
from pathlib import Path

from autograder.grading import curves
from autograder.grading.checks import Check, Evidence, Outcome, Verdict
from autograder.grading.expectations import Expectations
from autograder.grading.report import CheckResult, Report
from autograder.inputs import submission
from autograder.sandbox.limits import Limits
from autograder.sandbox.runner import RunResult, run_cases
from autograder.sandbox.spawn import Spawner

SUFFIXES = tuple(submission.LOADERS)


def run_children(source: str, filename: str, cases: list, expect: Expectations,
                 limits: Limits, spawner: Spawner | None) -> RunResult:
    """One child loads the submission once (its top level runs once, as in the student's
    notebook) and runs every case; the probes graded alone (`Exercise.alone`) come last, with
    the reference's known-good functions in place of the student's."""
    ex = expect.exercise
    isolated = ex.alone.probes if ex.alone else ()
    inject = expect.known_good() if any(c.probe in isolated for c in cases) else None
    return run_cases(source, filename, cases, probes=ex.probes, module=ex.module,
                     functions=ex.functions, inject=inject, alone=isolated, limits=limits,
                     spawner=spawner)


def load_message(error: dict) -> str:
    """Why the submission could not be loaded, in a sentence for the student."""
    kind, kind_type = error.get("kind"), error.get("type")
    if kind == "timeout":
        return ("Your file took too long to load. Code at the top level runs when it is "
                "imported: remove long training loops or input() calls from it.")
    if kind == "memory":
        return "Your file used more memory than allowed while it was being loaded."
    if kind == "crashed":
        return "Your file ended the Python process while it was being loaded."
    if kind_type in ("SyntaxError", "IndentationError", "TabError"):
        return (f"Your file has a syntax error at line {error.get('line')}: "
                f"{error.get('message')}\n  {error.get('text', '')}")
    if kind_type == "ModuleNotFoundError":
        return f"Your file imports a module that is not available: {error.get('message')}"
    if kind_type == "SystemExit":
        return "Your file calls sys.exit() or exit() while it is loaded: remove that call."
    where = "\n  ".join(error.get("where", []))
    return f"Your file raised {kind_type}: {error.get('message')} while it was loaded.\n  {where}"


def _judge(evidence: Evidence, selected: tuple) -> tuple[list[CheckResult], str]:
    results, problems = [], []
    for check in selected:
        try:
            verdict = check.judge(evidence)
        except Exception as exc:  # a bug in a check is the grader's, never the student's
            verdict = Verdict(Outcome.GRADER_ERROR, "This check could not be run; your "
                              "instructor has been told.")
            problems.append(f"{check.id}: {exc!r}")
        evidence.verdicts[check.id] = verdict
        results.append(CheckResult.of(check, _told_of_subclasses(verdict, check, evidence)))
    return results, "\n".join(problems)


def _told_of_subclasses(verdict: Verdict, check: Check, evidence: Evidence) -> Verdict:
    """A check whose cases saw a torch.Tensor subclass returned says so: it was graded by the
    values it holds (the child made it a plain tensor), whatever its methods claim."""
    names = sorted({n for cid in check.cases
                    for n in evidence.observed.get(cid, {}).get("subclasses", [])
                    if isinstance(n, str)})
    if not names:
        return verdict
    return dataclasses.replace(verdict, feedback=(
        f"{verdict.feedback}\nNote: your code returned {', '.join(names)}, a subclass of "
        "torch.Tensor, not a plain tensor: it was graded by the values it holds, whatever its "
        "methods say. Return plain tensors."))


def plan(expect: Expectations, source: str, *, only_visible: bool,
         rubric: tuple[Check, ...] | None = None) -> tuple[tuple, list]:
    """The checks of `rubric` (default: the exercise's) to judge and the cases they need."""
    rubric = expect.exercise.checks if rubric is None else rubric
    selected = tuple(c for c in rubric if not (only_visible and c.hidden))
    case_map = expect.exercise.cases(expect.seed(source))
    wanted = [case_map[cid] for cid in dict.fromkeys(i for c in selected for i in c.cases)
              if cid in case_map]
    return selected, wanted


def not_loaded(filename: str, selected: tuple, message: str, **extra) -> Report:
    verdict = Verdict(Outcome.NOT_LOADED, message)
    return Report(filename, tuple(CheckResult.of(c, verdict) for c in selected),
                  "could not load", message, **extra)


def judged(filename: str, selected: tuple, wanted: list, run: RunResult,
           expect: Expectations, source: str = "") -> Report:
    """Observations -> verdicts -> report: the same for a child's run and an in-process one."""
    if run.load_error:
        return not_loaded(filename, selected, load_message(run.load_error), output=run.output,
                          isolation=run.isolation)
    evidence = Evidence({c.id: c for c in wanted}, run.observations,
                        expect.observe(wanted, run.observations), {}, source, run.used)
    results, problems = _judge(evidence, selected)
    return Report(filename, tuple(results), "grader error" if problems else "ok",
                  detail=problems, output=run.output, isolation=run.isolation,
                  curve=curves.of(run.observations, evidence.expected, expect.exercise.curve))


def grade_source(source: str, filename: str, *, expect: Expectations,
                 limits: Limits = Limits(), only_visible: bool = False,
                 spawner: Spawner | None = None,
                 rubric: tuple[Check, ...] | None = None) -> Report:
    """Grade one submission's code against `rubric` (the instructor's settings); its children
    come from `spawner` (default: the warm pool of the strongest sandbox layer here)."""
    selected, wanted = plan(expect, source, only_visible=only_visible, rubric=rubric)
    run = run_children(source, filename, wanted, expect, limits, spawner)
    return judged(filename, selected, wanted, run, expect, source)


def grade_file(path: Path, *, expect: Expectations, limits: Limits = Limits(),
               only_visible: bool = False, spawner: Spawner | None = None,
               rubric: tuple[Check, ...] | None = None) -> Report:
    """Grade the file at `path` (.py or .ipynb); a file that cannot be read still gets a
    report."""
    path = Path(path)
    rubric = expect.exercise.checks if rubric is None else rubric
    try:
        sub = submission.load(path, expect.exercise.functions)
    except submission.SubmissionError as exc:
        return not_loaded(path.name, rubric, str(exc))
    report = grade_source(sub.source, path.name, expect=expect, limits=limits,
                          only_visible=only_visible, spawner=spawner, rubric=rubric)
    return relabel(sub, report)


def relabel(sub: submission.Submission, report: Report) -> Report:
    """The report with line numbers told as a notebook's cells, for a notebook."""
    if not sub.origin:
        return report
    results = tuple(dataclasses.replace(r, feedback=sub.where(r.feedback))
                    for r in report.results)
    return dataclasses.replace(report, results=results, message=sub.where(report.message))
