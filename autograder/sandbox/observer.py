"""The reference observed in a trusted process of the warm pool, so that the command line
never imports torch: the zygote forks it (`zygote._launch_observer`), already warm, and it
runs the reference and observes the cases the grader sends, all of a submission's in one
request and one answer.

It is the grader's own process, never a job's: no jail, the zygote's user. The reference's
source reaches it on its own pipe, never through the zygote, whose memory every job is a copy
of ("a job must not find an answer in the zygote's memory", `warm.warm_up`). Its observations
are the very ones the grader would make itself (`grading.reference`: the same probes, the same
`observe_case`), and plain data, which marshal carries as they are: both ends are the
grader's own, so marshal, which reads and writes plain data several times faster than JSON,
carries every message (`carried`; never a job's records, which are read as JSON:
`sandbox.protocol`).
Batched and in marshal, a submission's five secret cases cost the two processes 2.0 ms of CPU
instead of 4.0 as five JSON lines each way did (of which the reference's own work is about
1.5 ms).
"""

import marshal
import os
import struct
import threading
import types

from autograder.sandbox import carried

ANSWER_BYTES = 64 * 1024 * 1024
"""The longest answer read back (a training run's observation is a few kB)."""
_SIZE = struct.Struct("<Q")


class Gone(Exception):
    """The observer ended or answered nonsense: the grader observes the reference itself."""


class Failed(Exception):
    """The reference did not run there; the message is `repr` of what it raised."""


def serve(requests: int, answers: int) -> None:
    """The observer's process: the reference first, then a case a line, until the grader
    closes its pipe."""
    from autograder.sandbox.warm import quiet_collector

    source = os.fdopen(requests, "rb")
    sink = os.fdopen(answers, "wb")
    given = _read(source)
    try:
        code = compile(given["source"], given["path"], "exec")
        with quiet_collector():
            module = run_module(given["name"], given["path"], code)
        probes = __import__(given["probes"], fromlist=["PROBES"]).PROBES
    except Exception as exc:
        _write(sink, {"failed": repr(exc)})
        return
    from autograder.sandbox.calls import Caller, observe_case

    caller = Caller(module, given["path"])
    _write(sink, {"ready": True})
    while (asked := _read(source)) is not None:
        _write(sink, {"obs": [observe_case(probes[probe], caller, args)
                               for probe, args in asked["cases"]]})


def run_module(name: str, path: str, code) -> types.ModuleType:
    """The reference's module, its compiled `code` run: the one way to make it, in the grader
    (`grading.reference._run`) and in an observer. Raises what the code raises."""
    import importlib.util

    spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = path
    exec(code, module.__dict__)
    return module


def _write(stream, record: dict) -> None:
    """One message: its length, then its marshal bytes (`carried`: as it is, or as JSON gives
    it back; what JSON cannot carry either raises TypeError, and the observer ends: the grader
    observes here)."""
    data = carried.dumps(record)
    stream.write(_SIZE.pack(len(data)) + data)
    stream.flush()


def _read(stream, limit: int = ANSWER_BYTES):
    """One message; None at the end of the stream (or a message cut short, or too long)."""
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        return None
    (size,) = _SIZE.unpack(head)
    if size > limit:
        return None
    data = stream.read(size)
    return marshal.loads(data) if len(data) == size else None


class Observer:
    """The grader's end: one request at a time, whatever the threads."""

    def __init__(self, requests: int, answers: int):
        self._requests = os.fdopen(requests, "wb")
        self._answers = os.fdopen(answers, "rb")
        self._lock = threading.Lock()

    def start(self, source: str, path: str, name: str, probes: str) -> None:
        """Run the reference there; Failed with what it raised, Gone if the process is."""
        answer = self._ask({"source": source, "path": path, "name": name, "probes": probes})
        if "failed" in answer:
            raise Failed(answer["failed"])
        if answer.get("ready") is not True:
            raise Gone("the observer did not start")

    def observe(self, cases: list[tuple[str, dict]]) -> list[dict]:
        """The observations of the cases given as (probe, args), in their order."""
        answer = self._ask({"cases": [[probe, args] for probe, args in cases]})
        found = answer.get("obs")
        if not (isinstance(found, list) and len(found) == len(cases)
                and all(isinstance(obs, dict) for obs in found)):
            raise Gone("the observer answered no observation")
        return found

    def _ask(self, request: dict) -> dict:
        with self._lock:
            try:
                _write(self._requests, request)
                answer = _read(self._answers)
            except (OSError, ValueError, EOFError, TypeError) as exc:
                raise Gone(f"the observer is gone ({exc})") from None
        if not isinstance(answer, dict):
            raise Gone("the observer is gone")
        return answer

    def close(self) -> None:
        """The observer leaves at the end of its pipe."""
        with self._lock:
            for stream in (self._requests, self._answers):
                try:
                    stream.close()
                except OSError:
                    pass
