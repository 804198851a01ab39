"""The runner: a crash or a hang costs only its own case, and the parent always gets data."""

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
from gallery import LINREG_JOB
from test_pool import SLEEPER_JOB, killed_outright

from autograder.sandbox import pool, runner
from autograder.sandbox.case import Case
from autograder.sandbox.layers import TMP_BYTES, detect
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import LINE_LIMIT, _Child, _read
from autograder.sandbox.runner import run_cases
from autograder.sandbox.spawn import Fresh

FAST = Limits(load_seconds=20, case_seconds=3, submission_seconds=60, output_bytes=1000)
CASES = [Case("model/a", "model", {"x": [[1.0, 2.0]], "w": [[1.0, 1.0]], "b": [0.5]}),
         Case("mse/a", "mse", {"preds": [[1.0]], "targets": [[0.0]]}),
         Case("model/b", "model", {"x": [[3.0, 4.0]], "w": [[1.0, 1.0]], "b": [0.5]})]
GOOD_MSE = "def mse(p, t):\n    return ((p - t) ** 2).mean()\n"


def run(source: str, limits: Limits = FAST):
    return run_cases("import torch, os, sys\n" + source, "linreg.py", CASES, **LINREG_JOB,
                     limits=limits)


def test_values_come_back_as_plain_numbers():
    result = run("def model(x, w, b):\n    return x @ w.T + b\n" + GOOD_MSE)
    assert result.load_error is None
    assert result.observations["model/a"]["out"]["values"] == [3.5]
    assert result.observations["model/b"]["out"]["values"] == [7.5]
    assert result.observations["mse/a"]["out"]["values"] == [1.0]


def test_one_child_runs_the_top_level_once_and_the_cases_graded_alone_last():
    source = ("print('top level ran')\ndef model(x, w, b):\n    return x @ w.T + b\n"
              + GOOD_MSE)
    result = run_cases(source, "linreg.py", CASES, **LINREG_JOB, limits=FAST, alone=("model",),
                       inject={"model": "def model(x, w, b):\n    return x @ w.T + b + 100\n"})
    assert result.output.count("top level ran") == 1
    assert result.observations["mse/a"]["out"]["values"] == [1.0]  # the student's own
    assert result.observations["model/a"]["out"]["values"] == [103.5]  # the one put in place
    assert result.observations["model/b"]["out"]["values"] == [107.5]


def test_a_crash_restarts_the_cases_graded_alone_with_their_functions_in_place():
    source = ("def model(x, w, b):\n    return x @ w.T + b\n"
              "def mse(p, t):\n    os._exit(3)\n")
    result = run_cases("import os\n" + source, "linreg.py", CASES, **LINREG_JOB, limits=FAST,
                       alone=("model",),
                       inject={"model": "def model(x, w, b):\n    return x @ w.T + b + 100\n"})
    assert result.observations["mse/a"] == {"kind": "crashed", "exit_code": 3}
    assert result.observations["model/a"]["out"]["values"] == [103.5]
    assert result.observations["model/b"]["out"]["values"] == [107.5]


def test_a_crash_costs_only_the_case_it_happened_in():
    result = run("def model(x, w, b):\n    if x[0, 0] == 1:\n        os._exit(7)\n"
                 "    return x @ w.T + b\n" + GOOD_MSE)
    assert result.observations["model/a"] == {"kind": "crashed", "exit_code": 7}
    assert result.observations["mse/a"]["out"]["values"] == [1.0]
    assert result.observations["model/b"]["out"]["values"] == [7.5]


def test_a_hang_is_killed_and_costs_only_its_case():
    started = time.monotonic()
    # a second a case: each hang spins a core for as long as its limit
    result = run("def model(x, w, b):\n    while True:\n        pass\n" + GOOD_MSE,
                 dataclasses.replace(FAST, case_seconds=1))
    assert result.observations["model/a"]["kind"] == "timeout"
    assert result.observations["model/b"]["kind"] == "timeout"
    assert result.observations["mse/a"]["out"]["values"] == [1.0]
    assert time.monotonic() - started < 30


