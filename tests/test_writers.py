"""The writers: Gradescope's format, the CSV and the summary say what the report says."""

import csv
import dataclasses
import io
import json

import pytest

from autograder.grading import registry
from autograder.grading.checks import Outcome, Verdict
from autograder.grading.curves import LossCurve
from autograder.grading.report import CheckResult, Report
from autograder.outputs import writers

LINREG = registry.get()
ALL = LINREG.checks


def _report(failing: str = "mse.values", status: str = "ok", message: str = "") -> Report:
    results = tuple(CheckResult.of(c, Verdict(Outcome.INCORRECT, f"{c.id} is wrong")
                                   if c.id == failing else Verdict(Outcome.PASSED, "Correct."))
                    for c in ALL)
    return Report("alice.py", results, status, message)


def test_gradescope_has_a_test_per_check_tagged_with_its_id():
    out = writers.gradescope(_report())
    assert out["score"] == 90 and out["max_score"] == 100
    failed = [t for t in out["tests"] if t["status"] == "failed"]
    assert [t["tags"] for t in failed] == [["mse.values"]]
    assert failed[0] == {"name": "mse: loss on the crop data", "score": 0.0, "max_score": 10,
                         "status": "failed", "output": "mse.values is wrong",
                         "visibility": "visible", "tags": ["mse.values"],
                         "extra_data": {"outcome": "incorrect"}}
    hidden = {t["tags"][0] for t in out["tests"] if t["visibility"] == "after_published"}
    assert hidden == {"model.hidden", "mse.hidden"}
    assert "output" not in out and out["extra_data"]["status"] == "ok"


def test_a_submission_that_did_not_load_says_why_at_the_top():
    out = writers.gradescope(_report(status="could not load", message="syntax error"))
    assert out["output"] == "syntax error" and out["extra_data"]["status"] == "could not load"


def test_write_gradescope_writes_json_atomically(tmp_path):
    path = tmp_path / "deep" / "results.json"
    writers.write_gradescope(_report(), path)
    assert json.loads(path.read_text())["score"] == 90
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_csv_has_a_row_per_report_and_a_column_per_check():
    rows = list(csv.reader(io.StringIO(writers.grades_csv([_report(), _report("gradients")],
                                                      ALL))))
    assert rows[0] == ["submission", "score", "max_score", "status", *(c.id for c in ALL)]
    assert rows[1][:4] == ["alice.py", "90.0", "100", "ok"]
    assert rows[2][4 + [c.id for c in ALL].index("gradients")] == "0.0"


@pytest.mark.parametrize("name, shown", [
    ('=HYPERLINK("http://x").py', '\'=HYPERLINK("http://x").py'), ("+1.py", "'+1.py"),
    ("-1.py", "'-1.py"), ("@a.py", "'@a.py"), ("\tx.py", "'\tx.py"),
    ("\rx.py", "\\rx.py")])  # a raw carriage return, left unquoted, broke the file
def test_a_file_name_a_spreadsheet_would_take_for_a_formula_stays_text(name, shown, tmp_path):
    report = dataclasses.replace(_report(), submission=name)
    rows = list(csv.reader(io.StringIO(writers.grades_csv([report, _report()], ALL))))
    assert [r[0] for r in rows[1:]] == [shown, "alice.py"]
    writers.write_timings([report], {name: 1.5}, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(newline="") as fh:
        assert list(csv.reader(fh))[1] == [shown, "ok", "1.5000"]


def test_summary_shows_each_loss_with_its_feedback():
    text = writers.summary(_report())
    assert text.splitlines()[0] == "alice.py: 90/100"
    assert "FAIL mse.values" in text and "mse.values is wrong" in text
    assert text.count("PASS") == len(ALL) - 1


ESCAPES = "\x1b[2J\x1b]0;PWNED\x07 \r  PASS \u202eevil\x9b2J"
"""Clear the screen, set the terminal's title, ring; a carriage return to write over the line;
text turned around; C1's one-byte CSI."""


def test_what_a_submission_says_reaches_a_terminal_or_a_report_as_text_never_as_commands():
    from autograder.outputs import pages

    report = dataclasses.replace(_report("model.values"), submission="\x1b]52;c;cm0gLXJm\x07.py")
    said = dataclasses.replace(report.results[0], feedback=f"raised ValueError: {ESCAPES}\n"
                                                            "\tnext line")
    report = dataclasses.replace(report, results=(said, *report.results[1:]))
    for shown in (writers.summary(report), writers.summary(report, detail=False),
                  pages.text(said.feedback), pages.fenced(said.feedback)):
        assert not writers.UNPRINTABLE.search(shown), shown
    assert "\\x1b[2J\\x1b]0;PWNED\\x07 \\r  PASS \\u202eevil\\x9b2J" in \
        writers.summary(report)
    assert "\n" in pages.fenced(said.feedback) and "\tnext line" in writers.summary(report)
    assert writers.summary(report).startswith("\\x1b]52;c;cm0gLXJm\\x07.py: ")


def test_a_saved_result_reads_back_as_the_same_report():
    report = _report(status="could not load", message="syntax error")
    assert writers.report_from_gradescope(writers.gradescope(report), LINREG.curve) == report


def test_a_named_mistake_travels_in_extra_data_and_back():
    report = _report()
    report = dataclasses.replace(report, results=tuple(
        dataclasses.replace(r, mistake="sum_instead_of_mean") if r.id == "mse.values" else r
        for r in report.results))
    out = writers.gradescope(report)
    tagged = {t["tags"][0]: t["extra_data"]["mistake"] for t in out["tests"]
              if "mistake" in t["extra_data"]}
    assert tagged == {"mse.values": "sum_instead_of_mean"}
    assert writers.report_from_gradescope(out, LINREG.curve) == report


def test_the_loss_curve_travels_in_extra_data_and_back():
    report = dataclasses.replace(_report(), curve=LossCurve((3.0, 2.0, None), (3.0, 1.5, 1.0),
                                                                 LINREG.curve))
    out = json.loads(json.dumps(writers.gradescope(report)))
    assert out["extra_data"]["loss_curve"] == {"student": [3.0, 2.0, None],
                                               "reference": [3.0, 1.5, 1.0]}
    assert writers.report_from_gradescope(out, LINREG.curve) == report
    assert "loss_curve" not in writers.gradescope(_report())["extra_data"]
