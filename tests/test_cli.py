"""End to end through the `autograder` command, as an instructor runs it."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from command import ROOT, autograder, imports_torch, process
from gallery import REFERENCE
from test_pool import _wait_for

from autograder import __main__ as command
from autograder.sandbox.layers import CGROUP_ROOT
from autograder.sandbox.limits import Limits

CHECK_IDS = ["model.values", "model.hidden", "model.autograd", "mse.values", "mse.hidden",
             "mse.autograd", "gradients", "train_step.loss", "train_step.update",
             "train_step.zero_grad", "train_step.no_grad", "training.converges"]


def test_the_reference_gets_full_marks(tmp_path):
    (tmp_path / "tmp").mkdir()
    run = process("grade", REFERENCE, "--json", tmp_path / "r.json",  # the README's command
                  env={"TMPDIR": str(tmp_path / "tmp")})
    assert run.returncode == 0, run.stderr
    # the command leaves without the interpreter's teardown, not without its exit handlers:
    # its pool's folder is gone and its output is whole
    assert list((tmp_path / "tmp").iterdir()) == []
    assert run.stdout.endswith("\n") and run.stderr == ""
    results = json.loads((tmp_path / "r.json").read_text())
    assert (results["score"], results["max_score"]) == (100, 100)
    assert [t["tags"] for t in results["tests"]] == [[i] for i in CHECK_IDS]
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert "linreg.py: 100/100" in run.stdout


def test_the_stubs_get_zero_and_not_attempted(tmp_path):
    run = autograder("grade", "assignments/linreg/linreg.py", "--json", tmp_path / "r.json")
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["score"] == 0
    assert all(t["status"] == "failed" and "Not attempted" in t["output"]
               for t in results["tests"])


def test_a_missing_file_is_a_clear_error(tmp_path):
    run = autograder("grade", tmp_path / "nope.py", "--json", tmp_path / "r.json")
    assert run.returncode == 2
    assert "no such file" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("args", [["grade"], ["grade", REFERENCE, "--bogus"],
                                  ["frobnicate"]])
def test_bad_arguments_exit_2(args):
    run = autograder(*args)
    assert run.returncode == 2 and "usage" in run.stderr


@pytest.mark.parametrize("option, value, words", [
    ("--case-seconds", "nan", "not a number above 0: 'nan'"),
    ("--case-seconds", "-1", "not a number above 0: '-1'"),
    ("--memory-mb", "0", "not an integer above 0: '0'"),
    ("--memory-mb", "1.5", "not an integer above 0: '1.5'"),
    ("--jobs", "-2", "not an integer above 0: '-2'")])
def test_a_limit_or_a_count_that_is_not_above_0_is_a_usage_error(option, value, words):
    """As the settings' limits must be; a NaN time limit once reached the grading."""
    run = autograder("grade", REFERENCE, option, value)
    assert run.returncode == 2 and f"argument {option}: {words}" in run.stderr


def test_a_file_that_is_not_a_submission_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a submission")
    for path in (tmp_path / "notes.txt", "/dev/zero"):
        run = autograder("grade", path, "--json", tmp_path / "r.json")
        assert (run.returncode, run.stderr) == (2, f"autograder: not a submission: {path} (a "
                                                   ".py or .ipynb file, or a folder of them)\n")
    assert not (tmp_path / "r.json").exists()


def test_a_folder_needs_out(tmp_path):
    run = autograder("grade", tmp_path)
    assert run.returncode == 2 and "--out" in run.stderr


def test_a_missing_reference_is_a_grader_error_not_a_zero(tmp_path):
    run = autograder("grade", "examples/alice.py", "--reference", tmp_path / "none.py",
                     "--json", tmp_path / "r.json")
    assert run.returncode == 3 and "no reference solution" in run.stderr
    assert not (tmp_path / "r.json").exists()


