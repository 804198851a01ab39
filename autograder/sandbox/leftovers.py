"""What a grader killed outright leaves behind (a SIGKILL, the OOM killer, a supervisor that
would not wait), and its removal by the next grader on the machine.

Every grader removes its jobs' cgroups and folders and its pool's folder as it leaves, unless
it is killed outright. So each is named after its grader: the grader's PID namespace and pid
(`owner`). A grader removes, once (`sweep`), every one whose grader shares its PID namespace and
is no longer alive, killing what a job of that grader may still run in its cgroups. Those of a
grader in another PID namespace that shares the cgroup tree or the temporary folder carry
another namespace, and are never touched, alive or not; a dead grader's pid that is already
reused keeps its leftovers in place, which is only untidy.
"""

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

NAME = re.compile(r"autograder-(?:probe-|pool-|job-)?(\d+)-(\d+)-")
"""A leftover's name: the cgroups of a job or of the layers' probe, a pool's folder, or a job's
folder (a fresh child's is in the temporary folder, a pool job's in its pool's), each with its
grader's PID namespace and pid."""
FOLDERS = ("autograder-pool-", "autograder-job-")
"""The folders a grader makes in the temporary folder."""
_SWEPT = threading.Lock()
_swept: list[bool] = []


def _namespace() -> int | None:
    """This process's PID namespace (its inode), None where it cannot be told."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None


def owner() -> str:
    """This grader, as the names of what it makes say it: its PID namespace, then its pid."""
    return f"{_namespace() or 0}-{os.getpid()}"


def left_over(name: str) -> bool:
    """Whether `name` is a leftover of a grader that shares this PID namespace and has ended."""
    found, here = NAME.match(name), _namespace()
    if not found or here is None or int(found[1]) != here or int(found[2]) == os.getpid():
        return False
    try:
        os.kill(int(found[2]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, and another user's
        return False
    return False


def sweep(cgroup_root: Path | None, remove_cgroup: Callable[[Path], None],
          folder: str | None = None) -> None:
    """Remove, once a process, the leftovers of ended graders: their cgroups under
    `cgroup_root` (None: no cgroups here) with `remove_cgroup`, which kills what is in one
    first, and their pools' and jobs' folders in `folder` (default: the temporary folder)."""
    with _SWEPT:
        if _swept:
            return
        _swept.append(True)
    for controller in ("memory", "pids") if cgroup_root else ():
        try:
            cgroups = [c for c in (cgroup_root / controller).iterdir() if left_over(c.name)]
        except OSError:
            continue
        for cgroup in cgroups:
            remove_cgroup(cgroup)
    try:
        folders = [e.path for e in os.scandir(folder or tempfile.gettempdir())
                   if e.name.startswith(FOLDERS) and left_over(e.name) and
                   e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for path in folders:
        shutil.rmtree(path, ignore_errors=True)
