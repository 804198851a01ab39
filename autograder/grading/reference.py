"""The instructor's reference solution: found, loaded and run in the trusted parent only.

The installable package holds no reference code; an exercise's reference lives in its folder's
`reference/` (no package, masked in every child's view), or wherever `--reference` /
AUTOGRADER_REFERENCE points.
"""

import ast
import copy
import hashlib
import importlib
import json
import marshal
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import registry
from autograder.grading.exercise import Exercise
from autograder.inputs import syntax
from autograder.sandbox import carried
from autograder.sandbox.case import Case
from autograder.sandbox.observer import Failed, Gone, Observer, run_module
from autograder.sandbox.warm import quiet_collector

RANDOM = threading.Lock()
"""torch's random state is one per process: the reference's probes, which may draw from it (a
shuffled loader), run one at a time, each from the same reseeded state, whatever the threads."""


class ReferenceError(Exception):
    """The reference could not be found or does not run: a grader problem, never a student's."""


def _frozen(obs: dict) -> bytes | dict:
    """An observation as marshal's bytes, from which marshal.loads makes a copy in a seventh of
    json's time (10 against 70 µs for a training run's; deepcopy takes 120), where the bytes
    give back exactly the same (plain data: numpy's numbers, which marshal would keep as
    bytes, fail the comparison and are deep-copied instead: `carried.exact`)."""
    return carried.exact(obs) or obs


RUNNING = threading.Lock()
"""The reference's module is run once, by whichever thread needs it first."""


@dataclass(frozen=True)
class Reference:
    path: Path
    source: str
    code: object = field(repr=False)
    """The source compiled: its module is run on first use (`module`)."""
    exercise: Exercise = field(default_factory=registry.get, compare=False, repr=False)
    made: dict = field(default_factory=dict, compare=False, repr=False)
    """What many submissions share, made once: the module, the public cases' observations and
    the training runs' (from one of `cases.SECRET_STARTS` starts), and the known-good
    functions."""

    @property
    def module(self):
        with RUNNING:
            if "module" not in self.made:
                self.made["module"] = _run(self.exercise, self.path, self.code)
            return self.made["module"]

    def observe(self, cases: list[Case]) -> dict[str, dict]:
        keys = {case.id: None if case.secret and case.probe not in self.exercise.shared
                else (case.id, json.dumps(case.args, sort_keys=True)) for case in cases}
        # this submission's own cases, and the shared ones not made yet, observed together
        fresh = self._observe([c for c in cases if keys[c.id] is None or keys[c.id] not in
                               self.made])
        observed = {}
        for case in cases:
            key = keys[case.id]
            if key is None:  # this one's alone
                observed[case.id] = fresh[case.id]
                continue
            if key not in self.made:
                self.made[key] = _frozen(fresh[case.id])
            made = self.made[key]  # a copy each time: a check may not spoil the next one's
            observed[case.id] = marshal.loads(made) if isinstance(made, bytes) else \
                copy.deepcopy(made)
        return observed

    def attach(self, observer: Observer) -> None:
        """Observe in `observer` (a process of the warm pool: `sandbox.observer`) rather than
        here, so that this process never imports torch. The reference runs there now: one
        that fails to load fails now, as here. Where the observer is gone, here it is."""
        try:
            observer.start(self.source, str(self.path), _name(self.exercise),
                           self.exercise.probes)
        except Failed as exc:
            observer.close()
            raise ReferenceError(f"the reference at {self.path} failed to load: {exc}") \
                from None
        except Gone:
            observer.close()
            return
        self.made["observer"] = observer

    def close(self) -> None:
        """The observer ends, if there is one."""
        observer = self.made.pop("observer", None)
        if observer is not None:
            observer.close()

    def _observe(self, cases: list[Case]) -> dict[str, dict]:
        """The cases observed, in the attached observer (one request) or here; the first the
        reference fails on, in their order, raises ReferenceError."""
        found = self._there(cases) if cases else {}
        if found is None:
            from autograder.sandbox.calls import Caller, observe_case  # torch: see from_source

            probes = importlib.import_module(self.exercise.probes).PROBES
            found = {}
            for case in cases:
                with RANDOM:
                    found[case.id] = observe_case(probes[case.probe],
                                                  Caller(self.module, str(self.path)),
                                                  case.args)
        for case in cases:
            obs = found[case.id]
            failed = obs.get("error") or obs.get("out", {})
            if failed.get("kind") in {"raised", "missing"}:
                raise ReferenceError(f"the reference at {self.path} fails on case {case.id}: "
                                     f"{failed.get('type')}: {failed.get('message')}")
        return found

    def _there(self, cases: list[Case]) -> dict[str, dict] | None:
        """The cases observed in the attached observer; None where there is none (any
        more)."""
        observer = self.made.get("observer")
        if observer is None:
            return None
        try:
            found = observer.observe([(case.probe, case.args) for case in cases])
        except Gone:
            self.close()  # observed here from now on, the same observations
            return None
        return {case.id: obs for case, obs in zip(cases, found, strict=True)}

    def known_good(self) -> dict[str, str] | None:
        """Source of the functions put in place of the student's for the probes graded alone
        (`Exercise.alone`), for the child that grades them."""
        if not self.exercise.alone:
            return None
        if "known_good" not in self.made:  # the same for every submission: parsed once
            self.made["known_good"] = self._known_good(self.exercise.alone.known_good)
        return dict(self.made["known_good"])

    def _known_good(self, wanted: tuple[str, ...]) -> dict[str, str]:
        tree = syntax.parse(self.source)
        found = {n.name: ast.get_source_segment(self.source, n) for n in tree.body
                 if isinstance(n, ast.FunctionDef) and n.name in wanted}
        missing = set(wanted) - set(found)
        if missing:
            raise ReferenceError(f"the reference at {self.path} lacks {sorted(missing)}")
        return found

    def seed_for(self, submission_source: str) -> int:
        """The secret cases' seed: fixed per submission, unknowable without the reference."""
        digest = hashlib.sha256(self.source.encode() + b"\0" + submission_source.encode())
        return int.from_bytes(digest.digest()[:4], "big")