def test_a_batch_grades_everything_and_one_broken_file_spoils_nothing(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(ROOT / "examples" / "alice.py", subs / "alice.py")
    shutil.copy(ROOT / "examples" / "bob.py", subs / "bob.py")
    (subs / "carol.py").write_text("def model(x, w, b)\n")
    (subs / "dave.py").write_text("import os\nos._exit(3)\n")
    (subs / "notes.txt").write_text("not a submission")
    run = autograder("grade", subs, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    scores = {r["submission"]: (float(r["score"]), r["status"]) for r in rows}
    assert scores == {"alice.py": (100, "ok"), "bob.py": (50, "ok"),
                      "carol.py": (0, "could not load"), "dave.py": (0, "could not load")}
    assert list(rows[0])[4:] == CHECK_IDS
    for name in ("alice", "bob", "carol", "dave"):
        results = json.loads((tmp_path / "out" / f"{name}.json").read_text())
        assert results["score"] == scores[f"{name}.py"][0]
    carol = json.loads((tmp_path / "out" / "carol.json").read_text())
    assert "syntax error at line 1" in carol["output"]
    assert run.stderr.endswith("autograder: 4 submissions: 2 ok, 2 could not load; mean score "
                               "37.5 of 100\n")
    # a student's work in another format would get no grade: the instructor is told
    assert "autograder: warning: 1 file left out, not .py or .ipynb: notes.txt\n" in run.stderr


def test_rubric_prints_the_table():
    run = autograder("rubric")
    assert run.returncode == 0 and "| **total** | **100** |" in run.stdout


@pytest.mark.parametrize("args", [["rubric"], ["rubric", "--exercise", "linreg_builtins"],
                                  ["exercises"], ["export", "--help"]])
def test_a_command_that_grades_nothing_never_imports_torch(args):
    """It answers at once: torch comes in with a reference, only when something is graded."""
    assert imports_torch(*args) == (0, False)


def test_a_broken_reference_is_a_grader_error(tmp_path):
    broken = tmp_path / "ref.py"
    broken.write_text(REFERENCE.read_text().replace(
        "return x @ w.T + b", "raise RuntimeError('oops')"))
    run = autograder("grade", "examples/alice.py", "--reference", broken)
    assert run.returncode == 3 and "fails on case model/crop" in run.stderr


def test_a_harness_that_never_starts_stops_the_batch_with_exit_3_and_gives_nobody_a_zero(
        tmp_path, monkeypatch):
    """As after a move of the checkout the grader was installed from: every child's harness
    fails before any submission's code runs, which is no student's doing."""
    from test_runner import _Unready

    from autograder.sandbox import pool

    real = pool.default()
    monkeypatch.setattr(pool, "default", lambda: _Unready(real, broken=1000))
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("alice.py", "bob.py"):
        shutil.copy(ROOT / "examples" / name, subs / name)
    run = autograder("grade", subs, "--out", tmp_path / "out", "--jobs", "1")
    assert run.returncode == 3, run.stderr
    assert "before any submission's code ran" in run.stderr
    assert "No module named 'autograder.exercises.no_such_probes'" in run.stderr
    assert not (tmp_path / "out").exists()  # no result, no grades.csv, not even the folder


@pytest.mark.parametrize("option", ["--out", "--json", "--timings"])
def test_a_place_the_results_cannot_go_is_told_before_anything_is_graded(
        option, tmp_path, monkeypatch):
    from autograder.grading import batch

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    args = {"--out": ["examples", "--out", blocker / "out"],
            "--json": ["examples/alice.py", "--json", blocker / "r.json"],
            "--timings": ["examples/alice.py", "--json", tmp_path / "r.json",
                          "--timings", blocker / "t.csv"]}[option]
    graded = []
    monkeypatch.setattr(batch, "grade_one", lambda *args: graded.append(args))
    run = autograder("grade", *args)
    assert run.returncode == 2 and f"autograder: cannot write in {blocker}" in run.stderr
    assert "Traceback" not in run.stderr and graded == []


def test_a_full_disk_stops_the_batch_and_keeps_what_was_written(tmp_path, monkeypatch):
    """The third file the batch makes (the first is its look at --out) meets a full disk."""
    import tempfile

    from autograder.outputs import writers

    made = []

    def mkstemp(dir, prefix):
        fd, tmp = tempfile.mkstemp(dir=dir, prefix=prefix)
        made.append(tmp)
        if len(made) < 3:
            return fd, tmp
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), tmp  # every write: no space left

    monkeypatch.setattr(writers, "tempfile", SimpleNamespace(mkstemp=mkstemp))
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in ("alice.py", "bob.py", "carol.py"):
        shutil.copy(ROOT / "examples" / ("bob.py" if name == "carol.py" else name), subs / name)
    run = autograder("grade", subs, "--out", out, "--jobs", "1")
    assert run.returncode == 3
    assert f"autograder: cannot write {out / 'bob.json'}: No space left on device; the " \
        "results written before it are kept" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["alice.json"]  # nothing half-written


def test_a_submission_that_is_a_link_is_never_read_through_it(tmp_path):
    """An archive of uploads unpacked, or a repository checked out, can hold a symbolic link
    to any file of the grader's machine: its text would be graded, and quoted back."""
    from autograder.inputs import submission

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET: the instructor's notes\n")
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    shutil.copy(ROOT / "examples" / "alice.py", subs / "alice.py")
    (subs / "mallory.py").symlink_to(secret)
    run = autograder("grade", subs, "--out", out)
    assert run.returncode == 0, run.stderr
    mallory = json.loads((out / "mallory.json").read_text())
    assert (mallory["score"], mallory["extra_data"]["status"]) == (0, "could not load")
    assert mallory["output"] == submission.LINK
    assert json.loads((out / "alice.json").read_text())["score"] == 100
    assert not [p for p in out.iterdir() if "TOP SECRET" in p.read_text()]
    assert "TOP SECRET" not in run.stdout + run.stderr


def test_a_folder_for_each_student_is_graded_as_the_students_upload(tmp_path):
    """The collected repositories of GitHub Classroom, or an export with a folder per student:
    each folder's file is the one a push, or the upload, graded (`inputs.uploads`)."""
    from autograder.inputs import uploads

    subs, out = tmp_path / "subs", tmp_path / "subs" / "results"
    for folder in ("alice", "bob/notebooks", "carol", "dave", "erin", "frank"):
        (subs / folder).mkdir(parents=True)
    for name in ("linreg.ipynb", "test_linreg.py"):  # the release, the .py filled in
        shutil.copy(ROOT / "assignments" / "linreg" / name, subs / "frank")
    shutil.copy(ROOT / "examples" / "alice.py", subs / "frank" / "linreg.py")
    shutil.copy(ROOT / "examples" / "alice.py", subs / "alice" / "linreg.py")
    shutil.copy(ROOT / "assignments" / "linreg" / "linreg.ipynb", subs / "bob" / "notebooks")
    shutil.copy(ROOT / "examples" / "bob.py", subs / "carol" / "mine.py")
    (subs / "carol" / "README.md").write_text("my repository")
    (subs / "dave" / "notes.txt").write_text("nothing to grade")
    for name in ("a.py", "b.py"):
        shutil.copy(ROOT / "examples" / "alice.py", subs / "erin" / name)
    shutil.copy(ROOT / "examples" / "bob.py", subs / "alice.py")  # a file beside them
    (subs / "mallory").symlink_to(ROOT / "examples")
    first = autograder("grade", subs, "--out", out)
    assert first.returncode == 0, first.stderr
    rows = {r["submission"]: (float(r["score"]), r["status"])
            for r in csv.DictReader((out / "grades.csv").open())}
    assert rows == {"alice/linreg.py": (100, "ok"), "alice.py": (50, "ok"),
                    "bob/notebooks/linreg.ipynb": (0, "ok"),  # the stubs, not attempted
                    "carol/mine.py": (50, "ok"), "dave/": (0, "could not load"),
                    "erin/": (0, "could not load"), "mallory/": (0, "could not load"),
                    "frank/linreg.py": (100, "ok")}
    names = {p.name for p in out.iterdir()}
    assert names == {"alice.dir.json", "alice.py.json", "bob.json", "carol.json", "dave.json",
                     "erin.json", "frank.json", "mallory.json",
                     "grades.csv"}  # and never results/ itself
    told = {n: json.loads((out / f"{n}.json").read_text())["output"]
            for n in ("dave", "erin", "mallory")}
    assert told["dave"].startswith("No .py or .ipynb file was found in your submission")
    assert "several files (a.py, b.py)" in told["erin"]
    assert told["mallory"] == uploads.FOLDER_LINK
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    (subs / "carol" / "mine.py").write_text((subs / "carol" / "mine.py").read_text() + "#\n")
    again = autograder("grade", subs, "--out", out, "--quiet")
    assert again.stdout.count("(unchanged)") == 7 and "carol/mine.py: 50/100 ok\n" in again.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files | {
        "carol.json": (out / "carol.json").read_bytes()}


def test_a_batch_resumes_and_a_rerun_is_identical(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in ("alice", "bob"):
        shutil.copy(ROOT / "examples" / f"{name}.py", subs / f"{name}.py")
    first = autograder("grade", subs, "--out", out, "--jobs", "2")
    assert first.returncode == 0, first.stderr
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "bob.json").unlink()  # as if the batch had been interrupted before bob
    second = autograder("grade", subs, "--out", out)
    assert second.stdout.count("(unchanged)") == 1 and "bob.py: 50/100" in second.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files
    (subs / "alice.py").write_text((subs / "alice.py").read_text() + "\n# changed\n")
    third = autograder("grade", subs, "--out", out, "--quiet")
    assert third.stdout.count("(unchanged)") == 1 and "alice.py: 100/100 ok" in third.stdout
    fresh = autograder("grade", subs, "--out", out, "--fresh", "--quiet")
    assert "(unchanged)" not in fresh.stdout


def test_a_grader_error_is_graded_again_at_the_next_run_where_a_result_is_kept(
        tmp_path, monkeypatch):
    """A grader error may have been the machine's for a moment: it is never reused."""
    from autograder.grading import batch
    from autograder.grading.report import Report

    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in ("alice", "bob"):
        shutil.copy(ROOT / "examples" / f"{name}.py", subs / f"{name}.py")
    real = batch.grade_one

    def out_of_files(path, *args):
        if path.name == "bob.py":
            return Report(path.name, (), "grader error", "The grader could not grade this "
                          "file; your instructor has been told.",
                          detail="OSError(24, 'Too many open files')")
        return real(path, *args)

    monkeypatch.setattr(batch, "grade_one", out_of_files)
    first = autograder("grade", subs, "--out", out, "--quiet")
    assert "bob.py: 0/0 grader error\n" in first.stdout, first.stdout
    monkeypatch.setattr(batch, "grade_one", real)
    second = autograder("grade", subs, "--out", out, "--quiet")
    assert "alice.py: 100/100 ok (unchanged)" in second.stdout
    assert "bob.py: 50/100 ok\n" in second.stdout
    third = autograder("grade", subs, "--out", out, "--quiet")
    assert third.stdout.count("(unchanged)") == 2


def test_a_sigterm_stops_a_batch_as_ctrl_c_does_and_a_second_stop_cuts_it_short_leaving_nothing(
        tmp_path):
    """The first stop lets the submissions being graded finish and keep their results, within
    their grace (`--grace 60`: longer than the test takes); a second cuts the rest of them short,
    to be graded next time."""
    subs, out, tmp = tmp_path / "subs", tmp_path / "out", tmp_path / "tmp"
    for folder in (subs, tmp):
        folder.mkdir()
    source = REFERENCE.read_text()
    (subs / "a.py").write_text(source)
    # graded when stopped, and ends once told: the test writes "go" into its job's folder
    (subs / "b.py").write_text("import os, time\nwhile not os.path.exists('go'):\n"
                               "    time.sleep(0.05)\n" + source)
    (subs / "c.py").write_text("import time\ntime.sleep(1000)\n" + source)  # cut short
    (subs / "d.py").write_text(source)  # never begun
    errors = tmp_path / "stderr"
    with errors.open("w") as stderr:
        run = subprocess.Popen([sys.executable, "-m", "autograder", "grade", subs, "--out", out,
                                "--jobs", "2", "--grace", "60"], cwd=ROOT,
                               env={**os.environ, "TMPDIR": str(tmp)},
                               stdout=subprocess.DEVNULL, stderr=stderr)
    jobs = lambda: list(tmp.rglob("autograder-job-*"))  # noqa: E731
    try:  # a's result written, and b's and c's jobs under way (a's folder is gone by then)
        _wait_for(lambda: (out / "a.json").exists() and len(jobs()) == 2, 120)
        run.send_signal(signal.SIGTERM)
        _wait_for(lambda: "stopping once" in errors.read_text(), 30)
        for job in jobs():
            (job / "go").touch()
        _wait_for(lambda: (out / "b.json").exists(), 30)
        # c would sleep on to its load limit, 20 s (a SIGTERM again: a SIGINT would be ignored
        # where the suite runs as a shell's background job, and so by this command)
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=10)
    finally:
        run.kill()
    said = errors.read_text()
    assert run.returncode == 128 + signal.SIGTERM, said
    assert ("autograder: stopping once the 2 submissions being graded are done, for 60 s at "
            "most; stop again (Ctrl-C, kill) to cut them short now; what is cut short is graded "
            "next time") in said
    assert ("autograder: stopped by SIGTERM, then cut short: every result written is kept, "
            "and the same command again grades what is left") in said
    assert "Traceback" not in said
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]  # and no grades.csv
    assert json.loads((out / "b.json").read_text())["score"] == 100
    assert list(tmp.iterdir()) == []  # the pool's folder, and every job's in it
    assert not [c for kind in ("memory", "pids")  # nor any process of c's, which holds them
                for c in (CGROUP_ROOT / kind).glob(f"autograder-*-{run.pid}-*")]


