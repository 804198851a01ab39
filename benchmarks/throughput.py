"""How fast the autograder grades a class, against its own baseline and against nbgrader.

    python benchmarks/throughput.py            # the full run: 50, 200 and 1000 submissions
    python benchmarks/throughput.py --quick    # 50 and 200, a smaller baseline

It prints numbers and asserts nothing; it is not part of the tests. Every figure comes from
this one run on this machine, and each ratio to a bare `import torch` from an import measured
just before the batch (or the cold runs) it divides, so the ratios compare like with like:

- the warm pool (`autograder grade DIR --out OUT`, the default) at each batch size;
- the same without the pool (`--no-pool`: a fresh interpreter per child), the baseline;
- `nbgrader autograde` on 20 notebooks of the same exercise, and on one;
- one `autograder grade one.py` from a cold command line;
- where the time goes inside one submission.

A batch of a size with a target (200 and 1000) runs in `--rounds` rounds, each an import
and the batch, and its figure is the median round's: two runs a minute apart here differed by
a third (the CPU the same batch took rose from 13.9 to 18.1 s), so one round decides little.
Every round is printed. The runs worth keeping, with their hour, go to `benchmarks/RESULTS.md`.

The batch is a realistic mix, cycled to the size wanted: the gallery of correct and buggy
submissions and the hostile submissions that run at the default limits (crashes, exits, forged
output, patched comparisons, floods...), every third as a notebook. Hostile submissions that
hang or hog memory are left out: they take the time their limits give them, whatever the
grader does. So are the two that leave a torch dispatch mode on under every operation of
their own (`Entry.in_class_mix`): each takes about a second of CPU, twenty correct
submissions' worth, all of it in its own code; the four of a batch of 200 were a quarter of
its CPU (19.5 s against 14.5 without them, 30 per import time against 41). giant_output,
which makes a 400 MB tensor fifteen times, stays: it was in the mix the targets were set on.
"""

import argparse
import csv
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.2
TARGET_SIZES = (200, 1000)
"""The batch sizes with a throughput target (submissions per bare-import time)."""
sys.path.insert(0, str(ROOT / "tests"))  # the galleries are the tests' own submissions

from autograder.sandbox.limits import Limits  # noqa: E402


@dataclass
class Run:
    """One batch through the command line."""

    label: str
    count: int
    wall: float
    peak_mb: float
    own_mb: float
    """Peak memory of the grader itself (the command and the zygote), without the jobs."""
    cpu_seconds: float
    """CPU time the whole machine spent while the batch ran (kernel threads included)."""
    latencies: list[float] = field(default_factory=list)
    bare: float = float("nan")
    """A bare `import torch`, measured just before the batch (`import_seconds`)."""
    rounds: list["Run"] = field(default_factory=list)
    """Every round of this batch, this one (the median round) among them."""

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def per_import(self) -> float:
        """Submissions graded in the time of one bare `import torch`: the targets' unit."""
        return self.rate * self.bare

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.count

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def mix() -> list[tuple[str, str]]:
    """(name, source) of every submission in the batch's cycle."""
    from gallery import GALLERY
    from hostile import HOSTILE

    return [(e.name, e.text()) for e in [*GALLERY, *HOSTILE]
            if e.limits == Limits() and e.in_class_mix]


def write_batch(folder: Path, count: int) -> None:
    from twins import notebook

    folder.mkdir(parents=True)
    cycle = mix()
    for i in range(count):
        name, source = cycle[i % len(cycle)]
        stem = f"s{i:04d}_{name}"
        try:
            if i % 3 == 2:  # a file that does not parse stays a .py: its cells are unknown
                (folder / f"{stem}.ipynb").write_text(notebook(source)[0])
                continue
        except (SyntaxError, ValueError):
            pass
        (folder / f"{stem}.py").write_text(source)


