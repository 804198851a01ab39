"""The student notebook runs top to bottom on a fresh kernel, with the stubs and with the
reference pasted in, and the grader agrees with its self-checks."""

import json
from pathlib import Path

import pytest

from autograder.grading import reference, registry
from autograder.grading.pipeline import grade_file
from autograder.inputs.notebook import SELFCHECK_TAG
from autograder.integrations import build, template

LINREG = registry.get()
TOPICS = LINREG.topics
STUDENT = build.student_path(LINREG)

ROOT = Path(__file__).resolve().parent.parent


def _solved() -> str:
    cells = template.parse(LINREG.template_path.read_text())
    return build.student_notebook(cells, LINREG, build.bodies(reference.load().source))


def _execute(text: str) -> list[dict]:
    import nbformat  # imported here: 0.2-0.3 s both, paid only by the worker that runs it
    from nbclient import NotebookClient

    nb = nbformat.reads(text, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()  # raises on any error
    return nb.cells


def _selfchecks(cells) -> dict[str, str]:
    return {c.source: "".join(o.get("text", "") for o in c.outputs)
            for c in cells if SELFCHECK_TAG in c.metadata.get("tags", [])}


@pytest.fixture(scope="module")
def stub_run():
    return _execute((ROOT / STUDENT).read_text())


@pytest.fixture(scope="module")
def solved_run():
    return _execute(_solved())


def test_with_the_stubs_every_check_says_not_attempted(stub_run):
    shown = _selfchecks(stub_run)
    assert len(shown) == len(TOPICS)
    for text in shown.values():
        verdicts = [ln for ln in text.splitlines() if ln.startswith(("  PASS", "  FAIL"))]
        assert verdicts and all(v.endswith("(not attempted)") for v in verdicts), text
        assert "Stuck? Run hint(" in text
    assert not any(o.get("name") == "stderr" for c in stub_run for o in c.get("outputs", []))


def test_with_the_reference_pasted_in_everything_passes(solved_run):
    for source, text in _selfchecks(solved_run).items():
        topic = source.split("'")[1]
        assert f"visible checks of {topic} pass." in text and "FAIL" not in text, text
    training = "".join(o.get("text", "") for o in solved_run[-2].outputs)
    assert "epoch 100: loss" in training


def test_the_grader_agrees_with_the_notebook(tmp_path, expect):
    stub, solved = tmp_path / "stub.ipynb", tmp_path / "solved.ipynb"
    stub.write_text((ROOT / STUDENT).read_text())
    solved.write_text(_solved())
    assert grade_file(solved, expect=expect).score == 100
    report = grade_file(stub, expect=expect)
    assert report.score == 0 and {r.outcome.value for r in report.results} == {"not attempted"}


def test_the_self_check_cells_are_tagged_for_the_grader():
    nb = json.loads((ROOT / STUDENT).read_text())
    calls = [c for c in nb["cells"] if "run_checks(" in "".join(c["source"])]
    assert len(calls) == len(TOPICS)
    assert all(c["metadata"]["tags"] == [SELFCHECK_TAG] for c in calls)
