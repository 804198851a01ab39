"""The warm pool's zygote: a trusted process that has imported torch once and forks per job.

Started by `pool` as `python -s -B -c BOOT CONTROL_FD GRADER_FD` (`spawn.interpreter`; inside
bwrap at the namespace layer; GRADER_FD is a pidfd of the grader). For each request on the
control socket it forks the job's process, which confines itself exactly as a fresh child is
confined before any submission code runs: its cgroups, its own namespaces (PIDs, mounts, IPC,
network), /tmp, HOME and folder, then its own user id (`child.serve`). The zygote reports the
job's pid and then its exit status on a socket the job never holds, and never sees a job's
source or results: they travel on pipes between the grader and the job.

At the namespace layer the job is pid 1 of its own PID namespace, as a fresh child is under
`bwrap --as-pid-1`: when it ends, the kernel kills whatever it left behind. One fork of the
warm process per job is all a job costs.

When its grader ends, however it ends (a SIGKILL included), the zygote kills the jobs it is
running and leaves; it may, being given CAP_KILL (`layers.zygote_argv`). When the grader only
closes its socket (the pool closed, or started afresh), the zygote leaves its jobs to finish:
they talk to the grader, not to it, and so do they when the zygote itself dies.
"""

import fcntl
import json
import os
import selectors
import socket
import sys
from dataclasses import dataclass
from os import _exit  # as the child harness's: whatever a job does to os._exit

from autograder.sandbox import linux, warm
from autograder.sandbox.child import JOB_FD, PROTO_FD
from autograder.sandbox.folders import exercise_folders
from autograder.sandbox.layers import INSIDE_HOME, INSIDE_JOB, INSIDE_JOBS

BOOT = "from autograder.sandbox.zygote import main; main()"
MAX_FDS = 10
MEMORY_FD = PROTO_FD + 1
"""Where a job finds its memory cgroup's files (`Jail.memory_files`), as its job tells it: the
numbers after its job and protocol pipes."""
GRADER = "grader"
"""The selector's mark of the grader's pidfd."""


@dataclass
class _Running:
    pid: int
    status: int
    """The zygote's end of the job's status socket."""


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    grader = int(sys.argv[2])
    with warm.quiet_collector():
        import resource  # noqa: F401  (the job's confinement imports it: loaded once here)

        import torch

        from autograder.sandbox import backward

        backward.install()  # before the probes take their own torch.Tensor.backward
        import autograder.sandbox.calls  # noqa: F401
        import autograder.sandbox.child  # noqa: F401
        from autograder.sandbox import watch

        _preload_probes()

        torch.set_num_threads(1)
        warm.warm_up()
        watch.install(torch)  # once here, not in every job
    warm.settle()
    control.send(b"ready")
    _serve(control, grader)


def _serve(control: socket.socket, grader: int) -> None:
    """Fork a job for each request, until the grader closes its socket and the last job has
    ended, or the grader itself ends, which kills the jobs."""
    warmed: set[str] = set()
    pages = warm.HugePages()
    own_pids = os.open("/proc/self/ns/pid", os.O_RDONLY)
    events = selectors.DefaultSelector()
    events.register(control, selectors.EVENT_READ)
    events.register(grader, selectors.EVENT_READ, GRADER)
    while True:
        for key, _ in events.select():
            if key.data is GRADER:  # it has ended: nobody will read what its jobs send
                _kill_jobs(events)
                return
            if isinstance(key.data, _Running):
                _ended(key.data, key.fd, events)
                continue
            if isinstance(key.data, _Observer):
                events.unregister(key.fd)
                os.close(key.fd)
                os.waitpid(key.data.pid, 0)
                continue
            try:
                message, fds, _, _ = socket.recv_fds(control, 65536, MAX_FDS)
            except OSError:
                message = b""
            if not message:  # the pool closed: its jobs finish, reporting to the grader
                events.unregister(control)
                continue
            header = json.loads(message)
            if header.get("observer"):
                _launch_observer(fds, control, events)
                continue
            if warm.for_probes(header.get("probes"), warmed):
                pages.changed()  # the warm-up's new heap too
            if warm.for_imports(header.get("imports"), warmed):
                pages.changed()
            _launch(header, fds, own_pids, control, events)
            pages.forked()
        if len(events.get_map()) == 1:  # the grader's pidfd alone: the pool closed, and its
            return  # last job has ended


def _kill_jobs(events: selectors.BaseSelector) -> None:
    """SIGKILL each running job's group (its pid is not reused: the job is not waited for),
    and the observers (each leaves at the end of its pipe anyway)."""
    for key in list(events.get_map().values()):
        if isinstance(key.data, _Running):
            linux.kill_group(key.data.pid)
        elif isinstance(key.data, _Observer):
            os.kill(key.data.pid, 9)


@dataclass
class _Observer:
    pid: int


def _launch_observer(fds: list[int], control: socket.socket,
                     events: selectors.BaseSelector) -> None:
    """Fork the grader's observer of the reference (`observer.serve`): the grader's own
    process, not a job, in no jail. Its source comes on its own pipe, never through here."""
    requests, answers = fds
    try:
        pid = os.fork()
    except OSError:
        pid = None
    if pid == 0:
        try:
            control.close()
            low, high = sorted((requests, answers))
            for start, end in ((3, low), (low + 1, high), (high + 1, 1 << 16)):
                os.closerange(start, end)  # nothing of the zygote's: no control, no jobs'
            from autograder.sandbox.observer import serve

            serve(requests, answers)
        finally:
            _exit(0)
    _close(requests)
    _close(answers)
    if pid:
        events.register(os.pidfd_open(pid), selectors.EVENT_READ, _Observer(pid))