class _Watched:
    """The process's own pool, telling when it has started a child and keeping its jails."""

    def __init__(self):
        self.inner, self.started, self.jails = pool.default(), threading.Event(), []
        self.layer = self.inner.layer

    def jail(self, limits):
        self.jails.append(self.inner.jail(limits))
        return self.jails[-1]

    def start(self, job, jail):
        started = self.inner.start(job, jail)
        self.started.set()
        return started


def test_a_cut_short_kills_the_child_at_once_and_leaves_no_result_and_no_jail(monkeypatch):
    """The command's second stop (`runner.cut_short`): nothing of the grading is left, and it
    raises instead of reporting (a sleeping child would otherwise time out in 3 s and be
    started again for the next case)."""
    cut = os.pipe()
    monkeypatch.setattr(runner, "_CUT", cut)  # the process's own is never written
    spawner, ended = _Watched(), {}

    def grade():
        try:
            run_cases("import time\ndef model(x, w, b):\n    time.sleep(1000)\n", "linreg.py",
                      CASES, **LINREG_JOB, limits=FAST, spawner=spawner)
        except runner.CutShort:
            ended["cut"] = time.monotonic()

    grading = threading.Thread(target=grade)
    grading.start()
    try:
        assert spawner.started.wait(60)
        time.sleep(0.5)  # the child is asleep in model
        asked = time.monotonic()
        runner.cut_short()
        grading.join(30)
    finally:
        os.close(cut[0])
        os.close(cut[1])
    assert ended["cut"] - asked < 2
    assert len(spawner.jails) == 1  # no child started again
    jail = spawner.jails[0]
    assert not os.path.exists(jail.workdir)
    assert not [c for c in jail.cgroups if c.exists()]


FRESH_GRADER = f"""
import time
from autograder.sandbox.jail import Jail
from autograder.sandbox.layers import Layer
from autograder.sandbox.limits import Limits
from autograder.sandbox.spawn import Fresh

layer = Layer("user", cgroups=False)
started = Fresh(layer).start({SLEEPER_JOB}, Jail(layer, Limits()))
print(started.proc.pid, flush=True)
time.sleep(1000)
"""


def test_a_fresh_child_dies_with_a_grader_killed_outright(tmp_path, monkeypatch):
    """Where the grader is the fresh child's parent (no bwrap: the user layer here), its end,
    even by SIGKILL, ends the child (its parent-death signal, asked for after its drop), as a
    zygote ends its jobs."""
    if os.geteuid() != 0:
        pytest.skip("the user layer drops to a user of its own: root only")
    killed_outright(FRESH_GRADER, tmp_path, monkeypatch)


class _Unready:
    """A spawner whose first `broken` children cannot import the exercise's probes: their
    harness ends before it is ready, as one whose interpreter cannot import the grader does."""

    def __init__(self, inner, broken: int):
        self.inner, self.broken, self.started = inner, broken, 0
        self.layer = inner.layer

    def jail(self, limits):
        return self.inner.jail(limits)

    def start(self, job, jail):
        self.started += 1
        if self.started <= self.broken:
            job = {**job, "probes": "autograder.exercises.no_such_probes"}
        return self.inner.start(job, jail)


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh", "pool"])
def test_a_harness_that_never_gets_ready_is_the_graders_failure_never_the_submissions(fresh):
    """Nothing of the submission ran: no result, no 0 for it, and the instructor is told what
    the child said, after a second try."""
    spawner = _Unready(Fresh(detect()) if fresh else pool.default(), broken=2)
    with pytest.raises(runner.HarnessError) as raised:
        run_cases("def model(x, w, b):\n    return x @ w.T + b\n" + GOOD_MSE, "linreg.py",
                  CASES, **LINREG_JOB, limits=FAST, spawner=spawner)
    assert spawner.started == runner.START_TRIES == 2
    told = str(raised.value)
    assert "exited with status 1 before any submission's code ran" in told
    assert "No module named 'autograder.exercises.no_such_probes'" in told
    assert "python -I -c 'import autograder, torch'" in told


def test_a_memory_limit_too_small_for_a_fresh_interpreter_is_told_as_such():
    if not detect().cgroups:
        pytest.skip("memory limits by cgroup: root only")
    tiny = Limits(load_seconds=20, case_seconds=3, submission_seconds=60, memory_mb=30)
    with pytest.raises(runner.HarnessError) as raised:
        run_cases(GOOD_MSE, "linreg.py", CASES, **LINREG_JOB, limits=tiny,
                  spawner=Fresh(detect()))
    assert "used more than its memory limit (30 MB) before any submission's code ran" in \
        str(raised.value)
    assert "Raise the limit (--memory-mb" in str(raised.value)


