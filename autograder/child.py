"""The child process: load one submission, run the probes it is given, report plain data.

Started by `runner` as `python -I -B -c BOOT JOB FD`. Everything it sends back goes, one JSON
line a record, to the inherited pipe FD; the student's own prints go to stdout, which the parent
captures separately and never parses.
"""

import json
import linecache
import os
import sys
import types

RECORD_LIMIT = 4 * 1024 * 1024


class Channel:
    def __init__(self, fd: int):
        self.fd = fd

    def send(self, **record) -> None:
        line = json.dumps(record).encode()
        if len(line) > RECORD_LIMIT:
            line = json.dumps({**{k: v for k, v in record.items() if k != "obs"},
                               "obs": {"oversize": len(line)}}).encode()
        os.write(self.fd, line + b"\n")


def load(source: str, filename: str) -> types.ModuleType:
    module = types.ModuleType("linreg")  # not "__main__": a student's main block stays put
    module.__file__ = filename
    sys.modules["linreg"] = module
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
    import torch

    from autograder.plain import raised
    from autograder.probes import PROBES, Caller

    torch.set_num_threads(1)
    filename = job["filename"]
    try:
        module = load(job["source"], filename)
    except BaseException as exc:  # syntax errors, missing imports, sys.exit() at import
        channel.send(load_error=raised(exc, "loading the submission", filename))
        return
    channel.send(loaded=True)
    inject(module, job.get("inject") or {})
    call = Caller(module, filename)
    for case in job["cases"]:
        channel.send(begin=case["id"])
        torch.manual_seed(0)
        channel.send(case=case["id"], obs=PROBES[case["probe"]](call, case["args"]))


def main() -> None:
    job_path, fd = sys.argv[1], int(sys.argv[2])
    channel = Channel(fd)
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    run(job, channel)
    channel.send(done=True)
    sys.stdout.flush()
    # skip atexit handlers and finalizers the submission may have registered
    os._exit(0)
