"""`autograder export`: a graded batch as the gradebook CSV that Canvas and Moodle import, the
student named by the file name through the instructor's pattern; whatever is left out is
listed, and a grader failure never becomes a 0.

The headers are the documented ones, kept here: Canvas's Gradebook export and import (its
first five columns, then `Assignment Name (ID)`, then the `Points Possible` row), and
Moodle's grade import (a user column mapped to ID number, email address or username, then a
grade column)."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from gallery import REFERENCE

from autograder.cli import main
from autograder.grading.checks import Outcome
from autograder.grading.report import CheckResult, Report
from autograder.integrations import lms
from autograder.outputs import writers

ROOT = Path(__file__).resolve().parent.parent
PATTERN = r"(?P<id>[a-z0-9]+)_linreg\.(py|ipynb)"
ASSIGNMENT = "Linear regression from scratch"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS = ["    Points Possible", "", "", "", ""]
MOODLE_ID_COLUMNS = ["ID number", "Email address", "Username"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A folder graded as instructors do: two students' files, a syntax error (the student's
    0) and a file whose name the pattern does not know."""
    tmp = tmp_path_factory.mktemp("batch")
    folder, out = tmp / "submissions", tmp / "results"
    folder.mkdir()
    shutil.copy(REFERENCE, folder / "alice_linreg.py")
    shutil.copy(ROOT / "examples" / "bob.py", folder / "bob_linreg.py")
    (folder / "carol_linreg.py").write_text("def model(x, w, b)\n    return x\n")
    shutil.copy(ROOT / "examples" / "bob.py", folder / "Dave Smith - linreg.py")
    assert main(["grade", str(folder), "--out", str(out), "--quiet"]) == 0
    return out


def export(results: Path, out: Path, lms_name: str, *args: str) -> tuple[int, list[list[str]]]:
    status = main(["export", "--lms", lms_name, str(results), "--out", str(out),
                   "--id-pattern", PATTERN, *args])
    with out.open(newline="", encoding="utf-8") as fh:
        return status, list(csv.reader(fh))


def test_canvas_gets_its_documented_columns_points_possible_and_a_row_per_student(
        batch, tmp_path):
    status, rows = export(batch, tmp_path / "canvas.csv", "canvas", "--assignment-id", "4711")
    assert rows[0] == [*CANVAS_HEADER, f"{ASSIGNMENT} (4711)"]
    assert rows[1] == [*CANVAS_POINTS, "100"]
    assert rows[2:] == [["", "", "", "alice", "", "100"], ["", "", "", "bob", "", "50"],
                        ["", "", "", "carol", "", "0"]]  # carol's file did not load: her 0
    assert status == 1  # Dave's file is left out, and said to be


def test_canvas_finds_students_by_the_column_the_instructor_names(batch, tmp_path):
    _, rows = export(batch, tmp_path / "canvas.csv", "canvas", "--id-column", "SIS User ID",
                     "--assignment", "Lab 3")
    assert rows[0] == [*CANVAS_HEADER, "Lab 3"]
    assert rows[2] == ["", "", "alice", "", "", "100"]


@pytest.mark.parametrize("column", MOODLE_ID_COLUMNS)
def test_moodle_gets_a_user_column_and_a_grade_column(batch, tmp_path, column):
    args = () if column == "ID number" else ("--id-column", column)  # ID number: the default
    _, rows = export(batch, tmp_path / "moodle.csv", "moodle", *args)
    assert rows == [[column, ASSIGNMENT], ["alice", "100"], ["bob", "50"], ["carol", "0"]]


def test_a_file_name_the_pattern_does_not_match_is_warned_of_and_listed(batch, tmp_path,
                                                                      capsys):
    status, rows = export(batch, tmp_path / "moodle.csv", "moodle")
    assert status == 1 and len(rows) == 4
    captured = capsys.readouterr()
    assert ("autograder: warning: Dave Smith - linreg.py is not in the gradebook: its file "
            "name does not match --id-pattern") in captured.err
    assert captured.out.startswith(f"wrote {tmp_path / 'moodle.csv'}: 3 students, 1 results "
                                   "left out")


def test_everything_matched_exits_0(batch, tmp_path, capsys):
    assert main(["export", "--lms", "canvas", str(batch), "--out", str(tmp_path / "c.csv"),
                 "--id-pattern", r"(?P<id>.+?)(_linreg)?\.py"]) == 0
    assert capsys.readouterr().err == ""
    rows = list(csv.reader((tmp_path / "c.csv").open()))
    assert [r[3] for r in rows[2:]] == ["Dave Smith - linreg", "alice", "bob", "carol"]


def report(name: str, points: float, status: str = "ok", most: float = 100) -> Report:
    result = CheckResult("model.values", "model", "visible", most, points, Outcome.PASSED, "")
    return Report(name, (result,), status)


def write_results(folder: Path, *reports: Report) -> Path:
    folder.mkdir()
    for r in reports:
        writers.write_gradescope(r, folder / f"{r.submission}.json")
    return folder


