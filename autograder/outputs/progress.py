"""What the instructor sees while a batch runs: a progress bar, and each submission's summary."""

import math
import sys
import threading

from autograder.grading.report import Report
from autograder.outputs import writers


class Progress:
    """A bar of done and failed submissions with the rate (on a terminal only), the summary
    of each submission as it ends, and how long each took."""

    def __init__(self, total: int, *, detail: bool):
        self.total, self.detail = total, detail
        self.seconds: dict[str, float] = {}
        self.failed = self.reused = 0
        self._bar = None
        self._tqdm = None
        if total > 1:  # loaded now: made before the batch waits for the warm pool to start, so
            from tqdm import tqdm  # that its 40-80 ms of imports are not a wait after it

            self._tqdm = tqdm
        # a batch's grading threads report at once: one at a time, or two lines run together
        # ("a.py: 100/100 okb.py: 65/100 ok") and a failure may go uncounted
        self._lock = threading.Lock()

    def __enter__(self) -> "Progress":
        if self._tqdm is not None:
            self._bar = self._tqdm(total=self.total, unit="sub", file=sys.stderr, disable=None,
                                   dynamic_ncols=True)
        return self

    def done(self, report: Report, reused: bool, seconds: float) -> None:
        """Called by any of the batch's threads."""
        line = writers.summary(report, detail=self.detail) + (" (unchanged)" if reused else "")
        with self._lock:
            self.seconds[report.submission] = seconds
            self.failed += report.status != "ok"
            self.reused += reused
            self._write(line, sys.stdout)
            if self._shown():
                self._bar.set_postfix(failed=self.failed, refresh=False)
                self._bar.update()

    def stopping(self, running: int, grace: float) -> None:
        """Called once, by the batch's own thread, when the batch is stopped: say what the
        wait that follows waits for, and for how long at most (`grace` seconds; infinite: as
        long as a submission's limits)."""
        if not running:
            return
        many = running > 1
        which = f"the {running} submissions being graded" if many else "the submission being graded"
        if not grace:
            line = f"autograder: stopping: cutting {which} short, to be graded next time"
        else:
            bound = "" if math.isinf(grace) else f", for {grace:g} s at most"
            line = (f"autograder: stopping once {which} {'are' if many else 'is'} done{bound}; "
                    f"stop again (Ctrl-C, kill) to cut {'them' if many else 'it'} short now; "
                    "what is cut short is graded next time")
        with self._lock:
            try:
                self._write(line, sys.stderr)
            except (OSError, ValueError):  # a closed terminal (its SIGHUP is the stop)
                pass

    def _shown(self) -> bool:
        return self._bar is not None and not self._bar.disable

    def _write(self, line: str, stream) -> None:
        """A whole line, above the bar where one is shown (the caller holds the lock)."""
        if self._shown():
            self._bar.write(line, file=stream)
        else:
            stream.write(line + "\n")  # one write: print() adds its newline apart
            stream.flush()

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()


STATUSES = ("ok", "could not load", "grader error")


def tally(reports: list[Report], reused: int = 0) -> str:
    """A batch's last line, for the instructor (and a CI job's log, where no bar is drawn): how
    its submissions ended, their mean score, and how many results an earlier run gave."""
    counts = {s: sum(r.status == s for r in reports) for s in STATUSES}
    told = [f"{n} {s}" + (" (graded again next run)" if s == "grader error" else "")
            for s, n in counts.items() if n]
    scored = [r for r in reports if r.status != "grader error"]
    line = f"autograder: {len(reports)} submission{'' if len(reports) == 1 else 's'}: " + \
        ", ".join(told)
    if scored:
        mean = sum(r.score for r in scored) / len(scored)
        line += f"; mean score {mean:.1f} of {max(r.max_score for r in scored):g}"
    return line + (f"; {reused} unchanged since an earlier run" if reused else "")
