"""The `autograder` command (also `python -m autograder`).

Before the command line is even parsed, `grade` starts the warm pool's zygote (unless a
cluster grades, `--scheduler`), so that it imports torch while this process imports it too
(with the reference, `grading.reference.from_source`): about a second less before the first
result. Both import it with the cyclic collector off (`sandbox.warm.quiet_collector`); a
command that grades nothing (`rubric`, `exercises`, `export`, `--help`) never imports it.
Everything else is `cli`.

A SIGTERM (`kill`, a CI job's timeout) or a SIGHUP (a closed terminal) stops the command as
Ctrl-C does, where its default would end it on the spot and leave the running jobs' cgroups and
the pool's folder behind: the submissions being graded have their grace to finish (`--grace`,
`batch.GRACE_SECONDS`), keep their results and remove their jobs' cgroups and folders, the rest
wait for the next run, the exit handlers remove the pool, and a line on stderr says what
happened (exit status 128 + the signal's number, with no traceback). The grace's end, or a
second signal of any of these, cuts the submissions being graded short (`runner.cut_short`):
their jobs are killed and removed, and they are graded next time. A signal the command was
started ignoring (`nohup`) stays ignored.
"""

import signal
import sys


def main() -> int:
    argv = sys.argv[1:]
    local = not any(a == "--no-pool" or a.startswith("--scheduler") for a in argv)
    if argv[:1] in (["grade"], ["gradescope-run"]) and local:  # a cluster's workers grade
        from autograder.sandbox import pool

        pool.default().prestart()
    from autograder.sandbox.warm import quiet_collector

    with quiet_collector():  # the command's modules, without the collector walking them
        from autograder import cli

    return cli.main(argv)


def leave(code: int | None) -> None:
    """Exit as the interpreter would, less its teardown: the exit handlers run (the pool stops
    its zygote and removes its folder) and the streams are flushed, then the process ends
    without taking torch's modules apart one object at a time (about 0.1 s of every command)."""
    import atexit
    import os
    import threading

    ignore_stops()
    threading._shutdown()  # as the interpreter's own exit: its threads finish first
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


STOPPING = (signal.SIGTERM, signal.SIGHUP)
"""The signals that stop the command as Ctrl-C does: `kill` and a CI job's timeout, and the
terminal or SSH session that closes under a running batch."""


class Stopped(KeyboardInterrupt):
    """One of `STOPPING`, raised where Ctrl-C raises KeyboardInterrupt: in the main thread,
    which a batch keeps waiting on its grading threads."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


RECEIVED: list[int] = []
"""The stops this command was given, in order (a signal handler can reach nothing else)."""


def _stop(signum, frame) -> None:
    """The first stop raises; a later one never does (raised in the wait for the grading
    threads, it would leave them running unwaited for: CPython takes a join interrupted by an
    exception for the thread's end), but cuts the jobs being graded short."""
    RECEIVED.append(signum)
    if len(RECEIVED) == 1:
        raise Stopped(signum)
    runner = _runner()
    if runner is not None:
        runner.cut_short()


def _runner():
    """The runner module, if this command has loaded it (none when nothing was graded yet: a
    stop never imports it, nor torch with it)."""
    return sys.modules.get("autograder.sandbox.runner")


def handle_stops() -> None:
    """`_stop` for Ctrl-C and each of `STOPPING`, unless the command was started ignoring the
    signal (`nohup`; SIGINT in a shell's background job), which stays ignored."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _stop)
    for signum in STOPPING:
        if signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _stop)


def ignore_stops() -> None:
    """Ignore the stops `handle_stops` took, once the command is leaving: one raised in its
    exit handlers would end them half done (the pool's folder left), with a traceback."""
    for signum in (signal.SIGINT, *STOPPING):
        if signal.getsignal(signum) is _stop:
            signal.signal(signum, signal.SIG_IGN)


def stopped(exc: KeyboardInterrupt, cut: bool = False) -> int:
    """Say why the command stopped, and whether gradings were cut short; its exit status."""
    signum = getattr(exc, "signum", signal.SIGINT)
    why = f"stopped by {signal.Signals(signum).name}" if signum in STOPPING else "interrupted"
    why += ", then cut short" if cut else ""
    try:
        print(f"autograder: {why}: every result written is kept, and the same command again "
              "grades what is left", file=sys.stderr)
    except (OSError, ValueError):  # the terminal whose closing sent the SIGHUP is gone
        pass
    return 128 + signum


def _cut_short() -> bool:
    """Whether gradings were cut short: by a second stop, or at the end of a batch's grace."""
    runner = _runner()
    return runner is not None and runner.was_cut_short()


def run() -> None:
    """The `autograder` command's entry point."""
    handle_stops()
    try:
        code = main()
    except KeyboardInterrupt as exc:  # Ctrl-C, or one of STOPPING (`Stopped`)
        code = stopped(exc, cut=_cut_short())
    leave(code)


if __name__ == "__main__":
    run()
