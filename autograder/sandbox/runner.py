"""Run probes on a submission in child processes, with timeouts, crash recovery and no trust.

A crash or a hang costs only the case it happened in: the runner starts a fresh child for the
cases that remain. Whatever the child does, the parent gets one plain record per case.
"""

import os
import select
import selectors
import signal
import time
from dataclasses import dataclass, field

from autograder.sandbox import pool, watch
from autograder.sandbox.case import Case
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import _Child, _ended_last, _read
from autograder.sandbox.spawn import Spawner, Started


class HarnessError(Exception):
    """A child ended, or hung, before the harness in it was ready, twice: none of the
    submission's code had run, so this is the grader's failure (an installation the child's
    isolated interpreter cannot import, a machine out of processes or memory), the same for
    every submission. Never a student's 0: a batch stops on it, as on a failing reference."""


START_TRIES = 2
"""Children started for a submission before a harness that never gets ready is the grader's
failure: one more than one, for a fork or an exec that failed once on a loaded machine."""


class CutShort(BaseException):
    """The command was told to stop at once (`cut_short`): the child was killed and its jail
    closed, and the submission has no result. Not an Exception: nothing that grades turns it
    into a report, so nothing is saved and the next run grades the submission again."""


_CUT = os.pipe()
"""Written by `cut_short` and never read, so readable from then on: every child this process
watches, now or later, sees it. (A signal is the process's own, and so is this.)"""
os.set_blocking(_CUT[1], False)


def cut_short() -> None:
    """Kill every child being watched here, each in its own grading thread, which then raises
    CutShort. For a signal handler: one write, which wakes each watcher's select."""
    try:
        os.write(_CUT[1], b"!")
    except BlockingIOError:  # written before, and never read: every watcher sees it already
        pass


def was_cut_short() -> bool:
    """Whether `cut_short` was called in this process."""
    return bool(select.select([_CUT[0]], [], [], 0)[0])


START_SECONDS = 60.0
"""How long the harness may take to be ready, before any of the submission's code runs (a
fresh interpreter imports torch; on a loaded machine that takes a while). The submission's
own limits count from then, so a fresh interpreter and a fork of the warm pool give it the
same time."""


@dataclass
class RunResult:
    """What the children reported for one submission."""

    observations: dict[str, dict] = field(default_factory=dict)
    """Per case id: the probe's observation, or a record of kind timeout / crashed / load."""
    load_error: dict | None = None
    """Set when the submission could not be loaded at all."""
    output: str = ""
    """The submission's own printed output, capped."""
    isolation: str = ""
    """The sandbox layers that held, for the instructor."""
    used: frozenset[str] = frozenset()
    """PyTorch built-ins the children saw the submission call (`watch.LABELS` only)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Where the time went, per phase, over all children (for the benchmark, never graded):
    jail (folder, user, cgroups), start (fork or exec), ready (the harness confined and
    ready), load (up to the submission's top level done), <probe> (its cases), stop (kill and
    wait), close (sweep and clean up)."""


def _deadline(child: _Child, since: float, limits: Limits) -> float:
    if child.current == "finished":
        return since + 2.0  # grace to flush and exit; killed after it, not a failure
    if child.current == "start":
        return since + START_SECONDS
    return since + (limits.load_seconds if child.current == "load" else limits.case_seconds)


CUT = {"kind": "cut short"}
"""The failure of a child killed by `cut_short`: never a result."""


def _watch(started: Started, limits: Limits, budget_end: float) -> _Child:
    child, since, buffer = _Child(), time.monotonic(), bytearray()
    sel = selectors.DefaultSelector()
    sel.register(started.proto, selectors.EVENT_READ, "proto")
    sel.register(started.out, selectors.EVENT_READ, "out")
    sel.register(_CUT[0], selectors.EVENT_READ, "cut")
    while len(sel.get_map()) > 1 and child.failure is None:  # a pipe open beside the cut
        timeout = min(_deadline(child, since, limits), budget_end) - time.monotonic()
        if timeout <= 0:
            if child.current != "finished":
                child.failure = {"kind": "timeout", "seconds": round(time.monotonic() - since, 1)}
            break
        ready = sel.select(timeout=timeout)
        if any(key.data == "cut" for key, _ in ready):
            child.failure = CUT
            break
        for key, _ in ready:
            before = len(child.records)
            if not _read(child, key, limits, buffer):
                sel.unregister(key.fd)
            if len(child.records) != before:
                since = time.monotonic()
    ending = len(sel.get_map()) == 1  # it closed both pipes; otherwise it would only spin on
    sel.close()
    os.close(started.proto)
    started.kill(ending=ending)
    return child


def _crash(returncode: int | None) -> dict:
    if returncode is None:
        return {"kind": "crashed", "silent": True}
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else "?"
        return {"kind": "crashed", "signal": -returncode, "signal_name": name}
    return {"kind": "crashed", "exit_code": returncode}


def _run_child(job: dict, spawner: Spawner, limits: Limits, budget_end: float,
               seconds: dict[str, float]) -> _Child:
    clock = [time.monotonic()]
    jail = spawner.jail(limits)
    child = _Child()
    try:
        _lap(seconds, "jail", clock)
        started = spawner.start(job, jail)
        _lap(seconds, "start", clock)
        child = _watch(started, limits, budget_end)
        if child.failure is CUT:
            raise CutShort()
        if child.failure is None and child.current != "finished":
            child.failure = _crash(started.returncode)
        if child.failure and child.failure.get("signal") == signal.SIGKILL and \
                jail.out_of_memory():
            child.failure = {"kind": "memory", "limit_mb": limits.memory_mb}
        return child
    finally:
        _phases(child, seconds, clock)
        jail.close()  # nothing the job started outlives it
        _lap(seconds, "close", clock)


