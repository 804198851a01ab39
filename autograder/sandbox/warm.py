"""What makes a process of ours start cheaply, and each job the zygote forks.

`quiet_collector` keeps Python's cyclic collector out of the imports of a process that imports
torch (the command line, the zygote, a fresh child): `import torch` makes about 10^5 objects,
and the collector walks them over and over (here a bare import in the command line's
environment takes 1.05 s instead of 1.5; a fresh child's whole submission 1.00 CPU-s instead
of 1.09).

In the zygote, before its first fork: a job costs a fork of a process that has imported torch
(about 150 MiB of its own memory) and the work torch does on its first calls. Both are paid
once here instead of once a job:

- `warm_up` makes the first calls a job would make (tensors, arithmetic, autograd, updates
  under no_grad, the plain-data reduction), on random numbers that solve nothing, so that
  lazy set-up inside torch is already done in every job;
- `for_probes` makes, once, the first calls an exercise's probes make that torch sets up
  lazily (the exercise's `probes.warm_up`: the first optimiser alone imports about 800
  modules, a second of CPU), before the first job of that exercise, not in every one;
- `for_imports` imports, once, the `LIBRARIES` a job's submission imports (`imported`, from
  its source's import lines), before the first job that does;
- `huge_pages` backs the warm heap with 2 MiB pages: a fork copies one page-table entry for
  each instead of 512 (a fork and a small job cost about 17 ms of CPU before, 5 ms after,
  here), and a page a job writes to is still copied alone, 4 KiB at a time. It costs 0.3-0.4 s
  of CPU, repaid after some thirty forks: `HugePages` makes them in a thread of the zygote's
  own once a batch is under way (`COLLAPSE_AFTER` jobs), never for a single grading or a
  handful.
"""

import contextlib
import errno
import gc
import importlib
import os
import re
import shutil
import sys
import tempfile
import threading
import time

from autograder.sandbox import linux

HUGE = 2 << 20
COLLAPSE_AFTER = 8
"""Jobs forked since the heap last changed after which the zygote makes its huge pages."""
COLLAPSE_TRIES = 20
"""Tries of a range the kernel cannot collapse just now (EAGAIN), `COLLAPSE_WAIT` apart: in a
batch the heap took up to six (a failed try costs 1 to 50 ms of CPU, a try of a range
already collapsed next to nothing)."""
COLLAPSE_WAIT = 0.01


@contextlib.contextmanager
def quiet_collector():
    """No cyclic collection while the block runs (imports: objects that live as long as the
    process); what it made is frozen after it, never walked again, and the collector is back
    on for everything else, student code included."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def warm_up() -> None:
    """Torch's first calls, made here. Nothing of an exercise: a job must not find an answer
    in the zygote's memory."""
    import torch

    from autograder.sandbox.plain import plain, scalar

    gen = torch.Generator().manual_seed(0)
    for _ in range(3):
        a, c = torch.randn(6, 4, generator=gen), torch.randn(6, 3, generator=gen)
        p = torch.randn(3, 4, generator=gen, requires_grad=True)
        q = torch.randn(3, generator=gen, requires_grad=True)
        out = torch.sin(a) @ p.T * 0.5 - q
        gap = (out + c).abs()
        total = torch.sum(gap * gap) / gap.numel() + (gap ** 2).mean()
        total.backward()
        torch.autograd.grad((a @ p.t() + q).sum(), [p, q])
        with torch.no_grad():
            p -= p.grad * 0.1
            q.sub_(q.grad)
            p.grad.zero_()
            q.grad = None
        plain(out), scalar(total), total.item()


def for_probes(name: str | None, warmed: set[str]) -> bool:
    """Call the `warm_up` of the probes module `name` (already imported: every exercise's
    probes are, at the zygote's start), once; then settle the heap as at the start, so that
    jobs share what it made. Whether it did (the heap's huge pages are then to be made)."""
    module = sys.modules.get(name or "")
    if module is None or name in warmed:
        return False
    warmed.add(name)
    hook = getattr(module, "warm_up", None)
    if hook is None:
        return False
    try:
        with quiet_collector():
            hook()
    except Exception:  # a warm-up that fails costs its jobs their time, nothing else
        pass
    settle()
    return True


LIBRARIES = ("matplotlib", "matplotlib.pyplot")
"""What a submission may import that costs a job far more to import than to share: students'
notebooks plot, and `import matplotlib.pyplot` took 0.43 CPU-s in every job (a whole grading
of a submission takes about 0.12; its font list built again in each job's empty HOME), once
in the zygote instead. Each is imported only once a submission names it (`import matplotlib`
alone leaves pyplot out); every later job of the zygote finds it imported, as it finds torch,
and a submission that imports what it uses is graded as in a fresh child."""
_IMPORTS = re.compile(r"^(?:import[ \t]+([\w., \t]+)|"
                      r"from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w., \t]+))", re.MULTILINE)


def imported(source: str) -> list[str]:
    """The `LIBRARIES` that `source` imports at its top level, as its unindented import lines
    name them: a plain scan, for a guess that costs the zygote one import at worst and never
    changes a result. (Not an indented one: a function's that may never run, or one under
    `if __name__ == "__main__":`, which never does here, as in the gallery's main_block.)"""
    named = set()
    for plain, package, names in _IMPORTS.findall(source):
        for part in (plain or names).split(","):
            words = part.split()
            if words:  # "pyplot as plt": pyplot
                named.add(f"{package}.{words[0]}" if package else words[0])
        named.add(package)
    return [library for library in LIBRARIES if library in named]


