"""The one file graded in a student's folder (a Gradescope upload, a repository, a batch's
folder for each student), and what a batch's folder holds for grading."""

from autograder.grading import registry
from autograder.inputs import uploads


def test_several_files_choose_linreg_or_ask_for_one(tmp_path):
    for name in ("a.py", "b.ipynb"):
        (tmp_path / name).write_text("")
    path, why = uploads.find(tmp_path, "linreg")
    assert path is None and "several files (a.py, b.ipynb)" in why
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "linreg.py").write_text("")
    (tmp_path / "linreg.ipynb").write_text("")
    assert uploads.find(tmp_path, "linreg") == (tmp_path / "linreg.ipynb", "")


def test_the_submission_is_found_by_the_exercises_file_name(tmp_path):
    builtins = registry.get("linreg_builtins")
    for name in ("notes.py", "linreg_builtins.py"):
        (tmp_path / name).write_text("x = 1\n")
    assert uploads.find(tmp_path, builtins.module) == (tmp_path / "linreg_builtins.py", "")
    (tmp_path / "empty").mkdir()
    path, why = uploads.find(tmp_path / "empty", builtins.module)
    assert path is None and "upload linreg_builtins.py or linreg_builtins.ipynb" in why


def test_a_file_is_graded_as_it_is_under_its_own_name(tmp_path):
    (tmp_path / "alice.py").write_text("")
    upload = uploads.of(tmp_path / "alice.py", "linreg")
    assert (upload.file, upload.why, upload.label) == (tmp_path / "alice.py", "", "alice.py")


def test_a_folder_is_named_with_the_place_of_its_file_or_alone_when_it_has_none(tmp_path):
    (tmp_path / "alice" / "work").mkdir(parents=True)
    (tmp_path / "alice" / "work" / "linreg.ipynb").write_text("")
    (tmp_path / "alice" / "README.md").write_text("")
    alice = uploads.of(tmp_path / "alice", "linreg")
    assert (alice.file, alice.label) == (tmp_path / "alice" / "work" / "linreg.ipynb",
                                         "alice/work/linreg.ipynb")
    (tmp_path / "bob").mkdir()
    bob = uploads.of(tmp_path / "bob", "linreg")
    assert (bob.file, bob.label) == (None, "bob/")
    assert bob.why.startswith("No .py or .ipynb file was found in your submission")


def test_a_link_to_a_folder_is_never_searched(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linreg.py").write_text("")
    (tmp_path / "mallory").symlink_to(tmp_path / "elsewhere")
    mallory = uploads.of(tmp_path / "mallory", "linreg")
    assert (mallory.file, mallory.why, mallory.label) == (None, uploads.FOLDER_LINK, "mallory/")


def test_a_link_to_a_folder_inside_a_students_folder_is_not_followed(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linreg.py").write_text("")
    (tmp_path / "mallory").mkdir()
    (tmp_path / "mallory" / "code").symlink_to(tmp_path / "elsewhere")
    assert uploads.of(tmp_path / "mallory", "linreg").file is None


def test_a_folder_the_grader_cannot_read_says_so(tmp_path, monkeypatch):
    def refuse(folder):  # as rglob does in a folder this process may not list
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(uploads, "_candidates", refuse)
    (tmp_path / "locked").mkdir()
    locked = uploads.of(tmp_path / "locked", "linreg")
    assert (locked.file, locked.label) == (None, "locked/")
    assert locked.why == "Your folder could not be read (PermissionError)."


def test_a_batch_folder_lists_its_files_and_a_folder_per_student_but_no_results(tmp_path):
    for name in ("alice.py", "bob.ipynb", "notes.txt", ".hidden.py"):
        (tmp_path / name).write_text("")
    for folder in ("carol", "dave", ".git", "__MACOSX", "out", "old_results"):
        (tmp_path / folder).mkdir()
    (tmp_path / "old_results" / "grades.csv").write_text("")  # an earlier batch's --out
    listed = uploads.listed(tmp_path, tmp_path / "out")
    assert [p.name for p in listed] == ["alice.py", "bob.ipynb", "carol", "dave"]
    assert "out" in [p.name for p in uploads.listed(tmp_path, tmp_path / "elsewhere")]
