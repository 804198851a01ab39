"""Each entry of a gallery graded once by the warm pool, as its .py file and as its notebook
twin, and once by fresh interpreters (its .py), for the modules that prove every result the
same as recorded before the move (test_pool: the gallery; test_pool_hostile: the hostile
submissions), the pool the same as fresh interpreters (test_fresh), and for the modules that
read each entry's verdicts (test_gallery, test_hostile): one grading of a file serves them all.

Each kind is graded when a test first asks for it (the .py files by the pool, the notebook
twins by the pool, the .py files by fresh interpreters), so that a module that reads only
the verdicts (the quick subset's test_gallery) never waits for the others. The conftest
makes one for each part of each gallery (`files_of`), and keeps every test of a part's
entries in that part's xdist group, where it is made once."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from recorded import RECORDED, files

from autograder.grading.pipeline import grade_file
from autograder.grading.report import Report
from autograder.outputs import writers
from autograder.sandbox.layers import detect
from autograder.sandbox.spawn import Fresh, Spawner


@dataclass(frozen=True)
class Graded:
    """One file graded: its report, its results.json text as `write_gradescope` writes it,
    and when its grading ended and how long it took (time.monotonic())."""

    report: Report
    text: str
    seconds: float
    ended: float


class Gallery:
    """A gallery's files graded each way, once, on first use, by `pool` (its owner ends
    it)."""

    def __init__(self, expect, entries, folder: Path, pool: Spawner):
        self.expect, self.folder, self.entries = expect, folder, list(entries)
        self.by_key = {key: (entry, text) for entry in entries
                       for key, text in files(entry).items()
                       if key.endswith(".py") or key in RECORDED}
        self.pool = pool
        self._done: dict[str, dict[str, Graded]] = {}
        self._lock = threading.Lock()

    def _grade(self, key: str, spawner: Spawner) -> Graded:
        entry, text = self.by_key[key]
        path = self.folder / key.rsplit(".", 1)[0] / f"linreg.{key.rsplit('.', 1)[1]}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        started = time.monotonic()
        report = grade_file(path, expect=self.expect, limits=entry.limits, spawner=spawner)
        ended = time.monotonic()
        return Graded(report, json.dumps(writers.gradescope(report), indent=2) + "\n",
                      ended - started, ended)

    def _kind(self, kind: str) -> dict[str, Graded]:
        """"py" and "ipynb": by the pool, two files at a time; "fresh": the .py files by
        fresh interpreters, one after the other."""
        with self._lock:
            if kind not in self._done:
                suffix = ".ipynb" if kind == "ipynb" else ".py"
                keys = [k for k in self.by_key if k.endswith(suffix)]
                if kind == "fresh":
                    fresh = Fresh(detect())
                    self._done[kind] = {k: self._grade(k, fresh) for k in keys}
                else:
                    with ThreadPoolExecutor(2) as threads:
                        graded = threads.map(lambda k: self._grade(k, self.pool), keys)
                        self._done[kind] = dict(zip(keys, graded, strict=True))
            return self._done[kind]

    def py(self, name: str) -> Graded:
        """The entry's .py file, graded by the pool."""
        return self._kind("py")[f"{name}.py"]

    @property
    def pooled(self) -> dict[str, str]:
        """Every entry's .py and each recorded notebook twin, from the warm pool."""
        return {k: g.text for kind in ("py", "ipynb") for k, g in self._kind(kind).items()}

    @property
    def fresh(self) -> dict[str, str]:
        """Every entry's .py, from fresh interpreters."""
        return {k: g.text for k, g in self._kind("fresh").items()}

    def entry(self, name: str):
        """The entry of that name."""
        return self.by_key[f"{name}.py"][0]

    def again(self, key: str) -> str:
        """That file graded once more by the pool, alone."""
        return self._grade(key, self.pool).text
