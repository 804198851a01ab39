"""Where a child runs: the strongest isolation this machine allows, chosen once, in layers.

- process (always): own session, `python -s -B` (`spawn.interpreter`), cleared environment,
  closed stdin, rlimits, SIGKILL of the whole group from the parent;
- user (as root): the child drops to a user id of its own before any student code runs;
- cgroups (where writable): memory and process limits, and a kill of everything the job started;
- namespaces (where bwrap works): no network, a PID namespace, private /tmp and HOME, and a
  read-only view of only the Python environment, the harness and the job's own folder.

AUTOGRADER_SANDBOX=process|user|namespaces caps the layer (to test the fallbacks);
AUTOGRADER_USER=name runs every child as that user (a Gradescope bundle's `setup.sh` creates
one) instead of a fresh user id per child.
"""

import functools
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex

from autograder.sandbox.folders import exercise_dirs, exercise_folders, harness, secrets_of
from autograder.sandbox.leftovers import owner

LAYERS = ("process", "user", "namespaces")
CGROUP_ROOT = Path("/sys/fs/cgroup")
SYSTEM = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/localtime")
INSIDE_JOB = "/job"
INSIDE_JOBS = "/jobs"
"""Where the warm pool's folder of job folders appears to its zygote."""
INSIDE_HOME = "/home/student"
TMP_BYTES = 64 * 1024 * 1024
"""Size of a job's own /tmp and HOME (namespace layer; counted in its memory cgroup)."""


@dataclass(frozen=True)
class Layer:
    name: str
    """The strongest layer in force: process, user or namespaces."""
    cgroups: bool
    """Memory and process limits by cgroup (v1 memory and pids controllers)."""
    user: str | None = None
    """The one user every child runs as, or None for a fresh user id per child."""

    @property
    def drops_user(self) -> bool:
        return self.name != "process"

    def describe(self) -> str:
        user = f"the unprivileged user {self.user}" if self.user else \
            "an unprivileged user of its own"
        parts = {"process": "own session and rlimits", "user": user,
                 "namespaces": f"namespaces (no network, own PIDs, read-only view), {user}"
                 }[self.name]
        return parts + (", cgroup memory and process limits" if self.cgroups else "")


def _bwrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if not bwrap or os.geteuid() != 0:
        return False
    try:
        return subprocess.run([bwrap, *_namespaces(), "--ro-bind", "/", "/", "true"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _cgroups_work() -> bool:
    try:
        for controller in ("memory", "pids"):
            probe = CGROUP_ROOT / controller / f"autograder-probe-{owner()}-{token_hex(6)}"
            probe.mkdir()
            probe.rmdir()
        return True
    except OSError:
        return False


DETECTING = threading.Lock()
"""One detection a process: threads that grade at once (a cluster's worker) wait for it.
Two at once had probed the same cgroup folder: one failed to make it, and a worker graded
without cgroup limits."""


def detect() -> Layer:
    """The strongest layer available, capped by AUTOGRADER_SANDBOX; detected once."""
    with DETECTING:
        return _detect()


@functools.cache
def _detect() -> Layer:
    cap = os.environ.get("AUTOGRADER_SANDBOX", "namespaces")
    cap = LAYERS.index(cap) if cap in LAYERS else len(LAYERS) - 1
    root = os.geteuid() == 0
    name = ("namespaces" if cap >= 2 and _bwrap_works() else
            "user" if cap >= 1 and root else "process")
    return Layer(name, cgroups=cap >= 1 and root and _cgroups_work(),
                 user=os.environ.get("AUTOGRADER_USER") or None)


SHARED_USER = threading.Lock()
"""Held by the one jail at a time whose user is shared: its clean-up kills every process of
that user, which must never include another job's."""


def _namespaces(own_pids: bool = True) -> list[str]:
    # no user namespace: the child must be able to drop to a real unprivileged user id
    # the child is pid 1 of its namespace, as in the warm pool: its end ends all it started
    pids = ["--unshare-pid", "--as-pid-1", "--die-with-parent"] if own_pids else []
    return ["--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--new-session", *pids]


def _visible() -> list[str]:
    """What the child may see: the system's libraries, this Python, the harness; nothing of
    the instructor's (the reference folders inside the harness are masked: see `_view`)."""
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix,
              str(Path(sys.executable).resolve().parent.parent)}
    python |= {p for p in sys.path if "-packages" in p}
    found = [p for p in (*SYSTEM, *sorted(python), str(harness()),
                         *map(str, exercise_dirs())) if os.path.exists(p)]
    return [p for p in found if not any(p != q and p.startswith(q + "/") for q in found)]


@functools.cache
def _sized() -> list[str]:
    """The size of a tmpfs, `TMP_BYTES`, as the zygote mounts a job's, where this bwrap can
    set it (0.7 on; an older one, such as Ubuntu 22.04's 0.6, leaves a fresh child's /tmp and
    HOME as large as its memory limit, and a submission that fills them then fares otherwise
    fresh than pooled)."""
    try:
        told = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return ["--size", str(TMP_BYTES)] if "--size" in told.stdout + told.stderr else []


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parents
    return [str(p) for p in reversed(parts) if str(p) != "/"]


def _view(*caps: str, own_pids: bool = True) -> list[str]:
    """bwrap's arguments for the read-only view in which children run."""
    args = ["bwrap", *_namespaces(own_pids), "--cap-drop", "ALL"]
    for cap in ("CAP_SETUID", "CAP_SETGID", *caps):
        args += ["--cap-add", cap]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", *_sized(), "--tmpfs",
             "/tmp", "--perms", "0777", *_sized(), "--tmpfs", INSIDE_HOME]
    made = set()
    for path in _visible():
        for parent in _ancestors(path):  # world-traversable, so the dropped user can get there
            if parent not in made:
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        args += ["--ro-bind", path, path]
    # searchable, not listable, and empty: reading a reference fails as if it were not there
    for secret in secrets_of(exercise_folders()):
        args += ["--perms", "0711", "--tmpfs", secret]
    return args


def _bwrap_args(workdir: str) -> list[str]:
    return [*_view(), "--bind", workdir, INSIDE_JOB, "--chdir", INSIDE_JOB]


def zygote_argv(inner: list[str], jobs_root: str) -> list[str]:
    """The warm pool's zygote in the same view, with the folder of all job folders, host PIDs
    (so the grader can kill a job by its pid), the right to give each job namespaces of its
    own (which every job gets before its code runs: see `zygote`) and CAP_KILL, to kill its
    jobs, each of a user id of its own, when the grader has ended (without it a job outlived
    a grader killed outright). A job's drop to its own user id clears all three."""
    return [*_view("CAP_SYS_ADMIN", "CAP_KILL", own_pids=False), "--perms", "0711", "--dir",
            INSIDE_JOB, "--bind", jobs_root, INSIDE_JOBS, "--chdir", "/", *inner]
