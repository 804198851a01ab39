"""The instructor's reference solution: found, loaded and run in the trusted parent only.

The installable package holds no reference code; the reference lives in `solutions/linreg.py`
(or wherever `--reference` / AUTOGRADER_REFERENCE points).
"""

import ast
import copy
import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.exercises.linreg.cases import Case
from autograder.exercises.linreg.probes import PROBES, Caller, reseed

KNOWN_GOOD = ("model", "mse")
"""Reference functions put in place of the student's when `train_step` is graded alone."""


class ReferenceError(Exception):
    """The reference could not be found or does not run: a grader problem, never a student's."""


@dataclass(frozen=True)
class Reference:
    path: Path
    source: str
    module: object
    made: dict = field(default_factory=dict, compare=False, repr=False)
    """Observations that many submissions share, made once: the public cases' and the
    training runs' (from one of `cases.SECRET_STARTS` starts)."""

    def observe(self, cases: list[Case]) -> dict[str, dict]:
        observed = {}
        for case in cases:
            if case.secret and case.probe != "training":  # drawn for this submission alone
                observed[case.id] = self._observe(case)
                continue
            key = (case.id, json.dumps(case.args, sort_keys=True))
            if key not in self.made:
                self.made[key] = self._observe(case)
            observed[case.id] = copy.deepcopy(self.made[key])
        return observed

    def _observe(self, case: Case) -> dict:
        reseed()
        obs = PROBES[case.probe](Caller(self.module, str(self.path)), case.args)
        failed = obs.get("error") or obs.get("out", {})
        if failed.get("kind") in {"raised", "missing"}:
            raise ReferenceError(f"the reference at {self.path} fails on case {case.id}: "
                                 f"{failed.get('type')}: {failed.get('message')}")
        return obs

    def known_good(self) -> dict[str, str]:
        """Source of `model` and `mse`, for the child that grades `train_step`."""
        tree = ast.parse(self.source)
        found = {n.name: ast.get_source_segment(self.source, n) for n in tree.body
                 if isinstance(n, ast.FunctionDef) and n.name in KNOWN_GOOD}
        missing = set(KNOWN_GOOD) - set(found)
        if missing:
            raise ReferenceError(f"the reference at {self.path} lacks {sorted(missing)}")
        return found

    def seed_for(self, submission_source: str) -> int:
        """The secret cases' seed: fixed per submission, unknowable without the reference."""
        digest = hashlib.sha256(self.source.encode() + b"\0" + submission_source.encode())
        return int.from_bytes(digest.digest()[:4], "big")


def default_path() -> Path:
    env = os.environ.get("AUTOGRADER_REFERENCE")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "exercises" / "linreg" / "reference" / "linreg.py"


def load(path: Path | None = None) -> Reference:
    path = Path(path) if path else default_path()
    if not path.is_file():
        raise ReferenceError(f"no reference solution at {path} (set --reference or "
                             "AUTOGRADER_REFERENCE)")
    spec = importlib.util.spec_from_file_location("reference_linreg", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ReferenceError(f"the reference at {path} failed to load: {exc!r}") from exc
    return Reference(path=path, source=path.read_text(encoding="utf-8"), module=module)
