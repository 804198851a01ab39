"""Expected observations for the public cases, stored for the students' self-check.

Generated from the reference by `autograder build-expected`: the self-check can then grade the
visible checks with no reference code on the student's machine. A test fails when it is stale.
"""

import json
from importlib import resources
from pathlib import Path

from autograder.exercises.linreg import cases
from autograder.grading.reference import Reference

FILE = "expected_public.json"


def build(reference: Reference) -> dict[str, dict]:
    return reference.observe(cases.public_cases())


def dumps(observed: dict[str, dict]) -> str:
    return json.dumps(observed, indent=1, sort_keys=True) + "\n"


def path() -> Path:
    return Path(str(resources.files("autograder.exercises.linreg").joinpath(FILE)))


def load() -> dict[str, dict]:
    return json.loads(resources.files("autograder.exercises.linreg").joinpath(FILE).read_text(encoding="utf-8"))