@pytest.mark.parametrize("exc, code, why", [
    (KeyboardInterrupt(), 130, "interrupted"),
    (command.Stopped(signal.SIGTERM), 143, "stopped by SIGTERM"),
    (command.Stopped(signal.SIGHUP), 129, "stopped by SIGHUP")])
def test_ctrl_c_sigterm_and_sighup_say_so_and_exit_128_plus_the_signal(exc, code, why, capsys):
    assert command.stopped(exc) == code
    assert capsys.readouterr().err == (f"autograder: {why}: every result written is kept, "
                                       "and the same command again grades what is left\n")


def test_a_sighup_from_a_closed_terminal_still_exits_129(monkeypatch):
    from test_progress import ClosedTerminal

    monkeypatch.setattr("sys.stderr", ClosedTerminal())
    assert command.stopped(command.Stopped(signal.SIGHUP)) == 129


def test_a_stop_after_the_first_cuts_the_gradings_short_and_says_so(monkeypatch, capsys):
    cuts = []
    monkeypatch.setattr("autograder.sandbox.runner.cut_short", lambda: cuts.append(1))
    monkeypatch.setattr(command, "RECEIVED", [])
    with pytest.raises(command.Stopped) as first:
        command._stop(signal.SIGTERM, None)
    assert cuts == []
    command._stop(signal.SIGINT, None)  # raises nothing: the grading threads are waited for
    command._stop(signal.SIGTERM, None)
    assert cuts == [1, 1] and command.RECEIVED == [signal.SIGTERM, signal.SIGINT, signal.SIGTERM]
    assert command.stopped(first.value, cut=True) == 143
    assert capsys.readouterr().err.startswith("autograder: stopped by SIGTERM, then cut short: ")


