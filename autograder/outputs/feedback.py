"""A feedback report for one graded submission: Markdown, and one self-contained HTML page.

For the student: the score, every check with its points and feedback, and a plot of the loss
their train_step returned at each epoch beside the reference run from the same start (the public
run, which a correct notebook draws itself). Never the grader's own detail, and no expected
number in the text.
"""

from pathlib import Path

from autograder.grading.report import CheckResult, Report
from autograder.outputs import pages, plots

HIDDEN = "hidden until grades are published"
ALT = "Loss per epoch: your training run beside the reference run from the same start"


def _mark(result: CheckResult) -> str:
    if result.passed:
        return "PASS"
    return "PARTIAL" if result.points > 0 else "FAIL"


def _points(result: CheckResult) -> str:
    return f"{result.points:g}/{result.max_points:g}"


def _score(report: Report) -> str:
    return f"{report.score:g} / {report.max_score:g}"


def _title(report: Report) -> str:
    return f"Feedback: {report.submission}"


def _training(report: Report) -> str:
    if report.curve is None:
        return "There is no training run to show: it was not run on your code."
    return (f"From the same starting weights as the reference run, your run "
            f"{report.curve.parting}. The plot shows the loss your {report.curve.spec.step} "
            "returned at each epoch.")


def markdown(report: Report, plot: bytes | None) -> str:
    lines = [f"# {pages.text(_title(report))}", "", f"**Score: {_score(report)}**", ""]
    if report.message:
        lines += [pages.fenced(report.message), ""]
    lines += ["| | check | points |", "|---|---|---|"]
    lines += [f"| {_mark(r)} | {pages.text(r.title)} (`{r.id}`"
              f"{', ' + HIDDEN if r.visibility != 'visible' else ''}) | {_points(r)} |"
              for r in report.results]
    for r in () if report.message else report.results:  # the message says it once for all
        lines += ["", f"## {_mark(r)} {pages.text(r.title)} ({_points(r)})", "",
                  pages.fenced(r.feedback)]
    lines += ["", "## Your training run", "", _training(report)]
    if plot:
        lines += ["", f"![{ALT}]({pages.data_uri(plot)})"]
    return "\n".join(lines) + "\n"


def _row(r: CheckResult, feedback: str) -> str:
    hidden = f"<br><small>{HIDDEN}</small>" if r.visibility != "visible" else ""
    return (f'<tr class="{"pass" if r.passed else "fail"}"><td>{_mark(r)}</td>'
            f"<td><strong>{pages.text(r.title)}</strong><br><code>{pages.text(r.id)}</code>"
            f'{hidden}</td><td class="num">{_points(r)}</td>'
            f"<td><pre>{pages.text(feedback)}</pre></td></tr>")


def html(report: Report, plot: bytes | None) -> str:
    body = [f"<h1>{pages.text(_title(report))}</h1>",
            f'<p class="score">Score: <strong>{_score(report)}</strong></p>']
    if report.message:
        body.append(f'<div class="message"><pre>{pages.text(report.message)}</pre></div>')
    body += ['<table class="checks">', "<tr><th></th><th>check</th>"
             '<th class="num">points</th><th>feedback</th></tr>',
             *(_row(r, "" if report.message else r.feedback) for r in report.results),
             "</table>",
             "<h2>Your training run</h2>", f"<p>{pages.text(_training(report))}</p>"]
    if plot:
        body.append(f'<figure><img id="loss-curve" alt="{ALT}" '
                    f'src="{pages.data_uri(plot)}"></figure>')
    return pages.html_page(_title(report), "\n".join(body))


def write(report: Report, stem: Path) -> tuple[Path, Path]:
    """<stem>.md and <stem>.html for this report."""
    plot = plots.loss_curve(report.curve) if report.curve else None
    return pages.write_pair(stem, markdown(report, plot), html(report, plot))
