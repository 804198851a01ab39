"""What every check shares: its definition, its verdict, the evidence it reads, and the ladder
type -> shape -> dtype -> finite -> value that turns an observation into a verdict."""

import dataclasses
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from autograder.grading.tolerance import allclose, finite
from autograder.sandbox.case import Case

RTOL = 1e-4
HARD_CODED = ("\nIt works on the notebook's data but not on other inputs: look for hard-coded "
              "shapes, data or learning rate.")


class Outcome(enum.Enum):
    PASSED = "passed"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"
    RAISED = "raised an exception"
    TIMEOUT = "timed out"
    MEMORY = "memory limit"
    CRASHED = "crashed"
    NOT_LOADED = "could not load"
    GRADER_ERROR = "could not check"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    feedback: str
    """For the student: names the mistake, never the expected numbers."""
    fraction: float | None = None
    """Share of the points earned; by default all when passed, none otherwise."""
    mistake: str | None = None
    """The id of the misconception the feedback names (`mistakes.NAMES`), so a class summary
    can count who made it; None when no known mistake was recognised."""

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    @property
    def earned(self) -> float:
        return self.fraction if self.fraction is not None else float(self.passed)


@dataclass(frozen=True)
class Evidence:
    """Everything a check may read: the cases run, and both sides' observations of them."""

    cases: dict[str, Case]
    observed: dict[str, dict]
    expected: dict[str, dict]
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    """Verdicts of the checks judged before this one, for feedback that points to a cause."""
    source: str = ""
    """The submission's code as it was run (a notebook's code cells), for checks that read it."""
    used: frozenset[str] = frozenset()
    """PyTorch built-ins the child saw the submission call (`watch`): evidence for the policy,
    which its code could hide, so never the only evidence."""

    def available(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i in self.cases and i in self.observed]


@dataclass(frozen=True)
class Check:
    id: str
    """Stable id, part of the output contract (Gradescope tags, CSV columns)."""
    title: str
    points: int
    visibility: str
    """"visible", or "after_published" for hidden checks."""
    cases: tuple[str, ...]
    judge: Callable[[Evidence], Verdict]
    description: str
    """One line for the rubric: what earns the points."""

    @property
    def hidden(self) -> bool:
        return self.visibility != "visible"


def passed(feedback: str = "Correct.") -> Verdict:
    return Verdict(Outcome.PASSED, feedback)


def incorrect(feedback: str, mistake: str | None = None) -> Verdict:
    return Verdict(Outcome.INCORRECT, feedback, mistake=mistake)


@dataclass(frozen=True)
class Hint:
    """Words of an exception's message that give a known mistake away, and what to say."""

    needle: str
    text: str
    mistake: str | None = None


def _where(record: dict) -> str:
    return ("\n  " + "\n  ".join(record["where"])) if record.get("where") else ""


def failure(record: dict, hints: Iterable[Hint] = ()) -> Verdict:
    """The one place a failed call (raised, missing, timeout, crash) becomes a verdict."""
    kind, call = record.get("kind"), record.get("call", "your code")
    if kind == "missing":
        return Verdict(Outcome.NOT_ATTEMPTED, f"Not attempted: there is no function named "
                                              f"`{record.get('name')}` in your submission.")
    if kind == "timeout":
        return Verdict(Outcome.TIMEOUT, "Your code ran out of time here: is there an endless "
                                        "loop, or a training loop with far too many epochs?")
    if kind == "memory" or record.get("type") == "MemoryError":
        return Verdict(Outcome.MEMORY, "Your code used more memory than allowed here: is "
                                       "something growing without end, or a huge tensor?")
    if kind == "crashed" and record.get("signal_name") == "SIGXCPU":
        return Verdict(Outcome.TIMEOUT, "Your code used too much CPU time: is there an endless "
                                        "loop, or a training loop with far too many epochs?")
    if kind == "crashed" and record.get("protocol"):
        return Verdict(Outcome.CRASHED, "Your code wrote to the grader's channel here, so the "
                                        "grader stopped it: leave the grader's files alone.")
    if kind == "crashed":
        how = record.get("signal_name") or f"exit code {record.get('exit_code')}"
        return Verdict(Outcome.CRASHED, f"Your code ended the Python process ({how}) here, "
                                        "for example with os._exit() or a crash in native code.")
    if record.get("not_attempted"):
        name = call.split("(")[0]
        return Verdict(Outcome.NOT_ATTEMPTED, f"Not attempted: `{name}` still raises "
                                              "NotImplementedError.")
    message = f"{record.get('type')}: {record.get('message')}"
    if record.get("type") == "SystemExit":
        message = "SystemExit: your code called sys.exit() or exit(); return a value instead"
    text = f"{call} raised {message}{_where(record)}"
    hint = next((h for h in hints if h.needle in str(record.get("message", ""))), None)
    if hint is None:
        return Verdict(Outcome.RAISED, text)
    return Verdict(Outcome.RAISED, f"{text}\n{hint.text}", mistake=hint.mistake)


