"""The warm pool: exactly the results recorded before the crop-yield exercise moved into a
folder of its own (the whole gallery here, each file once each way; the hostile submissions in
test_pool_hostile; against fresh interpreters in test_fresh); nothing of one job visible to the
next, and a pool that dies or cannot start costs nothing but time."""

import ctypes
import errno
import json
import mmap
import os
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from gallery import GALLERY, LINREG_JOB, REFERENCE
from recorded import assert_as_recorded, entry_name, keys_of
from test_backward import SHOWS, SHOWS_CASE

from autograder.sandbox import leftovers, linux, warm
from autograder.sandbox.case import Case
from autograder.sandbox.jail import sweep_leftovers
from autograder.sandbox.layers import CGROUP_ROOT, detect
from autograder.sandbox.pool import Pool
from autograder.sandbox.runner import run_cases
from autograder.sandbox.spawn import Fresh


@pytest.mark.parametrize("key", keys_of(GALLERY))
def test_results_are_byte_identical_to_before_the_move(key, files_of):
    graded = files_of(entry_name(key))
    assert_as_recorded(graded.pooled[key], key, lambda: graded.again(key))


SPY = """
import json, os

def model(x, w, b):
    places = ("/tmp", os.environ["HOME"], ".")
    seen = {place: sorted(os.listdir(place)) for place in places}
    for place in places:
        with open(os.path.join(place, "left-by-a-job"), "w") as f:
            f.write("x")
    procs = sorted(p for p in os.listdir("/proc") if p.isdigit())
    print(json.dumps([seen, os.getuid(), os.getpid(), procs,
                      os.path.exists("/jobs") and os.listdir("/jobs")]))
    return x @ w.T + b
"""
CASE = Case("model/spy", "model", {"x": [[1.0, 2.0]], "w": [[1.0, 1.0]], "b": [0.5]})


def test_nothing_of_one_job_is_visible_to_the_next(warm_pool):
    # the process's own pool, as a batch's: in the suite, its zygote has forked a gallery's jobs
    runs = [run_cases(SPY, "linreg.py", [CASE], **LINREG_JOB, spawner=warm_pool)
            for _ in range(2)]
    users = set()
    for run in runs:
        assert run.observations["model/spy"]["out"]["values"] == [3.5]
        seen, uid, pid, procs, jobs = json.loads(run.output)
        assert seen == {"/tmp": [], "/home/student": [], ".": []}
        assert uid != 0 and pid == 1 and procs == ["1"] and jobs == []
        users.add(uid)
    assert len(users) == 2  # a user id of its own for each job


CGROUPS_SPY = """
import json, os, threading

def _groups(path):
    with open(path) as f:
        return {line.split(":", 2)[1]: line.split(":", 2)[2].strip().rsplit("/", 1)[-1]
                for line in f if line.split(":", 2)[1] in ("memory", "pids")}

def model(x, w, b):
    seen = {"process": _groups("/proc/self/cgroup")}
    def in_thread():
        seen["thread"] = _groups(f"/proc/self/task/{threading.get_native_id()}/cgroup")
    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    r, wr = os.pipe()
    if os.fork() == 0:
        os.write(wr, json.dumps(_groups("/proc/self/cgroup")).encode())
        os._exit(0)
    os.close(wr)
    seen["child"] = json.loads(os.read(r, 4096))
    print(json.dumps(seen))
    return x @ w.T + b
"""


def test_a_job_its_threads_and_its_children_are_in_the_job_s_own_cgroups(warm_pool):
    """A job joins its cgroups through `tasks` (its one thread, `jail.JOIN`): what it starts
    afterwards, a thread or a process, is born in them too."""
    layer = detect()
    if not layer.cgroups:
        pytest.skip("no cgroups here")
    run = run_cases(CGROUPS_SPY, "linreg.py", [CASE], **LINREG_JOB, spawner=warm_pool)
    assert run.observations["model/spy"]["out"]["values"] == [3.5]
    seen = json.loads(run.output)
    assert set(seen) == {"process", "thread", "child"}
    assert all(set(groups) == {"memory", "pids"} for groups in seen.values())
    names = {name for groups in seen.values() for name in groups.values()}
    assert len(names) == 1
    assert names.pop().startswith(f"autograder-{leftovers.owner()}-")  # this grader's


