"""A job's jail leaves nothing behind: its cgroups are removed even while the last of its
processes is still exiting; and what a grader killed outright left, the next one removes."""

import errno
import os
import subprocess
from pathlib import Path

import pytest

from autograder.sandbox import jail, leftovers
from autograder.sandbox.layers import CGROUP_ROOT, detect


class _Cgroup:
    """A cgroup that is busy for `busy` removals, then removable; nothing listed in it."""

    def __init__(self, busy: int, error: int = errno.EBUSY):
        self.busy, self.error, self.removals = busy, error, 0

    def __truediv__(self, name: str) -> Path:
        return Path("/nonexistent") / name  # no cgroup.procs: nothing to kill

    def rmdir(self) -> None:
        self.removals += 1
        if self.removals <= self.busy:
            raise OSError(self.error, "cgroup busy")


def test_a_cgroup_busy_while_its_last_process_exits_is_removed_once_it_is_free():
    cgroup = _Cgroup(busy=3)
    jail._remove(cgroup)
    assert cgroup.removals == 4


def test_a_cgroup_busy_for_good_is_given_up_after_a_bounded_wait():
    cgroup = _Cgroup(busy=10 ** 6)
    jail._remove(cgroup, tries=5)
    assert cgroup.removals == 5


@pytest.mark.parametrize("error", [errno.ENOENT, errno.EACCES])
def test_a_cgroup_gone_already_or_not_ours_is_tried_once(error):
    cgroup = _Cgroup(busy=1, error=error)
    jail._remove(cgroup)
    assert cgroup.removals == 1


def test_a_grader_removes_what_ended_graders_of_its_pid_namespace_left_and_nothing_else(
        tmp_path, monkeypatch):
    """Their jobs' cgroups (a job still running in one killed first) and their pools' folders;
    never a live grader's, another PID namespace's, or what a symbolic link points to."""
    if not detect().cgroups:
        pytest.skip("no cgroups here")
    ended = subprocess.Popen(["true"])
    ended.wait()
    ns = os.stat("/proc/self/ns/pid").st_ino
    gone = [f"autograder-{ns}-{ended.pid}-a1", f"autograder-probe-{ns}-{ended.pid}-a2"]
    kept = [f"autograder-{ns}-{os.getpid()}-b1", f"autograder-{ns}-1-b2",  # alive, both
            f"autograder-{ns + 1}-{ended.pid}-b3", f"autograder-{ended.pid}-b4"]
    made = [CGROUP_ROOT / kind / name for kind in ("memory", "pids") for name in gone + kept]
    for cgroup in made:
        cgroup.mkdir()
    orphan = subprocess.Popen(["sleep", "1000"])  # a job of the ended grader's, still running
    (CGROUP_ROOT / "memory" / gone[0] / "cgroup.procs").write_text(str(orphan.pid))
    target = tmp_path / "target"
    target.mkdir()
    (target / "kept").touch()
    pools = tmp_path / "tmp"
    pools.mkdir()
    for name in gone[:1] + kept:
        (pools / name.replace("autograder-", "autograder-pool-")).mkdir()
    (pools / f"autograder-job-{ns}-{ended.pid}-a3").mkdir()  # a fresh child's folder
    (pools / f"autograder-pool-{ns}-{ended.pid}-link").symlink_to(target)
    monkeypatch.setattr(leftovers, "_swept", [])
    try:
        leftovers.sweep(CGROUP_ROOT, jail._remove, str(pools))
        assert orphan.wait(timeout=10) == -9
        assert [c.name for c in made if c.exists()] == kept + kept
        assert sorted(p.name for p in pools.iterdir()) == sorted(
            [n.replace("autograder-", "autograder-pool-") for n in kept] +
            [f"autograder-pool-{ns}-{ended.pid}-link"])
        assert (target / "kept").exists()
        later = CGROUP_ROOT / "pids" / f"autograder-{ns}-{ended.pid}-c1"
        made.append(later)
        later.mkdir()
        leftovers.sweep(CGROUP_ROOT, jail._remove, str(pools))
        assert later.exists()  # once a process: a grader's own start, not each of its jobs
    finally:
        orphan.kill()
        for cgroup in made:
            jail._remove(cgroup)
