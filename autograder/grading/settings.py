"""The instructor's settings, in one file: points and visibility per check, limits, and the
"from scratch" policy. Read from `autograder.toml`, or from `[tool.autograder]` in a course's
`pyproject.toml`; every key is validated, and a bad one is named with the reason.

    [points]                      # any check id; the total is the sum
    "train_step.no_grad" = 15
    [visibility]                  # visible, hidden, after_due_date or after_published
    "model.hidden" = "visible"
    [limits]                      # the fields of `Limits`
    case_seconds = 20
    [policy.from_scratch]         # off unless enabled
    enabled = true
    points = 10
"""

import dataclasses
import difflib
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import registry
from autograder.grading.checks import Check
from autograder.grading.exercise import Exercise
from autograder.sandbox.limits import Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILENAMES = ("autograder.toml", "pyproject.toml")
"""Looked for in the current folder, in this order, when no file is named."""
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
"""Gradescope's visibilities."""
SECTIONS = ("points", "visibility", "limits", "policy")


class SettingsError(Exception):
    """A settings file that cannot be used; the message names the file, the key and why."""


@dataclass(frozen=True)
class Policy:
    """One of the exercise's policies (`Exercise.policies`: the crop-yield exercise's "from
    scratch" flags PyTorch's optimisers, nn.Linear, nn.MSELoss and F.mse_loss), off unless
    enabled. Separate from the behaviour checks, which never depend on it."""

    enabled: bool = False
    points: float | None = None
    """None: the policy check's own points."""
    visibility: str | None = None


@dataclass(frozen=True)
class Settings:
    points: dict[str, float] = field(default_factory=dict)
    """Points per check id, where they differ from the checks' own."""
    visibility: dict[str, str] = field(default_factory=dict)
    """Visibility per check id, where it differs from the checks' own."""
    limits: Limits = Limits()
    policies: dict[str, Policy] = field(default_factory=dict)
    """By the policy's name; a policy not named here is off."""
    path: Path | None = None
    """Where they were read from; None for the defaults."""
    exercise: Exercise = field(default_factory=registry.get)

    def rubric(self) -> tuple[Check, ...]:
        """The exercise's checks with these points and visibilities, then its enabled
        policies' checks."""
        extra = tuple(dataclasses.replace(
            check, points=check.points if chosen.points is None else chosen.points,
            visibility=chosen.visibility or check.visibility)
            for name, check in self.exercise.policies.items()
            if (chosen := self.policies.get(name, Policy())).enabled)
        return tuple(dataclasses.replace(c, points=self.points.get(c.id, c.points),
                                         visibility=self.visibility.get(c.id, c.visibility))
                     for c in self.exercise.checks) + extra


def find(folder: Path | None = None) -> Path | None:
    """The settings file of the current folder, if it has one."""
    folder = folder or Path.cwd()
    for name in FILENAMES:
        path = folder / name
        if path.is_file() and (name != "pyproject.toml" or "autograder" in _tool(path)):
            return path
    return None


def _tool(path: Path) -> dict:
    return _toml(path).get("tool", {})


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None


def load(path: Path | None, exercise: Exercise | None = None) -> Settings:
    """The settings in `path` (None: the defaults) for `exercise` (default: the default one)."""
    exercise = exercise or registry.get()
    if path is None:
        return Settings(exercise=exercise)
    path = Path(path)
    if not path.is_file():
        raise SettingsError(f"{path}: no such settings file")
    table = _toml(path)
    if path.name == "pyproject.toml":
        table = table.get("tool", {}).get("autograder")
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: has no [tool.autograder] table")
    prefix = "[tool.autograder." if path.name == "pyproject.toml" else "["
    return _Reader(path, prefix, exercise).read(table)


def _near(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class _Reader:
    path: Path
    prefix: str
    """How a section is spelt in this file: "[" or "[tool.autograder."."""
    exercise: Exercise

    def fail(self, where: str, why: str) -> SettingsError:
        return SettingsError(f"{self.path}: {where}: {why}")

    def section(self, table: dict, name: str) -> tuple[str, dict]:
        where = f"{self.prefix}{name}]"
        value = table.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(where, "must be a table of keys and values")
        return where, value

    def read(self, table: dict) -> Settings:
        for name in table:
            if name not in SECTIONS:
                raise self.fail(f"{self.prefix}{name}]", "unknown section; the sections are "
                                f"{', '.join(SECTIONS)}{_near(name, SECTIONS)}")
        return Settings(self.points(table), self.visibility(table), self.limits(table),
                        self.policies(table), self.path, self.exercise)

    def check_id(self, where: str, key: str) -> None:
        if key not in self.exercise.by_id:
            raise self.fail(f"{where} {key!r}", "no such check; the checks are listed by "
                            f"`autograder rubric`{_near(key, self.exercise.by_id)}")

    def points(self, table: dict) -> dict[str, float]:
        where, section = self.section(table, "points")
        for key, value in section.items():
            self.check_id(where, key)
            self.number(f"{where} {key!r}", value, minimum=0)
        return dict(section)

    def visibility(self, table: dict) -> dict[str, str]:
        where, section = self.section(table, "visibility")
        for key, value in section.items():
            self.check_id(where, key)
            self.choice(f"{where} {key!r}", value)
        return dict(section)

    def number(self, where: str, value, *, minimum: float, integer: bool = False) -> None:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise self.fail(where, f"{value!r} is not {'an integer' if integer else 'a number'}")
        if math.isnan(value):
            raise self.fail(where, f"{value!r} is not a number")
        if value < minimum or (minimum > 0 and value == 0):
            raise self.fail(where, f"{value!r} must be {'positive' if minimum else '0 or more'}")

    def choice(self, where: str, value) -> None:
        if value not in VISIBILITIES:
            raise self.fail(where, f"{value!r} is not a visibility; use one of "
                            f"{', '.join(VISIBILITIES)}")

    def limits(self, table: dict) -> Limits:
        where, section = self.section(table, "limits")
        fields = {f.name: f for f in dataclasses.fields(Limits)}
        for key, value in section.items():
            if key not in fields:
                raise self.fail(f"{where} {key!r}", "unknown limit; the limits are "
                                f"{', '.join(fields)}{_near(key, fields)}")
            self.number(f"{where} {key!r}", value, minimum=1e-9,
                        integer=fields[key].type in (int, "int"))
        return Limits(**section)

    def policies(self, table: dict) -> dict[str, Policy]:
        where, section = self.section(table, "policy")
        known = list(self.exercise.policies)
        for key in section:
            if key not in known:
                raise self.fail(f"{where} {key!r}", "unknown policy; " + (
                    f"the one policy is {known[0]}" if len(known) == 1 else
                    f"the policies are {', '.join(known)}" if known else
                    f"the exercise {self.exercise.name} has none"))
        return {name: self.policy(name, section[name]) for name in section}

    def policy(self, name: str, scratch) -> Policy:
        where = f"{self.prefix}policy.{name}]"
        if not isinstance(scratch, dict):
            raise self.fail(where, "must be a table of keys and values")
        known = {f.name for f in dataclasses.fields(Policy)}
        for key in scratch:
            if key not in known:
                raise self.fail(f"{where} {key!r}", f"unknown key; the keys are "
                                f"{', '.join(sorted(known))}{_near(key, known)}")
        if not isinstance(scratch.get("enabled", False), bool):
            raise self.fail(f"{where} 'enabled'", "must be true or false")
        self.number(f"{where} 'points'", scratch.get("points", 0), minimum=0)
        self.choice(f"{where} 'visibility'", scratch.get("visibility", "visible"))
        return Policy(**scratch)
