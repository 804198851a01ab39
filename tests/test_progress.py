"""What an instructor sees while a batch runs: a line per submission, its time, the failures
counted; the bar itself only on a terminal."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from autograder.grading.report import Report
from autograder.outputs.progress import Progress, tally


def test_each_submission_is_reported_with_its_time_and_failures_are_counted(capsys):
    reports = [Report("a.py", ()), Report("b.py", (), "could not load"), Report("c.py", ())]
    with Progress(len(reports), detail=False) as progress:
        for seconds, report in enumerate(reports):
            progress.done(report, report.submission == "c.py", seconds / 10)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["a.py: 0/0 ok", "b.py: 0/0 could not load", "c.py: 0/0 ok (unchanged)"]
    assert progress.seconds == {"a.py": 0.0, "b.py": 0.1, "c.py": 0.2}
    assert (progress.failed, progress.reused) == (1, 1)


def test_the_bar_shows_done_failed_and_the_rate_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    with Progress(2, detail=False) as progress:
        progress.done(Report("a.py", (), "grader error"), False, 0.1)
        progress.done(Report("b.py", ()), False, 0.1)
    shown = screen.getvalue()
    assert "2/2" in shown and "failed=1" in shown and "sub/s" in shown


def test_a_batch_s_threads_reporting_at_once_give_whole_lines_and_an_exact_count(monkeypatch):
    class Slow(io.StringIO):
        """A terminal that takes its time over each write, as a pipe under load does."""

        def write(self, text):
            time.sleep(0.0002)  # another thread runs meanwhile
            return super().write(text)

    screen = Slow()
    monkeypatch.setattr("sys.stdout", screen)
    threads, each = 8, 25
    start = threading.Barrier(threads)

    def status(i: int) -> str:
        return "grader error" if i % 5 == 0 else "ok"

    def report(progress, worker):
        start.wait()
        for i in range(each):
            progress.done(Report(f"w{worker}-{i}.py", (), status(i)), False, 0.01)

    with Progress(1, detail=False) as progress:  # one: no bar, a line per submission
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda w: report(progress, w), range(threads)))
    lines = screen.getvalue().splitlines()
    want = {f"w{w}-{i}.py: 0/0 {status(i)}" for w in range(threads) for i in range(each)}
    assert sorted(lines) == sorted(want)
    assert progress.failed == threads * each // 5
    assert len(progress.seconds) == threads * each


class ClosedTerminal(io.StringIO):
    """The terminal of a closed session (its SIGHUP is the stop): every write fails."""

    def isatty(self):
        return True

    def write(self, text):
        raise OSError(5, "Input/output error")


def test_a_stopped_batch_says_once_what_it_waits_for_even_with_no_terminal_to_say_it_on(
        monkeypatch, capsys):
    with Progress(3, detail=False) as progress:
        progress.stopping(0, 5.0)  # nothing being graded: nothing to wait for
        progress.stopping(1, 5.0)
        progress.stopping(2, float("inf"))  # --grace inf
        progress.stopping(2, 0.0)  # --grace 0
    assert capsys.readouterr().err.splitlines() == [
        "autograder: stopping once the submission being graded is done, for 5 s at most; stop "
        "again (Ctrl-C, kill) to cut it short now; what is cut short is graded next time",
        "autograder: stopping once the 2 submissions being graded are done; stop again (Ctrl-C, "
        "kill) to cut them short now; what is cut short is graded next time",
        "autograder: stopping: cutting the 2 submissions being graded short, to be graded next "
        "time"]
    monkeypatch.setattr("sys.stderr", ClosedTerminal())
    with Progress(3, detail=False) as progress:
        progress.stopping(2, 5.0)  # the grader goes on stopping: no OSError


def test_a_batch_ends_with_a_line_of_how_its_submissions_ended_and_their_mean_score():
    """Counted over what was scored: a grader error is no 0, and is graded again."""
    from autograder.grading import registry
    from autograder.grading.checks import Outcome, Verdict
    from autograder.grading.report import CheckResult

    def scored(name: str, passing: tuple[str, ...], status: str = "ok") -> Report:
        return Report(name, tuple(CheckResult.of(c, Verdict(
            Outcome.PASSED if c.id.split(".")[0] in passing else Outcome.INCORRECT, ""))
            for c in registry.get().checks), status)

    reports = [scored("a.py", ("model", "mse", "gradients", "train_step", "training")),
               scored("b.py", ("model", "mse", "gradients")),  # 50 points of 100
               scored("c.py", (), "could not load"), Report("d.py", (), "grader error")]
    assert tally(reports, reused=2) == (
        "autograder: 4 submissions: 2 ok, 1 could not load, 1 grader error (graded again next "
        "run); mean score 50.0 of 100; 2 unchanged since an earlier run")
    assert tally(reports[3:]) == "autograder: 1 submission: 1 grader error (graded again next run)"


def test_a_batch_loads_its_bar_before_it_waits_for_the_warm_pool(monkeypatch, tmp_path):
    """The bar's library (tqdm, 40-80 ms of imports) is loaded while the zygote imports torch,
    not once it is ready, when the batch's first job would wait for it; one submission has no
    bar and loads none."""
    from autograder import cli

    class Waited(Exception):
        pass

    made = []

    class Seen(Progress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    def expectations(args, exercise):
        assert made and (made[-1]._tqdm is not None) is (made[-1].total > 1)
        raise Waited  # where the command would wait for the pool

    monkeypatch.setattr(cli, "Progress", Seen)
    monkeypatch.setattr(cli, "_expectations", expectations)
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("def model(x, w, b):\n    return x\n")
    for argv in (["grade", str(tmp_path), "--out", str(tmp_path / "out")],
                 ["grade", str(tmp_path / "a.py"), "--json", str(tmp_path / "a.json")]):
        with pytest.raises(Waited):
            cli.main(argv)
    assert [p.total for p in made] == [2, 1]
