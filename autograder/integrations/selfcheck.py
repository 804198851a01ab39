"""The students' self-check: the visible checks, with the reference's stored answers.

Two ways in, the same checks and feedback as the grader: `check(path)` grades a `.py` file in
child processes (used by `assignments/linreg/test_linreg.py`); `run_checks(globals(), topic)`
grades the functions of a live notebook kernel in process (the notebook's self-check cells).
Neither needs the reference, nor nbformat.
"""

from collections.abc import MutableMapping
from pathlib import Path

from autograder.exercises.linreg import checks, hints
from autograder.grading import expected
from autograder.grading.pipeline import Expectations, grade_file
from autograder.grading.report import CheckResult, Report

VISIBLE = tuple(c.id for c in checks.ALL if not c.hidden)
_FOLLOWS = {"gradients": "mse", "training": "train_step"}
"""Checks of the whole pipeline, shown after the function they first become possible with."""
TOPICS = {t: tuple(c.id for c in checks.ALL if _FOLLOWS.get(c.id.split(".")[0],
                                                          c.id.split(".")[0]) == t)
          for t in ("model", "mse", "train_step")}


def check(path: Path) -> Report:
    return grade_file(Path(path), expect=Expectations(stored=expected.load()), only_visible=True)


def _line(result: CheckResult | None, check: checks.Check) -> list[str]:
    if result is None:
        return [f"  ----  {check.title}: a hidden check, run when your work is graded"]
    if result.passed:
        return [f"  PASS  {check.title}"]
    detail = [f"        {ln}" for ln in result.feedback.splitlines()]
    return [f"  FAIL  {check.title} ({result.outcome.value})", *detail]


def lines(report: Report, topic: str) -> list[str]:
    """What a self-check cell shows for one topic: a verdict per check, feedback when failed."""
    found = {r.id: r for r in report.results}
    out = [f"Checks of {topic}:"]
    for cid in TOPICS[topic]:
        out += _line(found.get(cid), checks.BY_ID[cid])
    visible = [found[c] for c in TOPICS[topic] if c in found]
    if all(r.passed for r in visible):
        out.append(f"All {len(visible)} visible checks of {topic} pass.")
    else:
        out.append(f"Stuck? Run hint({topic!r}) for a hint.")
    return out


def run_checks(namespace: MutableMapping, topic: str) -> None:
    """Print the visible checks of `topic` on the notebook's own functions.

    Does nothing when the notebook is imported rather than run (the grader imports it as a
    module): a self-check left in a cell can never change a grade.
    """
    if topic not in TOPICS:
        raise ValueError(f"no checks for {topic!r}: try one of {', '.join(TOPICS)}")
    if namespace.get("__name__") != "__main__":
        return
    from autograder.grading.kernel import grade_namespace

    report = grade_namespace(namespace, expect=Expectations(stored=expected.load()),
                             only_visible=True)
    print("\n".join(lines(report, topic)))


def hint(topic: str) -> None:
    print(hints.hint(topic))
