"""Reading a submission's file in the grader's own process: never through a link, never a
file that is not a regular one, never more than `MAX_BYTES`; each refusal a message for the
student, never a grader error or a hang."""

import os
import threading

import pytest

from autograder.inputs import submission


def test_a_regular_file_is_read_whole(tmp_path):
    (tmp_path / "linreg.py").write_bytes(b"x = 1\n")
    assert submission.refused(tmp_path / "linreg.py") is None
    assert submission.read_bytes(tmp_path / "linreg.py") == b"x = 1\n"


def test_a_link_is_never_read_through(tmp_path):
    (tmp_path / "secret.py").write_text("SECRET = 1\n")
    (tmp_path / "linreg.py").symlink_to(tmp_path / "secret.py")
    assert submission.refused(tmp_path / "linreg.py") == submission.LINK
    with pytest.raises(submission.SubmissionError, match="symbolic link"):
        submission.read_bytes(tmp_path / "linreg.py")


def test_a_fifo_is_refused_and_never_waited_on(tmp_path, monkeypatch):
    """A tar archive can hold one; reading it waited for a writer, for ever, and no stop
    of the command could end that wait."""
    os.mkfifo(tmp_path / "linreg.py")
    assert submission.refused(tmp_path / "linreg.py") == submission.NOT_A_FILE
    monkeypatch.setattr(submission, "refused", lambda path: None)  # as if it became one since
    raised = []

    def read():
        try:
            submission.read_bytes(tmp_path / "linreg.py")
        except submission.SubmissionError as exc:
            raised.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert raised == [submission.NOT_A_FILE]


def test_a_file_over_the_limit_is_refused_with_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_BYTES", 2 * 2 ** 20)
    (tmp_path / "linreg.ipynb").write_bytes(b" " * (3 * 2 ** 20))
    told = ("Your file is 3 MB, more than the 2 MB the grader reads: submit only your code (for "
            "a notebook, clear its outputs: Kernel > Restart & Clear Output in Jupyter, then "
            "save).")
    assert submission.refused(tmp_path / "linreg.ipynb") == told
    with pytest.raises(submission.SubmissionError) as raised:
        submission.load(tmp_path / "linreg.ipynb", ("model",))
    assert str(raised.value) == told


def test_a_file_that_grew_past_the_limit_since_is_read_no_further(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_BYTES", 1000)
    monkeypatch.setattr(submission, "refused", lambda path: None)  # it was small when looked at
    (tmp_path / "linreg.py").write_bytes(b"#" * 5000)
    with pytest.raises(submission.SubmissionError, match="more than the 0 MB"):
        submission.read_bytes(tmp_path / "linreg.py")
