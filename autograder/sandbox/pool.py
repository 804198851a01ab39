"""The warm pool, grader side: one zygote per layer, started on first use, forked per child.

A child of the pool costs a fork and its confinement instead of an interpreter and
`import torch`. The zygote is restarted if it dies; if it cannot start at all, children are
started fresh instead (slower, equally confined).
"""

import atexit
import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox import leftovers, linux, observer, warm, zygote
from autograder.sandbox.jail import JOIN, Jail, sweep_leftovers
from autograder.sandbox.layers import (
    INSIDE_JOB,
    INSIDE_JOBS,
    TMP_BYTES,
    Layer,
    detect,
    zygote_argv,
)
from autograder.sandbox.spawn import (
    Fresh,
    Spawner,
    Started,
    child_env,
    interpreter,
    send_job,
)

START_SECONDS = 60.0
"""How long the zygote may take to import torch, on a loaded machine."""
STATUS_SECONDS = 5.0
"""How long a warden may take to report, once its job is killed."""
EXITING_SECONDS = 0.5
"""How long a job whose pipes are closed may take to report its exit, before it is killed."""


class PoolUnavailable(Exception):
    """The zygote could not start here."""


@dataclass
class _Forked:
    """A child forked by the pool: its pipes, and the warden's status socket."""

    out: int
    proto: int
    status: socket.socket
    pid: int | None = None
    code: int | None = None
    _buffer: bytes = field(default=b"", repr=False)

    def _read_status(self, seconds: float, until) -> None:
        while not until():
            ready, _, _ = select.select([self.status], [], [], seconds)
            chunk = self.status.recv(4096) if ready else b""
            if not chunk:
                return
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\n")
            for line in lines:
                record = json.loads(line)
                self.pid = record.get("pid", self.pid)
                self.code = self.code if self.code is not None else record.get("status")

    def kill(self, ending: bool = True) -> None:
        self._read_status(STATUS_SECONDS, lambda: self.pid is not None)
        if ending:  # a job that just ended is given the moment its status takes to arrive
            self._read_status(EXITING_SECONDS, lambda: self.code is not None)
        if self.pid is not None and self.code is None:
            linux.kill_group(self.pid)
        self._read_status(STATUS_SECONDS, lambda: self.code is not None)
        self.status.close()
        os.close(self.out)

    @property
    def returncode(self) -> int | None:
        return self.code


