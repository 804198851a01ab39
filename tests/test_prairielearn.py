"""PrairieLearn's external grader, end to end: `autograder prairielearn` in a folder laid out as
PrairieLearn's /grade, on a correct, a buggy and a broken submission and on files that are
not a submission, each results.json checked against tests/prairielearn_schema.json, a JSON
Schema of the documented format (PrairieLearn's docs/externalGrading.md, "Grading results").

The schema is checked first on hand-made documents, so that a real result passing it means
something."""

import functools
import json
import shutil
from pathlib import Path

import pytest
from gallery import REFERENCE

from autograder.cli import main
from autograder.grading import registry
from autograder.integrations import prairielearn

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(Path(__file__).with_name("prairielearn_schema.json").read_text())
TITLES = {c.title: c for c in registry.get().checks}
PRINTS = "print('PRINTED-AT-IMPORT')\n"
"""Code that prints what it is called with could show a student the hidden inputs."""


def problems(doc) -> list[tuple[str, str]]:
    return sorted((e.json_path, e.validator) for e in validator().iter_errors(doc))


@functools.cache
def validator():
    import jsonschema  # imported here: 1.1 s, paid only by the worker that runs these tests

    return jsonschema.Draft7Validator(SCHEMA)


# --- the schema, on hand-made documents ----------------------------------------------------

DOCUMENTED = {  # the docs' own example, images and all
    "gradable": True, "score": 0.25, "message": "Tests completed successfully.",
    "output": "Running tests...\nTest 1 passed\nTest 2 failed!\n...",
    "images": [{"label": "First Image", "url": "data:image/png;base64,..."},
               "data:image/jpeg;base64,..."],
    "tests": [{"name": "Test 1", "description": "Tests that a thing does a thing.",
               "points": 1, "max_points": 1, "message": "No errors!", "output": "matched"},
              {"name": "Test 2", "points": 0, "max_points": 3,
               "images": [{"url": "data:image/gif;base64,..."}]}],
}


def test_the_schema_is_valid_draft7_and_names_its_source():
    type(validator()).check_schema(SCHEMA)
    assert "prairielearn.readthedocs.io/en/latest/externalGrading/" in SCHEMA["$comment"]


@pytest.mark.parametrize("doc", [
    pytest.param(DOCUMENTED, id="the documented example"),
    pytest.param({"score": 1.0}, id="score only: gradable by default"),
    pytest.param({"gradable": False}, id="not gradable needs no score"),
    pytest.param({"gradable": False, "format_errors": "one"}, id="a format error"),
    pytest.param({"gradable": False, "format_errors": ["one", "two"]}, id="format errors"),
])
def test_documented_results_are_accepted(doc):
    assert problems(doc) == []


@pytest.mark.parametrize(("doc", "expected"), [
    pytest.param({}, [("$", "required")], id="no score"),
    pytest.param({"gradable": True, "tests": []}, [("$", "required")],
                 id="gradable without score"),
    pytest.param({"score": 1.5}, [("$.score", "maximum")], id="score above 1"),
    pytest.param({"score": 87.5}, [("$.score", "maximum")], id="points instead of a fraction"),
    pytest.param({"score": "1"}, [("$.score", "type")], id="string score"),
    pytest.param({"score": 1, "gradable": "no"}, [("$.gradable", "type")],
                 id="gradable not a boolean"),
    pytest.param({"score": 1, "mesage": "x"}, [("$", "additionalProperties")],
                 id="misspelt key"),
    pytest.param({"score": 1, "tests": [{"name": "t", "points": 1}]},
                 [("$.tests[0]", "required")], id="test without max_points"),
    pytest.param({"score": 1, "tests": [{"name": "t", "points": 1, "max_points": 1,
                                         "max_score": 1}]},
                 [("$.tests[0]", "additionalProperties")], id="Gradescope's key in a test"),
])
def test_undocumented_results_are_rejected(doc, expected):
    assert problems(doc) == expected


# --- the grader, in a mimicked /grade --------------------------------------------------------

def run_prairielearn(root: Path, files: dict[str, bytes], *args: str) -> tuple[int, dict]:
    """PrairieLearn's layout under `root`: the student's files, no results folder yet."""
    for sub in ("student", "results"):
        shutil.rmtree(root / sub, ignore_errors=True)
    (root / "student").mkdir(parents=True)
    for name, data in files.items():
        (root / "student" / name).write_bytes(data)
    status = main(["prairielearn", "--root", str(root), *args])
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert len(text.encode()) < 1_000_000  # the documented limit
    results = json.loads(text)
    assert problems(results) == []
    return status, results


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, tuple[int, dict]]:
    root = tmp_path_factory.mktemp("grade")
    correct = PRINTS + REFERENCE.read_text().replace(
        "def model(x, w, b):\n", "def model(x, w, b):\n    print('PRINTED-IN-MODEL', x.shape)\n")
    cases = {"correct": {"linreg.py": correct.encode()},
             "buggy": {"bob.py": (ROOT / "examples" / "bob.py").read_bytes()},
             "syntax error": {"linreg.py": b"def model(x, w, b)\n    return x\n"},
             "not UTF-8": {"linreg.py": b"def model(x, w, b):\n    return '\xff\xfe'\n"},
             "not a submission": {"notes.txt": b"I could not do it"}}
    return {name: run_prairielearn(root, files) for name, files in cases.items()}


