"""Grade a folder of submissions: in parallel, resumable, and never stopped by one of them.

Each result file carries a key made of everything that decides a result (the submission, the
grader's code, the reference, the limits): an interrupted batch picks up where it stopped, and
a re-run of an unchanged batch gives back the very same files.
"""

import dataclasses
import functools
import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from autograder.grading import reference
from autograder.grading.checks import Check
from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import grade_file, not_loaded
from autograder.grading.report import Report
from autograder.inputs import submission, uploads
from autograder.sandbox import runner
from autograder.sandbox.folders import exercise_dirs
from autograder.sandbox.limits import Limits
from autograder.sandbox.spawn import Spawner

GRACE_SECONDS = 5.0
"""After a stop, how long the submissions being graded may take to finish before they are cut
short: most take well under a second, and a supervisor that stops with SIGTERM and then SIGKILL
waits longer (`docker stop` 10 s, Kubernetes 30 s), so the command has left, with everything
removed, before the SIGKILL could leave the jobs' cgroups and the pool's folder behind. What
is cut short loses nothing but its time: the next run grades it."""


class Store(Protocol):
    """Where results are kept between runs (`outputs.writers.ResultFiles`: results.json)."""

    def load(self, target: Path, key: str) -> Report | None: ...

    def save(self, report: Report, target: Path, key: str) -> None: ...


@functools.cache
def grader_fingerprint() -> str:
    """A hash of the grader's own files and every exercise's: any change to a check changes
    every key."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for folder in (package, *exercise_dirs()):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".json"}:
                digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def result_key(path: Path, expect: Expectations, limits: Limits,
               rubric: tuple[Check, ...] | None = None,
               upload: uploads.Upload | None = None) -> str:
    """The key of everything that decides the result of `path` (`upload`: what it holds,
    where the caller has it already)."""
    rubric = expect.exercise.checks if rubric is None else rubric
    digest = hashlib.sha256(grader_fingerprint().encode())
    digest.update(expect.exercise.name.encode() + b"\0")
    digest.update(expect.reference.source.encode() if expect.reference else b"stored")
    digest.update(json.dumps(asdict(limits), sort_keys=True).encode())
    digest.update(repr([(c.id, c.points, c.visibility) for c in rubric]).encode())
    upload = upload or uploads.of(path, expect.exercise)
    if upload.file != path:  # a student's folder: the file chosen in it, by its place there
        digest.update(b"\0folder\0" + upload.label.encode() + b"\0" + upload.why.encode())
    try:
        digest.update(submission.read_bytes(upload.file) if upload.file else b"")
    except submission.SubmissionError as exc:  # its result says why; a key all the same
        digest.update(b"\0refused\0" + str(exc).encode())
    return digest.hexdigest()


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def default_jobs() -> int:
    """Submissions graded at once: three a core. Each submission also waits with no core busy
    for it: its end reaches the grader through the zygote some milliseconds later, its records
    cross pipes, and the grader's threads take turns. (2 cores, the benchmark's batch of 200,
    alternating, while each job's move into its memory cgroup still slept 11-15 ms, before
    `jail.JOIN`: 6 at once was faster than 4 in 10 of 12 pairs, 6.55 s against 6.80 median over
    the last six, and no slower at 1000: 29.9, 29.6, 28.7 s against 30.1, 29.9, 32.0; 8 at once
    gained nothing over 4, at more memory. Without that sleep, 6 and 4 were within noise of each
    other: 7.11 s against 6.96 median in five pairs of a slower hour. Earlier, with slower jobs:
    7.85 s at 3, 7.58 at 4, 7.51 at 5; 11.5/s at 2 against 15.7/s at 3 when the pool was new.)"""
    return 3 * cores()


def grade_one(path: Path, expect: Expectations, limits: Limits, spawner, rubric,
              upload: uploads.Upload | None = None) -> Report:
    """One submission of a batch (a file, or a student's folder: `inputs.uploads`; `upload`:
    what it holds, where the caller has it already), here or on a cluster's worker: whatever
    goes wrong with it is its own report, except a reference that fails, or a harness that
    never starts, which fail every one."""
    upload = upload or uploads.of(path, expect.exercise)
    if upload.file is None:
        return not_loaded(upload.label, rubric, upload.why)
    try:
        report = grade_file(upload.file, expect=expect, limits=limits, spawner=spawner,
                            rubric=rubric)
    except (reference.ReferenceError, runner.HarnessError):
        raise  # the same for every submission: stop, and never report it as a student's 0
    except Exception as exc:  # one broken submission never stops the batch
        report = Report(path.name, (), "grader error", "The grader could not grade this file; "
                        "your instructor has been told.", detail=repr(exc))
    return named(report, upload)


def named(report: Report, upload: uploads.Upload) -> Report:
    """The report under the submission's name in the batch (a folder's: `alice/linreg.py`)."""
    if report.submission == upload.label:
        return report
    return dataclasses.replace(report, submission=upload.label)


def kept(store: Store, target: Path | None, key: str, fresh: bool) -> Report | None:
    """The result already in `store` for this key, unless told to grade afresh, or unless it
    is a grader error: that one may have been the machine's for a moment (no file descriptor
    or process to spare), and is graded again at every run until it is a result."""
    found = None if fresh or target is None else store.load(target, key)
    return None if found is not None and found.status == "grader error" else found


class _UnderWay:
    """How many submissions are being graded, counted by each grading (`with`): a stop can
    come before the future of one that has begun is even returned to the batch."""

    def __init__(self):
        self._count = 0
        self._changed = threading.Condition()

    def __enter__(self):
        with self._changed:
            self._count += 1

    def __exit__(self, *_):
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def __len__(self) -> int:
        with self._changed:
            return self._count

    def ended(self, timeout: float | None) -> bool:
        """Whether every grading under way ended within `timeout` seconds (None: no bound)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._count, timeout)


