"""The rubric: every check, in the order students read them."""

from autograder.exercises.linreg_builtins.checks import (
    evaluate,
    fit,
    make_loader,
    make_model,
    training,
)
from autograder.grading.checks import Check

ALL: tuple[Check, ...] = (*make_loader.CHECKS, *make_model.CHECKS, *fit.CHECKS,
                          *evaluate.CHECKS, *training.CHECKS)