def for_imports(names, warmed: set[str]) -> bool:
    """Import, once, each of `names` that is one of `LIBRARIES` (the grader's list, checked
    here again); then settle the heap as at the start. Whether it did."""
    new = [name for name in names or () if name in LIBRARIES and name not in warmed]
    if not new:
        return False
    warmed.update(new)
    for name in new:
        try:
            with quiet_collector():
                importlib.import_module(name)
        except Exception:  # not installed, or broken: each job finds it so, as before
            pass
    settle()
    return True


SCRATCH_ENV = ("MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
"""Where matplotlib, and fontconfig under it, keep what they make, pointed at a folder of its
own while a fresh child warms up (`as_the_zygote`)."""


def as_the_zygote(job: dict) -> None:
    """In a fresh child, before it says ready: what the zygote does before it forks a job like
    this one (`warm_up`, the probes' own warm-up, `for_imports`), so that the submission's
    limits start on the same warm torch fresh or pooled (the built-ins exercise's first
    optimiser, a second of CPU, fell in a fresh child's case time; matplotlib, 0.4 s, in its
    load time). What it prints meanwhile goes where the zygote's output goes, nowhere
    (matplotlib's search for fonts has fontconfig complain of its missing configuration), and
    what it keeps in a folder goes too: a fork finds matplotlib's folders named after the
    zygote's HOME, which it cannot see, and none in its own HOME or folder."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    null, kept = os.open(os.devnull, os.O_WRONLY), (os.dup(1), os.dup(2))
    scratch = tempfile.mkdtemp()
    os.environ.update(dict.fromkeys(SCRATCH_ENV, scratch))
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        with quiet_collector():
            warm_up()
        for_probes(job["probes"], set())
        for_imports(imported(job["source"]), set())
    finally:
        for name in SCRATCH_ENV:
            del os.environ[name]
        shutil.rmtree(scratch, ignore_errors=True)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os.dup2(kept[0], 1)
        os.dup2(kept[1], 2)
        for fd in (null, *kept):
            os.close(fd)


def settle() -> None:
    """The heap as jobs should find it: the collector never walks it (its pages stay shared
    with jobs). Its huge pages come later (`HugePages`)."""
    gc.collect()
    gc.freeze()


def huge_pages() -> int:
    """Ask the kernel to back the writable private memory of this process with huge pages;
    returns how many ranges it took. Best effort: an older kernel, or none to spare, leaves
    the memory as it was and every job as safe, only its fork slower."""
    taken = 0
    try:
        with open("/proc/self/maps") as maps:
            ranges = [line.split() for line in maps]
    except OSError:
        return 0
    for fields in ranges:
        named = fields[5] if len(fields) > 5 else ""
        if "w" not in fields[1] or named not in ("", "[heap]"):  # a file's pages stay its own
            continue
        low, high = (int(v, 16) for v in fields[0].split("-"))
        start, end = -(-low // HUGE) * HUGE, high // HUGE * HUGE
        if end <= start:
            continue
        if _collapsed(start, end - start):
            taken += 1
    return taken


def _collapsed(start: int, length: int) -> bool:
    """Whether the range is now in huge pages. The kernel's EAGAIN is tried again
    (`COLLAPSE_TRIES`): a page a job that just ended shared with this process is not yet
    free to move. Given up on at once, as it was, the collapse after a batch's first jobs
    left from 14 to 106 MiB of some 120 in huge pages, varying from run to run, where one try
    10 ms later takes all 82 MiB of the heap; and a submission that does not parse (a fork,
    the job's confinement and its end) cost the zygote and its job 17 to 23 ms of CPU with
    14 to 66 MiB, 12 to 14 ms with 118 to 126. Anything else (this range, or this kernel, has
    no huge pages to give) is final."""
    for _ in range(COLLAPSE_TRIES):
        try:
            linux.madvise(start, length, linux.MADV_COLLAPSE)
            return True
        except OSError as exc:
            if exc.errno != errno.EAGAIN:
                return False
        time.sleep(COLLAPSE_WAIT)
    return False


class HugePages:
    """The zygote's heap backed with huge pages in a thread of its own, `after` forks after
    the heap last changed (its start, an exercise's warm-up): the zygote goes on forking
    meanwhile (a collapse in its own loop held the batch's next jobs back 0.4 s), and a
    zygote that forks only a few jobs never pays for them."""

    def __init__(self, after: int = COLLAPSE_AFTER):
        self.after = after
        self.forks = 0
        self._lock = threading.Lock()
        self._wanted = self._running = False

    def changed(self) -> None:
        """The heap has new pages to make huge (a warm-up): count the forks again."""
        self.forks = 0

    def forked(self) -> None:
        self.forks += 1
        if self.forks != self.after:
            return
        with self._lock:
            self._wanted = True
            if self._running:  # the running collapse goes round once more
                return
            self._running = True
        threading.Thread(target=self._collapse, daemon=True).start()

    def _collapse(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._running = False
                    return
                self._wanted = False
            huge_pages()
