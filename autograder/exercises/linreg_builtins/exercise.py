"""Linear regression with PyTorch's built-ins: make_loader, make_model, fit and evaluate on the
15-region crop-yield data."""

from pathlib import Path

from autograder.exercises.linreg_builtins import cases, checks, data, hints
from autograder.exercises.linreg_builtins.checks import mistakes, training
from autograder.grading.exercise import Curve, Exercise, topics

FUNCTIONS = ("make_loader", "make_model", "fit", "evaluate")
_FOLLOWS = {"training": "fit"}
"""The whole-lesson check, shown after the function it first becomes possible with."""

EXERCISE = Exercise(
    name="linreg_builtins",
    title="Linear regression with PyTorch's built-ins (make_loader, make_model, fit, evaluate)",
    module="linreg_builtins",
    functions=FUNCTIONS,
    checks=checks.ALL,
    cases=cases.build,
    public_cases=cases.public_cases,
    probes="autograder.exercises.linreg_builtins.probes",
    folder=Path(__file__).resolve().parent,
    mistakes=mistakes.NAMES,
    topics=topics(checks.ALL, FUNCTIONS, _FOLLOWS),
    hint=hints.hint,
    curve=Curve("training/public", training.RTOL, step="fit",
                runs="your make_loader, make_model and fit"),
    shared=("training",),
    data_code=data.notebook_code(),
)
