"""The result of grading one submission: small dataclasses, totals derived, never stored."""

from dataclasses import dataclass, field

from autograder.grading.checks import Check, Outcome, Verdict
from autograder.grading.curves import LossCurve


@dataclass(frozen=True)
class CheckResult:
    id: str
    """The check's stable id."""
    title: str
    visibility: str
    max_points: float
    points: float
    outcome: Outcome
    feedback: str
    """For the student; names the mistake, never the expected values."""
    mistake: str | None = None
    """The id of the misconception named (`checks.mistakes.NAMES`), or None."""

    @classmethod
    def of(cls, check: Check, verdict: Verdict) -> "CheckResult":
        return cls(check.id, check.title, check.visibility, check.points,
                   round(check.points * verdict.earned, 2), verdict.outcome, verdict.feedback,
                   verdict.mistake)

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points


@dataclass(frozen=True)
class Report:
    submission: str
    """The file graded, as the instructor named it."""
    results: tuple[CheckResult, ...]
    status: str = "ok"
    """ok, could not load, or grader error: separate from the score."""
    message: str = ""
    """A plain sentence for the student when status is not ok."""
    detail: str = ""
    """For the instructor only: what went wrong in the grader, if anything."""
    output: str = field(default="", repr=False)
    """The submission's own printed output (capped); shown to the instructor, never parsed."""
    isolation: str = ""
    """The sandbox layers the submission ran under, so the instructor knows what held."""
    curve: LossCurve | None = field(default=None, repr=False)
    """The public training run's losses beside the reference's, for the feedback report's
    plot; None when the submission did not get that far."""

    @property
    def score(self) -> float:
        return round(sum(r.points for r in self.results), 2)

    @property
    def max_score(self) -> float:
        return sum(r.max_points for r in self.results)

    def result(self, check_id: str) -> CheckResult:
        return next(r for r in self.results if r.id == check_id)
