"""The reference observed in a trusted process of the warm pool, so that the command line
never imports torch: the zygote forks it (`zygote._launch_observer`), already warm, and it
runs the reference and observes the cases the grader sends, one JSON line each way.

It is the grader's own process, never a job's: no jail, the zygote's user. The reference's
source reaches it on its own pipe, never through the zygote, whose memory every job is a copy
of ("a job must not find an answer in the zygote's memory", `warm.warm_up`). Its observations
are the very ones the grader would make itself (`grading.reference`: the same probes, the same
`observe_case`), and plain data, which JSON carries as they are.
"""

import json
import os
import threading
import types

ANSWER_BYTES = 64 * 1024 * 1024
"""The longest answer read back (a training run's observation is a few kB)."""


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
    given = json.loads(source.readline())
    try:
        code = compile(given["source"], given["path"], "exec")
        with quiet_collector():
            module = run_module(given["name"], given["path"], code)
        probes = __import__(given["probes"], fromlist=["PROBES"]).PROBES
    except Exception as exc:
        _answer(sink, {"failed": repr(exc)})
        return
    from autograder.sandbox.calls import Caller, observe_case

    caller = Caller(module, given["path"])
    _answer(sink, {"ready": True})
    for line in source:
        case = json.loads(line)
        _answer(sink, {"obs": observe_case(probes[case["probe"]], caller, case["args"])})


def run_module(name: str, path: str, code) -> types.ModuleType:
    """The reference's module, its compiled `code` run: the one way to make it, in the grader
    (`grading.reference._run`) and in an observer. Raises what the code raises."""
    import importlib.util

    spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = path
    exec(code, module.__dict__)
    return module


def _answer(sink, record: dict) -> None:
    sink.write(json.dumps(record).encode() + b"\n")
    sink.flush()


class Observer:
    """The grader's end: one case at a time, whatever the threads."""

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

    def observe(self, probe: str, args: dict) -> dict:
        answer = self._ask({"probe": probe, "args": args})
        if not isinstance(answer.get("obs"), dict):
            raise Gone("the observer answered no observation")
        return answer["obs"]

    def _ask(self, request: dict) -> dict:
        with self._lock:
            try:
                self._requests.write(json.dumps(request).encode() + b"\n")
                self._requests.flush()
                line = self._answers.readline(ANSWER_BYTES)
                answer = json.loads(line) if line.endswith(b"\n") else None
            except (OSError, ValueError) as exc:
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
