"""The warm pool's zygote: a trusted process that has imported torch once and forks per job.

Started by `pool` as `python -I -B -c BOOT CONTROL_FD` (inside bwrap at the namespace layer).
For each request on the control socket it forks a warden, which confines one job exactly as
a fresh child would be confined and forks the job's own process:

    zygote (trusted, warm) --fork--> warden (trusted) --fork--> [init] --fork--> job

The warden joins the job's cgroups, gives the job fresh namespaces of its own (PIDs, mounts,
IPC, network; its own /tmp and HOME; only its own folder), reports the job's pid and then its
exit status on a socket the job never holds. The job drops to its own user id before any
submission code runs (`child.serve`). The zygote never sees a job's source or results: they
travel on pipes between the grader and the job.
"""

import json
import os
import signal
import socket
import sys

from autograder import linux
from autograder.sandbox import INSIDE_HOME, INSIDE_JOB, INSIDE_JOBS

BOOT = "from autograder.zygote import main; main()"
MAX_FDS = 8


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # wardens are reaped by the kernel
    import torch

    import autograder.child  # noqa: F401
    import autograder.probes  # noqa: F401

    torch.set_num_threads(1)
    control.send(b"ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 65536, MAX_FDS)
        except OSError:
            return
        if not message:  # the grader is gone
            return
        if os.fork() == 0:
            control.close()
            _warden(json.loads(message), fds)
        for fd in fds:
            os.close(fd)


def _warden(header: dict, fds: list[int]) -> None:
    """Confine, fork the job, report its pid and status. Never returns."""
    code = 1
    try:
        job_r, proto_w, out_w, status_w, *cgroups = fds
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        if header["uid"] is not None:  # the job cannot kill the zygote; the grader's death
            linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)  # reaches the job this way
        for cgroup in cgroups:  # "0": the writer itself; the job inherits its cgroups
            os.write(cgroup, b"0")
            os.close(cgroup)
        if header["namespaces"]:
            _isolate(header)
        pid = os.fork()
        if pid == 0:
            if header["namespaces"]:
                _init(header, job_r, proto_w, out_w, status_w)
            os.close(status_w)
            _job(header, job_r, proto_w, out_w)
        for fd in (job_r, proto_w, out_w):
            os.close(fd)
        _report(status_w, pid=pid)
        _, status = os.waitpid(pid, 0)
        if not header["namespaces"] or os.WIFSIGNALED(status):  # else its init told
            _report(status_w, status=os.waitstatus_to_exitcode(status))
        code = 0
    finally:
        os._exit(code)


def _init(header: dict, job_r: int, proto_w: int, out_w: int, status_w: int) -> None:
    """Pid 1 of the job's namespace, as bwrap's: it reaps, reports the job's status, and by
    leaving makes the kernel kill whatever the job left behind. Never returns."""
    try:
        os.setsid()  # its own group, for the grader's kill
        linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
        pid = os.fork()
        if pid == 0:
            os.close(status_w)
            _job(header, job_r, proto_w, out_w)
        for fd in (job_r, proto_w, out_w):
            os.close(fd)
        while True:  # orphans of the job are reparented here
            reaped, status = os.wait()
            if reaped == pid:
                break
        _report(status_w, status=os.waitstatus_to_exitcode(status))
    finally:
        os._exit(0)


def _report(fd: int, **record) -> None:
    try:
        os.write(fd, json.dumps(record).encode() + b"\n")
    except OSError:  # the grader stopped listening: nothing to tell
        pass


def _isolate(header: dict) -> None:
    """Namespaces of the job's own: nothing of a neighbour is visible, nothing outlives it."""
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWPID | linux.CLONE_NEWIPC |
                  linux.CLONE_NEWUTS | (linux.CLONE_NEWNET if header["network_ns"] else 0))
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    flags = linux.MS_NOSUID | linux.MS_NODEV
    linux.mount("tmpfs", "/tmp", "tmpfs", flags, f"mode=1777,size={header['tmp_bytes']}")
    uid = header["uid"]
    linux.mount("tmpfs", INSIDE_HOME, "tmpfs", flags,
                f"mode=0700,uid={uid},gid={uid},size={header['tmp_bytes']}")
    linux.mount(f"{INSIDE_JOBS}/{header['folder']}", INSIDE_JOB, None, linux.MS_BIND)
    linux.umount(INSIDE_JOBS)  # the other jobs' folders


def _job(header: dict, job_r: int, proto_w: int, out_w: int) -> None:
    """The job's process: its own session, stdio, environment and folder; then the child
    harness, which drops to the job's user and runs the submission. Never returns."""
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        for source, target in ((null, 0), (out_w, 1), (out_w, 2), (job_r, 3), (proto_w, 4)):
            os.dup2(source, target)
        os.closerange(5, 1 << 16)  # nothing of the zygote's: no control socket
        os.environ.clear()
        os.environ.update(header["env"])
        os.chdir(header["cwd"])
        sys.argv = ["-c", "3", "4"]  # as a fresh child's: the same submission sees the same
        from autograder.child import serve

        serve(3, 4)
    finally:
        os._exit(1)