def default_path(exercise: Exercise) -> Path:
    env = os.environ.get("AUTOGRADER_REFERENCE")
    if env:
        return Path(env)
    return exercise.reference_path


def load(exercise: Exercise | None = None, path: Path | None = None, *,
         run: bool = True) -> Reference:
    exercise = exercise or registry.get()
    path = Path(path) if path else default_path(exercise)
    if not path.is_file():
        raise ReferenceError(f"no reference solution at {path} (set --reference or "
                             "AUTOGRADER_REFERENCE)")
    return from_source(exercise, path, path.read_text(encoding="utf-8"), run=run)


def from_source(exercise: Exercise, path: Path, source: str, *, run: bool = True) -> Reference:
    """The reference made from its source, `path` only naming it: a cluster's worker grades
    against the very text the submitting side read, wherever its own copy is. Its module is
    run now, or (`run` off: a side that only sends the source, as a cluster's submitting side
    does) when first used; a source that does not compile fails now either way."""
    try:
        code = compile(source, str(path), "exec")
    except (SyntaxError, ValueError) as exc:
        raise _failed(path, exc) from exc
    ref = Reference(path=Path(path), source=source, code=code, exercise=exercise)
    if run:
        ref.module  # noqa: B018  (run now: the command line's import of torch, see _run)
    return ref


def _name(exercise: Exercise) -> str:
    """The reference module's name, here and in an observer."""
    return f"reference_{exercise.module}"


def _run(exercise: Exercise, path: Path, code) -> object:
    try:
        # torch comes in here, with the reference's own import (nothing above needs it, so
        # that a command that grades nothing starts in a tenth of a second), and without the
        # collector walking its objects (`warm.quiet_collector`)
        with quiet_collector():
            return run_module(_name(exercise), str(path), code)
    except Exception as exc:
        raise _failed(path, exc) from exc


def _failed(path: Path, exc: Exception) -> ReferenceError:
    """A reference that does not compile or does not run: the same message either way."""
    return ReferenceError(f"the reference at {path} failed to load: {exc!r}")