GOOD = REFERENCE.read_text()
BUILTINS_JOB = {"probes": "autograder.exercises.linreg_builtins.probes",
                "module": "linreg_builtins", "functions": ("make_model",)}
MODEL_CASE = Case("make_model/spy", "make_model", {"f": 3, "k": 2, "x": [[1.0, 2.0, 3.0]]})
LAZY = ("import sys\nprint(sorted(m for m in ('matplotlib.pyplot', 'sympy', 'torch._dynamo') "
        "if m in sys.modules))\n")
"""What was there before the submission's code: matplotlib's pyplot, and what torch imports on
the first optimiser made (about 800 modules, a second of CPU)."""
PLOTS = LAZY + "import matplotlib.pyplot\n"
"""The same, of a submission that plots (pyplot cost each job that imported it 0.43 CPU-s)."""


def test_the_zygote_warms_up_once_for_an_exercise_and_for_a_library_before_the_first_job():
    pool = Pool(detect())
    try:
        crop = run_cases(LAZY, "linreg.py", [CASE], **LINREG_JOB, spawner=pool)
        builtins = [run_cases(source, "linreg_builtins.py", [MODEL_CASE], **BUILTINS_JOB,
                              spawner=pool) for source in (PLOTS, LAZY)]
        after = run_cases(LAZY, "linreg.py", [CASE], **LINREG_JOB, spawner=pool)
    finally:
        pool.close()
    assert crop.output == "[]\n"  # the crop-yield exercise makes no optimiser: no warm-up
    for run in builtins:  # its jobs find torch's lazy set-up made before they run, and pyplot
        # before the first that imports it, and in every later job, as an imported module
        assert run.output == "['matplotlib.pyplot', 'sympy', 'torch._dynamo']\n"
        assert run.observations["make_model/spy"]["error"]["kind"] == "missing"
    # the warm-up's optimiser was made under the zygote's watch: no job is told it used one
    assert crop.used == after.used == builtins[0].used == builtins[1].used == set()


def test_a_fresh_child_warms_up_as_the_zygote_does_before_the_submissions_time_starts():
    """The limits count from the harness ready, fresh or pooled, from the same warm torch:
    before, a fresh child of the built-ins exercise made its first optimiser in the
    submission's case time (a second of CPU), and imported matplotlib in its load time."""
    result = run_cases(PLOTS, "linreg_builtins.py", [MODEL_CASE], **BUILTINS_JOB,
                       spawner=Fresh(detect()))
    assert result.output == "['matplotlib.pyplot', 'sympy', 'torch._dynamo']\n"
    assert result.used == set()  # its warm-up's optimiser is not the submission's


def test_a_warm_up_runs_once_and_only_for_probes_the_zygote_has(monkeypatch):
    calls, settled = [], []
    module = types.ModuleType("probes_with_a_warm_up")
    module.warm_up = lambda: calls.append("warm_up")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(warm, "settle", lambda: settled.append(True))
    warmed: set[str] = set()
    did = [warm.for_probes(name, warmed) for name in (module.__name__, module.__name__,
                                                      "probes_never_imported", None)]
    assert did == [True, False, False, False]  # the zygote makes huge pages after the first
    assert calls == ["warm_up"] and settled == [True]