def _tree(root: int) -> tuple[list[int], list[int]]:
    """The processes of a command: all of them, and the grader's own (the command and the
    zygote, not the jobs it forks, which carry the zygote's command line)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, own, todo = [], [root], [(root, False)]
    while todo:
        pid, below_zygote = todo.pop()
        found.append(pid)
        zygote = not below_zygote and "autograder.sandbox.zygote" in _command(pid)
        if zygote:
            own.append(pid)
        todo += [(child, below_zygote or zygote) for child in children.get(pid, [])]
    return found, own


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def _pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def measured(argv: list[str], sample: bool = True
             ) -> tuple[float, list[float], subprocess.CompletedProcess]:
    """Wall time and peak memory of a command (PSS, sampled unless told not to): of all its
    processes, and of the grader's own."""
    peak, started = [0.0, 0.0], time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def watch():
        while not done.wait(SAMPLE_SECONDS):
            every, own = _tree(proc.pid)
            peak[:] = max(peak[0], _pss_mb(every)), max(peak[1], _pss_mb(own))

    sampler = threading.Thread(target=watch, daemon=True)
    if sample:
        sampler.start()
    out, err = proc.communicate()
    wall = time.monotonic() - started
    done.set()
    if sample:
        sampler.join()
    return wall, peak, subprocess.CompletedProcess(argv, proc.returncode, out, err)


