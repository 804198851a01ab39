"""A batch on a real Dask cluster (`--scheduler`): a scheduler and two workers on this machine,
each worker a process with its own warm pool and sandbox. The cluster's results must be the
local batch's, byte for byte, however the batch goes."""

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from command import ROOT, imports_torch
from command import autograder as in_process
from command import process as autograder
from gallery import GALLERY, REFERENCE

from autograder import __main__ as entry_point
from autograder import cli
from autograder.grading import batch
from autograder.integrations import cluster, cluster_worker
from autograder.outputs import writers
from autograder.sandbox import pool
from autograder.sandbox.limits import Limits

distributed = pytest.importorskip("distributed")

NAMES = ("reference", "matmul", "missing_transpose", "sum_instead_of_mean", "rmse",
         "gradient_ascent", "double_backward", "loss_after_update", "stubs", "syntax_error",
         "os_exit_in_model", "sys_exit_at_import")
"""Correct, buggy and broken submissions, one crashing its child mid-case."""
BOOT_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(address: str, name: str, folder: Path) -> subprocess.Popen:
    """A worker without a nanny: the process started here is the one that grades, so that a
    kill -9 of it is a worker's death, not a restart by its nanny."""
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                             "--nworkers", "1", "--nthreads", "2", "--no-nanny",
                             "--no-dashboard", "--name", name, "--local-directory",
                             str(folder)], cwd=folder, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _client(address: str):
    return distributed.Client(address, timeout=BOOT_SECONDS, set_as_default=False)


def _workers(client) -> dict[str, str]:
    """Name -> address of the workers the scheduler knows."""
    return {w["name"]: a for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}


def _stop(proc: subprocess.Popen) -> None:
    """As an operator stops a worker (SIGTERM: it closes its pool, whose folder under /tmp
    goes with it), killed only if it will not go."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def booting(tmp_path_factory):
    """A scheduler and two workers, started before the local batch runs beside them."""
    folder = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], cwd=folder, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    workers = [_worker(address, f"w{i}", folder) for i in range(2)]
    yield address, folder
    for proc in (*workers, scheduler):
        _stop(proc)


@pytest.fixture(scope="module")
def subs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("subs")
    entries = {e.name: e for e in GALLERY}
    for name in NAMES:
        (folder / f"{name}.py").write_text(entries[name].text())
    return folder


@pytest.fixture(scope="module")
def local(booting, subs, tmp_path_factory) -> dict[str, bytes]:
    """The local batch's files, every byte (graded in this process, with its warm pool: the
    local batch needs no process of its own, the cluster's side does)."""
    out = tmp_path_factory.mktemp("local")
    run = in_process("grade", subs, "--out", out, "--quiet")
    assert run.returncode == 0, run.stderr
    return _files(out)