ROOM = """
import os
import random
import sys
import numpy
drawn_at_the_top = torch.rand(1).item()
def model(x, w, b):
    asked = int(x[0, 0])
    if asked == 0:  # what it draws, hashes and reads of its command line and environment
        return torch.tensor([[hash("linreg") % 1000, random.random(), numpy.random.rand(),
                              drawn_at_the_top, torch.rand(1).item(),
                              len(sys.argv), *map(int, sys.argv[1:]), "PWD" in os.environ]])
    if asked < 0:  # /tmp and HOME filled a MiB a file (a file may hold 16): how many fit
        fitted = []
        for folder in ("/tmp", os.path.expanduser("~")):
            names = [f"{folder}/fill{n}" for n in range(200)]
            try:
                for name in names:
                    with open(name, "wb") as out:
                        out.write(bytes(1 << 20))
            except OSError:
                pass
            made = [name for name in names if os.path.exists(name)]
            fitted.append(sum(os.path.getsize(name) == 1 << 20 for name in made))
            for name in made:
                os.remove(name)
        return torch.tensor([fitted], dtype=torch.float32)
    kept = bytearray(asked << 20)
    kept[::4096] = b"x" * len(kept[::4096])  # every page touched: held, not only promised
    return x @ w.T + b
"""


def test_a_fresh_interpreter_leaves_a_submission_what_a_fork_of_the_pool_leaves_it():
    """The same room: a fresh interpreter holds its own torch, about 150 MB of its cgroup here,
    where a fork of the warm pool holds next to nothing, so the memory limit counts from the
    harness ready (before, 453 of 600 MB fitted fresh and 596 pooled; 330 of 400 fits both
    ways only since); and a fresh child's /tmp and HOME are as large as a pooled job's
    (before, as large as its memory limit). The same draws and hashes, every time: each
    interpreter seeds Python's and numpy's random numbers at random, and string hashes unless
    PYTHONHASHSEED holds (which -I ignores), so all are seeded, before the top level and each
    case. The same command line and pipes (before, a fresh child's were its parent's)."""
    if not detect().cgroups:
        pytest.skip("memory limits by cgroup: root only")
    cases = [Case(f"model/{name}", "model", {"x": [[asked]], "w": [[1.0]], "b": [0.0]})
             for name, asked in (("seen", 0.0), ("under", 330.0), ("files", -1.0),
                                 ("seen again", 0.0), ("over", 460.0))]
    got = {how: run_cases("import torch\n" + ROOM, "linreg.py", cases, **LINREG_JOB,
                          limits=dataclasses.replace(FAST, memory_mb=400),
                          spawner=spawner).observations
           for how, spawner in (("fresh", Fresh(detect())), ("pool", pool.default()))}
    assert got["fresh"] == got["pool"]
    seen = got["pool"]["model/seen"]
    assert got["pool"]["model/seen again"] == seen  # each case from the same state
    assert seen["out"]["values"][-4:] == [3.0, 3.0, 4.0, 0.0]  # -c 3 4, no PWD
    assert got["pool"]["model/under"]["out"]["values"] == [330.0]
    assert got["pool"]["model/over"] == {"kind": "memory", "limit_mb": 400}
    if detect().name == "namespaces":  # elsewhere /tmp is the machine's, for either
        assert got["pool"]["model/files"]["out"]["values"] == [TMP_BYTES >> 20] * 2


SPENDER = """
import resource, time
from autograder.sandbox.child import _confine
started = time.process_time()
while time.process_time() - started < {seconds}:  # as a fresh interpreter's start does
    pass
_confine({{"limits": {{"cpu_seconds": 5, "file_bytes": 1 << 20}}}})
print(*resource.getrlimit(resource.RLIMIT_CPU))
"""


