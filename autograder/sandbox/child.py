"""The child process: load one submission, run the probes it is given, report plain data.

Started by `runner` as `python -s -B -c BOOT JOB_FD PROTO_FD` (`spawn.interpreter`): it reads
its job from one pipe (in marshal: the grader's own data) and sends back, one JSON line a
record, on the other (read by the grader as what it is, untrusted). The student's own
prints go to stdout, which the parent captures separately and never parses.
"""

import json
import linecache
import marshal
import os
import sys
import types

# the harness's own exit: a submission that replaces os._exit (so that its atexit handlers run,
# and it may print or write what it likes after the last record) does not replace this one
from os import _exit

RECORD_LIMIT = 4 * 1024 * 1024
JOB_FD, PROTO_FD = 3, 4
"""Where a fork of the zygote finds its job and protocol pipes (`zygote._job`), and where a
fresh child moves its protocol once its job is read (`_as_a_fork`): a submission sees the same
`sys.argv` and descriptors either way."""


class Channel:
    def __init__(self, fd: int):
        self.fd = fd

    def send(self, **record) -> None:
        line = json.dumps(record).encode()
        if len(line) > RECORD_LIMIT:
            line = json.dumps({**{k: v for k, v in record.items() if k != "obs"},
                               "obs": {"oversize": len(line)}}).encode()
        os.write(self.fd, line + b"\n")


def load(source: str, filename: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)  # not "__main__": a student's main block stays put
    module.__file__ = filename
    sys.modules[name] = module
    # so that tracebacks can quote the student's lines
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def inject(module: types.ModuleType, sources: dict[str, str]) -> None:
    """Put known-good functions in place, so one function is graded apart from the others."""
    import torch

    for name, source in sources.items():
        scope = {"torch": torch}
        exec(compile(source, f"<known-good {name}>", "exec"), scope)
        setattr(module, name, scope[name])


def run(job: dict, channel: Channel) -> None:
    import importlib

    import torch

    from autograder.sandbox import watch
    from autograder.sandbox.calls import (
        Caller,
        drop_modes,
        honest_functions,
        observe_case,
        reseed,
    )
    from autograder.sandbox.plain import raised

    probes = importlib.import_module(job["probes"]).PROBES  # imported before the drop: serve
    torch.set_num_threads(1)
    filename = job["filename"]
    used = watch.install(torch)  # in place since the zygote's start, or this child's
    used.clear()  # what the zygote's warm-ups called is not the submission's
    channel.send(ready=True)  # the submission's time starts now
    reseed()  # what its top level draws, the same each time too
    try:
        module = load(job["source"], filename, job["module"])
    except BaseException as exc:  # syntax errors, missing imports, sys.exit() at import
        channel.send(load_error=raised(exc, "loading the submission", filename))
        return
    drop_modes()  # any the submission's top level left on, before the harness does anything
    channel.send(loaded=True)
    call = Caller(module, filename)
    honest_functions(module, job["functions"], call.subclasses)
    alone, injected = set(job.get("alone") or ()), False
    for case in job["cases"]:  # the runner sends the cases graded alone last
        if case["probe"] in alone and not injected:
            inject(module, job.get("inject") or {})
            honest_functions(module, job["functions"], call.subclasses)
            injected = True
        channel.send(begin=case["id"])
        obs = observe_case(probes[case["probe"]], call, case["args"])
        channel.send(case=case["id"], obs=obs, used=watch.seen(used))