def _preload_probes() -> None:
    """Every exercise's probes, imported once here: a job then finds its own already loaded,
    even one from a folder under /tmp, which each job's fresh /tmp hides."""
    import importlib

    for folder in exercise_folders():
        for probes in sorted(folder.glob("*/probes.py")):
            try:
                importlib.import_module(f"autograder.exercises.{probes.parent.name}.probes")
            except Exception:  # a broken exercise costs its own jobs, not the pool
                pass


def _launch(header: dict, fds: list[int], own_pids: int, control: socket.socket,
            events: selectors.BaseSelector) -> None:
    """Fork the job; watch for its end. A job that cannot start just ends: the grader sees
    its pipes close, and reports a crash."""
    job_r, proto_w, out_w, status_w, *rest = fds
    split = len(rest) - header.get("memory", 0)
    cgroups, memory = rest[:split], rest[split:]
    try:
        pid = _fork(header, own_pids)
    except OSError:
        pid = None
        _close(status_w)
    if pid == 0:
        control.close()
        _job(header, job_r, proto_w, out_w, cgroups, memory)
    for fd in (job_r, proto_w, out_w, *rest):
        _close(fd)
    if pid:
        events.register(os.pidfd_open(pid), selectors.EVENT_READ, _Running(pid, status_w))
        _report(status_w, pid=pid)


def _fork(header: dict, own_pids: int) -> int:
    """The job's process; at the namespace layer, pid 1 of a PID namespace of its own."""
    if not header["namespaces"]:
        return os.fork()
    linux.unshare(linux.CLONE_NEWPID)  # for the next child only
    try:
        pid = os.fork()
    except OSError:
        linux.setns(own_pids, linux.CLONE_NEWPID)
        raise
    if pid:  # the zygote's next children are born in its own namespace again
        linux.setns(own_pids, linux.CLONE_NEWPID)
    return pid


def _ended(job: "_Running", pidfd: int, events: selectors.BaseSelector) -> None:
    events.unregister(pidfd)
    os.close(pidfd)
    _, status = os.waitpid(job.pid, 0)
    _report(job.status, status=os.waitstatus_to_exitcode(status))
    _close(job.status)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _report(fd: int, **record) -> None:
    try:
        os.write(fd, json.dumps(record).encode() + b"\n")
    except OSError:  # the grader stopped listening: nothing to tell
        pass


def _isolate(header: dict) -> None:
    """Namespaces of the job's own (it is already pid 1 of its PID namespace): nothing of a
    neighbour is visible."""
    # a network of its own too: no two jobs meet, even on the loopback
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS |
                  linux.CLONE_NEWNET)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    flags = linux.MS_NOSUID | linux.MS_NODEV
    linux.mount("proc", "/proc", "proc", flags | linux.MS_NOEXEC)
    linux.mount("tmpfs", "/tmp", "tmpfs", flags, f"mode=1777,size={header['tmp_bytes']}")
    uid = header["uid"]
    linux.mount("tmpfs", INSIDE_HOME, "tmpfs", flags,
                f"mode=0700,uid={uid},gid={uid},size={header['tmp_bytes']}")
    linux.mount(f"{INSIDE_JOBS}/{header['folder']}", INSIDE_JOB, None, linux.MS_BIND)
    linux.umount(INSIDE_JOBS)  # the other jobs' folders


def memory_fds(count: int) -> list[int]:
    """The numbers of a job's `count` memory cgroup files, for its job."""
    return list(range(MEMORY_FD, MEMORY_FD + count))


def _job(header: dict, job_r: int, proto_w: int, out_w: int, cgroups: list[int],
         memory: list[int]) -> None:
    """The job's process: its session, cgroups, namespaces, stdio, environment and folder;
    then the child harness, which drops to the job's user and runs the submission. Never
    returns."""
    try:
        try:
            os.setsid()  # its own group, for the grader's kill
            for cgroup in cgroups:  # "0": the writer itself, before it starts anything
                os.write(cgroup, b"0")
            if header["namespaces"]:
                _isolate(header)
            null = os.open(os.devnull, os.O_RDONLY)
            end = MEMORY_FD + len(memory)
            # above every number they go to, so that no move below overwrites one yet to move
            lifted = [fcntl.fcntl(fd, fcntl.F_DUPFD, end) for fd in memory]
            moves = ((null, 0), (out_w, 1), (out_w, 2), (job_r, JOB_FD), (proto_w, PROTO_FD),
                     *zip(lifted, memory_fds(len(memory)), strict=True))
            for source, target in moves:
                os.dup2(source, target)
            os.closerange(end, 1 << 16)  # nothing of the zygote's: no control socket, no status
            os.environ.clear()
            os.environ.update(header["env"])
            os.chdir(header["cwd"])
        except BaseException:  # before any of the submission's code: the grader's failure,
            _tell(out_w)  # told to the instructor (`runner.HarnessError`)
            raise
        # its sys.argv and environment as a fresh child's: `child._as_a_fork`, in `serve`
        from autograder.sandbox.child import serve

        serve(JOB_FD, PROTO_FD)
    finally:
        _exit(1)


def _tell(out_w: int) -> None:
    """The exception being handled, on the job's output: its own pipe, or stderr once that
    pipe is its stderr (and its own number closed)."""
    import traceback

    text = traceback.format_exc().encode()
    for fd in (out_w, 2):
        try:
            os.write(fd, text)
            return
        except OSError:
            continue
