"""`autograder ARGS` as the tests run it: the command line's own `main`, in this process, or a
process of its own where only a process shows what is tested.

A process of its own imports torch twice (the command and its pool's zygote), about 3 s of CPU
a call, and the suite makes dozens; in this process a call shares the suite's torch and warm
pool and costs what its grading costs. It gives what the process would: the exit status
(argparse's `SystemExit` included; an exception escaping `main` is status 1 with its
traceback on stderr, as Python prints it), stdout and stderr. The README's commands, the
entry point `python -m autograder`, a cluster's worker processes and a fresh machine's first
call still run as processes (`process`).
"""

import contextlib
import io
import os
import subprocess
import sys
import threading
import traceback
from pathlib import Path

from autograder import cli

ROOT = Path(__file__).resolve().parent.parent
_ONE_AT_A_TIME = threading.Lock()
"""The working folder, sys.stdout and sys.stderr belong to the whole process."""


def autograder(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`autograder ARGS` run from `cwd` by calling `cli.main`."""
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    with _ONE_AT_A_TIME, _chdir(cwd), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if isinstance(exc.code, str):
                print(exc.code, file=err)
        except Exception:
            traceback.print_exc(file=err)
            code = 1
    return subprocess.CompletedProcess(["autograder", *argv], code, out.getvalue(),
                                       err.getvalue())


@contextlib.contextmanager
def _chdir(folder: Path):
    """contextlib.chdir, which Python 3.10 lacks."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def process(*args, cwd: Path = ROOT, timeout: float = 300,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS` in a process of its own (`env`: added to this one's)."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **env} if env else None)


def imports_torch(*args, timeout: float = 300) -> tuple[int, bool]:
    """`autograder ARGS` run by its entry point in a fresh interpreter: its exit status and
    whether torch was imported by the end (the import is the command's largest cost)."""
    code = ("import sys\nfrom autograder import __main__ as command\n"
            f"sys.argv = ['autograder', *{[str(a) for a in args]!r}]\n"
            "try:\n    code = command.main()\nexcept SystemExit as exc:\n"
            "    code = exc.code if isinstance(exc.code, int) else 0\n"
            "print(code, 'torch' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=timeout)
    last = run.stdout.splitlines()[-1].split() if run.stdout.strip() else []
    assert len(last) == 2, run.stdout + run.stderr
    return int(last[0]), last[1] == "True"