def test_a_submission_the_grader_failed_on_is_left_out_never_a_zero(tmp_path, capsys):
    folder = write_results(tmp_path / "r", report("ann_linreg.py", 80),
                           report("ben_linreg.py", 0, "grader error"))
    status, rows = export(folder, tmp_path / "m.csv", "moodle")
    assert (status, rows[1:]) == (1, [["ann", "80"]])
    assert "ben_linreg.py is not in the gradebook: the grader failed on it (not a 0)" in \
        capsys.readouterr().err


def test_a_student_with_two_submissions_is_left_out_and_both_are_listed(tmp_path, capsys):
    folder = write_results(tmp_path / "r", report("ann_linreg.py", 80),
                           report("ann_linreg.ipynb", 90), report("ben_linreg.py", 70))
    status, rows = export(folder, tmp_path / "m.csv", "moodle")
    assert (status, rows[1:]) == (1, [["ben", "70"]])
    err = capsys.readouterr().err
    for name in ("ann_linreg.ipynb", "ann_linreg.py"):
        assert (f"{name} is not in the gradebook: student ann has several submissions "
                "(ann_linreg.ipynb, ann_linreg.py): keep one") in err


def test_a_students_folder_is_named_by_its_place_in_the_batch(tmp_path):
    """Classroom's collected repositories, one folder a student (`alice/linreg.py`)."""
    folder = tmp_path / "r"
    folder.mkdir()
    for name, points in (("lab3-ann", 80), ("lab3-ben", 70)):
        writers.write_gradescope(report(f"{name}/linreg.py", points), folder / f"{name}.json")
    status, rows = export(folder, tmp_path / "m.csv", "moodle",
                          "--id-pattern", r"lab3-(?P<id>[^/]+)/.*")  # the later one counts
    assert (status, rows[1:]) == (0, [["ann", "80"], ["ben", "70"]])


def test_an_id_a_spreadsheet_would_take_for_a_formula_stays_text(tmp_path):
    folder = write_results(tmp_path / "r", report("=1+1_linreg.py", 80))
    main(["export", "--lms", "moodle", str(folder), "--out", str(tmp_path / "m.csv"),
          "--id-pattern", r"(?P<id>.+)_linreg\.py"])
    with (tmp_path / "m.csv").open(newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh))[1:] == [["'=1+1", "80"]]


def test_a_json_file_that_is_not_a_result_is_listed(tmp_path, capsys):
    folder = write_results(tmp_path / "r", report("ann_linreg.py", 80))
    (folder / "notes.json").write_text(json.dumps({"not": "a result"}))
    status, _ = export(folder, tmp_path / "m.csv", "moodle")
    assert status == 1
    assert "notes.json is not in the gradebook: not a results file" in capsys.readouterr().err


@pytest.mark.parametrize(("value", "told"), [(100.0, "100"), (87.5, "87.5"), (0, "0"),
                                             (66.666666, "66.67"), (115.0, "115")])
def test_points_are_rounded_to_two_decimals_without_trailing_zeros(value, told):
    assert lms.points(value) == told


def test_points_possible_are_the_settings_total(tmp_path):
    folder = write_results(tmp_path / "r", report("ann_linreg.py", 97.5, most=115))
    _, rows = export(folder, tmp_path / "c.csv", "canvas")
    assert rows[1:] == [[*CANVAS_POINTS, "115"], ["", "", "", "ann", "", "97.5"]]


@pytest.mark.parametrize(("args", "words"), [
    (["--id-pattern", "(?P<id>[a-z"], "is not a regular expression"),
    (["--id-pattern", r"([a-z]+)_linreg\.py"], "has no group named id"),
    (["--id-column", "Email address"], "canvas finds students by SIS Login ID, SIS User ID, "
                                       "ID, not 'Email address'"),
    (["--exercise", "nope"], "no exercise named 'nope'"),
])
def test_bad_arguments_get_a_clear_message_and_status_2(batch, tmp_path, capsys, args, words):
    argv = ["export", "--lms", "canvas", str(batch), "--out", str(tmp_path / "c.csv"),
            "--id-pattern", PATTERN, *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "c.csv").exists()


def test_moodle_has_no_assignment_id(batch, tmp_path, capsys):
    assert main(["export", "--lms", "moodle", str(batch), "--out", str(tmp_path / "m.csv"),
                 "--id-pattern", PATTERN, "--assignment-id", "3"]) == 2
    assert "--assignment-id is Canvas's" in capsys.readouterr().err


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_a_folder_without_results_says_what_to_give(tmp_path, capsys, make):
    folder = tmp_path / "results"
    if make == "empty":
        folder.mkdir()
    assert main(["export", "--lms", "moodle", str(folder), "--out", str(tmp_path / "m.csv"),
                 "--id-pattern", PATTERN]) == 2
    err = capsys.readouterr().err
    assert ("no such folder" if make == "missing" else "no results (*.json)") in err


def test_results_out_of_different_totals_are_refused(tmp_path, capsys):
    folder = write_results(tmp_path / "r", report("ann_linreg.py", 80),
                           report("ben_linreg.py", 80, most=115))
    assert main(["export", "--lms", "moodle", str(folder), "--out", str(tmp_path / "m.csv"),
                 "--id-pattern", PATTERN]) == 2
    assert "different totals (100, 115)" in capsys.readouterr().err
