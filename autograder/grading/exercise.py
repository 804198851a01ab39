"""What an exercise is to the engine: one folder's answers to every question the engine asks.

The engine never names an exercise's functions: it reads them here. An exercise's folder holds
an `exercise.py` whose `EXERCISE` is one of these (see the README's "Adding an exercise").
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from autograder.grading.checks import Check
from autograder.sandbox.case import Case
from autograder.sandbox.folders import SECRET


def topics(checks: tuple[Check, ...], functions: tuple[str, ...],
           follows: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """The self-check's topics: each function's checks (an id starts with its function's
    name), with the checks of a whole pipeline after the function they first become possible
    with (`follows`: the id's first word -> that function)."""
    def topic(check: Check) -> str:
        first = check.id.split(".")[0]
        return follows.get(first, first)

    return {f: tuple(c.id for c in checks if topic(c) == f) for f in functions}


EXPECTED = "expected_public.json"
"""The file, in each exercise's folder, of the reference's stored answers."""


def tensor_cell(name: str, comment: str, rows) -> str:
    """A notebook's code for one data table: `name = torch.tensor([...])`, a row a line."""
    body = "\n".join(f"    [{', '.join(map(repr, row))}]," for row in rows)
    return f"# {comment}\n{name} = torch.tensor([\n{body}\n])"


@dataclass(frozen=True)
class Alone:
    """Probes graded after all the others, with the reference's `known_good` functions in
    place of the student's: one function graded apart from the ones it calls."""

    probes: tuple[str, ...]
    known_good: tuple[str, ...]


@dataclass(frozen=True)
class Curve:
    """Which public case's observation holds a training run's losses ("losses"), and how close
    the student's must stay to the reference's to follow it."""

    case: str
    rtol: float
    step: str = "the training step"
    """What returned each loss, named for the feedback (the student's function)."""
    runs: str = "your code"
    """What ran, for the plot's legend ("your" and the student's functions)."""
    step: str = "the training step"
    """What returned each loss, named for the feedback (the student's function)."""
    runs: str = "your code"
    """What ran, for the plot's legend ("your" and the student's functions)."""


@dataclass(frozen=True)
class Exercise:
    name: str
    """The folder's name: what `--exercise` takes."""
    title: str
    module: str
    """The stem of the students' file (`linreg` -> linreg.py, linreg.ipynb) and the name their
    code is loaded under."""
    functions: tuple[str, ...]
    """What students write, in the order the notebook asks for them."""
    checks: tuple[Check, ...]
    """The rubric, in the order students read it."""
    cases: Callable[[int | None], dict[str, Case]]
    """The public cases, and the secret ones drawn from a seed when one is given."""
    public_cases: Callable[[], list[Case]]
    probes: str
    """The module, importable in the child, whose `PROBES` maps a case's probe to a function
    (Caller, args) -> plain observation."""
    folder: Path
    mistakes: dict[str, str]
    """Every misconception a check can name, by id (the generic ones included)."""
    topics: dict[str, tuple[str, ...]]
    """The self-check's topics (a function each) and the checks each shows."""
    hint: Callable[[str], str]
    alone: Alone | None = None
    curve: Curve | None = None
    shared: tuple[str, ...] = ()
    """Probes whose secret cases come from a few fixed starts, so the reference's observation
    of each is made once per batch, not once per submission."""
    own_expected: Callable[[Case, dict], dict | None] | None = None
    """Without the reference (the self-check): an expected observation from the submission's
    own observation, where the exercise can make one; None otherwise."""
    policies: dict[str, Check] = field(default_factory=dict)
    """Checks off unless the instructor's settings switch them on, by their settings name."""
    data_code: str = ""
    """The data cell of the students' notebook."""

    @cached_property
    def by_id(self) -> dict[str, Check]:
        return {c.id: c for c in self.checks}

    @property
    def total(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def reference_path(self) -> Path:
        return self.folder / SECRET / f"{self.module}.py"

    @property
    def template_path(self) -> Path:
        return self.folder / "template.py"

    @property
    def expected_path(self) -> Path:
        """The reference's stored answers on the public cases, for the students' self-check."""
        return self.folder / EXPECTED