def failed(ev: Evidence, ids: Iterable[str]) -> list[str]:
    """The checks among `ids` already judged and not passed."""
    return [cid for cid in ids if cid in ev.verdicts and not ev.verdicts[cid].passed]


def upstream(ev: Evidence, ids: Iterable[str], lead: str) -> str:
    """A line pointing to the failed checks a result depends on, or "" when they all pass."""
    names = failed(ev, ids)
    return f"\n{lead}: fix {', '.join(names)} first." if names else ""


def is_failure(obs: dict) -> bool:
    return obs.get("kind") in {"raised", "missing", "timeout", "crashed", "memory"}


def values(desc: dict) -> np.ndarray:
    return np.asarray(desc["values"], dtype=np.float64).reshape(desc["shape"])


def close(got, want, rtol: float = RTOL) -> bool:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not finite(got):
        return False
    scale = float(np.abs(want).max()) if want.size else 0.0
    return allclose(got, want, rtol, rtol * 0.1 * max(scale, 1e-3))


def shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


Fingerprints = Callable[[np.ndarray, np.ndarray], Verdict | None]
"""Given the result and the expected one, the verdict that names a known mistake, or None."""


def ladder(got: dict, want: dict, what: str, fingerprints: Fingerprints = lambda g, w: None,
           *, scalar: bool = False) -> Verdict:
    """Type, then shape, then dtype, then finiteness, then value; mistakes named on the way."""
    if is_failure(got):
        return failure(got)
    if got["kind"] == "none":
        return incorrect(f"{what} returned nothing (None): did you forget `return`?",
                         "no_return")
    if got["kind"] == "too_big":
        return incorrect(f"{what} returned a very large result of shape "
                         f"{shape_text(got['shape'])}.")
    if got["kind"] not in {"tensor", "ndarray", "number"}:
        return incorrect(f"{what} returned a {got.get('type')}, not a tensor.")
    g, w = values(got), values(want)
    if scalar and g.size == 1:
        g = g.reshape(w.shape)
    if g.shape != w.shape:
        return fingerprints(g, w) or incorrect(f"{what} returned shape {shape_text(g.shape)}, "
                                               f"expected {shape_text(w.shape)}.")
    if got["dtype"].startswith(("int", "uint", "bool")):
        return incorrect(f"{what} returned {got['dtype']} values: the result should be floating "
                         "point (float32).")
    if not finite(g):
        return incorrect(f"{what} returned NaN or infinite values.", "nan_values")
    if close(g, w):
        return passed()
    return fingerprints(g, w) or incorrect(f"{what} returned the right shape but wrong values.")


HINTED = (Outcome.INCORRECT, Outcome.RAISED)


def _judge_case(ev: Evidence, cid: str, judge_one) -> Verdict:
    obs = ev.observed[cid]
    return failure(obs) if is_failure(obs) else judge_one(ev, cid)


def untouched(verdict: Verdict, obs: dict, name: str) -> Verdict:
    """A right answer still fails when the function changed its inputs in place."""
    if verdict.passed and obs.get("modified"):
        return incorrect(f"{name} changed its argument {', '.join(obs['modified'])} in place: "
                         "compute a new tensor and leave the inputs as they were.",
                         "modifies_input")
    return verdict


def over_cases(ev: Evidence, ids: Iterable[str], judge_one: Callable[[Evidence, str], Verdict],
               *, baseline: Iterable[str] = (), hard_coded: bool = True) -> Verdict:
    """Judge each available case; the first failure decides. A secret case failing where a
    public one (in `ids` or `baseline`) passes points to hard-coded shapes, data or lr (unless
    `hard_coded` is off: a check whose failure is a named part's consequence)."""
    ids = ev.available(ids)
    if not ids:
        return Verdict(Outcome.GRADER_ERROR, "This check had no cases to run.")
    verdicts = {cid: _judge_case(ev, cid, judge_one) for cid in ids}
    public_ok = any(v.passed for cid, v in verdicts.items() if not ev.cases[cid].secret) or any(
        _judge_case(ev, cid, judge_one).passed for cid in ev.available(baseline))
    for cid, verdict in verdicts.items():
        if not verdict.passed:
            if hard_coded and ev.cases[cid].secret and public_ok and verdict.outcome in HINTED:
                return dataclasses.replace(verdict, feedback=verdict.feedback + HARD_CODED,
                                           mistake=verdict.mistake or "hard_coded")
            return verdict
    return next(iter(verdicts.values()))
