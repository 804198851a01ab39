"""The rubric: every check, in the order students read them."""

from autograder.exercises.linreg.checks import gradients, model, mse, train_step, training
from autograder.grading.checks import Check, Evidence, Outcome, Verdict

ALL: tuple[Check, ...] = (*model.CHECKS, *mse.CHECKS, *gradients.CHECKS, *train_step.CHECKS,
                          *training.CHECKS)
BY_ID = {c.id: c for c in ALL}
TOTAL = sum(c.points for c in ALL)

__all__ = ["ALL", "BY_ID", "TOTAL", "Check", "Evidence", "Outcome", "Verdict"]
