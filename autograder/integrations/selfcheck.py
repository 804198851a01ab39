"""The students' self-check: the visible checks, with the reference's stored answers.

Two ways in, the same checks and feedback as the grader: `check(path, exercise)` grades a `.py`
file in child processes (used by each exercise's `assignments/NAME/test_M.py`);
`run_checks(globals(), topic)` grades the functions of a live notebook kernel in process (the
notebook's self-check cells). Neither needs the reference, nor nbformat.
"""

from collections.abc import MutableMapping
from pathlib import Path

from autograder.grading import registry
from autograder.grading.checks import Check
from autograder.grading.exercise import Exercise
from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import grade_file
from autograder.grading.report import CheckResult, Report


def visible(exercise: str | None = None) -> tuple[str, ...]:
    """The ids of the checks a student can run: all but the hidden ones."""
    return tuple(c.id for c in registry.get(exercise).checks if not c.hidden)


VISIBLE = visible()
"""The default exercise's (its students' test files import this name)."""


def check(path: Path, exercise: str | None = None) -> Report:
    ex = registry.get(exercise)
    return grade_file(Path(path), expect=Expectations.stored_for(ex), only_visible=True)


def _line(result: CheckResult | None, check: Check) -> list[str]:
    if result is None:
        return [f"  ----  {check.title}: a hidden check, run when your work is graded"]
    if result.passed:
        return [f"  PASS  {check.title}"]
    detail = [f"        {ln}" for ln in result.feedback.splitlines()]
    return [f"  FAIL  {check.title} ({result.outcome.value})", *detail]


def lines(report: Report, topic: str, ex: Exercise | None = None) -> list[str]:
    """What a self-check cell shows for one topic: a verdict per check, feedback when failed."""
    ex = ex or registry.get()
    found = {r.id: r for r in report.results}
    out = [f"Checks of {topic}:"]
    for cid in ex.topics[topic]:
        out += _line(found.get(cid), ex.by_id[cid])
    visible = [found[c] for c in ex.topics[topic] if c in found]
    if all(r.passed for r in visible):
        out.append(f"All {len(visible)} visible checks of {topic} pass.")
    else:
        out.append(f"Stuck? Run hint({topic!r}) for a hint.")
    return out


def _exercise_of(topic: str, exercise: str | None) -> Exercise:
    """The exercise named, or else the one with this topic (the default's first): a notebook
    cell need not say which exercise it belongs to."""
    if exercise:
        return registry.get(exercise)
    default = registry.get()
    if topic in default.topics:
        return default
    having = [ex for ex in registry.every() if topic in ex.topics]
    return having[0] if having else default


def run_checks(namespace: MutableMapping, topic: str, exercise: str | None = None) -> None:
    """Print the visible checks of `topic` on the notebook's own functions.

    Does nothing when the notebook is imported rather than run (the grader imports it as a
    module): a self-check left in a cell can never change a grade.
    """
    ex = _exercise_of(topic, exercise)
    if topic not in ex.topics:
        raise ValueError(f"no checks for {topic!r}: try one of {', '.join(ex.topics)}")
    if namespace.get("__name__") != "__main__":
        return
    from autograder.grading.kernel import grade_namespace

    report = grade_namespace(namespace, expect=Expectations.stored_for(ex), only_visible=True)
    print("\n".join(lines(report, topic, ex)))


def hint(topic: str, exercise: str | None = None) -> None:
    print(_exercise_of(topic, exercise).hint(topic))
