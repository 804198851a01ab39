"""How a child comes to life: a fresh interpreter per child, or a fork of the warm pool.

Both give the runner the same handle (`Started`): the child's output and protocol pipes, a
kill of everything it started, and its exit status. Both confine the child the same way: the
sandbox layer decides what holds, never the way the child was started.
"""

import os
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Protocol

from autograder.sandbox import carried
from autograder.sandbox.folders import EXERCISES_ENV, exercise_dirs
from autograder.sandbox.jail import Jail
from autograder.sandbox.layers import Layer

BOOT = "from autograder.sandbox.child import main; main()"


class Started(Protocol):
    out: int
    """The child's stdout and stderr, one pipe."""
    proto: int
    """The harness's records, one JSON line each."""

    def kill(self, ending: bool = True) -> None:
        """SIGKILL the child and what it started, and wait for it; `ending`: it closed its
        pipes, and may be given the moment its own exit takes (not one that ran out of time,
        which would only spin on)."""

    @property
    def returncode(self) -> int | None:
        """After `kill`: the exit code, or minus the signal that ended it; None if unknown."""


class Spawner(Protocol):
    layer: Layer

    def prestart(self) -> None: ...

    def jail(self, limits) -> Jail: ...

    def start(self, job: dict, jail: Jail) -> Started: ...


def child_env(home: str) -> dict:
    # THP_MEM_ALLOC_ENABLE: torch backs a tensor of 2 MiB or more with huge pages, which a
    # process faults in 512 times less often (a 400 MB result costs 0.1 s instead of 0.2).
    # (Keeping what a job frees in malloc, GLIBC_TUNABLES without mmap or trim, made a 400 MB
    # tensor made again cheaper still, but every job then held its peak to its end: a batch of
    # 1000 peaked at 1150 MiB instead of 770. The same set by mallopt in the job alone, after
    # the zygote's fork, left the peak at 787 MiB and halved giant_output's grading, but a
    # batch of 200 took from 6% less to 5% more CPU in three A/B runs of 8 to 10 rounds, and a
    # job's freed blocks would count against its memory limit until it ends: not taken.)
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "THP_MEM_ALLOC_ENABLE": "1"}
    if os.environ.get(EXERCISES_ENV):  # a course's own exercises: the child imports their probes
        env[EXERCISES_ENV] = os.pathsep.join(map(str, exercise_dirs()))
    return env


def interpreter(boot: str, *args: str) -> list[str]:
    """The command line of a fresh child or of the zygote: this Python without the user's site
    folder nor bytecode written, and with no folder of its own on sys.path (`-c` puts the
    current one first, the boot takes it off), as -I would have it. Not -I itself, which
    ignores PYTHONHASHSEED (`child_env`): a string's hash, and so the order of a set of
    strings, would differ from one interpreter to the next, a fresh child and a fork of the
    zygote among them, and a submission that iterates one could be graded otherwise each
    time. Nothing else of the environment is read: it is `child_env` alone."""
    return [sys.executable, "-s", "-B", "-c", f"import sys; sys.path.remove(''); {boot}", *args]


def send_job(job: dict, jail: Jail, fd: int, **extra) -> None:
    """Write the job down its pipe, so that no file of it lies around. In marshal
    (`carried`): both ends are the grader's, the child's harness reading it before any of the
    submission's code runs. Every exercise's cases are what JSON gives back unchanged
    (`tests/test_cases.py`), so a child reads what it read when jobs went in JSON."""
    payload = carried.dumps({**job, "uid": jail.uid, "limits": asdict(jail.limits), **extra})
    try:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(payload)
    except BrokenPipeError:  # the child died before reading: the runner reports how
        pass


@dataclass
class _Process:
    proc: subprocess.Popen
    jail: Jail
    proto: int

    @property
    def out(self) -> int:
        return self.proc.stdout.fileno()

    def kill(self, ending: bool = True) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.proc.stdout.close()

    @property
    def returncode(self) -> int | None:
        return self.jail.returncode(self.proc.returncode)


@dataclass(frozen=True)
class Fresh:
    """A fresh interpreter per child: it pays for `import torch` every time (the baseline)."""

    layer: Layer

    def prestart(self) -> None:
        """Nothing to start ahead."""

    def jail(self, limits) -> Jail:
        return Jail(self.layer, limits)

    def start(self, job: dict, jail: Jail) -> Started:
        job_r, job_w = os.pipe()
        proto_r, proto_w = os.pipe()
        memory = jail.memory_files()
        inner = interpreter(BOOT, str(job_r), str(proto_w))
        try:
            proc = subprocess.Popen(jail.argv(inner), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    pass_fds=(job_r, proto_w, *memory), cwd=jail.workdir,
                                    env=child_env(jail.home), start_new_session=True)
        finally:
            for fd in (job_r, proto_w, *memory):
                os.close(fd)
        # killed if its parent dies: where the parent is this process (no bwrap), a grader
        # killed outright takes the child along, as a zygote kills its jobs then; bwrap's own
        # process keeps no capability, and may not signal a child of another user id
        send_job(job, jail, job_w, die_with_parent=True, memory=memory)
        return _Process(proc, jail, proto_r)
