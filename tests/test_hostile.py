"""Hostile submissions: each gets its expected verdict, the grader survives every one, nothing
escapes and nothing outlives its job. At full isolation, then the fallback layers."""

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gallery import HARNESS, LINREG_JOB, REFERENCE, assert_verdicts
from hostile import HOSTILE, LEFT_BEHIND, background

from autograder import cli
from autograder.sandbox.case import Case
from autograder.sandbox.layers import Layer, detect
from autograder.sandbox.limits import Limits
from autograder.sandbox.pool import Pool
from autograder.sandbox.runner import run_cases
from autograder.sandbox.spawn import Fresh

BACKGROUND_SECONDS = 2.0


def _alive(name: str) -> list[int]:
    """Processes named `name` (what a submission's `prctl(PR_SET_NAME)` shows in /proc)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture
def graded(files_of):
    """An entry's name (or "network", which reaches for `listener`) -> the entry, its report
    at full isolation, the seconds it took and when it ended (graded once a session, with its
    part: test_pool_hostile and test_fresh read it too)."""
    def of(name: str):
        part = files_of(name)
        one = part.py(name)
        return part.entry(name), one.report, one.seconds, one.ended

    return of


def test_full_isolation_is_what_runs_here():
    assert detect().name == "namespaces", "install bubblewrap: the hostile gallery needs it"


@pytest.mark.parametrize("name", [e.name for e in HOSTILE] + ["network"])
def test_each_hostile_submission_gets_its_verdict(name, graded):
    entry, report, took, _ = graded(name)
    assert_verdicts(entry, report)
    assert report.status != "grader error", report.detail
    assert took < entry.limits.submission_seconds


@pytest.mark.entry("network")
def test_the_network_is_not_there(graded, listener):
    assert graded("network")[1].score == 100  # `model` raises if the connection was made
    with pytest.raises(BlockingIOError):
        listener.accept()


@pytest.mark.entry("output_flood_without_newlines")
def test_output_is_kept_up_to_its_cap(graded):
    flood = graded("output_flood_without_newlines")[1]
    assert len(flood.output.encode()) == Limits().output_bytes


@pytest.mark.entry("fake_passed_output")
def test_output_is_never_parsed(graded):
    fake = graded("fake_passed_output")[1]
    assert "PASSED 100/100" in fake.output and fake.score < 100


@pytest.mark.entry("background_ag-hostile-bg")
def test_nothing_outlives_its_job_nor_writes_after_it(graded):
    ended = graded("background_ag-hostile-bg")[3]
    time.sleep(max(0.0, ended + BACKGROUND_SECONDS + 0.5 - time.monotonic()))
    assert _alive("ag-hostile-bg") == []
    assert not any(Path(path).exists() for path in LEFT_BEHIND)
    assert not (HARNESS / "hacked.py").exists()


def test_a_batch_loses_nothing_to_a_vandal_or_a_background_writer(tmp_path):
    folder, out = tmp_path / "submissions", tmp_path / "results"
    folder.mkdir()
    good = folder / "b_good.py"
    good.write_text(REFERENCE.read_text())
    vandal = f"""
import os, shutil
for target in ({str(folder)!r}, {str(out)!r}, {str(good)!r}):
    for act in (shutil.rmtree, os.remove, lambda p: open(p, "w").write("def model(): pass")):
        try:
            act(target)
        except OSError:
            pass
"""
    (folder / "a_vandal.py").write_text(REFERENCE.read_text() + vandal)
    writer = background(str(out / "b_good.json"), "ag-batch-bg", BACKGROUND_SECONDS)
    (folder / "c_writer.py").write_text(writer.text())
    assert cli.main(["grade", str(folder), "--out", str(out), "--jobs", "2", "--quiet"]) == 0
    written = {p.name: p.read_bytes() for p in out.iterdir()}
    time.sleep(BACKGROUND_SECONDS + 1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == written
    assert _alive("ag-batch-bg") == []
    for name in ("a_vandal", "b_good", "c_writer"):
        result = json.loads(written[f"{name}.json"])
        assert result["score"] == 100, (name, result)
    assert good.read_text() == REFERENCE.read_text()


# The fallback layers, on the runner directly: a few representative cases each.
LAYERS = {"user": Layer("user", cgroups=True), "user_without_cgroups":
          Layer("user", cgroups=False), "process": Layer("process", cgroups=False)}
FALLBACKS = {f"{name}/{how}": (layer, how) for name, layer in LAYERS.items()
             for how in ("fresh", "pool")}
"""Each fallback layer, with children started fresh and forked from the warm pool."""
QUICK = Limits(load_seconds=15, case_seconds=2, submission_seconds=60, memory_mb=600)
CASES = [Case("model/crash", "model", {"x": [[1.0, 2.0]], "w": [[1.0, 1.0]], "b": [0.5]}),
         Case("model/ok", "model", {"x": [[3.0, 4.0]], "w": [[1.0, 1.0]], "b": [0.5]}),
         Case("mse/hang", "mse", {"preds": [[1.0]], "targets": [[0.0]]})]
FALLBACK_SOURCE = """
import ctypes, os, signal, sys, time
def mse(preds, targets):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            time.sleep(0.05)
        except BaseException:
            pass
