"""A cluster's side of a batch: one submission graded in a Dask worker's process, with that
process's own warm pool and sandbox. Needs no Dask: a `Job` is plain data, and so is what
`grade` returns.

What crosses the network is only what a local batch reads from its own disk: the submission's
bytes and file name, the exercise's name, the reference's source, the limits and the rubric's
points; back comes the results.json the submitting side writes. Nothing a student's code
produced is ever unpickled: the worker's parent-side judging turns it into a report first.
"""

import dataclasses
import functools
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.grading import batch, reference, registry
from autograder.grading.checks import Check
from autograder.grading.exercise import Exercise
from autograder.grading.expectations import Expectations
from autograder.grading.report import Report
from autograder.inputs import submission
from autograder.outputs import writers
from autograder.sandbox import pool, spawn
from autograder.sandbox.layers import detect
from autograder.sandbox.limits import Limits

Rubric = tuple[tuple[str, float, str], ...]
"""A rubric as plain data: (check id, points, visibility) of each check."""


class GraderMismatch(Exception):
    """The worker's grader is not the submitting side's: its results would not match their
    keys."""


@dataclass(frozen=True)
class Job:
    """One submission and everything that decides its result (what `batch.result_key` hashes)."""

    filename: str
    data: bytes
    """The file's bytes, as the submitting side read them."""
    exercise: str
    reference_path: str
    """Where the submitting side read the reference: its name in messages, nothing more."""
    reference_source: str
    limits: dict
    rubric: Rubric
    """(check id, points, visibility) of each check, as the instructor's settings made them."""
    grader: str
    """The submitting side's `batch.grader_fingerprint()`."""
    warm: bool = True
    """Children from the worker's warm pool; False: a fresh interpreter each (`--no-pool`)."""

    @classmethod
    def of(cls, path: Path, expect: Expectations, limits: Limits, rubric: tuple[Check, ...],
           warm: bool = True) -> "Job":
        ref = expect.reference
        return cls(path.name, submission.read_bytes(path), expect.exercise.name, str(ref.path),
                   ref.source, asdict(limits), tuple((c.id, c.points, c.visibility)
                                                     for c in rubric),
                   batch.grader_fingerprint(), warm)


def grade(job: Job) -> str:
    """The task a worker runs: the job's report as the JSON `from_plain` reads."""
    if job.grader != batch.grader_fingerprint():
        raise GraderMismatch("a worker runs another version of the grader than this one: "
                             "install the same autograder on every machine")
    if Path(job.filename).name != job.filename:
        raise ValueError(f"not a file name: {job.filename!r}")
    expect = _expectations(job.exercise, job.reference_path, job.reference_source)
    rubric = rubric_of(expect.exercise, job.rubric)
    spawner = pool.default() if job.warm else spawn.Fresh(detect())
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="autograder-job-") as folder:
        path = Path(folder) / job.filename
        path.write_bytes(job.data)
        report = batch.grade_one(path, expect, Limits(**job.limits), spawner, rubric)
    return json.dumps({"results": writers.gradescope(report), "detail": report.detail,
                       "output": report.output, "seconds": time.monotonic() - began})


@functools.lru_cache(maxsize=8)
def _expectations(exercise: str, path: str, source: str) -> Expectations:
    """One reference per worker process and source, kept as a local batch keeps its one:
    the observations many submissions share are made once."""
    return Expectations(reference=reference.from_source(registry.get(exercise), Path(path),
                                                        source))


def rubric_of(exercise: Exercise, plain: Rubric) -> tuple[Check, ...]:
    """The checks of a `Job.rubric`, from this worker's exercise (and its policies)."""
    known = {c.id: c for c in (*exercise.checks, *exercise.policies.values())}
    missing = [i for i, _, _ in plain if i not in known]
    if missing:
        raise GraderMismatch(f"a worker's {exercise.name} has no check {missing[0]!r}: install "
                             "the same autograder on every machine")
    return tuple(dataclasses.replace(known[i], points=points, visibility=visibility)
                 for i, points, visibility in plain)


def from_plain(text: str, exercise: Exercise) -> tuple[Report, float]:
    """The report a worker sent, as a resumed batch reads it back from its results.json (and
    what only the instructor sees), with the seconds it took there."""
    sent = json.loads(text)
    report = writers.report_from_gradescope(sent["results"], exercise.curve)
    return dataclasses.replace(report, detail=sent["detail"], output=sent["output"]), \
        sent["seconds"]
