"""One child's confinement: its folder, its user id, its cgroups, and the sweep of whatever
it left behind."""

import errno
import functools
import os
import pwd
import secrets
import shutil
import signal
import tempfile
import time
from pathlib import Path

from autograder.sandbox import leftovers
from autograder.sandbox.layers import (
    CGROUP_ROOT,
    INSIDE_HOME,
    INSIDE_JOB,
    SHARED_USER,
    Layer,
    _bwrap_args,
)
from autograder.sandbox.limits import Limits

JOIN = "tasks"
"""The file of a cgroup a job writes itself into: its one thread, not its thread group
(`cgroup.procs`). A job joins before it starts anything, with one thread, so the two are the
same move; but moving a thread group takes the kernel's lock on every thread group, which waits
for a grace period of its RCU (11-15 ms here, a sleep in every job), and moving the writing
thread itself does not (0.03 ms). What it starts later is born in its cgroups."""
MEMORY_FILES = (("memory.usage_in_bytes", os.O_RDONLY),
                ("memory.memsw.limit_in_bytes", os.O_WRONLY),
                ("memory.limit_in_bytes", os.O_WRONLY))
"""What the child harness reads and writes of its memory cgroup, in this order
(`child.count_memory_from_here`): a limit with swap is raised before the one without, which
may never exceed it."""


class Jail:
    """One child's confinement: its folder, user id and cgroups; `close` kills what is left."""

    def __init__(self, layer: Layer, limits: Limits, root: str | None = None):
        self.layer, self.limits = layer, limits
        self.shared = bool(layer.user) and layer.drops_user
        if self.shared:
            SHARED_USER.acquire()
        try:
            self._make(root)
        except BaseException:
            self._release()
            raise

    def _make(self, root: str | None) -> None:
        sweep_leftovers(self.layer)
        self.workdir = tempfile.mkdtemp(prefix=f"autograder-job-{leftovers.owner()}-", dir=root)
        self.uid = _job_uid(self.layer) if self.layer.drops_user else None
        if self.uid is not None:
            os.chown(self.workdir, self.uid, self.uid)
            os.chmod(self.workdir, 0o711)  # bwrap, root without capabilities, must enter it
        self.cgroups = self._make_cgroups() if self.layer.cgroups else []

    def _release(self) -> None:
        if self.shared:
            self.shared = False
            SHARED_USER.release()

    def _make_cgroups(self) -> list[Path]:
        name = f"autograder-{leftovers.owner()}-{secrets.token_hex(6)}"
        memory, pids = CGROUP_ROOT / "memory" / name, CGROUP_ROOT / "pids" / name
        memory.mkdir()
        pids.mkdir()
        limit = str(self.limits.memory_mb * 1024 * 1024)
        (memory / "memory.limit_in_bytes").write_text(limit)
        try:  # without swap accounting, memory.limit alone already holds
            (memory / "memory.memsw.limit_in_bytes").write_text(limit)
        except OSError:
            pass
        (pids / "pids.max").write_text(str(self.limits.processes * 4))
        return [memory, pids]

    def memory_files(self) -> list[int]:
        """The job's memory cgroup's usage and its limits (`MEMORY_FILES`, those this kernel
        has), opened here for the child harness, which may write them under any user id: it
        counts `memory_mb` from what it holds once ready, as `load_seconds` counts from then
        (a fresh interpreter's torch, about 150 MB here, its cgroup holds and a fork of the
        warm pool's does not, is not the submission's). Empty without cgroups."""
        if not self.cgroups:
            return []
        opened = []
        try:
            for name, how in MEMORY_FILES:
                try:
                    opened.append(os.open(self.cgroups[0] / name, how))
                except FileNotFoundError:  # no swap accounting: no limit with swap
                    continue
        except BaseException:
            for fd in opened:
                os.close(fd)
            raise
        return opened

    @property
    def cwd(self) -> str:
        return INSIDE_JOB if self.layer.name == "namespaces" else self.workdir

    @property
    def home(self) -> str:
        return INSIDE_HOME if self.layer.name == "namespaces" else self.workdir

    def argv(self, inner: list[str]) -> list[str]:
        """`inner` wrapped: joined to the cgroups first, then inside bwrap."""
        wrapped = _bwrap_args(self.workdir) + inner if self.layer.name == "namespaces" else inner
        if not self.cgroups:
            return wrapped
        join = " ".join(f'echo $$ > "{c}/{JOIN}" &&' for c in self.cgroups)
        return ["/bin/sh", "-c", f'{join} exec "$@"', "sh", *wrapped]

    def returncode(self, code: int) -> int:
        """The child's own status: bwrap reports a death by signal N as exit code 128 + N
        (an `os._exit(128 + N)` looks the same, and costs the submission nothing more)."""
        if self.layer.name == "namespaces" and 128 < code <= 128 + signal.SIGRTMAX:
            return 128 - code
        return code

    def out_of_memory(self) -> bool:
        """Whether the cgroup's OOM killer struck (some kernels never count it in failcnt)."""
        if not self.cgroups:
            return False
        try:
            control = (self.cgroups[0] / "memory.oom_control").read_text().split()
            kills = int(control[control.index("oom_kill") + 1]) if "oom_kill" in control else 0
            return kills > 0 or int((self.cgroups[0] / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

    def close(self) -> None:
        """Kill everything the job started, then remove its traces."""
        for cgroup in self.cgroups:
            _remove(cgroup)
        if self.uid is not None and not self.cgroups:  # a detached process is found by its user
            _sweep(functools.partial(_pids_of_user, self.uid))
        shutil.rmtree(self.workdir, ignore_errors=True)
        self._release()


def sweep_leftovers(layer: Layer) -> None:
    """Once a process: what graders killed outright left here (`leftovers`), their jobs'
    cgroups emptied first."""
    leftovers.sweep(CGROUP_ROOT if layer.cgroups else None, _remove)


def _job_uid(layer: Layer) -> int:
    """The named user's id, or a fresh one no other process has."""
    if layer.user:
        try:
            return pwd.getpwnam(layer.user).pw_uid
        except KeyError:
            raise RuntimeError(f"AUTOGRADER_USER={layer.user}: no such user") from None
    return 100_000 + secrets.randbelow(900_000)


def _sweep(find) -> None:
    """Kill what `find` lists until nothing is left (a fork bomb refills the list)."""
    for _ in range(50):
        pids = find()
        if not pids:
            return
        for pid in pids:
            _kill_pid(pid)
        time.sleep(0.01)


def _remove(cgroup: Path, tries: int = 50) -> None:
    """Kill what is in the cgroup, then remove it; again while a process just killed finishes
    its exit: a dying process leaves `cgroup.procs` before it leaves the cgroup, which stays
    busy until then, and none can join it once its last one is dead. (Without the retry, a
    suite's run left one job's memory cgroup in place, empty, for good.)"""
    _sweep(functools.partial(_pids, cgroup))
    for _ in range(tries):
        try:
            cgroup.rmdir()
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY:  # gone already, or not ours to remove
                return
        time.sleep(0.01)


def _pids(cgroup: Path) -> list[int]:
    try:
        return [int(p) for p in (cgroup / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _pids_of_user(uid: int) -> list[int]:
    """Processes whose real user id is `uid`: the jail's own, so all of them are the job's."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                real = next(line for line in status if line.startswith("Uid:")).split()[1]
        except (OSError, StopIteration, IndexError):
            continue
        if int(real) == uid:
            found.append(int(entry.name))
    return found


def _kill_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
