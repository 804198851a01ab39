"""The loss curve of a submission's training run, beside the reference's from the same start.

Only the public run is kept: its start comes from the notebook's own seed, while the secret
run's start must stay secret. The student's losses come from the child, so they are cleaned
here like anything the child sends: whatever is not one finite number becomes None.
"""

import math
from dataclasses import dataclass, field

from autograder.grading.exercise import Curve


def _number(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


@dataclass(frozen=True)
class LossCurve:
    student: tuple[float | None, ...]
    """The loss train_step returned at each epoch; None where it was not one finite number;
    shorter than the reference's when train_step raised."""
    reference: tuple[float, ...]
    """The reference's loss at each epoch, from the same starting weights."""
    spec: Curve = field(default=Curve("", 0.0), compare=False)
    """The exercise's: how close the student's loss must stay to follow the reference's, and
    the names of what ran."""

    @property
    def parts_at(self) -> int | None:
        """The first epoch (counted from 1) where the student's loss leaves the reference's,
        or None when it follows it to the end."""
        for epoch, want in enumerate(self.reference, 1):
            got = self.student[epoch - 1] if epoch <= len(self.student) else None
            if got is None or not math.isclose(got, want, rel_tol=self.spec.rtol):
                return epoch
        return None

    @property
    def stopped(self) -> bool:
        """Whether train_step raised before the last epoch."""
        return len(self.student) < len(self.reference)

    @property
    def parting(self) -> str:
        """Where and how the student's run leaves the reference's, as what "your run" does."""
        at = self.parts_at
        if at is None:
            return f"follows the reference for all {len(self.reference)} epochs"
        if at > len(self.student):
            return f"stops at epoch {at}: {self.spec.step} raised"
        if self.student[at - 1] is None:
            return f"has no finite loss at epoch {at}"
        return f"leaves the reference at epoch {at}"

    def plain(self) -> dict:
        return {"student": list(self.student), "reference": list(self.reference)}

    @classmethod
    def from_plain(cls, saved, spec: Curve | None) -> "LossCurve | None":
        """A curve back from `plain()` (a saved result), or None when there is none."""
        if not isinstance(saved, dict) or spec is None:
            return None
        return _curve(saved.get("student"), saved.get("reference"), spec)


def _curve(student, reference, spec: Curve) -> LossCurve | None:
    if not isinstance(reference, list) or not isinstance(student, list):
        return None
    want = [_number(v) for v in reference]
    if not want or None in want:
        return None
    return LossCurve(tuple(_number(v) for v in student[:len(want)]), tuple(want), spec)


def of(observed: dict[str, dict], expected: dict[str, dict],
       spec: Curve | None) -> LossCurve | None:
    """The public run's curves from both sides' observations, where both ran it; `spec` is
    the exercise's `Curve` (None: the exercise has no training run to draw)."""
    if spec is None:
        return None
    got, want = observed.get(spec.case), expected.get(spec.case)
    if not isinstance(got, dict) or not isinstance(want, dict):
        return None
    return _curve(got.get("losses", []), want.get("losses"), spec)
