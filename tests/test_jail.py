"""A job's jail leaves nothing behind: its cgroups are removed even while the last of its
processes is still exiting."""

import errno
from pathlib import Path

import pytest

from autograder.sandbox import jail


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
