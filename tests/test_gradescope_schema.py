"""Our results.json against Gradescope's documented results format (tests/gradescope_schema.json,
written from https://gradescope-autograders.readthedocs.io/en/latest/specs/).

The schema is checked first on hand-made documents, so that a real result passing it means
something; then on real results from the grader: one submission at a time and a batch folder.
"""

import functools
import json
import shutil
from pathlib import Path

import pytest

from autograder.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).with_name("gradescope_schema.json")).read_text())

SYNTAX_ERROR = "def model(x, w, b)\n    return x @ w + b\n"

def problems(doc) -> list[tuple[str, str, str]]:
    """Every way `doc` breaks the schema: where, which keyword, and the message."""
    return sorted((e.json_path, e.validator, e.message) for e in validator().iter_errors(doc))


@functools.cache
def validator():
    import jsonschema  # imported here: 1.1 s, paid only by the worker that runs these tests

    return jsonschema.Draft7Validator(SCHEMA)


def test_the_schema_is_valid_draft7():
    type(validator()).check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "gradescope-autograders.readthedocs.io/en/latest/specs/" in SCHEMA["$comment"]


# --- hand-made documents -------------------------------------------------------------------

MINIMAL = {"score": 0}
A_TEST = {"score": 2.0, "max_score": 2.0, "name": "model: crop data", "status": "passed"}


@pytest.mark.parametrize("doc", [
    pytest.param({"score": 44.0}, id="top-level score only"),
    pytest.param({"tests": [{"score": 1}]}, id="tests with scores, no top-level score"),
    pytest.param({"tests": []}, id="no tests to score: nothing missing"),
    pytest.param({"score": 3, "tests": [{"output": "no score: the top-level one counts"}]},
                 id="a test without score under a top-level score"),
    pytest.param({"score": 1, "tests": [{"score": 1}]}, id="a test without name"),
    pytest.param({"score": 44.0, "execution_time": 136, "output": "for the whole submission",
                  "output_format": "simple_format", "test_output_format": "text",
                  "test_name_format": "md", "visibility": "after_due_date",
                  "stdout_visibility": "visible", "extra_data": {"any": {"thing": [1, None]}},
                  "tests": [{"score": 2.0, "max_score": 2.0, "status": "failed", "name": "n",
                             "name_format": "html", "number": "1.1", "output": "o",
                             "output_format": "ansi", "tags": ["t1", "t2"],
                             "visibility": "hidden", "extra_data": {}}],
                  "leaderboard": [{"name": "Accuracy", "value": .926},
                                  {"name": "Time", "value": 15.1, "order": "asc"},
                                  {"name": "Stars", "value": "*****", "order": "desc"}]},
                 id="every documented key"),
])
def test_documented_documents_are_accepted(doc):
    assert problems(doc) == []


def test_a_minimal_document_is_accepted():
    assert problems(MINIMAL) == []


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date", "after_published", "visible"])
def test_each_documented_visibility_is_accepted(visibility):
    doc = {"score": 1, "visibility": visibility, "stdout_visibility": visibility,
           "tests": [{**A_TEST, "visibility": visibility}]}
    assert problems(doc) == []


@pytest.mark.parametrize("fmt", ["text", "html", "simple_format", "md", "ansi"])
def test_each_documented_format_is_accepted(fmt):
    doc = {"score": 1, "output_format": fmt, "test_output_format": fmt, "test_name_format": fmt,
           "tests": [{**A_TEST, "name_format": fmt, "output_format": fmt}]}
    assert problems(doc) == []


def unexpected(key: str) -> str:
    return f"Additional properties are not allowed ({key!r} was unexpected)"


