"""Grade one submission: cases, children, reference, checks, report. The whole pipeline."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.exercises.linreg import cases as cases_mod
from autograder.exercises.linreg import checks
from autograder.grading import curves
from autograder.grading.checks import Check, Evidence, Outcome, Verdict, values
from autograder.grading.reference import Reference
from autograder.grading.report import CheckResult, Report
from autograder.inputs import submission
from autograder.sandbox.limits import Limits
from autograder.sandbox.runner import RunResult, run_cases
from autograder.sandbox.spawn import Spawner

ISOLATED = ("train_step",)
"""Probes graded with known-good model and mse in place, in a child of their own."""
SUFFIXES = tuple(submission.LOADERS)


@dataclass(frozen=True)
class Expectations:
    """Where the expected observations come from: the reference, or numbers stored for the
    public cases (the students' self-check, which has no reference)."""

    reference: Reference | None = None
    stored: dict | None = None

    def seed(self, source: str) -> int | None:
        return self.reference.seed_for(source) if self.reference else None

    def observe(self, cases: list, observed: dict[str, dict]) -> dict[str, dict]:
        if self.reference:
            return self.reference.observe(cases)
        return {c.id: _own_step_expected(c, observed.get(c.id, {})) or self.stored[c.id]
                for c in cases}

    def known_good(self) -> dict | None:
        return self.reference.known_good() if self.reference else None


def _own_step_expected(case, obs: dict) -> dict | None:
    """Without the reference, a correct step is one that follows the submission's own model
    and mse: the loss at the start, then -lr * gradient, with nothing left in .grad."""
    own = obs.get("own") if case.probe == "train_step" else None
    if not own or own["loss"] is None or "values" not in own["w_grad"]:
        return None
    lr, step = case.args["lr"], {"ret": {"kind": "number", "shape": [], "dtype": "float",
                                          "values": [own["loss"]]}}
    for p in ("w", "b"):
        after = np.asarray(case.args[p]) - lr * values(own[f"{p}_grad"])
        step[p] = {"kind": "tensor", "shape": list(after.shape), "dtype": "float32",
                   "values": after.ravel().tolist()}
    return step


def run_children(source: str, filename: str, cases: list, expect: Expectations,
                 limits: Limits, spawner: Spawner | None) -> RunResult:
    """Two children at once: one for model, mse and training; one for train_step alone."""
    alone = [c for c in cases if c.probe in ISOLATED]
    rest = [c for c in cases if c.probe not in ISOLATED]
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(run_cases, source, filename, rest, limits=limits, spawner=spawner)
        second = pool.submit(run_cases, source, filename, alone, inject=expect.known_good(),
                             limits=limits, spawner=spawner)
        a, b = first.result(), second.result()
    seconds = {phase: a.seconds.get(phase, 0.0) + b.seconds.get(phase, 0.0)
               for phase in {**a.seconds, **b.seconds}}
    return RunResult({**a.observations, **b.observations}, a.load_error or b.load_error,
                     a.output + b.output, a.isolation, a.used | b.used, seconds)


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
    if kind_type == "SyntaxError" or kind_type == "IndentationError":
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
        results.append(CheckResult.of(check, verdict))
    return results, "\n".join(problems)


def plan(expect: Expectations, source: str, *, only_visible: bool,
         rubric: tuple[Check, ...] = checks.ALL) -> tuple[tuple, list]:
    """The checks of `rubric` to judge and the cases they need."""
    selected = tuple(c for c in rubric if not (only_visible and c.hidden))
    case_map = cases_mod.build(expect.seed(source))
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
                  curve=curves.of(run.observations, evidence.expected))


def grade_source(source: str, filename: str, *, expect: Expectations,
                 limits: Limits = Limits(), only_visible: bool = False,
                 spawner: Spawner | None = None,
                 rubric: tuple[Check, ...] = checks.ALL) -> Report:
    """Grade one submission's code against `rubric` (the instructor's settings); its children
    come from `spawner` (default: the warm pool of the strongest sandbox layer here)."""
    selected, wanted = plan(expect, source, only_visible=only_visible, rubric=rubric)
    run = run_children(source, filename, wanted, expect, limits, spawner)
    return judged(filename, selected, wanted, run, expect, source)


def grade_file(path: Path, *, expect: Expectations, limits: Limits = Limits(),
               only_visible: bool = False, spawner: Spawner | None = None,
               rubric: tuple[Check, ...] = checks.ALL) -> Report:
    """Grade the file at `path` (.py or .ipynb); a file that cannot be read still gets a
    report."""
    path = Path(path)
    try:
        sub = submission.load(path)
    except submission.SubmissionError as exc:
        return not_loaded(path.name, rubric, str(exc))
    report = grade_source(sub.source, path.name, expect=expect, limits=limits,
                          only_visible=only_visible, spawner=spawner, rubric=rubric)
    return sub.relabel(report)
