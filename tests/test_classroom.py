"""GitHub Classroom, as its workflow runs the grader: `autograder classroom .` in a checked-out
repository with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY set, its `result` read back as the
reporter reads it (classroom-resources/autograding-grading-reporter: base64 JSON; the total is
the sum of the tests' `score` over the runners with a `max_score`), its annotations, summary and
exit code; and the workflow template, whose step and reporter must name the same runner."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gallery import GALLERY, REFERENCE

from autograder.cli import main
from autograder.grading import registry
from autograder.integrations import classroom, selfcheck

ENTRIES = {e.name: e for e in GALLERY}
VISIBLE = [c for c in registry.get().checks if not c.hidden]


def _repo(tmp_path: Path, source: str | None, name: str = "linreg.py") -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    if source is not None:
        (repo / name).write_text(source)
    return repo


def _step(repo: Path, monkeypatch, capsys, *argv: str) -> tuple[int, dict, str, str]:
    """The Grade step: exit code, the decoded result, the job summary and stdout."""
    output, summary = repo.parent / "output", repo.parent / "summary"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = main(["classroom", str(repo), *argv])
    (line,) = output.read_text().splitlines()
    name, encoded = line.split("=", 1)
    assert name == "result"
    return code, json.loads(base64.b64decode(encoded)), summary.read_text(), \
        capsys.readouterr().out


def _total(result: dict) -> float:
    """What the reporter sends to Classroom for this runner (notify-classroom.js)."""
    return sum(t["score"] for t in result["tests"]) if result["max_score"] else 0


@pytest.fixture
def student_repo(monkeypatch):
    """A student's repository holds no reference: only the visible checks can be graded."""
    monkeypatch.setenv("AUTOGRADER_REFERENCE", "/nonexistent/linreg.py")


def test_a_correct_push_earns_every_visible_point_and_exits_0(tmp_path, monkeypatch, capsys,
                                                               student_repo):
    code, result, summary, out = _step(_repo(tmp_path, REFERENCE.read_text()), monkeypatch,
                                       capsys)
    assert code == 0 and result["status"] == "pass" and result["version"] == 1
    assert [t["name"] for t in result["tests"]] == [c.title for c in VISIBLE]
    assert result["max_score"] == sum(c.points for c in VISIBLE) == _total(result)
    assert all(t["status"] == "pass" for t in result["tests"])
    assert "::warning" not in out and "::error" not in out
    assert summary.startswith(f"## Autograder: {result['max_score']:g} / ")


def test_a_buggy_push_loses_what_the_self_check_takes_with_an_annotation_each(
        tmp_path, monkeypatch, capsys, student_repo):
    entry = ENTRIES["sum_instead_of_mean"]
    repo = _repo(tmp_path, entry.text())
    code, result, summary, out = _step(repo, monkeypatch, capsys)
    expected = selfcheck.check(repo / "linreg.py")
    assert code == 1 and result["status"] == "fail"
    assert {t["test_code"]: t["score"] for t in result["tests"]} == \
        {r.id: r.points for r in expected.results}
    assert _total(result) == expected.score < result["max_score"]
    failed = [t for t in result["tests"] if t["status"] == "fail"]
    assert failed and all(t["score"] < next(c.points for c in VISIBLE if c.id == t["test_code"])
                          for t in failed)
    warnings = [ln for ln in out.splitlines() if ln.startswith("::warning file=linreg.py,")]
    assert len(warnings) == len(failed)
    assert all("\n" not in w for w in warnings) and "sum" in " ".join(warnings)
    assert f"| {failed[0]['name']} |" in summary


