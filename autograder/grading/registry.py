"""Which exercises there are: every folder of `autograder.exercises` (and of the folders that
AUTOGRADER_EXERCISES names) with an `exercise.py`, found by name, never imported by name here."""

import importlib

from autograder.grading.exercise import Exercise
from autograder.sandbox.folders import exercise_folders

DEFAULT = "linreg"
"""The exercise a command grades when it is not told which: every command of the README's
first pages grades the crop-yield exercise as it always did."""


class UnknownExercise(Exception):
    """No exercise of that name; the message lists those there are."""


def names() -> list[str]:
    return sorted({p.parent.name for folder in exercise_folders()
                   for p in folder.glob("*/exercise.py")})


def get(name: str | None = None) -> Exercise:
    name = name or DEFAULT
    if name not in names():
        raise UnknownExercise(f"no exercise named {name!r}: the exercises are "
                              f"{', '.join(names())} (see `autograder exercises`)")
    return importlib.import_module(f"autograder.exercises.{name}.exercise").EXERCISE


def every() -> list[Exercise]:
    return [get(n) for n in names()]
