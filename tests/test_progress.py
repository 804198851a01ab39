"""What an instructor sees while a batch runs: a line per submission, its time, the failures
counted; the bar itself only on a terminal."""

import io

from autograder.grading.report import Report
from autograder.outputs.progress import Progress


def test_each_submission_is_reported_with_its_time_and_failures_are_counted(capsys):
    reports = [Report("a.py", ()), Report("b.py", (), "could not load"), Report("c.py", ())]
    with Progress(len(reports), detail=False) as progress:
        for seconds, report in enumerate(reports):
            progress.done(report, report.submission == "c.py", seconds / 10)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["a.py: 0/0 ok", "b.py: 0/0 could not load", "c.py: 0/0 ok (unchanged)"]
    assert progress.seconds == {"a.py": 0.0, "b.py": 0.1, "c.py": 0.2}
    assert progress.failed == 1


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