@pytest.mark.parametrize("spent, limit", [(0, 5), (0.7, 6)])
def test_a_childs_cpu_limit_counts_from_the_harness_ready_to_the_second(spent, limit):
    """RLIMIT_CPU counts a process's CPU from its birth: a fresh interpreter's own start and
    import of torch (a second or two), which a fork of the warm pool never spent, are not the
    submission's."""
    told = subprocess.run([sys.executable, "-c", SPENDER.format(seconds=spent)],
                          capture_output=True, text=True, check=True).stdout.split()
    assert told == [str(limit), str(limit + 1)]  # then SIGXCPU, a second later SIGKILL


@pytest.mark.parametrize("late", ["start", "load"])
def test_a_submission_whose_time_runs_out_as_its_next_child_starts_keeps_what_it_had(late):
    """The submission's own budget, spent by an earlier child's hang, runs out before the
    child started for the cases left is ready (a loaded machine), or while its top level runs
    again (it loaded in the first child): no harness failure, no load failure; the cases left
    time out, as whenever the budget ends between children."""
    inner = pool.default()

    class Late:
        layer, started = inner.layer, 0

        def jail(self, limits):
            return inner.jail(limits)

        def start(self, job, jail):
            self.started += 1
            if self.started == 2 and late == "start":
                time.sleep(3)
            return inner.start(job, jail)

    # the first child: its top level, then model/a's hang to its limit, ends at about 2.5 s
    # (1 without the sleep); the second is ready, or has loaded, past the budget's 3.5 s
    top = "import time\ntime.sleep(1.5)\n" if late == "load" else ""
    hang_on_a = ("import time\ndef model(x, w, b):\n    if x[0, 0] == 1:\n"
                 "        time.sleep(60)\n    return x\n")  # asleep: no core spent on it
    result = run_cases(top + hang_on_a + GOOD_MSE, "linreg.py", CASES, **LINREG_JOB,
                       spawner=Late(), limits=Limits(case_seconds=1, submission_seconds=3.5))
    assert result.load_error is None
    assert result.observations["model/a"]["kind"] == "timeout"
    assert result.observations["mse/a"] == result.observations["model/b"] == \
        {"kind": "timeout", "budget": True}


def test_a_child_ready_past_the_budget_after_one_never_ready_is_no_submission_out_of_time():
    """The first child's harness never got ready: none of the submission's time went to its
    code, and a second child that a slow machine makes ready only past the budget is the
    harness failing again, never timeouts charged to the student."""
    class UnreadyThenLate(_Unready):
        def start(self, job, jail):
            if self.started == 1:
                time.sleep(1.5)
            return super().start(job, jail)

    with pytest.raises(runner.HarnessError, match="did not get ready"):
        run_cases(GOOD_MSE, "linreg.py", CASES, **LINREG_JOB,
                  spawner=UnreadyThenLate(pool.default(), broken=1),
                  limits=Limits(case_seconds=1, submission_seconds=1))


def test_a_job_whose_own_set_up_fails_in_the_zygote_tells_the_instructor_why(monkeypatch):
    spawner = pool.default()
    header = spawner._header
    monkeypatch.setattr(spawner, "_header", lambda jail: {**header(jail), "cwd": "/no/such"})
    with pytest.raises(runner.HarnessError) as raised:
        run_cases(GOOD_MSE, "linreg.py", CASES, **LINREG_JOB, limits=FAST, spawner=spawner)
    assert "FileNotFoundError: [Errno 2] No such file or directory: '/no/such'" in \
        str(raised.value)


def test_a_harness_that_fails_to_start_once_is_started_again_and_the_submission_graded():
    spawner = _Unready(pool.default(), broken=1)
    result = run_cases("def model(x, w, b):\n    return x @ w.T + b\n" + GOOD_MSE,
                       "linreg.py", CASES, **LINREG_JOB, limits=FAST, spawner=spawner)
    assert spawner.started == 2
    assert result.load_error is None and "no_such_probes" not in result.output
    assert result.observations["model/a"]["out"]["values"] == [3.5]
    assert result.observations["mse/a"]["out"]["values"] == [1.0]


def test_a_load_failure_is_reported_once_for_everything():
    result = run("sys.exit(0)\n")
    assert result.load_error["type"] == "SystemExit"
    assert result.observations == {}


def test_a_hang_at_import_is_a_load_timeout():
    result = run("while True:\n    pass\n", Limits(load_seconds=1, case_seconds=3))
    assert result.load_error["kind"] == "timeout"


