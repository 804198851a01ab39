"""Where a child runs: the strongest isolation this machine allows, chosen once, in layers.

- process (always): own session, `python -I -B`, cleared environment, closed stdin, rlimits,
  SIGKILL of the whole group from the parent;
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
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.sandbox.limits import Limits

LAYERS = ("process", "user", "namespaces")
CGROUP_ROOT = Path("/sys/fs/cgroup")
SYSTEM = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/localtime")
INSIDE_JOB = "/job"
INSIDE_JOBS = "/jobs"
"""Where the warm pool's folder of job folders appears to its zygote."""
INSIDE_HOME = "/home/student"


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
            probe = CGROUP_ROOT / controller / f"autograder-probe-{os.getpid()}"
            probe.mkdir()
            probe.rmdir()
        return True
    except OSError:
        return False


@functools.cache
def detect() -> Layer:
    """The strongest layer available, capped by AUTOGRADER_SANDBOX."""
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


SECRET = "reference"
"""The folder of an exercise's reference solution: inside the harness, but masked in every
child's view."""


EXERCISES_ENV = "AUTOGRADER_EXERCISES"
"""Folders of a course's own exercises (os.pathsep between them), beside the package's."""


def harness() -> Path:
    return Path(autograder.__file__).resolve().parent


def exercise_dirs() -> list[Path]:
    """The folders of exercises outside the package, as AUTOGRADER_EXERCISES names them."""
    named = os.environ.get(EXERCISES_ENV, "").split(os.pathsep)
    return [Path(d).resolve() for d in named if d and Path(d).is_dir()]


def exercise_folders() -> list[Path]:
    """Every folder that holds exercises: the package's, then the course's own."""
    return [harness() / "exercises", *exercise_dirs()]


def secrets_of(folders) -> list[str]:
    """The reference folders of the exercises in `folders` (each folder holds exercises)."""
    return sorted(str(p) for folder in folders for p in Path(folder).glob(f"*/{SECRET}")
                  if p.is_dir())


def _visible() -> list[str]:
    """What the child may see: the system's libraries, this Python, the harness; nothing of
    the instructor's (the reference folders inside the harness are masked: see `_view`)."""
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix,
              str(Path(sys.executable).resolve().parent.parent)}
    python |= {p for p in sys.path if "-packages" in p}
    found = [p for p in (*SYSTEM, *sorted(python), str(harness()),
                         *map(str, exercise_dirs())) if os.path.exists(p)]
    return [p for p in found if not any(p != q and p.startswith(q + "/") for q in found)]


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parents
    return [str(p) for p in reversed(parts) if str(p) != "/"]


def _view(*caps: str, own_pids: bool = True) -> list[str]:
    """bwrap's arguments for the read-only view in which children run."""
    args = ["bwrap", *_namespaces(own_pids), "--cap-drop", "ALL"]
    for cap in ("CAP_SETUID", "CAP_SETGID", *caps):
        args += ["--cap-add", cap]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
             "--perms", "0777", "--tmpfs", INSIDE_HOME]
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
    (so the grader can kill a job by its pid) and the right to give each job namespaces of
    its own (which every job gets before its code runs: see `zygote`)."""
    return [*_view("CAP_SYS_ADMIN", own_pids=False), "--perms", "0711", "--dir", INSIDE_JOB,
            "--bind", jobs_root, INSIDE_JOBS, "--chdir", "/", *inner]


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
        self.workdir = tempfile.mkdtemp(prefix="autograder-job-", dir=root)
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
        name = f"autograder-{os.getpid()}-{secrets.token_hex(6)}"
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
        join = " ".join(f'echo $$ > "{c}/cgroup.procs" &&' for c in self.cgroups)
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
            _sweep(functools.partial(_pids, cgroup))
            try:
                cgroup.rmdir()
            except OSError:
                pass
        if self.uid is not None and not self.cgroups:  # a detached process is found by its user
            _sweep(functools.partial(_pids_of_user, self.uid))
        shutil.rmtree(self.workdir, ignore_errors=True)
        self._release()


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
