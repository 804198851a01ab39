"""Linear regression from scratch: model, mse and train_step on the crop-yield data."""

from pathlib import Path

from autograder.exercises.linreg import cases, checks, data, hints, own_step
from autograder.exercises.linreg.checks import mistakes, policy, training
from autograder.grading.exercise import Alone, Curve, Exercise, topics

_FOLLOWS = {"gradients": "mse", "training": "train_step"}
"""Checks of the whole pipeline, shown after the function they first become possible with."""
FUNCTIONS = ("model", "mse", "train_step")

EXERCISE = Exercise(
    name="linreg",
    title="Linear regression from scratch (model, mse, train_step)",
    module="linreg",
    functions=FUNCTIONS,
    checks=checks.ALL,
    cases=cases.build,
    public_cases=cases.public_cases,
    probes="autograder.exercises.linreg.probes",
    folder=Path(__file__).resolve().parent,
    mistakes=mistakes.NAMES,
    topics=topics(checks.ALL, FUNCTIONS, _FOLLOWS),
    hint=hints.hint,
    # train_step is graded with known-good model and mse in place: its cases run last, after
    # they are put in the child
    alone=Alone(probes=("train_step",), known_good=("model", "mse")),
    curve=Curve("training/public", training.RTOL, step="train_step",
                runs="your model, mse and train_step"),
    shared=("training",),
    own_expected=own_step.expected,
    policies={"from_scratch": policy.CHECK},
    data_code=data.notebook_code(),
)
