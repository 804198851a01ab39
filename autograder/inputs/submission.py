"""A submission file as Python source, whatever its format: the loader is chosen by suffix.

Runs in the trusted parent. A notebook's line numbers are mapped back to its cells afterwards,
so feedback says "cell 5, line 2" rather than a line of a file the student never saw.
"""

import errno
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from autograder.inputs import notebook

_LINE_REF = re.compile(r"(at line |^(?:  )?line )(\d+)(?=[:,])", re.M)


class SubmissionError(Exception):
    """The file cannot be turned into source; the message is for the student."""


@dataclass(frozen=True)
class Submission:
    source: str
    origin: dict[int, tuple[int, int]] | None = None
    """For notebooks: line of `source` -> (cell number, line in the cell)."""

    def where(self, text: str) -> str:
        """`text` with line numbers of `source` told as cells and lines of the notebook."""
        if not self.origin:
            return text

        def told(match: re.Match) -> str:
            cell_line = self.origin.get(int(match.group(2)))
            if cell_line is None:
                return match.group(0)
            return f"{match.group(1)[:-5]}cell {cell_line[0]}, line {cell_line[1]}"

        return _LINE_REF.sub(told, text)

LINK = ("Your file is a symbolic link, not a file: submit the file itself (the grader never "
        "reads through a link).")


NOT_A_FILE = ("Your submission is not a regular file (a pipe, a device or a folder): submit the "
              "file itself.")
MAX_BYTES = 64 * 1024 * 1024
"""The largest submission read: a notebook with its outputs (plots) saved is a few MB, and the
grader's own process reads the file whole (a file of gigabytes would take its memory, and
every other student's grade with it)."""


def _too_big(size: int) -> str:
    return (f"Your file is {size / 2 ** 20:.0f} MB, more than the {MAX_BYTES // 2 ** 20} MB the "
            "grader reads: submit only your code (for a notebook, clear its outputs: Kernel > "
            "Restart & Clear Output in Jupyter, then save).")


def refused(path: Path) -> str | None:
    """Why the file is never read, for the student, or None. A symbolic link is refused: this
    process may read any file of the machine (as root, in a Gradescope container), and a link
    in an upload (a repository, an archive) would make it read the reference, or any other
    file, as the student's, and quote it back in the feedback. So is a file that is not a
    regular one (a FIFO would hang the read, a device never end it), and one over MAX_BYTES."""
    try:
        info = Path(path).lstat()
    except OSError:
        return None  # said when it is read
    if stat.S_ISLNK(info.st_mode):
        return LINK
    if not stat.S_ISREG(info.st_mode):  # a FIFO would hang the read, a device never end it
        return NOT_A_FILE
    return _too_big(info.st_size) if info.st_size > MAX_BYTES else None


def read_bytes(path: Path) -> bytes:
    """The file's bytes, never through a link and never more than MAX_BYTES (`refused`), or
    SubmissionError."""
    if (why := refused(path)) is not None:
        raise SubmissionError(why)
    try:  # O_NOFOLLOW: a link put in its place since still fails; O_NONBLOCK: so does a FIFO
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SubmissionError(NOT_A_FILE)
            data = fh.read(MAX_BYTES + 1)  # a file that grew since: read no further
    except OSError as exc:
        raise SubmissionError(LINK if exc.errno == errno.ELOOP else
                              f"Your file could not be read ({type(exc).__name__}).") from None
    if len(data) > MAX_BYTES:
        raise SubmissionError(_too_big(len(data)))
    return data


def _read_text(path: Path, encoding: str = "utf-8") -> str:
    try:
        return read_bytes(path).decode(encoding)
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"Your file could not be read as UTF-8 text "
                              f"({type(exc).__name__}).") from None


def python_source(data: bytes) -> str:
    """A .py file's text as Python itself reads it: a UTF-8 byte order mark (which Windows'
    Notepad writes) or a coding declaration (PEP 263) decides, UTF-8 otherwise. Decoded as
    plain UTF-8, a file with the mark did not compile, where `python linreg.py` runs it."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if str(exc).startswith("unknown encoding"):
            raise SubmissionError(f"Your file could not be read: {exc}.") from None
        encoding = "utf-8"  # its first lines are not UTF-8, and declare nothing: said below
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        named = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        raise SubmissionError(f"Your file could not be read as {named} text "
                              f"({type(exc).__name__}).") from None


def _python(path: Path, functions: tuple[str, ...]) -> Submission:
    return Submission(python_source(read_bytes(path)))


def _notebook(path: Path, functions: tuple[str, ...]) -> Submission:
    try:  # JSON may begin with a byte order mark, which its readers may ignore (RFC 8259)
        converted = notebook.convert(_read_text(path, "utf-8-sig"), functions)
    except notebook.NotebookError as exc:
        raise SubmissionError(str(exc)) from None
    return Submission(converted.source, converted.origin)


LOADERS = {".py": _python, ".ipynb": _notebook}


def load(path: Path, functions: tuple[str, ...]) -> Submission:
    """The file's source; a notebook's cells that define one of `functions` are kept even when
    they do not parse (their syntax error is the feedback)."""
    return LOADERS[Path(path).suffix](Path(path), functions)
