"""End to end, as an instructor runs it: `autograder grade ... --report` writes a feedback report
beside each result and, for a folder, the class summary; the HTML pages open in headless
Chromium with their plots drawn."""

import base64
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import twins
from command import autograder
from gallery import GALLERY

from autograder.outputs import plots

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = {e.name: e for e in GALLERY}
STUDENTS = ("alice", "bob", "carol_smith", "dave_jones")
"""The batch's submissions with a name of their own (the fifth is called `summary.py`)."""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, Path]:
    """alice (correct), bob (summed loss, gradient ascent), carol (missing transpose, as a
    notebook), dave (summed loss) and a file that does not load, named like the summary."""
    subs, out = tmp_path_factory.mktemp("subs"), tmp_path_factory.mktemp("results")
    for name in ("alice", "bob"):
        shutil.copy(ROOT / "examples" / f"{name}.py", subs / f"{name}.py")
    (subs / "carol_smith.ipynb").write_text(
        twins.notebook(ENTRIES["missing_transpose"].text())[0])
    (subs / "dave_jones.py").write_text(ENTRIES["sum_instead_of_mean"].text())
    (subs / "summary.py").write_text("def model(x, w, b)\n")
    run = autograder("grade", subs, "--out", out, "--report", "--quiet", "--jobs", "2")
    assert run.returncode == 0, run.stderr
    return subs, out


def _pngs(text: str) -> list[bytes]:
    return [base64.b64decode(p) for p in re.findall(r"data:image/png;base64,([\w+/=]+)", text)]


def test_each_submission_gets_its_reports_beside_its_results(batch):
    _, out = batch
    stems = [*STUDENTS, "summary.py"]  # a submission never takes the summary's own name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["grades.csv", "summary.md", "summary.html",
         *(f"{stem}.{kind}" for stem in stems for kind in ("json", "md", "html"))])


@pytest.mark.parametrize("stem", [*STUDENTS, "summary.py"])
def test_a_report_says_what_the_results_say(batch, stem):
    _, out = batch
    results = json.loads((out / f"{stem}.json").read_text())
    md, page = (out / f"{stem}.md").read_text(), (out / f"{stem}.html").read_text()
    score = f"{results['score']:g} / {results['max_score']:g}"
    assert f"**Score: {score}**" in md and f"Score: <strong>{score}</strong>" in page
    for test in results["tests"]:
        points = f"{test['score']:g}/{test['max_score']:g}"
        assert test["tags"][0] in md and points in md and test["output"] in md
        assert test["tags"][0] in page and html.escape(test["output"], quote=False) in page
    plotted = "loss_curve" in results["extra_data"]
    assert plotted == (stem != "summary.py")
    for text in (md, page):
        assert [p[:8] for p in _pngs(text)] == [b"\x89PNG\r\n\x1a\n"] * plotted


def test_reused_results_give_the_same_reports(batch, tmp_path):
    subs, out = batch
    again = tmp_path / "again"
    shutil.copytree(out, again)
    for report in [*again.glob("*.md"), *again.glob("*.html")]:
        report.unlink()
    run = autograder("grade", subs, "--out", again, "--report", "--quiet")
    assert run.returncode == 0 and run.stdout.count("(unchanged)") == 5, run.stdout
    for path in [*out.glob("*.md"), *out.glob("*.html")]:
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def _section(text: str, heading: str) -> str:
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_summary_counts_each_named_mistake_once_per_student(batch):
    text = (batch[1] / "summary.md").read_text()
    counted = dict(re.findall(r"^\| .*\(`(\w+)`\) \| (\d+) \|$", _section(text, "Named mistakes"),
                              re.M))
    assert counted == {"sum_instead_of_mean": "2", "missing_transpose": "1",
                       "gradient_ascent": "1"}
    assert "5 submissions (4 ok, 1 could not load)" in text


def test_the_summary_shows_the_spread_and_the_pass_rate_of_every_check(batch):
    text = (batch[1] / "summary.md").read_text()
    bands = dict(re.findall(r"^\| (\d+)\u2013\d+ \| (\d+) \|", _section(text, "Scores"), re.M))
    assert bands == {"0": "1", "10": "0", "20": "0", "30": "0", "40": "0", "50": "1", "60": "2",
                     "70": "0", "80": "0", "90": "1"}
    rates = _section(text, "Pass rate of each check")
    assert "(`model.values`) | 3/5 | 60% |" in rates and "(`mse.values`) | 2/5 | 40% |" in rates
    assert rates.count("(`") == 12
    assert len(_pngs((batch[1] / "summary.html").read_text())) == 1


def _words(text: str) -> str:
    """What a reader reads: the text without the embedded pictures."""
    return re.sub(r"data:image/png;base64,[\w+/=]+", "", text)


def test_the_summary_names_no_student_and_quotes_none_of_their_code(batch):
    for name in ("summary.md", "summary.html"):
        text = _words((batch[1] / name).read_text()).lower()
        assert "mat1 and mat2 shapes cannot be multiplied" in text  # carol's example is there
        assert not [s for s in STUDENTS if s in text]
        assert "x @ w + b" not in text and "in model:" not in text


def test_one_submission_gets_its_report_beside_its_json(tmp_path):
    run = autograder("grade", "examples/bob.py", "--json", tmp_path / "r.json", "--report")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json", "r.md"]
    assert "**Score: 50 / 100**" in (tmp_path / "r.md").read_text()


def test_report_needs_somewhere_to_write():
    run = autograder("grade", "examples/bob.py", "--report")
    assert run.returncode == 2 and "--report" in run.stderr


def _blue_pixels(page: Path, shot: Path) -> int:
    """Pixels of the plots' own blue in a screenshot of `page` in headless Chromium."""
    import matplotlib.image
    import numpy as np

    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={shot.parent / 'profile'}", "--window-size=1000,2400",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120,
                   check=True)
    rgb = matplotlib.image.imread(shot)[..., :3] * 255
    blue = np.array([int(plots.STUDENT[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - blue).max(axis=-1) < 40).sum())


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get "
                    "install chromium): the HTML reports were not opened in a browser")
def test_the_html_pages_render_their_plots_in_chromium(batch, tmp_path):
    out = batch[1]
    broken = tmp_path / "broken.html"
    broken.write_text(re.sub(r"base64,[\w+/=]+", "base64,AAAA", (out / "alice.html").read_text()))
    assert _blue_pixels(broken, tmp_path / "broken.png") < 50  # no plot, no blue: the probe works
    assert _blue_pixels(out / "alice.html", tmp_path / "alice.png") > 400
    assert _blue_pixels(out / "summary.html", tmp_path / "summary.png") > 2000


@pytest.mark.parametrize("stem", ["alice", "bob"])
def test_no_number_of_the_reference_run_is_written_out(batch, stem):
    results = json.loads((batch[1] / f"{stem}.json").read_text())
    reference = results["extra_data"]["loss_curve"]["reference"]
    numbers = {f"{v:{spec}}" for v in reference for spec in (".3g", ".4g", ".2f", ".1f")}
    for kind in ("md", "html"):
        shown = set(re.findall(r"\d+(?:\.\d+)?", _words((batch[1] / f"{stem}.{kind}").read_text())))
        assert not {n for n in shown & numbers if sum(c.isdigit() for c in n) >= 3}