@pytest.mark.parametrize(("doc", "expected"), [
    pytest.param({"score": 1, "stdout_visiblity": "visible"},
                 [("$", "additionalProperties", unexpected("stdout_visiblity"))],
                 id="misspelt top-level key"),
    pytest.param({"score": 1, "tests": [{**A_TEST, "max_scroe": 2}]},
                 [("$.tests[0]", "additionalProperties", unexpected("max_scroe"))],
                 id="misspelt test key"),
    pytest.param({"score": 1, "leaderboard": [{"name": "Time", "value": 1, "ordre": "asc"}]},
                 [("$.leaderboard[0]", "additionalProperties", unexpected("ordre"))],
                 id="misspelt leaderboard key"),
    pytest.param({"score": 1, "tests": [{**A_TEST, "status": "ok"}]},
                 [("$.tests[0].status", "enum", "'ok' is not one of ['passed', 'failed']")],
                 id="status ok"),
    pytest.param({"score": 1, "visibility": "secret"},
                 [("$.visibility", "enum", "'secret' is not one of "
                   "['hidden', 'after_due_date', 'after_published', 'visible']")],
                 id="top-level visibility secret"),
    pytest.param({"score": 1, "tests": [{**A_TEST, "visibility": "secret"}]},
                 [("$.tests[0].visibility", "enum", "'secret' is not one of "
                   "['hidden', 'after_due_date', 'after_published', 'visible']")],
                 id="test visibility secret"),
    pytest.param({"score": 1, "stdout_visibility": "instructors"},
                 [("$.stdout_visibility", "enum", "'instructors' is not one of "
                   "['hidden', 'after_due_date', 'after_published', 'visible']")],
                 id="stdout visibility instructors"),
    pytest.param({"score": "10"}, [("$.score", "type", "'10' is not of type 'number'")],
                 id="string top-level score"),
    pytest.param({"score": True}, [("$.score", "type", "True is not of type 'number'")],
                 id="boolean top-level score"),
    pytest.param({"score": 1, "tests": [{**A_TEST, "max_score": "2"}]},
                 [("$.tests[0].max_score", "type", "'2' is not of type 'number'")],
                 id="string max_score"),
    pytest.param({"score": 1, "execution_time": "136s"},
                 [("$.execution_time", "type", "'136s' is not of type 'number'")],
                 id="string execution_time"),
    pytest.param({"score": 1, "output_format": "markdown"},
                 [("$.output_format", "enum",
                   "'markdown' is not one of ['text', 'html', 'simple_format', 'md', 'ansi']")],
                 id="format markdown"),
    pytest.param({"score": 1, "tests": [{**A_TEST, "tags": "model"}]},
                 [("$.tests[0].tags", "type", "'model' is not of type 'array'")],
                 id="tags not a list"),
    pytest.param({"score": 1, "extra_data": []},
                 [("$.extra_data", "type", "[] is not of type 'object'")],
                 id="extra_data not an object"),
    pytest.param({"score": 1, "leaderboard": [{"name": "Time", "value": 1, "order": "up"}]},
                 [("$.leaderboard[0].order", "enum", "'up' is not one of ['asc', 'desc']")],
                 id="leaderboard order up"),
    pytest.param({"score": 1, "leaderboard": [{"name": "Time"}]},
                 [("$.leaderboard[0]", "required", "'value' is a required property")],
                 id="leaderboard entry without value"),
])
def test_undocumented_documents_are_rejected(doc, expected):
    assert problems(doc) == expected


@pytest.mark.parametrize("doc", [
    pytest.param({}, id="nothing"),
    pytest.param({"output": "no score anywhere"}, id="no score, no tests"),
    pytest.param({"tests": [{"score": 1}, {"name": "unscored"}]}, id="a test without score"),
])
def test_a_score_is_required_at_the_top_or_on_every_test(doc):
    [(where, keyword, _)] = problems(doc)
    assert (where, keyword) == ("$", "anyOf")


# --- real results from our grader ----------------------------------------------------------

def strict_json(path: Path) -> dict:
    """The file as Gradescope's parser sees it: NaN and Infinity are not JSON."""
    def refuse(constant):
        raise ValueError(f"{path.name}: {constant} is not JSON")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def grade(path: Path, out: Path) -> dict:
    assert main(["grade", str(path), "--json", str(out)]) == 0
    return strict_json(out)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """alice (full marks), bob (partial) and a syntax error, each graded on its own, and
    results.json files from a folder graded as a batch."""
    tmp = tmp_path_factory.mktemp("graded")
    broken = tmp / "broken.py"
    broken.write_text(SYNTAX_ERROR, encoding="utf-8")
    results = {"alice": grade(ROOT / "examples" / "alice.py", tmp / "alice.json"),
               "bob": grade(ROOT / "examples" / "bob.py", tmp / "bob.json"),
               "broken": grade(broken, tmp / "broken.json")}
    folder, outdir = tmp / "folder", tmp / "out"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "bob.py", folder / "bob.py")
    shutil.copy(broken, folder / "broken.py")
    assert main(["grade", str(folder), "--out", str(outdir), "--quiet"]) == 0
    batch = sorted(outdir.glob("*.json"))
    assert [p.name for p in batch] == ["bob.json", "broken.json"]
    for path in batch:
        results[f"batch/{path.stem}"] = strict_json(path)
    return results


def test_the_graded_cases_are_the_intended_ones(graded):
    alice, bob, broken = graded["alice"], graded["bob"], graded["broken"]

    def most(doc):
        return sum(t["max_score"] for t in doc["tests"])

    assert alice["score"] == most(alice) > 0
    assert 0 < bob["score"] < most(bob)
    assert broken["score"] == 0 and "syntax error" in broken["output"]
    assert {t["status"] for t in bob["tests"]} == {"passed", "failed"}
    assert graded["batch/bob"]["score"] == bob["score"]
    assert graded["batch/broken"]["extra_data"]["status"] == "could not load"


@pytest.mark.parametrize("name", ["alice", "bob", "broken", "batch/bob", "batch/broken"])
def test_grader_results_follow_the_format(graded, name):
    assert problems(graded[name]) == []
    # the one key beyond Gradescope's documentation: our contract's total, the tests' sum
    assert graded[name]["max_score"] == sum(t["max_score"] for t in graded[name]["tests"])
