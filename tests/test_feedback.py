"""A student's feedback report: the score, every check with its points and feedback, the loss
plot embedded, and nothing a submission printed turned into markup."""

import base64
import re

import pytest

from autograder.exercises.linreg import checks
from autograder.grading.checks import Outcome, Verdict
from autograder.grading.curves import LossCurve
from autograder.grading.report import CheckResult, Report
from autograder.outputs import feedback

HOSTILE = "raised ValueError: <script>alert(1)</script> ```\n  line 3, in mse: return `x`"
CURVE = LossCurve((100.0, 50.0, 30.0), (100.0, 50.0, 25.0))


def _report(curve: LossCurve | None = CURVE) -> Report:
    results = tuple(CheckResult.of(c, Verdict(Outcome.RAISED, HOSTILE) if c.id == "mse.values"
                                   else Verdict(Outcome.PASSED, f"Correct: {c.id} holds."))
                    for c in checks.ALL)
    return Report("eve.py", results, curve=curve)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, str]:
    md, html = feedback.write(_report(), tmp_path_factory.mktemp("feedback") / "eve")
    assert (md.name, html.name) == ("eve.md", "eve.html")
    return {"md": md.read_text(), "html": html.read_text()}


def _png(text: str) -> bytes:
    found = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    assert len(found) == 1, "one embedded plot"
    return base64.b64decode(found[0])


SCORE = {"md": "**Score: 90 / 100**", "html": "Score: <strong>90 / 100</strong>"}


@pytest.mark.parametrize("kind", ["md", "html"])
def test_the_report_has_the_score_and_every_check_with_its_points(written, kind):
    text = written[kind]
    assert SCORE[kind] in text
    for check in checks.ALL:
        points = "0/10" if check.id == "mse.values" else f"{check.points}/{check.points}"
        assert check.id in text and points in text
        if check.id != "mse.values":
            assert f"Correct: {check.id} holds." in text
    assert text.count("hidden until grades are published") == 2


@pytest.mark.parametrize("kind", ["md", "html"])
def test_the_loss_plot_is_embedded_as_a_png(written, kind):
    assert _png(written[kind]).startswith(b"\x89PNG\r\n\x1a\n")
    assert "your run leaves the reference at epoch 3" in written[kind]


def test_nothing_a_submission_printed_becomes_markup(written):
    assert "<script" not in written["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in written["html"]
    assert "Content-Security-Policy" in written["html"]
    # in Markdown it stays inside a code block, whose fence is longer than any run of backticks
    # in it: a renderer shows it as it is
    assert f"````text\n{HOSTILE}\n````" in written["md"]
    assert "<script" not in written["md"].replace(f"````text\n{HOSTILE}\n````", "")


def test_without_a_training_run_there_is_no_plot_and_it_says_so():
    report = _report(curve=None)
    for text in (feedback.markdown(report, None), feedback.html(report, None)):
        assert "data:image" not in text and "no training run to show" in text


def test_the_same_report_draws_the_same_bytes(tmp_path):
    first = feedback.write(_report(), tmp_path / "a")
    second = feedback.write(_report(), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_a_curve_is_drawn_once_and_only_the_same_curve_shares_its_drawing(monkeypatch):
    """Most of a class's curves are the same: each is drawn once, a tenth of a second saved
    per report; the same numbers under another exercise's names are drawn apart."""
    import dataclasses

    from autograder.outputs import plots

    drawn = []
    figure = plots._figure
    monkeypatch.setattr(plots, "_figure", lambda *size: drawn.append(size) or figure(*size))
    plots._loss_curve.cache_clear()
    again = LossCurve(CURVE.student, CURVE.reference)  # another submission's, the same
    renamed = dataclasses.replace(CURVE, spec=dataclasses.replace(CURVE.spec, runs="yours"))
    pngs = [plots.loss_curve(c) for c in (CURVE, again, renamed, CURVE)]
    assert len(drawn) == 2
    assert pngs[0] == pngs[1] == pngs[3] != pngs[2]


def test_a_file_that_did_not_load_is_told_why_once_not_per_check():
    why = "Your file has a syntax error at line 1"
    report = Report("eve.py", tuple(CheckResult.of(c, Verdict(Outcome.NOT_LOADED, why))
                                    for c in checks.ALL), "could not load", why)
    for text in (feedback.markdown(report, None), feedback.html(report, None)):
        assert text.count(why) == 1 and text.count("FAIL") == len(checks.ALL)


@pytest.mark.parametrize("kind", ["SyntaxError", "IndentationError", "TabError"])
def test_every_syntax_error_says_its_line(kind):
    """Tabs and spaces mixed (TabError) are a syntax error too, at a line, as Python says."""
    from autograder.grading.pipeline import load_message

    told = load_message({"kind": "raised", "type": kind, "line": 4, "text": "return x",
                         "message": "inconsistent use of tabs and spaces in indentation"})
    assert told == ("Your file has a syntax error at line 4: inconsistent use of tabs and "
                    "spaces in indentation\n  return x")
