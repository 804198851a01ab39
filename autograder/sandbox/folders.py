"""Where the harness and the exercises live, and which of their folders no child may read."""

import os
from pathlib import Path

import autograder

SECRET = "reference"
"""The folder of an exercise's reference solution: inside the harness, but masked in every
child's view."""


EXERCISES_ENV = "AUTOGRADER_EXERCISES"
"""Folders of a course's own exercises (os.pathsep between them), beside the package's."""


def harness() -> Path:
    return Path(autograder.__file__).resolve().parent


def exercise_dirs() -> list[Path]:
    """The folders of exercises outside the package, as AUTOGRADER_EXERCISES names them."""
    named = os.environ.get(EXERCISES_ENV, "").split(os.pathsep)
    return [Path(d).resolve() for d in named if d and Path(d).is_dir()]


def exercise_folders() -> list[Path]:
    """Every folder that holds exercises: the package's, then the course's own."""
    return [harness() / "exercises", *exercise_dirs()]


def secrets_of(folders) -> list[str]:
    """The reference folders of the exercises in `folders` (each folder holds exercises)."""
    return sorted(str(p) for folder in folders for p in Path(folder).glob(f"*/{SECRET}")
                  if p.is_dir())