def by_id(results: dict) -> dict[str, dict]:
    return {TITLES[t["name"]].id: t for t in results["tests"]}


def test_a_correct_submission_scores_1_with_every_test_passed(graded):
    status, results = graded["correct"]
    assert status == 0 and (results["gradable"], results["score"]) == (True, 1.0)
    assert list(by_id(results)) == [c.id for c in registry.get().checks]
    assert all(t["points"] == t["max_points"] and t["message"] == "Passed"
               for t in results["tests"])
    assert [t["description"] for t in results["tests"]] == \
        [c.description for c in registry.get().checks]
    assert results["message"] == "100 of 100 points."


def test_what_a_submission_prints_never_reaches_the_student(graded):
    assert "PRINTED" not in json.dumps(graded["correct"][1])


def test_a_buggy_submission_loses_the_points_the_command_line_takes_too(graded, tmp_path):
    status, results = graded["buggy"]
    assert main(["grade", str(ROOT / "examples" / "bob.py"), "--json",
                 str(tmp_path / "r.json"), "--quiet"]) == 0
    local = {t["tags"][0]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    tests = by_id(results)
    assert {i: t["points"] for i, t in tests.items()} == \
        {i: t["score"] for i, t in local.items()}
    assert results["score"] == pytest.approx(
        sum(t["points"] for t in results["tests"]) / 100) and 0 < results["score"] < 1
    assert status == 0 and tests["mse.values"]["message"] == "Incorrect"
    assert tests["mse.values"]["output"] == local["mse.values"]["output"]
    assert "sum" in tests["mse.values"]["output"]


def test_hidden_checks_count_but_keep_their_feedback_for_the_instructor(graded):
    tests = by_id(graded["buggy"][1])
    hidden = {i for i, c in ((c.id, c) for c in registry.get().checks) if c.hidden}
    assert hidden == {"model.hidden", "mse.hidden"}
    for check in hidden:
        assert tests[check]["output"] == prairielearn.HIDDEN_FEEDBACK
    assert tests["mse.hidden"]["points"] == 0  # the summed loss fails there too, and counts


@pytest.mark.parametrize(("case", "words"), [
    ("syntax error", "syntax error at line 1"),
    ("not UTF-8", "could not be read as UTF-8"),
    ("not a submission", "No .py or .ipynb file was found in your submission: upload "
                         "linreg.py or linreg.ipynb."),
])
def test_a_file_that_is_not_a_gradable_submission_is_not_gradable_and_says_why(graded, case,
                                                                                words):
    status, results = graded[case]
    assert status == 0 and results["gradable"] is False
    assert "score" not in results and "tests" not in results  # no points awarded or lost
    [error] = results["format_errors"]
    assert words in error and results["message"] == error


def test_a_failing_grader_is_not_gradable_never_a_zero(tmp_path, capsys):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "linreg.py").write_text("def model(:\n")  # a broken reference
    status, results = run_prairielearn(tmp_path, {"linreg.py": REFERENCE.read_bytes()})
    assert status == 1
    assert results == {"gradable": False, "message": prairielearn.GRADER_FAILED,
                       "extra_data": results["extra_data"]}
    err = capsys.readouterr().err
    assert err.startswith("autograder: the grader failed: ReferenceError")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_unknown_exercise_is_the_graders_failure(tmp_path, capsys):
    status, results = run_prairielearn(tmp_path, {"linreg.py": b""}, "--exercise", "nope")
    assert (status, results["gradable"]) == (1, False)
    assert "no exercise named 'nope'" in capsys.readouterr().err


def test_the_root_comes_from_the_environment_and_the_tests_folder_is_locked(tmp_path,
                                                                           monkeypatch):
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "notes.md").write_text("nothing to grade")
    (tmp_path / "tests").mkdir(mode=0o755)
    monkeypatch.setenv(prairielearn.ROOT_VARIABLE, str(tmp_path))
    assert main(["prairielearn"]) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["gradable"] is False and problems(results) == []
    if prairielearn.os.geteuid() == 0:  # student code may run as another user: tests/ is root's
        assert (tmp_path / "tests").stat().st_mode & 0o077 == 0