def _confine(job: dict) -> None:
    """Kernel-enforced limits, then the user of its own: before any student code runs."""
    import resource

    limits = job["limits"]
    # a process's CPU counts from its birth: a fresh interpreter has spent a second or two on
    # its own start and torch by now, a fork of the warm pool next to nothing (to the nearest
    # second, all the limit knows)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = limits["cpu_seconds"] + round(usage.ru_utime + usage.ru_stime)
    for name, value in (("RLIMIT_CPU", cpu), ("RLIMIT_CORE", 0),
                        ("RLIMIT_FSIZE", limits["file_bytes"])):
        hard = value + 1 if name == "RLIMIT_CPU" else value  # SIGXCPU first, then SIGKILL
        resource.setrlimit(getattr(resource, name), (value, hard))
    if job.get("uid") is not None:
        from autograder.sandbox.linux import PR_SET_NO_NEW_PRIVS, prctl

        prctl(PR_SET_NO_NEW_PRIVS, 1)  # no set-user-id program gives root back
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
        os.setgroups([])
        os.setgid(job["uid"])
        os.setuid(job["uid"])
    # after the drop, which clears it; a Linux call (on a student's Mac, whose self-check runs
    # fresh children, the child ends by its limits instead)
    if job.get("die_with_parent") and sys.platform.startswith("linux"):
        from autograder.sandbox.linux import PR_SET_PDEATHSIG, prctl

        prctl(PR_SET_PDEATHSIG, 9)


def count_memory_from_here(job: dict) -> None:
    """The memory limit raised by what this process's cgroup holds now, the harness ready but
    for the submission: a fresh interpreter's own torch and a fork of the warm pool's leave the
    submission the same `memory_mb`. The cgroup's files (`Jail.memory_files`) are closed before
    any of the submission's code runs."""
    fds = job.get("memory") or []
    try:
        if fds:
            held = int(os.pread(fds[0], 64, 0))
            limit = str(held + job["limits"]["memory_mb"] * 1024 * 1024).encode()
            for fd in fds[1:]:  # the one with swap first: the other may never exceed it
                os.write(fd, limit)
    finally:
        for fd in fds:
            os.close(fd)


def _as_a_fork(proto_fd: int) -> int:
    """The protocol on `PROTO_FD`, `sys.argv` and the environment as a fork of the zygote has
    them, for a fork and a fresh child alike (the one place either is set): a fresh child's
    pipes come as its parent's numbers, and its launcher sets PWD. The protocol's number from
    now on."""
    if proto_fd != PROTO_FD:
        try:
            os.fstat(PROTO_FD)
        except OSError:  # free, as it always is here (its job, read, and its limits are closed)
            os.dup2(proto_fd, PROTO_FD)
            os.close(proto_fd)
            proto_fd = PROTO_FD
    sys.argv = ["-c", str(JOB_FD), str(proto_fd)]
    os.environ.pop("PWD", None)
    return proto_fd


def _read_job(fd: int) -> dict:
    """The job, in marshal (`spawn.send_job`), read to its end."""
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    os.close(fd)
    return marshal.loads(b"".join(chunks))


def main() -> None:
    """A fresh interpreter's entry point."""
    from autograder.sandbox.warm import quiet_collector

    with quiet_collector():  # as the zygote imports them: the same heap to collect after
        import torch  # (imported while the files are still readable)

        from autograder.sandbox import backward

        backward.install()  # as the zygote does, before the probes take it
        import autograder.sandbox.calls  # noqa: F401
        from autograder.sandbox import watch

        watch.install(torch)  # as the zygote does, before its job

    serve(int(sys.argv[1]), int(sys.argv[2]), fresh=True)


def serve(job_fd: int, proto_fd: int, fresh: bool = False) -> None:
    """Read the job, confine this process, run the job, and leave without running any of the
    submission's exit handlers. Never returns. A `fresh` interpreter first warms up as the
    zygote has before a fork (`warm.as_the_zygote`)."""
    channel = Channel(proto_fd)
    job = _read_job(job_fd)
    try:
        # the exercise's probes come from the harness, read while the files are still readable
        __import__(job["probes"])
        if fresh:
            from autograder.sandbox.warm import as_the_zygote

            as_the_zygote(job)
        count_memory_from_here(job)
        channel.fd = _as_a_fork(proto_fd)
        _confine(job)
    except BaseException:  # the harness's own failure, before any of the submission's code
        import traceback

        traceback.print_exc()  # for the instructor (`runner.HarnessError`), also from a fork
        _exit(1)
    run(job, channel)
    channel.send(done=True)
    try:
        sys.stdout.flush()
    except Exception:  # the submission may have closed or replaced stdout
        pass
    # skip atexit handlers and finalizers the submission may have registered
    _exit(0)