@pytest.fixture(scope="module")
def scheduler(booting) -> str:
    address, _ = booting
    with _client(address) as client:
        client.wait_for_workers(2, timeout=BOOT_SECONDS)
    return address


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _same_files(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    """Byte for byte; a difference shown first by its file and, parsed, by its key."""
    __tracebackhide__ = True
    assert sorted(got) == sorted(want)
    for name in want:
        if name.endswith(".json"):
            assert json.loads(got[name]) == json.loads(want[name]), name
    assert got == want


def test_the_cluster_writes_the_local_batch_byte_for_byte(scheduler, subs, local, tmp_path):
    run = autograder("grade", subs, "--out", tmp_path, "--scheduler", scheduler)
    assert run.returncode == 0, run.stderr
    assert f"sending {len(NAMES)} of {len(NAMES)} submissions to 2 Dask workers" in run.stderr
    _same_files(_files(tmp_path), local)
    assert set(local) == {f"{n}.json" for n in NAMES} | {"grades.csv"}


def test_the_submitting_side_never_imports_torch(scheduler, subs, local, tmp_path):
    """It sends the reference's source; the workers run it."""
    assert imports_torch("grade", subs, "--out", tmp_path, "--scheduler", scheduler) == \
        (0, False)
    _same_files(_files(tmp_path), local)


def test_a_resumed_batch_sends_only_what_is_missing(scheduler, subs, local, tmp_path):
    for name, data in local.items():
        (tmp_path / name).write_bytes(data)
    for gone in ("rmse.json", "stubs.json"):  # as if the batch had stopped before them
        (tmp_path / gone).unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.json")}
    run = autograder("grade", subs, "--out", tmp_path, "--scheduler", scheduler)
    assert run.returncode == 0, run.stderr
    assert f"sending 2 of {len(NAMES)} submissions" in run.stderr
    assert run.stdout.count("(unchanged)") == len(NAMES) - 2
    assert {n: (tmp_path / n).stat().st_mtime_ns for n in kept} == kept
    _same_files(_files(tmp_path), local)
    # all graded: nothing is sent, so not even an address that answers nobody is asked
    again = autograder("grade", subs, "--out", tmp_path, "--scheduler",
                       f"tcp://127.0.0.1:{_free_port()}", "--quiet")
    assert again.returncode == 0, again.stderr
    assert "sending" not in again.stderr
    assert again.stdout.count("(unchanged)") == len(NAMES)
    _same_files(_files(tmp_path), local)


def test_a_worker_killed_mid_batch_loses_no_result(scheduler, booting, subs, local, tmp_path):
    _, folder = booting
    doomed = _worker(scheduler, "doomed", folder)
    try:
        with _client(scheduler) as client:
            client.wait_for_workers(3, timeout=BOOT_SECONDS)
            where = _workers(client)["doomed"]
            batch = subprocess.Popen([sys.executable, "-m", "autograder", "grade", subs,
                                      "--out", tmp_path, "--scheduler", scheduler],
                                     cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + BOOT_SECONDS
            while not client.processing(workers=[where]).get(where):
                assert batch.poll() is None and time.monotonic() < deadline, \
                    "the doomed worker was given nothing to grade"
                time.sleep(0.02)
            os.kill(doomed.pid, signal.SIGKILL)  # with submissions in its hands
        out, err = batch.communicate(timeout=300)
    finally:
        _stop(doomed)
    assert batch.returncode == 0, err
    assert "sending 12 of 12 submissions to 3 Dask workers" in err
    _same_files(_files(tmp_path), local)


def test_a_local_cluster_grades_the_same(subs, local, tmp_path):
    picked = tmp_path / "subs"
    picked.mkdir()
    for name in NAMES[:4]:
        shutil.copy(subs / f"{name}.py", picked)
    run = autograder("grade", picked, "--out", tmp_path / "out", "--scheduler", "local")
    assert run.returncode == 0, run.stderr
    files = _files(tmp_path / "out")
    for name in NAMES[:4]:  # parsed first, so that a difference is shown by its key
        assert json.loads(files[f"{name}.json"]) == json.loads(local[f"{name}.json"]), name
    assert {n: files[n] for n in files if n != "grades.csv"} == {
        f"{n}.json": local[f"{n}.json"] for n in NAMES[:4]}


@pytest.mark.parametrize("address", ["nonsense://x", "tcp://127.0.0.1", "refused"])
def test_a_bad_scheduler_address_is_a_clear_error(address, subs, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}" if address == "refused" else address
    began = time.monotonic()
    run = autograder("grade", subs, "--out", tmp_path, "--scheduler", address)
    assert run.returncode == 2, run.stderr
    assert f"autograder: cannot reach the Dask scheduler at {address}" in run.stderr
    assert "Traceback" not in run.stderr and time.monotonic() - began < 40
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("extra, pool_started", [((), True), (("--no-pool",), False),
                                                  (("--scheduler", "tcp://127.0.0.1:1"), False),
                                                  (("--scheduler=local",), False)])
def test_only_a_batch_graded_here_starts_a_pool_ahead(extra, pool_started, monkeypatch):
    started = []
    ahead = SimpleNamespace(prestart=lambda: started.append(1))
    monkeypatch.setattr(pool, "default", lambda: ahead)
    monkeypatch.setattr(cli, "main", lambda argv: 0)
    monkeypatch.setattr(sys, "argv", ["autograder", "grade", "subs", "--out", "out", *extra])
    assert entry_point.main() == 0
    assert started == ([1] if pool_started else [])


def test_without_dask_the_cluster_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(cluster.Unreachable, match=r"pip install 'linreg-autograder\[cluster\]'"):
        cluster._distributed()


def test_a_job_is_graded_as_the_local_batch_grades_its_file(expect, subs):
    path, rubric = subs / "sum_instead_of_mean.py", expect.exercise.checks
    job = cluster_worker.Job.of(path, expect, Limits(), rubric)
    report, seconds = cluster_worker.from_plain(cluster_worker.grade(job), expect.exercise)
    here = batch.grade_one(path, expect, Limits(), pool.default(), rubric)
    assert report == here and seconds > 0
    assert writers.gradescope(report) == writers.gradescope(here)


def test_a_worker_with_another_grader_refuses_the_job(expect, subs):
    job = cluster_worker.Job.of(subs / "reference.py", expect, Limits(), expect.exercise.checks)
    with pytest.raises(cluster_worker.GraderMismatch, match="same autograder"):
        cluster_worker.grade(dataclasses.replace(job, grader="another"))
    with pytest.raises(cluster_worker.GraderMismatch, match="no check 'nope'"):
        cluster_worker.grade(dataclasses.replace(job, rubric=(("nope", 1, "visible"),)))


def test_a_worker_whose_harness_never_starts_stops_the_batch_with_its_reason(expect):
    """As a worker whose grader its isolated interpreter cannot import: the same for every
    submission it would take, so no result is kept and the reason reaches the instructor."""
    from autograder.sandbox import runner

    class Lost:
        def result(self):
            raise runner.HarnessError("the grader's child process exited with status 1")

    cancelled = []
    client = SimpleNamespace(loop=None, cancel=cancelled.extend)
    futures = {Lost(): Path("a.py"), Lost(): Path("b.py")}
    as_completed = SimpleNamespace(as_completed=lambda futures, loop: iter(futures))
    with pytest.raises(cluster.ClusterError, match="exited with status 1"):
        cluster._collect(as_completed, client, futures, expect.exercise, None)
    assert cancelled == list(futures)


def test_a_link_is_never_read_nor_sent_to_a_worker(expect, tmp_path):
    """Its report is made here, and no cluster is even asked for (the address is nobody's)."""
    from autograder.inputs import submission

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    link = tmp_path / "mallory.py"
    link.symlink_to(secret)
    saved = []
    store = SimpleNamespace(load=lambda target, key: None,
                            save=lambda report, target, key: saved.append((report, key)))
    [report] = cluster.grade_all([link], {link: tmp_path / "mallory.json"},
                                 scheduler="tcp://192.0.2.1:8786", expect=expect,
                                 limits=Limits(), store=store)
    assert (report.status, report.message) == ("could not load", submission.LINK)
    assert saved == [(report, batch.result_key(link, expect, Limits(),
                                               expect.exercise.checks))]


def test_a_folder_for_each_student_is_graded_by_the_workers_as_here(scheduler, tmp_path):
    """The file chosen in a student's folder is sent, and its report comes back under the
    folder's name; a folder with nothing to grade is told here, and never sent."""
    subs = tmp_path / "subs"
    for folder in ("alice", "dave"):
        (subs / folder).mkdir(parents=True)
    shutil.copy(REFERENCE, subs / "alice" / "linreg.py")
    (subs / "dave" / "notes.txt").write_text("nothing to grade")
    here = in_process("grade", subs, "--out", tmp_path / "here", "--quiet")
    there = in_process("grade", subs, "--out", tmp_path / "there", "--scheduler", scheduler)
    assert here.returncode == there.returncode == 0, here.stderr + there.stderr
    assert "sending 1 of 2 submissions to 2 Dask workers" in there.stderr
    _same_files(_files(tmp_path / "there"), _files(tmp_path / "here"))
    assert set(_files(tmp_path / "here")) == {"alice.json", "dave.json", "grades.csv"}
    assert b"alice/linreg.py,100.0" in _files(tmp_path / "here")["grades.csv"]


def test_a_broken_reference_stops_the_cluster_batch_as_a_local_one(scheduler, subs, tmp_path):
    broken = tmp_path / "ref.py"
    broken.write_text(REFERENCE.read_text().replace("return x @ w.T + b",
                                                    "raise RuntimeError('oops')"))
    run = autograder("grade", subs, "--out", tmp_path / "out", "--reference", broken,
                     "--scheduler", scheduler)
    assert run.returncode == 3 and "fails on case model/crop" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "out").exists()