def test_the_load_time_counts_from_the_harness_ready_not_from_a_fresh_interpreter_start():
    # a fresh interpreter takes most of this second to import torch; the submission still
    # gets its whole second, as a fork of the warm pool gives it
    source = "import time\ntime.sleep(0.3)\n" + GOOD_MSE
    for spawner in (Fresh(detect()), None):
        result = run_cases(source, "linreg.py", CASES[1:2], **LINREG_JOB, spawner=spawner,
                           limits=Limits(load_seconds=1, case_seconds=3))
        assert result.load_error is None, result.load_error
        assert result.observations["mse/a"]["out"]["values"] == [1.0]


def test_a_flood_of_output_is_capped_and_grading_goes_on():
    result = run("print('x' * 10_000_000)\ndef model(x, w, b):\n    return x @ w.T + b\n"
                 + GOOD_MSE)
    assert len(result.output) == FAST.output_bytes
    assert result.observations["model/b"]["out"]["values"] == [7.5]


def test_a_submission_that_replaces_os_exit_still_ends_without_its_exit_handlers():
    source = ("import atexit\natexit.register(print, 'handler ran')\n"
              "os._exit = lambda code: None\n"
              "def model(x, w, b):\n    return x @ w.T + b\n" + GOOD_MSE)
    for spawner in (Fresh(detect()), None):
        started = time.monotonic()
        result = run_cases("import torch, os\n" + source, "linreg.py", CASES, **LINREG_JOB,
                           limits=FAST, spawner=spawner)
        assert result.observations["model/b"]["out"]["values"] == [7.5]
        assert "handler ran" not in result.output  # the harness's exit is its own
        assert time.monotonic() - started < 10


def test_exceptions_keep_only_the_students_frames():
    result = run("def model(x, w, b):\n    return helper(x)\n"
                 "def helper(x):\n    raise ValueError('nope')\n" + GOOD_MSE)
    record = result.observations["model/a"]["out"]
    assert (record["type"], record["message"]) == ("ValueError", "nope")
    assert record["where"] == ["line 3, in model: return helper(x)",
                               "line 5, in helper: raise ValueError('nope')"]


def _protocol(lines: list[bytes]) -> _Child:
    """What the parent makes of these protocol lines, as the child's pipe would bring them."""
    child, buffer = _Child(), bytearray()
    read_fd, write_fd = os.pipe()

    def write() -> None:
        try:
            os.write(write_fd, b"".join(lines))
        except BrokenPipeError:  # the parent stopped reading, as it should
            pass
        os.close(write_fd)

    writer = threading.Thread(target=write)
    writer.start()
    key = SimpleNamespace(fd=read_fd, data="proto")
    while _read(child, key, FAST, buffer):
        assert len(buffer) <= LINE_LIMIT + 65536
    os.close(read_fd)  # the writer may still be blocked on a line the parent gave up on
    writer.join()
    return child


def test_a_giant_line_on_the_protocol_is_cut_short():
    child = _protocol([b"x" * (3 * LINE_LIMIT)])
    assert child.failure["kind"] == "crashed" and child.failure["protocol"] > LINE_LIMIT


def test_records_out_of_the_harness_order_are_dropped_and_a_cases_last_record_is_kept():
    """The harness sends a case's record once its code for the case has returned: any before it
    (here a malformed one, then one that would pass) came from the submission."""
    obs = {"out": {"kind": "tensor", "shape": [1], "dtype": "float32", "values": [1.0]}}
    forged = {"out": {"kind": "tensor", "shape": [1], "dtype": "float32", "values": [9.0]}}
    lines = [{"case": "model/a", "obs": obs}, {"done": True}, {"ready": True}, {"loaded": True},
             {"begin": "model/a"}, {"case": "mse/a", "obs": obs},
             {"case": "model/a", "obs": {"out": {"kind": "tensor", "shape": [2],
                                                 "dtype": "f", "values": [1.0]}}},
             {"case": "model/a", "obs": forged}, {"case": "model/a", "obs": obs},
             {"done": True}, {"case": "model/a", "obs": forged}, {"begin": "x"}]
    child = _protocol([json.dumps(line).encode() + b"\n" for line in lines] + [b"not json\n"])
    assert child.records == [{"ready": True}, {"loaded": True}, {"begin": "model/a"},
                             {"case": "model/a", "obs": obs}, {"done": True}]