def _lap(seconds: dict[str, float], phase: str, clock: list[float]) -> None:
    now = time.monotonic()
    seconds[phase] = seconds.get(phase, 0.0) + now - clock[0]
    clock[0] = now


def _phases(child: _Child, seconds: dict[str, float], clock: list[float]) -> None:
    """Split the child's run at the arrival of its records: loading, then each probe."""
    for kind, at in child.stamps:
        phase = "ready" if kind == "ready" else "load" if kind in ("loaded", "load_error") \
            else kind.split("/")[0] if "/" in kind else None
        if phase:
            seconds[phase] = seconds.get(phase, 0.0) + at - clock[0]
        clock[0] = at
    _lap(seconds, "stop", clock)


def run_cases(source: str, filename: str, cases: list[Case], *, probes: str, module: str,
              functions: tuple[str, ...], inject: dict | None = None,
              alone: tuple[str, ...] = (), limits: Limits = Limits(),
              spawner: Spawner | None = None) -> RunResult:
    """Run every case on the submission, loaded as the module named `module`, with the probes
    of the module named `probes` (an exercise's: the child imports it from the harness) and
    what its graded `functions` return made honest (`calls.honest`); each case ends with an
    observation or a failure. The cases of the probes in `alone` run last, with the functions
    of `inject` (name -> source) put in place of the submission's. Children come from
    `spawner` (default: the warm pool of the strongest layer here)."""
    spawner = spawner or pool.default()
    pending = [c for c in cases if c.probe not in alone] + [c for c in cases if c.probe in alone]
    result = RunResult(isolation=spawner.layer.describe())
    budget_end = time.monotonic() + limits.submission_seconds
    output, unready, loaded = bytearray(), 0, False
    while pending:
        job = {"source": source, "filename": filename, "module": module, "probes": probes,
               "functions": list(functions),
               "inject": inject, "alone": list(alone),
               "cases": [c.job() for c in pending]}
        child = _run_child(job, spawner, limits, budget_end, result.seconds)
        if child.current in ("start", "load") and loaded and time.monotonic() >= budget_end:
            # a child started again for the cases left, whose time ran out (an earlier child,
            # whose harness got ready, spent it) before its harness was ready, or while the
            # top level ran again, which loaded the first time: as between children
            _out_of_time(result, pending)
            break
        if child.current == "start":  # no code of the submission ran: not its failure
            unready += 1
            if unready >= START_TRIES:
                raise HarnessError(_never_ready(child))
            continue
        loaded = True
        output += child.output
        pending = _collect(child, pending, result, budget_end)
    result.output = output[: limits.output_bytes].decode("utf-8", "replace")
    return result


def _never_ready(child: _Child) -> str:
    """What the instructor is told of a child whose harness never got ready, and what to do."""
    failure = child.failure or {}
    kind = failure.get("kind")
    how, hint = (
        (f"used more than its memory limit ({failure.get('limit_mb')} MB)",
         "Raise the limit (--memory-mb, or the settings' memory_mb): a fresh interpreter "
         "needs some hundreds of MB to import torch") if kind == "memory" else
        (f"did not get ready within {failure.get('seconds')} s",
         "Is the machine overloaded? Try fewer at once (--jobs)") if kind == "timeout" else
        (f"was killed by {failure['signal_name']}" if "signal_name" in failure else
         f"exited with status {failure['exit_code']}" if "exit_code" in failure else "ended",
         "Check that this Python's isolated interpreter can import the grader and torch: "
         "python -I -c 'import autograder, torch'"))
    said = bytes(child.output).decode("utf-8", "replace").strip().splitlines()[-12:]
    return (f"the grader's child process {how} before any submission's code ran, in "
            f"{START_TRIES} tries; no submission was given a result for it. "
            + ("It said:\n  " + "\n  ".join(said) if said else "It said nothing.")
            + f"\n{hint}")


def _collect(child: _Child, pending: list[Case], result: RunResult, budget_end: float) -> list:
    """Store what this child reported; return the cases still to run in a fresh child."""
    for record in child.records:
        if "case" in record:
            result.observations[str(record["case"])] = record["obs"]
            used = record.get("used")
            if isinstance(used, list):
                result.used |= {u for u in used if u in watch.LABELS}
        elif "load_error" in record:
            result.load_error = record["load_error"] if isinstance(record["load_error"], dict) \
                else {"kind": "raised", "type": "?", "message": "could not load"}
    unconfirmed = _ended_last(child)
    if child.failure and unconfirmed is not None:
        # the harness follows a case's record with the next case's begin, or done, before
        # anything else can run: a child that ended in between sent that record itself, and
        # ended (or hung) before the harness could send its own
        result.observations[str(unconfirmed)] = child.failure
    if child.current == "load" and child.failure:
        result.load_error = {**child.failure, "call": "loading the submission"}
    if result.load_error is not None:
        return []
    if child.failure and child.current in {c.id for c in pending}:
        result.observations[child.current] = child.failure
    left = [c for c in pending if c.id not in result.observations]
    if len(left) == len(pending):  # no progress: never start the same child again
        for case in left:
            result.observations[case.id] = child.failure or {"kind": "crashed", "silent": True}
        return []
    if left and time.monotonic() >= budget_end:
        _out_of_time(result, left)
        return []
    return left


def _out_of_time(result: RunResult, cases: list[Case]) -> None:
    """The cases left when the submission's whole budget ran out between its children."""
    result.observations.update({c.id: {"kind": "timeout", "budget": True} for c in cases})