@pytest.mark.parametrize("grace, b_seconds, cut", [
    (0.0, 60, True), (0.3, 60, True),  # b would take longer than its grace: cut short
    (30.0, 0.2, False), (float("inf"), 0.2, False)])  # b finishes within it, and keeps its result
def test_a_stopped_batch_gives_the_submissions_being_graded_their_grace_then_cuts_them_short(
        grace, b_seconds, cut, monkeypatch, tmp_path):
    """The batch's own wait, with gradings that stand in for a child: b is being graded when
    the stop comes, c is never begun."""
    from autograder.grading import batch, registry
    from autograder.grading.expectations import Expectations
    from autograder.grading.report import Report
    from autograder.sandbox import runner

    cuts, saved, told = threading.Event(), [], []
    monkeypatch.setattr(runner, "cut_short", cuts.set)
    monkeypatch.setattr(command, "RECEIVED", [])

    def grade_one(path, *_):
        assert path.name == "b.py", "c was begun"
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)  # the stop
        if cuts.wait(b_seconds):
            raise runner.CutShort
        return Report(path.name, ())

    class Store:
        load = staticmethod(lambda target, key: None)
        save = staticmethod(lambda report, target, key: saved.append(report.submission))

    monkeypatch.setattr(batch, "grade_one", grade_one)
    paths = [tmp_path / "b.py", tmp_path / "c.py"]
    for path in paths:
        path.write_text("")
    before = signal.signal(signal.SIGUSR1, command._stop)
    try:
        with pytest.raises(command.Stopped):
            batch.grade_all(paths, {p: tmp_path / f"{p.stem}.json" for p in paths},
                            expect=Expectations.stored_for(registry.get("linreg")),
                            limits=Limits(), store=Store(), jobs=1, grace=grace,
                            stopping=lambda *args: told.append(args))
    finally:
        signal.signal(signal.SIGUSR1, before)
    assert told == [(1, grace)]
    assert cuts.is_set() == cut and saved == ([] if cut else ["b.py"])


