"""A batch on a Dask cluster (`autograder grade DIR --out OUT --scheduler ADDRESS`): the
submitting side keeps the results, the workers grade.

Exactly a local batch's contract: a result already in the store with the same key is reused
and never sent; each one that comes back is written at once, atomically, by this side alone;
the same files, byte for byte. A worker that dies takes no result with it: the scheduler gives
its tasks to the others. Dask's `distributed` is imported only here, only when asked for.
"""

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import batch, reference
from autograder.grading.checks import Check
from autograder.grading.exercise import Exercise
from autograder.grading.expectations import Expectations
from autograder.grading.report import Report
from autograder.inputs import submission, uploads
from autograder.integrations import cluster_worker
from autograder.sandbox import runner
from autograder.sandbox.limits import Limits

LOCAL = "local"
"""The address that starts a cluster on this machine for the run."""
CONNECT_SECONDS = 10
"""How long the scheduler may take to answer before its address is called unreachable."""
WORKERS_SECONDS = 60
"""How long to wait for a first worker to join (each imports torch and the grader)."""
RETRIES = 2
"""Times a task that raised is tried again (a worker's lost connection, a full disk). A task
whose worker died is given to another one by the scheduler itself, up to its
`distributed.scheduler.allowed-failures` (3) deaths."""
THREADS = 2
"""Submissions graded at once by one worker process of a local cluster (one process a core,
each with its own zygote), because a submission spends part of its time waiting on its
children. A local batch without the cluster grades three a core (`batch.default_jobs`), but
here three were slower: the benchmark's batch of 200 on a local cluster of 2 cores took 11.3,
11.0 and 12.2 s with two a worker against 12.5, 11.7 and 12.7 s with three, alternating; one a
worker was no faster than two (10.8 and 11.8 s against 10.6 and 12.0)."""


class ClusterError(Exception):
    """The cluster lost submissions or grades with another grader: exit status 3."""


class Unreachable(ClusterError):
    """No cluster at that address, or Dask is not installed: exit status 2."""


def _distributed():
    try:
        import distributed
    except ImportError:
        raise Unreachable("--scheduler needs Dask's distributed: pip install "
                          "'linreg-autograder[cluster]'") from None
    return distributed


def _check(address: str) -> None:
    """A known scheme and a host:port, before a client is made (one made of a bad address
    would hang in its own clean-up)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    get_backend(scheme)
    parse_host_port(location)


@contextlib.contextmanager
def _client(distributed, address: str):
    """A client of the scheduler at `address`, or of a cluster of this machine's cores
    (closed with it)."""
    with contextlib.ExitStack() as stack:
        try:
            if address != LOCAL:
                _check(address)
            if address == LOCAL:
                address = stack.enter_context(distributed.LocalCluster(
                    n_workers=batch.cores(), threads_per_worker=THREADS, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR))
            client = stack.enter_context(distributed.Client(
                address, timeout=CONNECT_SECONDS, set_as_default=False))
        except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
            raise Unreachable(f"cannot reach the Dask scheduler at {address}: "
                              f"{exc or type(exc).__name__}") from None
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except (OSError, TimeoutError):
            raise Unreachable(f"no worker joined the Dask scheduler at {address} within "
                              f"{WORKERS_SECONDS} s: start `dask-worker {address}`") from None
        yield client


@dataclass
class _Kept:
    """Where the batch's reports go: the store, each at its target with its key, and `done`."""

    store: batch.Store
    targets: dict[Path, Path | None]
    keys: dict[Path, str]
    done: Callable[[Report, bool, float], None]
    uploads: dict[Path, uploads.Upload]
    """What each path holds: a worker names its report after the file it was sent."""
    reports: dict[Path, Report] = field(default_factory=dict)

    def add(self, path: Path, report: Report, *, reused: bool, seconds: float) -> None:
        report = batch.named(report, self.uploads[path])
        if not reused and self.targets.get(path) is not None:
            self.store.save(report, self.targets[path], self.keys[path])
        self.reports[path] = report
        self.done(report, reused, seconds)


def grade_all(paths: list[Path], targets: dict[Path, Path | None], *, scheduler: str,
              expect: Expectations, limits: Limits, store: batch.Store,
              fresh: bool = False, warm: bool = True, rubric: tuple[Check, ...] | None = None,
              done: Callable[[Report, bool, float], None] = lambda *_: None,
              note: Callable[[str], None] = lambda _: None) -> list[Report]:
    """`batch.grade_all` with the grading done by the workers of `scheduler`."""
    rubric = expect.exercise.checks if rubric is None else rubric
    held = {p: uploads.of(p, expect.exercise) for p in paths}  # each folder searched once
    kept = _Kept(store, targets, {p: batch.result_key(p, expect, limits, rubric, held[p])
                                  for p in paths}, done, held)
    for path in paths:
        began = time.monotonic()
        if (reused := batch.kept(store, targets.get(path), kept.keys[path], fresh)) is not None:
            kept.add(path, reused, reused=True, seconds=time.monotonic() - began)
    for path, upload in kept.uploads.items():  # a link is never read, nor sent, and a folder
        # with no file to grade has nothing to send: its report says so, made here
        if path not in kept.reports and (upload.file is None or submission.refused(upload.file)):
            began = time.monotonic()
            report = batch.grade_one(path, expect, limits, None, rubric, upload)
            kept.add(path, report, reused=False, seconds=time.monotonic() - began)
    todo = [p for p in paths if p not in kept.reports]
    if todo:  # else no cluster is needed at all
        distributed = _distributed()
        with _client(distributed, scheduler) as client:
            workers = len(client.scheduler_info(n_workers=-1)["workers"])
            note(f"sending {len(todo)} of {len(paths)} submissions to {workers} Dask "
                 f"worker{'' if workers == 1 else 's'}")
            futures = {client.submit(cluster_worker.grade,
                                     cluster_worker.Job.of(kept.uploads[p].file, expect,
                                                           limits, rubric, warm),
                                     pure=False, retries=RETRIES): p for p in todo}
            lost = _collect(distributed, client, futures, expect.exercise, kept)
        if lost:
            raise ClusterError(f"the cluster could not grade {len(lost)} submissions "
                               f"({uploads.some(lost)}): "
                               "run the same command again to grade only those")
    return [kept.reports[p] for p in paths]


def _collect(distributed, client, futures: dict, exercise: Exercise, kept: _Kept) -> list[Path]:
    """Each report kept as soon as it comes back; the submissions lost, in order."""
    lost = []
    for future in distributed.as_completed(futures, loop=client.loop):
        path = futures[future]
        try:
            text = future.result()
        except (reference.ReferenceError, cluster_worker.GraderMismatch,
                runner.HarnessError) as exc:
            client.cancel(list(futures))  # the same for every submission: stop
            if isinstance(exc, reference.ReferenceError):
                raise
            raise ClusterError(str(exc)) from None
        except Exception:  # a worker that died too often, or an unpicklable error
            lost.append(path)
            continue
        report, seconds = cluster_worker.from_plain(text, exercise)
        kept.add(path, report, reused=False, seconds=seconds)
    return sorted(lost)