def model(x, w, b):
    if x[0, 0] == 1:
        os.killpg(0, signal.SIGKILL)
    return x @ w.T + b
"""
KILL_PARENT = """
for pid in (os.getppid(), os.getpgid(os.getppid())):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""
FORK_BOMB = """
for _ in range(100_000):
    try:
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"ag-bomb-{name}", 0, 0, 0)
            time.sleep(60)
            os._exit(0)
    except OSError:
        break
"""


def _tag(key: str) -> str:
    """A short name for the processes and files of one fallback run."""
    layer, how = key.split("/")
    return layer.replace("user_without_cgroups", "nocg") + how[0]


def _fallback_source(name: str) -> str:
    """The process layer runs as the grader's own user, in the grader's view of the machine:
    there a submission could kill the grader or leave a detached process (the layer promises
    no more, see the README), so only the user layers get those attacks."""
    if name.startswith("process"):
        return "import torch\n" + FALLBACK_SOURCE
    writer = background(f"/tmp/ag-fallback-{name}", f"ag-bg-{name}").extra
    return ("import torch\n" + FALLBACK_SOURCE + KILL_PARENT + writer
            + FORK_BOMB.format(name=name))


@pytest.fixture(scope="module")
def fallbacks():
    """Per layer: the runner's result, and the time.time() at which it returned."""
    def one(key):
        layer, how = FALLBACKS[key]
        spawner = Fresh(layer) if how == "fresh" else Pool(layer)
        try:
            result = run_cases(_fallback_source(_tag(key)), "linreg.py", CASES, **LINREG_JOB,
                               limits=QUICK, spawner=spawner)
        finally:
            if how == "pool":
                spawner.close()
        return key, (result, time.time())

    with ThreadPoolExecutor(2) as pool:
        yield dict(pool.map(one, FALLBACKS))
    for name in map(_tag, FALLBACKS):  # at the user layers, /tmp is the machine's own
        for path in (Path(f"/tmp/ag-fallback-{name}"), Path(f"/tmp/ag-bg-{name}")):
            path.unlink(missing_ok=True)


@pytest.mark.parametrize("name", FALLBACKS)
def test_fallback_layers_recover_from_hangs_and_crashes(name, fallbacks):
    result = fallbacks[name][0]
    assert result.load_error is None, result.load_error
    assert result.observations["mse/hang"]["kind"] == "timeout"
    assert result.observations["model/crash"]["signal_name"] == "SIGKILL"
    assert result.observations["model/ok"]["out"]["values"] == [7.5]
    assert result.isolation == FALLBACKS[name][0].describe()


@pytest.mark.parametrize("key", [k for k in FALLBACKS if k.startswith("user")])
def test_at_the_user_layer_nothing_outlives_the_job(key, fallbacks):
    result, ended = fallbacks[key]
    name = _tag(key)
    assert result.observations["model/ok"]["out"]["values"] == [7.5]
    assert _alive(f"ag-bg-{name}"[:15]) == [] and _alive(f"ag-bomb-{name}"[:15]) == []
    time.sleep(max(0.0, ended + BACKGROUND_SECONDS + 0.5 - time.time()))
    written = Path(f"/tmp/ag-fallback-{name}")  # the machine's /tmp: writing is allowed...
    if written.exists():  # ...while the job runs, never after it
        assert json.loads(written.read_text())["at"] < ended


@pytest.mark.parametrize("cap, layer", [("process", "process"), ("user", "user")])
def test_the_environment_caps_the_layer(cap, layer):
    import subprocess
    import sys

    found = subprocess.run([sys.executable, "-c", "from autograder.sandbox.layers import detect; "
                            "print(detect().name)"], env={**os.environ, "AUTOGRADER_SANDBOX": cap},
                           capture_output=True, text=True, check=True)
    assert found.stdout.strip() == layer