def grade_batch(folder: Path, work: Path, label: str, *extra: str, rounds: int = 1,
                measure_import: bool = True) -> Run:
    """The batch `rounds` times, each after a bare import measured just before it (unless
    `measure_import` is off: no figure of it is divided by one), then once more for its
    memory; the median round, with the others in its `rounds`. Time, latencies
    and CPU come from the rounds, which nothing watches; peak memory from the last run,
    sampled every SAMPLE_SECONDS. Sampling slows what it watches: reading a torch process's
    memory walks its page tables under its memory map's lock, which a fork of the zygote waits
    for (a 200 batch here: 0.8 s of the sampler's CPU and about 5% of the batch's speed)."""
    argv = [sys.executable, "-m", "autograder", "grade", str(folder), "--quiet", *extra]
    done = []
    for number in range(rounds):
        bare = import_seconds() if measure_import else float("nan")
        out, timings = work / f"out-{label}-{number}", work / f"timings-{label}-{number}.csv"
        busy = _busy_seconds()
        wall, _, run = measured([*argv, "--out", str(out), "--timings", str(timings)],
                                sample=False)
        busy = _busy_seconds() - busy
        _stop_if_failed(run, label)
        with timings.open() as fh:
            latencies = [float(row["seconds"]) for row in csv.DictReader(fh)]
        done.append(Run(label, len(latencies), wall, 0.0, 0.0, busy, latencies, bare))
        if rounds > 1:
            alone, together = machine_speed()
            print(f"  {label} round {number + 1}: {done[-1].per_import:.1f} per import time "
                  f"({wall:.2f} s, import {bare:.2f} s, CPU {done[-1].cpu_ms:.0f} ms a "
                  f"submission; the machine: a loop {alone:.2f} s alone, {together:.2f} s on "
                  "every core)", flush=True)
    _, (peak, own), run = measured([*argv, "--out", str(work / f"out-{label}-memory")])
    _stop_if_failed(run, label)
    median = sorted(done, key=lambda r: r.per_import)[len(done) // 2]
    return dataclasses.replace(median, peak_mb=peak, own_mb=own, rounds=done)


def _stop_if_failed(run: subprocess.CompletedProcess, label: str) -> None:
    if run.returncode != 0:
        sys.exit(f"{label}: autograder failed:\n{run.stderr[-2000:]}")


def _busy_seconds() -> float:
    """CPU time spent by the whole machine so far, from /proc/stat (in USER_HZ ticks)."""
    user, nice, system, _, _, irq, softirq = map(int, Path("/proc/stat").read_text()
                                                  .split("\n")[0].split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def import_seconds() -> float:
    """Median of three bare `python -c "import torch"`: the unit the targets are told in."""
    argv = [sys.executable, "-c", "import torch"]
    return statistics.median(measured(argv, sample=False)[0] for _ in range(3))


LOOP = ("import time\nt = time.perf_counter()\nfor _ in range(10 ** 7): pass\n"
        "print(time.perf_counter() - t)")
"""A fixed piece of pure Python: the machine's own speed, apart from anything of ours."""


def machine_speed() -> tuple[float, float]:
    """Seconds of LOOP alone, and the slowest of one LOOP a core run at once: this machine's
    speed moves by half within an hour, and the two tell a slow hour (both up) from cores
    shared with a neighbour (the second up)."""
    def start():
        return subprocess.Popen([sys.executable, "-c", LOOP], stdout=subprocess.PIPE, text=True)

    alone = float(start().communicate()[0])
    together = [start() for _ in range(len(os.sched_getaffinity(0)))]
    return alone, max(float(proc.communicate()[0]) for proc in together)


def cold_single(work: Path) -> float:
    """Median of three cold `autograder grade one.py --json`."""
    argv = [sys.executable, "-m", "autograder", "grade", str(ROOT / "examples" / "bob.py"),
            "--json", str(work / "one.json"), "--quiet", "--fresh"]
    return statistics.median(measured(argv, sample=False)[0] for _ in range(3))


def nbgrader_seconds(work: Path, count: int) -> float | None:
    """Wall time of `nbgrader autograde` on `count` submitted notebooks."""
    try:
        from test_nbgrader import BUGS, _filled, nbgrader

        from autograder.grading import reference
        from autograder.integrations import build
    except ImportError:
        return None
    course = work / f"course-{count}"
    shutil.copytree(ROOT / "course" / "source", course / "source")
    shutil.copy(ROOT / "course" / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", "linreg")
    release = json.loads((course / "release" / "linreg" / "linreg.ipynb").read_text())
    answers = build.bodies(reference.load().source)
    kinds = [_filled(release, answers), release,
             *(_filled(release, answers | dict([fix])) for fix, _ in BUGS.values())]
    for i in range(count):
        folder = course / "submitted" / f"student{i:03d}" / "linreg"
        folder.mkdir(parents=True)
        (folder / "linreg.ipynb").write_text(json.dumps(kinds[i % len(kinds)]))
    started = time.monotonic()
    nbgrader(course, "autograde", "linreg")
    return time.monotonic() - started


def profile(folder: Path, count: int) -> dict[str, float]:
    """Milliseconds per submission in each phase, graded one at a time in this process."""
    from autograder.grading import pipeline as grade
    from autograder.grading import reference
    from autograder.grading.pipeline import Expectations
    from autograder.inputs import submission
    from autograder.outputs import writers

    expect = Expectations(reference=reference.load())
    spent: dict[str, float] = {}
    paths = sorted(folder.iterdir())[:count]
    grade.grade_file(paths[0], expect=expect)  # the pool's start is not a submission's cost
    for path in paths:
        clock = time.monotonic()
        source = submission.load(path, expect.exercise.functions).source
        selected, wanted = grade.plan(expect, source, only_visible=False)
        clock = _add(spent, "read and plan", clock)
        run = grade.run_children(source, path.name, wanted, expect, Limits(), None)
        for phase, seconds in run.seconds.items():
            spent[f"  child {phase}"] = spent.get(f"  child {phase}", 0.0) + seconds
        clock = _add(spent, "child (wall)", clock)
        expect.observe(wanted, run.observations)
        clock = _add(spent, "reference", clock)
        report = grade.judged(path.name, selected, wanted, run, expect)  # observes again: the
        clock = _add(spent, "checks", clock)  # reference's runs are made once, then reused
        writers.atomic_write(folder.parent / "profile.json", json.dumps(writers.gradescope(report)))
        _add(spent, "results file", clock)
    return {phase: 1000 * seconds / len(paths) for phase, seconds in spent.items()}


def _add(spent: dict[str, float], phase: str, clock: float) -> float:
    now = time.monotonic()
    spent[phase] = spent.get(phase, 0.0) + now - clock
    return now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 and 200 submissions only")
    parser.add_argument("--rounds", type=int, default=3, metavar="R",
                        help="rounds of each batch with a target (200, 1000); its figure is "
                             "the median round's (default 3)")
    args = parser.parse_args()
    sizes = (50, 200) if args.quick else (50, 200, 1000)
    # The import is measured beside each figure it divides, not once for the run: this
    # machine's speed drifts over minutes (a run's first import once took 2.44 s, its last
    # 1.4), and a ratio is only as good as its two figures were taken alike.
    with tempfile.TemporaryDirectory(prefix="autograder-bench-") as tmp:
        work = Path(tmp)
        runs = []
        for size in sizes:
            write_batch(work / f"batch-{size}", size)
            rounds = max(1, args.rounds) if size in TARGET_SIZES else 1
            runs.append(grade_batch(work / f"batch-{size}", work, f"pool-{size}",
                                    rounds=rounds))
            median = " (the median round)" if rounds > 1 else ""
            print(f"{_line(runs[-1])}; {runs[-1].per_import:.1f} per import time "
                  f"(import {runs[-1].bare:.2f} s){median}", flush=True)
        runs.append(grade_batch(work / "batch-50", work, "no-pool-50", "--no-pool",
                                measure_import=False))
        print(_line(runs[-1]), flush=True)
        bare = import_seconds()
        cold = cold_single(work)
        print(f"cold `autograder grade one.py`: {cold:.2f} s = {cold / bare:.2f}x the import "
              f"({bare:.2f} s)", flush=True)
        nb20, nb1 = nbgrader_seconds(work, 20), nbgrader_seconds(work, 1)
        phases = profile(work / f"batch-{sizes[0]}", 30)
    _report(runs, cold, nb20, nb1, phases, bare)  # the import beside the cold runs


def _line(run: Run) -> str:
    return (f"{run.label:>14}: {run.count:5d} submissions in {run.wall:7.2f} s = "
            f"{run.rate:6.2f}/s; latency median {run.quantile(0.5) * 1000:6.0f} ms, "
            f"p95 {run.quantile(0.95) * 1000:6.0f} ms; peak memory {run.peak_mb:5.0f} MiB, "
            f"the grader's own {run.own_mb:5.0f} MiB; CPU {run.cpu_ms:4.0f} ms a submission")


def _report(runs: list[Run], cold: float, nb20: float | None, nb1: float | None,
            phases: dict[str, float], bare: float) -> None:
    pool = {r.count: r for r in runs if r.label.startswith("pool")}
    base = next(r for r in runs if r.label.startswith("no-pool"))
    small, large = pool[min(pool)], pool[max(pool)]
    print("\n== where the time goes, per submission (ms) ==")
    for phase, ms in phases.items():
        print(f"  {phase:<32} {ms:8.1f}")
    print("\n== ratios ==")
    print(f"  pool / fresh interpreters: {large.rate / base.rate:.1f}x the throughput")
    if nb20 is not None:
        print(f"  nbgrader autograde: 20 notebooks in {nb20:.1f} s = {20 / nb20:.2f}/s; "
              f"one in {nb1:.1f} s")
        print(f"  pool / nbgrader: {large.rate / (20 / nb20):.0f}x the throughput; cold single "
              f"grade {cold:.2f} s = {cold / nb1:.2f} of nbgrader's single")
    else:
        print("  nbgrader is not installed: its figures are skipped")
    per_small, per_large = small.wall / small.count, large.wall / large.count
    print("\n== targets ==")
    for size, run in sorted(pool.items()):
        if size in TARGET_SIZES:
            spread = (f"; rounds {min(r.per_import for r in run.rounds):.1f} to "
                      f"{max(r.per_import for r in run.rounds):.1f}" if len(run.rounds) > 1
                      else "")
            _target(f">= 40 submissions per bare-import time at N={size}",
                    run.per_import >= 40, f"{run.per_import:.1f} ({run.rate:.1f}/s, "
                    f"import {run.bare:.2f} s{spread})")
    _target("cold single <= 1.5x a bare import", cold <= 1.5 * bare,
            f"{cold / bare:.2f}x ({cold:.2f} s vs {bare:.2f} s)")
    _target("throughput >= 20/s at full isolation", large.rate >= 20, f"{large.rate:.1f}/s")
    cores = len(os.sched_getaffinity(0))
    print(f"    the batch is CPU-bound: {large.cpu_ms:.0f} ms of CPU a submission on {cores} "
          f"cores caps it at {cores * 1000 / large.cpu_ms:.1f}/s; 20/s needs "
          f"{cores * 1000 / 20:.0f} ms")
    if nb20 is not None:
        _target(">= 50x nbgrader's throughput", large.rate >= 50 * 20 / nb20,
                f"{large.rate / (20 / nb20):.0f}x")
        _target("cold single < half of nbgrader's single", cold < nb1 / 2,
                f"{cold:.2f} s vs {nb1 / 2:.2f} s")
    _target(f"peak memory at N={large.count} < 1 GiB", large.peak_mb < 1024,
            f"{large.peak_mb:.0f} MiB")
    _target(f"time per submission at N={large.count} within 20% of N={small.count}",
            per_large <= 1.2 * per_small,
            f"{per_large * 1000:.0f} ms vs {per_small * 1000:.0f} ms")


def _target(what: str, met: bool, figure: str) -> None:
    print(f"  [{'met' if met else 'MISSED'}] {what}: {figure}")


if __name__ == "__main__":
    main()