class Pool:
    """Children forked from a warm zygote, confined as `layer` says."""

    def __init__(self, layer: Layer):
        self.layer = layer
        self.root = tempfile.mkdtemp(prefix=f"autograder-pool-{leftovers.owner()}-")
        os.chmod(self.root, 0o711)  # the jobs' users may enter their own folder, list none
        self._lock = threading.Lock()
        self._zygote: tuple[subprocess.Popen, socket.socket] | None = None
        self._broken = False

    def prestart(self) -> None:
        """Start the zygote now, in the background, rather than at the first child."""
        threading.Thread(target=self._warm, daemon=True).start()

    def _warm(self) -> None:
        with self._lock:
            try:
                self._control()
            except OSError:  # the first child will try again, and fall back if need be
                pass
        sweep_leftovers(self.layer)  # while the zygote imports, rather than in the first jail

    def jail(self, limits) -> Jail:
        return Jail(self.layer, limits, root=self.root)

    def start(self, job: dict, jail: Jail) -> Started:
        if self._broken:
            return Fresh(self.layer).start(job, jail)
        job_r, job_w = os.pipe()
        proto_r, proto_w = os.pipe()
        out_r, out_w = os.pipe()
        status, status_w = socket.socketpair()  # a socket: no job can reopen it through /proc
        cgroups = [os.open(c / JOIN, os.O_WRONLY) for c in jail.cgroups]
        memory = jail.memory_files()
        given = [job_r, proto_w, out_w, status_w.fileno(), *cgroups, *memory]
        try:
            self._send({**self._header(jail), "probes": job["probes"],
                        "imports": warm.imported(job["source"]), "memory": len(memory)},
                       given)
        except PoolUnavailable:
            for fd in (job_w, proto_r, out_r, job_r, proto_w, out_w, *cgroups, *memory):
                os.close(fd)
            status.close()
            status_w.close()
            return Fresh(self.layer).start(job, jail)
        for fd in (job_r, proto_w, out_w, *cgroups, *memory):
            os.close(fd)
        status_w.close()
        # no parent-death signal: a zygote that dies alone leaves its jobs to finish (they
        # talk to this process), and it kills them itself when this process ends
        send_job(job, jail, job_w, memory=zygote.memory_fds(len(memory)))
        return _Forked(out_r, proto_r, status)

    def reference_observer(self) -> observer.Observer | None:
        """A process of the zygote's that will observe the reference for this one
        (`sandbox.observer`), or None where the pool cannot give one."""
        if self._broken:
            return None
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        try:
            self._send({"observer": True}, [requests_r, answers_w], quiet=True)
        except PoolUnavailable:
            for fd in (requests_w, answers_r):
                os.close(fd)
            return None
        finally:
            os.close(requests_r)
            os.close(answers_w)
        return observer.Observer(requests_w, answers_r)

    def _header(self, jail: Jail) -> dict:
        inside = self.layer.name == "namespaces"
        return {"namespaces": inside, "uid": jail.uid,
                "folder": Path(jail.workdir).name, "tmp_bytes": TMP_BYTES,
                "cwd": INSIDE_JOB if inside else jail.workdir, "env": child_env(jail.home)}

    def _send(self, header: dict, fds: list[int], quiet: bool = False) -> None:
        message = json.dumps(header).encode()
        with self._lock:
            for _ in range(2):  # a zygote that died is started again, once
                try:
                    socket.send_fds(self._control(), [message], fds)
                    return
                except OSError as exc:
                    why = exc
                    self._stop()
            if quiet:  # the first child will say so, if it comes to that
                raise PoolUnavailable("the zygote does not answer")
            self._broken = True
            # once: the results are the same, but a batch takes some twenty times as long
            print(f"autograder: no warm pool here ({why}): every child starts a fresh "
                  "interpreter instead, which gives the same results, about twenty times "
                  "slower", file=sys.stderr)
            raise PoolUnavailable("the zygote does not answer")

    def _control(self) -> socket.socket:
        if self._zygote is None or self._zygote[0].poll() is not None:
            self._stop()
            self._zygote = self._start_zygote()
        return self._zygote[1]

    def _start_zygote(self) -> tuple[subprocess.Popen, socket.socket]:
        if not sys.platform.startswith("linux"):  # pidfds, SCM_RIGHTS on SOCK_SEQPACKET...
            raise OSError("not Linux")  # (a student's self-check on a Mac, say)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            grader = os.pidfd_open(os.getpid())  # readable once this process ends, however
        except AttributeError:  # a Python built without it (the zygote needs pidfds too)
            raise OSError("no pidfds here: no warm pool") from None
        inner = interpreter(zygote.BOOT, str(theirs.fileno()), str(grader))
        inside = self.layer.name == "namespaces"
        argv = zygote_argv(inner, self.root) if inside else inner
        # its HOME the pool's folder, as it sees it: what a library it imports for the jobs
        # keeps there (matplotlib's font list) goes with the pool
        home = INSIDE_JOBS if inside else self.root
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(), grader),
                                    env=child_env(home), start_new_session=True, cwd="/")
        finally:
            theirs.close()
            os.close(grader)
        ours.settimeout(START_SECONDS)
        try:
            ready = ours.recv(16)
        except OSError:
            ready = b""
        ours.settimeout(None)
        if ready != b"ready":
            _end(proc, ours)
            raise OSError("the zygote did not start")
        return proc, ours

    def _stop(self) -> None:
        if self._zygote is not None:
            _end(*self._zygote)
            self._zygote = None

    def close(self) -> None:
        with self._lock:
            self._stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _end(proc: subprocess.Popen, control: socket.socket) -> None:
    control.close()  # the zygote leaves at the end of its socket; the kill is for a stuck one
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def default(layer: Layer | None = None) -> Spawner:
    """The warm pool of this layer (shared by the whole process), unless AUTOGRADER_POOL=0."""
    layer = layer or detect()
    if os.environ.get("AUTOGRADER_POOL", "1") == "0":
        return Fresh(layer)
    with _SHARING:  # threads that ask at once (a cluster's worker) share one pool, one zygote
        return _shared_pool(layer)


_SHARING = threading.Lock()


@functools.cache
def _shared_pool(layer: Layer) -> Spawner:
    pool = Pool(layer)
    atexit.register(pool.close)
    return pool