def grade_all(paths: list[Path], targets: dict[Path, Path | None], *, expect: Expectations,
              limits: Limits, store: Store, jobs: int = 1, fresh: bool = False,
              spawner: Spawner | None = None, rubric: tuple[Check, ...] | None = None,
              done: Callable[[Report, bool, float], None] = lambda *_: None,
              stopping: Callable[[int, float], None] = lambda *_: None,
              grace: float = GRACE_SECONDS) -> list[Report]:
    """Grade each path, keeping its result in `store` at targets[path] as soon as it is
    known; `done` hears of each report, whether it was reused, and the seconds it took.

    Stopped (KeyboardInterrupt, raised in this thread by Ctrl-C or the command's other
    signals), the batch grades nothing more: `stopping` hears how many submissions are being
    graded and the `grace` they have (seconds; infinite: their limits), and those finish
    before it raises, unless the grace runs out or a second stop comes first: either cuts them
    short (`runner.cut_short`)."""
    rubric = expect.exercise.checks if rubric is None else rubric

    under_way = _UnderWay()

    def one(path: Path) -> Report:
        with under_way:
            began = time.monotonic()
            upload = uploads.of(path, expect.exercise)  # a folder searched once, not twice
            key, target = result_key(path, expect, limits, rubric, upload), targets.get(path)
            reused = kept(store, target, key, fresh)
            report = reused or grade_one(path, expect, limits, spawner, rubric, upload)
            if target is not None and reused is None:
                store.save(report, target, key)
            done(report, reused is not None, time.monotonic() - began)
            return report

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        try:
            futures = [pool.submit(one, path) for path in paths]
            return [future.result() for future in futures]
        except BaseException as exc:  # a stop, or a failure that fails every submission
            pool.shutdown(wait=False, cancel_futures=True)
            if isinstance(exc, KeyboardInterrupt):
                stopping(len(under_way), grace)
                if not under_way.ended(None if math.isinf(grace) else grace):
                    runner.cut_short()
            raise