@pytest.mark.parametrize("source, libraries", [
    ("import matplotlib.pyplot as plt", ["matplotlib.pyplot"]),
    ("from matplotlib import pyplot as plt", ["matplotlib", "matplotlib.pyplot"]),
    ("from matplotlib.pyplot import plot, show", ["matplotlib.pyplot"]),
    ("import torch, matplotlib", ["matplotlib"]),
    ("def plot():\n    import matplotlib.pyplot as plt", []),
    ("if __name__ == '__main__':\n    import matplotlib.pyplot as plt", []),
    ("import numpy as np  # import matplotlib.pyplot", []),
    ("text = 'import matplotlib'", [])])
def test_the_zygote_is_asked_for_the_libraries_a_submissions_import_lines_name(source,
                                                                               libraries):
    assert warm.imported(source) == libraries


def test_a_zygote_makes_its_huge_pages_aside_once_a_batch_is_under_way(monkeypatch):
    made = []
    monkeypatch.setattr(warm, "huge_pages", lambda: made.append(threading.current_thread()))
    pages = warm.HugePages(after=3)
    for _ in range(2):  # a single grading, or a handful: never worth 0.4 s of CPU
        pages.forked()
    assert made == []
    pages.forked()  # the third: a batch
    _wait_for(lambda: made and not pages._running)
    assert len(made) == 1 and made[0] is not threading.current_thread()
    pages.forked()
    pages.changed()  # a warm-up's new heap: counted again, made again after as many
    for _ in range(3):
        pages.forked()
    _wait_for(lambda: len(made) == 2 and not pages._running)
    assert len(made) == 2