def test_the_command_says_it_cut_gradings_short_only_when_it_did(monkeypatch):
    """Whether by a second stop or at the end of the grace: `runner.cut_short` was called."""
    from autograder.sandbox import runner

    cut = os.pipe()
    monkeypatch.setattr(runner, "_CUT", cut)  # this process's own stays unwritten
    try:
        assert not command._cut_short()
        runner.cut_short()
        assert command._cut_short()
    finally:
        for fd in cut:
            os.close(fd)


@pytest.fixture
def stops():
    """The stops' handlers, put back as they were after the test; the test sets them."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, *command.STOPPING)}
    yield saved
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.parametrize("ignored", [signal.SIGHUP, signal.SIGINT])
def test_a_signal_ignored_at_the_start_stays_ignored(ignored, stops):
    """As SIGHUP under nohup, and SIGINT in a shell's background job."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in command.STOPPING:
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(ignored, signal.SIG_IGN)
    command.handle_stops()
    assert {s: signal.getsignal(s) for s in stops} == {
        s: signal.SIG_IGN if s == ignored else command._stop for s in stops}


def test_a_command_that_is_leaving_ignores_the_stops_it_took(stops):
    signal.signal(signal.SIGINT, command._stop)
    signal.signal(signal.SIGTERM, command._stop)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)  # one it never took stays as it was
    command.ignore_stops()
    assert {s: signal.getsignal(s) for s in stops} == {
        signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_IGN,
        signal.SIGHUP: signal.SIG_DFL}


def test_the_exercises_are_listed_with_their_points():
    run = autograder("exercises")
    assert run.returncode == 0, run.stderr
    names = [line.split()[0] for line in run.stdout.splitlines()]
    assert names == ["linreg", "linreg_builtins"]
    assert all("100 points" in line for line in run.stdout.splitlines())


def test_the_second_exercise_grades_its_reference_with_full_marks(tmp_path):
    from builtins_gallery import REFERENCE as BUILTINS

    run = autograder("grade", BUILTINS, "--exercise", "linreg_builtins", "--json",
                     tmp_path / "r.json")
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 100


def test_a_submission_of_the_other_exercise_is_told_its_functions_are_missing(tmp_path):
    run = autograder("grade", REFERENCE, "--exercise", "linreg_builtins", "--json",
                     tmp_path / "r.json")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["score"] == 0
    assert "no function named `make_loader`" in results["tests"][0]["output"]


def test_build_takes_one_exercise_or_every_one():
    assert autograder("build", "--check", "--exercise", "linreg_builtins").returncode == 0
    assert autograder("build", "--check").returncode == 0
    unknown = autograder("build", "--check", "--exercise", "nope")
    assert unknown.returncode == 2 and "linreg_builtins" in unknown.stderr