def test_with_the_reference_every_check_counts_and_hidden_feedback_stays_hidden(
        tmp_path, monkeypatch, capsys):
    entry = ENTRIES["missing_transpose"]
    repo = _repo(tmp_path, entry.text())
    code, result, summary, out = _step(repo, monkeypatch, capsys, "--reference",
                                       str(REFERENCE))
    checks = registry.get().checks
    assert code == 1 and result["max_score"] == sum(c.points for c in checks)
    hidden = [t for t in result["tests"] if t["test_code"] in {c.id for c in checks if c.hidden}]
    assert hidden and all(t["message"] == classroom.HIDDEN_FEEDBACK for t in hidden)
    assert any(t["status"] == "fail" for t in hidden)


def test_what_the_submission_prints_is_never_written(tmp_path, monkeypatch, capsys,
                                                      student_repo):
    repo = _repo(tmp_path, "print('PRINTED-AT-IMPORT')\n" + REFERENCE.read_text())
    code, result, summary, out = _step(repo, monkeypatch, capsys)
    assert code == 0
    assert "PRINTED-AT-IMPORT" not in out + summary + json.dumps(result)


def test_a_file_that_does_not_load_scores_0_and_says_why(tmp_path, monkeypatch, capsys,
                                                          student_repo):
    repo = _repo(tmp_path, "def model(x, w, b):\n    return x @ w.T +\n")
    code, result, summary, out = _step(repo, monkeypatch, capsys)
    assert code == 1 and result["status"] == "fail" and _total(result) == 0
    assert result["max_score"] == sum(c.points for c in VISIBLE)
    (error,) = [ln for ln in out.splitlines() if ln.startswith("::error")]
    assert "syntax error at line 2" in error and "syntax error" in summary


def test_a_repository_without_a_submission_scores_0_and_says_so(tmp_path, monkeypatch, capsys,
                                                                 student_repo):
    code, result, summary, out = _step(_repo(tmp_path, None), monkeypatch, capsys)
    assert code == 1 and _total(result) == 0
    assert "linreg.py" in result["tests"][0]["message"]


def test_a_grader_failure_sends_no_points_never_a_0(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "broken_reference.py"
    broken.write_text("raise RuntimeError('the instructor broke it')\n")
    repo = _repo(tmp_path, REFERENCE.read_text())
    code, result, summary, out = _step(repo, monkeypatch, capsys, "--reference", str(broken))
    assert code == 2 and result["status"] == "error" and result["max_score"] == 0
    assert _total(result) == 0 and "no points were sent" in summary


def test_the_workflow_runs_the_grader_and_hands_its_result_to_the_reporter():
    workflow = yaml.safe_load(classroom.WORKFLOW.read_text())
    assert workflow["name"] == "Autograding Tests"
    (job,) = workflow["jobs"].values()
    steps = {s.get("id") or s.get("name"): s for s in job["steps"]}
    grade = steps[classroom.RUNNER]
    assert "-m autograder classroom ." in grade["run"]
    assert grade.get("continue-on-error") is True  # lost points must still reach the reporter
    reporter = next(s for s in job["steps"]
                    if s.get("uses", "").startswith("classroom-resources/autograding-grading"))
    assert reporter["with"]["runners"] == classroom.RUNNER
    assert reporter["env"] == {f"{classroom.RUNNER.upper()}_RESULTS":
                               f"${{{{ steps.{classroom.RUNNER}.outputs.result }}}}"}


def test_the_command_line_as_the_workflow_calls_it(tmp_path):
    """A real process from a cold command line, as the workflow's step starts it."""
    repo = _repo(tmp_path, REFERENCE.read_text())
    env = {**os.environ, "GITHUB_OUTPUT": str(tmp_path / "output"),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
           "AUTOGRADER_REFERENCE": "/nonexistent/linreg.py"}
    run = subprocess.run([sys.executable, "-m", "autograder", "classroom", "."], cwd=repo,
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(base64.b64decode((tmp_path / "output").read_text().split("=", 1)[1]))
    assert result["status"] == "pass" and _total(result) == result["max_score"]
    printed = subprocess.run([sys.executable, "-m", "autograder", "classroom", "--workflow"],
                             capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0 and printed.stdout == classroom.WORKFLOW.read_text()
