"""The parent's side of the protocol: what it reads from a child's pipes, and what it keeps.

The child sends one JSON line a record, in an order the harness never breaks; a record out of
order, malformed or too long was forged by the submission and is dropped, or ends the child. A
case's record may come more than once before the next case begins: the last is the harness's
(`_ended_last`), and one the child did not follow with the next case's begin, or done, was not
(`runner._collect`).
"""

import json
import math
import os
import time
from dataclasses import dataclass, field

from autograder.sandbox.child import RECORD_LIMIT
from autograder.sandbox.limits import Limits

LINE_LIMIT = RECORD_LIMIT + 65536
"""Longest protocol line the parent keeps; the child's own records are never longer."""
NEXT = {"start": ("ready",), "load": ("loaded", "load_error"), None: ("begin", "done"),
        "finished": ()}
"""Records each state of the child accepts (in a case: only that case's record). The harness
always sends them in this order: anything else was forged by the submission, and is dropped.
("ready" comes before any of the submission's code runs: nobody but the harness can send it.)"""


@dataclass
class _Child:
    records: list[dict] = field(default_factory=list)
    output: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    current: str | None = "start"
    """The case running when the child stopped; "start" before the harness was ready (a fresh
    interpreter importing torch, a fork confining itself), "load" before the submission
    loaded."""
    failure: dict | None = None
    stamps: list[tuple[str, float]] = field(default_factory=list)
    """Each record's kind (a case: its id) and when it arrived."""


def _on_record(child: _Child, line: bytes) -> None:
    try:
        record = json.loads(line)
        plain = isinstance(record, dict) and _well_formed(record.get("obs", {}))
    except (ValueError, RecursionError):  # not JSON, or nested deep enough to be hostile
        return
    kind = next(iter(record), None) if isinstance(record, dict) else None
    again = kind == "case" and _ended_last(child) == record["case"]
    if not again and (kind not in NEXT.get(child.current, ("case",)) or
                      (kind == "case" and record["case"] != child.current)):
        return
    if kind == "case" and not (plain and isinstance(record.get("obs"), dict)):
        record = {"case": record["case"], "obs": {"kind": "crashed", "protocol": "malformed"}}
    if again:  # the harness's own, after one the submission forged while its case ran
        child.records[-1] = record
        return
    child.records.append(record)
    child.stamps.append((str(record["case"]) if kind == "case" else kind, time.monotonic()))
    if kind == "ready":
        child.current = "load"
    elif kind == "begin":
        child.current = str(record["begin"])
    elif kind in ("case", "loaded"):
        child.current = None
    else:
        child.current = "finished"


def _ended_last(child: _Child) -> str | None:
    """The case whose record came last, if nothing came after it (no begin, no done): a case's
    record may come again until the next case begins. The harness sends it once, after the
    submission's code for that case has returned, so the last one is the harness's, and one
    before it was written by the submission (a record forged in order, copied from the stored
    public answers, would otherwise pass for the harness's); one that nothing followed before
    the child ended was the submission's too (`runner._collect`)."""
    if child.current is None and child.records and "case" in child.records[-1]:
        return child.records[-1]["case"]
    return None


def _read(child: _Child, key, limits: Limits, buffer: bytearray) -> bool:
    """Take what one pipe has; False at its end, or when the protocol is abused."""
    chunk = os.read(key.fd, 65536)
    if not chunk:
        return False
    if key.data == "out":
        keep = chunk[: max(0, limits.output_bytes - len(child.output))]
        child.output += keep
        child.dropped += len(chunk) - len(keep)
        return True
    buffer += chunk
    if b"\n" in chunk:
        *lines, rest = buffer.split(b"\n")
        buffer[:] = rest
        for line in lines:
            _on_record(child, line)
    if len(buffer) > LINE_LIMIT:  # a line no harness writes: the submission wrote it
        child.failure = {"kind": "crashed", "protocol": len(buffer)}
        return False
    return True


NUMBERS = {int, float}


def _well_formed(obs) -> bool:
    """Every value description in `obs` is as `plain` makes it: numbers filling their shape.
    The child's own records always are; a record the submission forged may not be."""
    if isinstance(obs, list):  # only what can hold a description is looked into
        return all(_well_formed(o) for o in obs if isinstance(o, (dict, list)))
    if not isinstance(obs, dict):
        return True
    if "values" in obs:
        shape, values = obs.get("shape"), obs.get("values")
        if not (isinstance(shape, list) and isinstance(values, list) and
                all(type(d) is int and d >= 0 for d in shape) and
                set(map(type, values)) <= NUMBERS and
                len(values) == math.prod(shape) and isinstance(obs.get("dtype"), str)):
            return False
    return all(_well_formed(v) for v in obs.values() if isinstance(v, (dict, list)))