@pytest.mark.entry("reference")
def test_the_gallery_zygote_has_its_heap_in_huge_pages(files_of):
    """Most of it: a fork copies a page-table entry for each 4 KiB page left (a fork and a
    small job cost about 17 ms of CPU with none, 5 ms with all)."""
    graded = files_of("reference")
    if not _kernel_collapses():
        pytest.skip("this kernel makes no huge pages on request (MADV_COLLAPSE, Linux 6.1)")
    assert len(graded.pooled) > warm.COLLAPSE_AFTER  # its jobs, all forked by then
    zygote = _zygote(graded.pool)
    _wait_for(lambda: _heap_kib(zygote)[1] > _heap_kib(zygote)[0] // 2)
    anonymous, huge = _heap_kib(zygote)
    assert huge > anonymous // 2, (anonymous, huge)


def test_a_range_the_kernel_cannot_collapse_just_now_is_tried_again(monkeypatch):
    """EAGAIN: a page a job that just ended shared with the zygote is not free to move yet.
    The zygote's heap hit it after a batch's first jobs: once given up on, as little as 14 MiB
    of some 120 was in huge pages, and every fork of the batch paid for the rest."""
    calls = []

    def madvise(start, length, advice, answers):
        calls.append(advice)
        code = answers.pop(0)
        if code:
            raise OSError(code, os.strerror(code))

    monkeypatch.setattr(warm, "COLLAPSE_WAIT", 0)
    again, never = errno.EAGAIN, errno.EINVAL
    for answers, collapsed, tries in (([0], True, 1), ([again, again, 0], True, 3),
                                      ([never], False, 1),
                                      ([again] * warm.COLLAPSE_TRIES, False, warm.COLLAPSE_TRIES)):
        calls.clear()
        monkeypatch.setattr(linux, "madvise", lambda *args, a=list(answers): madvise(*args, a))
        assert warm._collapsed(0, warm.HUGE) is collapsed
        assert calls == [linux.MADV_COLLAPSE] * tries


@pytest.mark.entry("reference")
def test_a_child_of_the_gallery_zygote_has_the_backward_shortcut(files_of):
    run = run_cases(SHOWS, "linreg.py", [SHOWS_CASE], **LINREG_JOB,
                    spawner=files_of("reference").pool)
    assert run.observations["model/shows"]["out"]["values"] == [4.5]


def _kernel_collapses() -> bool:
    """Whether this kernel backs memory with huge pages on request, as the zygote asks."""
    enabled = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    if not enabled.exists() or "[never]" in enabled.read_text():
        return False
    region = mmap.mmap(-1, 2 * warm.HUGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    region.write(b"x" * len(region))  # private pages to collapse, as the zygote's heap
    view = ctypes.c_char.from_buffer(region)
    start = -(-ctypes.addressof(view) // warm.HUGE) * warm.HUGE
    try:
        linux.madvise(start, warm.HUGE, linux.MADV_COLLAPSE)
        return True
    except OSError:
        return False
    finally:
        del view
        region.close()


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def _status(pid: int | str) -> dict[str, str] | None:
    """/proc/PID/status by field; None once the process is gone."""
    try:
        return dict(line.split(":\t", 1)
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    except (OSError, ValueError):
        return None


def _children(parent: int) -> dict[int, dict[str, str]]:
    """The parent's children, by pid, with their /proc/PID/status."""
    found = {}
    for folder in Path("/proc").glob("[0-9]*"):
        fields = _status(folder.name)
        if fields and int(fields["PPid"]) == parent:
            found[int(folder.name)] = fields
    return found


def _zygote(pool: Pool) -> int:
    """The zygote's pid: the pool's process, or (at the namespace layer) its bwrap's child."""
    started = pool._zygote[0].pid
    if "bwrap" not in Path(f"/proc/{started}/cmdline").read_text():
        return started
    below = _children(started)
    assert below, "no zygote below its bwrap"
    return next(iter(below))


def _heap_kib(pid: int) -> tuple[int, int]:
    """The process's [heap]: its anonymous memory, and how much of it is in huge pages."""
    fields, inside = {}, False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        name, _, value = line.partition(":")
        if " " in name:  # a mapping's first line: its addresses, ..., its name
            inside = line.endswith("[heap]")
        elif inside and name in ("Anonymous", "AnonHugePages"):
            fields[name] = int(value.split()[0])
    return fields.get("Anonymous", 0), fields.get("AnonHugePages", 0)


def _jobs_of(zygote: int) -> list[int]:
    """The zygote's children that run as a job's user (dropped to it: in the submission)."""
    return [pid for pid, fields in _children(zygote).items() if fields["Uid"].split()[0] != "0"]


def test_a_zygote_that_dies_costs_its_running_job_nothing_and_is_started_again():
    """The job reports to the grader, not to its zygote: it finishes its case (no
    parent-death signal), and the next job gets a zygote of its own."""
    pool = Pool(detect())
    during = {}
    slow = "import time\ndef model(x, w, b):\n    time.sleep(1)\n    return x @ w.T + b\n"
    grading = threading.Thread(target=lambda: during.update(
        run=run_cases(slow, "linreg.py", [CASE], **LINREG_JOB, spawner=pool)))
    try:
        grading.start()
        _wait_for(lambda: pool._zygote is not None and _jobs_of(_zygote(pool)), 60)
        assert len(_jobs_of(_zygote(pool))) == 1
        time.sleep(0.3)  # the job is in model
        os.kill(_zygote(pool), signal.SIGKILL)
        grading.join(30)
        after = run_cases(GOOD, "linreg.py", [CASE], **LINREG_JOB, spawner=pool)
    finally:
        pool.close()
    assert during["run"].observations["model/spy"]["out"]["values"] == [3.5]
    assert after.observations == during["run"].observations


def user_of(pid: int) -> int | None:
    """A live process's real user id; None once it is gone (or a zombie)."""
    fields = _status(pid)
    if fields is None or fields["State"].startswith("Z"):
        return None
    return int(fields["Uid"].split()[0])


def killed_outright(grader: str, tmp_path: Path, monkeypatch) -> None:
    """Run `grader`, a script that starts one job sleeping at its load and prints its pid;
    SIGKILL it once the job runs as its own user; the job must be gone within 10 s. What the
    grader leaves (its jobs' cgroups, its pool's folder) the next grader's sweep removes."""
    run = subprocess.Popen([sys.executable, "-c", grader], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "TMPDIR": str(tmp_path)})
    job = None
    try:
        job = int(run.stdout.readline())
        _wait_for(lambda: user_of(job) not in (0, None), 60)
        assert user_of(job) not in (0, None)  # the job, dropped to its user
        time.sleep(0.2)  # and asleep in its submission's code
        run.kill()
        run.wait()
        _wait_for(lambda: user_of(job) is None, 10)
        assert user_of(job) is None
    finally:
        run.kill()
        if job is not None and user_of(job) is not None:  # it outlived its grader
            os.killpg(job, signal.SIGKILL)
        _wait_for(lambda: user_of(job) is None, 10)
        # what it left (its jobs' cgroups, its pool's folder), which the next grader removes
        left = lambda: [*CGROUP_ROOT.glob(f"*/autograder-*-{run.pid}-*"),  # noqa: E731
                        *tmp_path.glob(f"autograder-*-*-{run.pid}-*")]  # pool, job
        monkeypatch.setattr(leftovers, "_swept", [])  # a grader of its own, with its TMPDIR
        monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
        sweep_leftovers(detect())
        assert left() == []


SLEEPER_JOB = ('{"source": "import time\\ntime.sleep(1000)\\n", "filename": "linreg.py", '
               f'"module": "linreg", "probes": "{LINREG_JOB["probes"]}", '
               '"functions": ["model"], "inject": None, "alone": [], "cases": []}')
"""A job whose submission sleeps as it loads, as a grader script writes it."""
POOL_GRADER = f"""
import time
from autograder.sandbox.layers import detect
from autograder.sandbox.limits import Limits
from autograder.sandbox.pool import Pool

pool = Pool(detect())
started = pool.start({SLEEPER_JOB}, pool.jail(Limits()))
started._read_status(60, lambda: started.pid is not None)
print(started.pid, flush=True)
time.sleep(1000)
"""


def test_a_job_dies_with_a_grader_killed_outright(tmp_path, monkeypatch):
    """The zygote holds a pidfd of its grader: when the grader ends, even by SIGKILL, the
    zygote kills the jobs it is running (of other user ids: it keeps CAP_KILL) and leaves.
    Before, such a job slept on, with its cgroups."""
    killed_outright(POOL_GRADER, tmp_path, monkeypatch)


def test_a_system_without_pidfds_has_a_pool_that_cannot_start(monkeypatch):
    """As a zygote that cannot start (below): the pool falls back to fresh interpreters."""
    monkeypatch.delattr(os, "pidfd_open")
    pool = Pool(detect())
    try:
        with pytest.raises(OSError):
            pool._start_zygote()
    finally:
        pool.close()


def test_a_pool_off_linux_grades_with_fresh_interpreters(monkeypatch, capsys):
    """A student's self-check on a Mac: no zygote is even tried."""
    monkeypatch.setattr("autograder.sandbox.pool.sys.platform", "darwin")
    pool = Pool(detect())
    try:
        run = run_cases(GOOD, "linreg.py", [CASE], **LINREG_JOB, spawner=pool)
    finally:
        pool.close()
    assert run.observations["model/spy"]["out"]["values"] == [3.5]
    assert "no warm pool here (not Linux)" in capsys.readouterr().err


def test_a_pool_that_cannot_start_grades_with_fresh_interpreters_and_says_so_once(
        monkeypatch, capsys):
    monkeypatch.setattr("autograder.sandbox.zygote.BOOT", "raise SystemExit(1)")
    pool = Pool(detect())
    try:
        runs = [run_cases(GOOD, "linreg.py", [CASE], **LINREG_JOB, spawner=pool)
                for _ in range(2)]
    finally:
        pool.close()
    assert [run.observations["model/spy"]["out"]["values"] for run in runs] == [[3.5]] * 2
    assert capsys.readouterr().err == (
        "autograder: no warm pool here (the zygote did not start): every child starts a fresh "
        "interpreter instead, which gives the same results, about twenty times slower\n")
