"""A third exercise, written as one folder outside the package: the engine grades it unchanged.

The folder is the minimal one the README's "Adding an exercise" describes: students write
`twice(x)`, which returns `2 * x` for a float32 tensor. It lives only in this test's temporary
folder, found through AUTOGRADER_EXERCISES, and every test goes through the `autograder`
command as an instructor runs it.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINREG_REFERENCE = ROOT / "autograder" / "exercises" / "linreg" / "reference" / "linreg.py"
CHECK_IDS = ["twice.values", "twice.hidden", "twice.dtype"]
CORRECT = "def twice(x):\n    return 2 * x\n"
WRONG = "def twice(x):\n    return x + x + 1\n"

FILES = {
    "__init__.py": '''
        """Double a tensor: the smallest exercise there is."""
        ''',
    "exercise.py": '''
        """Double a tensor: `twice(x)` returns 2 * x."""

        from pathlib import Path

        from autograder.exercises.twice import cases, checks, hints
        from autograder.grading.exercise import Exercise

        EXERCISE = Exercise(
            name="twice",
            title="Double a tensor (twice)",
            module="twice",
            functions=("twice",),
            checks=checks.ALL,
            cases=cases.build,
            public_cases=cases.public_cases,
            probes="autograder.exercises.twice.probes",
            folder=Path(__file__).resolve().parent,
            mistakes=checks.MISTAKES,
            topics={"twice": tuple(c.id for c in checks.ALL)},
            hint=hints.hint,
        )
        ''',
    "cases.py": '''
        """One public case, fixed; one secret case of another shape, drawn from the seed."""

        import numpy as np

        from autograder.sandbox.case import Case

        X_FIXED = ((0.5, -1.0, 2.25), (3.0, 0.0, -4.5))


        def public_cases() -> list[Case]:
            return [Case("twice/public", "twice", {"x": [list(r) for r in X_FIXED]})]


        def secret_cases(seed: int) -> list[Case]:
            rng = np.random.default_rng(seed)
            shape = (int(rng.integers(4, 7)), int(rng.integers(4, 7)))
            return [Case("twice/hidden", "twice", {"x": rng.standard_normal(shape).tolist()},
                         True)]


        def build(seed: int | None) -> dict[str, Case]:
            cases = public_cases() + (secret_cases(seed) if seed is not None else [])
            return {c.id: c for c in cases}
        ''',
    "probes.py": '''
        """The one probe: call twice(x) on a fresh tensor and describe what came back."""

        from autograder.sandbox.calls import Caller, StudentRaised, tensor
        from autograder.sandbox.plain import plain


        def twice(call: Caller, args: dict) -> dict:
            x = tensor(args["x"])
            try:
                out = call("twice", x, text=f"twice(x) with x of shape {tuple(x.shape)}")
            except StudentRaised as exc:
                return {"out": exc.record}
            return {"out": plain(out)}


        PROBES = {"twice": twice}
        ''',
    "checks.py": '''
        """The rubric: values on the public case, the same on a secret one, and the dtype."""

        from autograder.grading.checks import (
            Check,
            Evidence,
            Verdict,
            failure,
            incorrect,
            is_failure,
            ladder,
            over_cases,
            passed,
        )

        MISTAKES = {
            "unchanged": "twice returns x itself",
            "no_return": "twice returns nothing",
            "nan_values": "twice returns NaN or infinite values",
            "hard_coded": "works on the public input only",
        }


        def _unchanged(got, want) -> Verdict | None:
            if got.shape == want.shape and (got * 2 == want).all():
                return incorrect("twice returned x itself: multiply it by 2.", "unchanged")
            return None


        def _values(ev: Evidence, cid: str) -> Verdict:
            return ladder(ev.observed[cid]["out"], ev.expected[cid]["out"], "twice(x)",
                          _unchanged)


        def _dtype(ev: Evidence, cid: str) -> Verdict:
            out = ev.observed[cid]["out"]
            if is_failure(out):
                return failure(out)
            if out["kind"] != "tensor" or out["dtype"] != "float32":
                return incorrect("twice should return a float32 tensor, as x is.")
            return passed()


        VALUES = Check("twice.values", "twice: doubles the public input", 6, "visible",
                       ("twice/public",), lambda ev: over_cases(ev, ["twice/public"], _values),
                       "2 * x on a fixed (2, 3) tensor")
        HIDDEN = Check("twice.hidden", "twice: doubles other shapes", 3, "after_published",
                       ("twice/hidden",),
                       lambda ev: over_cases(ev, ["twice/hidden"], _values,
                                             baseline=["twice/public"]),
                       "the same on a tensor drawn at grading time (another shape)")
        DTYPE = Check("twice.dtype", "twice: returns a float32 tensor", 1, "visible",
                      ("twice/public",), lambda ev: over_cases(ev, ["twice/public"], _dtype),
                      "a float32 tensor, whatever its values")
        ALL = (VALUES, HIDDEN, DTYPE)
        ''',
    "hints.py": '''
        """A nudge for the self-check, never the answer."""


        def hint(topic: str) -> str:
            return "Every element doubles: one operation on the whole tensor does it."
        ''',
    "reference/twice.py": '''
        """The reference: masked in every child's view."""


        def twice(x):
            """Every element doubled."""
            return 2 * x
        ''',
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A folder of exercises holding `twice` alone, as a course keeps its own."""
    root = tmp_path_factory.mktemp("course_exercises")
    for name, text in FILES.items():
        path = root / "twice" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cli(folder, tmp_path_factory):
    """`autograder ...` with the course's folder named in AUTOGRADER_EXERCISES, run from a
    folder of its own (no settings file there)."""
    cwd = tmp_path_factory.mktemp("cwd")
    env = {**os.environ, "AUTOGRADER_EXERCISES": str(folder)}

    def run(*args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                              env=env, capture_output=True, text=True, timeout=120)

    return run


def _submissions(folder: Path) -> dict[str, str]:
    """Every submission graded as `twice` below, by file name: right, wrong, a known mistake,
    a notebook, one that reads the reference, and a crop-yield one."""
    secret = folder / "twice" / "reference" / "twice.py"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Double a tensor\n"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
              "source": ["import torch\n"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
              "source": CORRECT.splitlines(keepends=True)}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return {"twice.py": CORRECT, "wrong.py": WRONG,
            "unchanged.py": "def twice(x):\n    return x.clone()\n",
            "notebook.ipynb": json.dumps(notebook),
            "thief.py": f"import pathlib\nSTOLEN = pathlib.Path({str(secret)!r}).read_text()\n"
                        + CORRECT,
            "linreg.py": LINREG_REFERENCE.read_text()}


@pytest.fixture(scope="module")
def batch(cli, folder, tmp_path_factory):
    """The submissions graded as `twice` in one batch, as an instructor grades a class (one
    command, one pool for them all): the run, and each file's results.json by file name."""
    subs, out = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("results")
    names = _submissions(folder)
    for name, text in names.items():
        (subs / name).write_text(text, encoding="utf-8")
    run = cli("grade", subs, "--exercise", "twice", "--out", out)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    return run, {name: json.loads((out / f"{Path(name).stem}.json").read_text())
                 for name in names}


def _tests(results: dict) -> dict[str, dict]:
    return {t["tags"][0]: t for t in results["tests"]}


def _isolation(results: dict) -> str:
    return results["extra_data"]["isolation"]


def test_the_new_exercise_is_listed_beside_linreg(cli):
    run = cli("exercises")
    assert run.returncode == 0, run.stderr
    lines = {line.split()[0]: line for line in run.stdout.splitlines()}
    assert {"linreg", "twice"} <= set(lines)  # beside the package's own, whichever they are
    assert "3 checks  10 points (3 hidden)  Double a tensor (twice)" in lines["twice"]


def test_a_correct_submission_gets_full_marks_in_the_same_sandbox_as_linreg(batch, cli,
                                                                          tmp_path):
    run, graded = batch
    results = graded["twice.py"]
    assert (results["score"], results["max_score"]) == (10, 10)
    assert list(_tests(results)) == CHECK_IDS
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert _tests(results)["twice.hidden"]["visibility"] == "after_published"
    assert results["extra_data"]["status"] == "ok"
    assert "twice.py: 10/10" in run.stdout
    out = tmp_path / "linreg.json"  # the crop-yield exercise, by the same command, alone
    done = cli("grade", LINREG_REFERENCE, "--exercise", "linreg", "--json", out)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    linreg = json.loads(out.read_text())
    assert linreg["score"] == linreg["max_score"] == 100
    assert _isolation(results) == _isolation(linreg)


def test_a_wrong_submission_loses_exactly_the_values_and_hidden_checks(batch):
    results = batch[1]["wrong.py"]
    tests = _tests(results)
    assert results["score"] == 1
    assert {cid for cid, t in tests.items() if t["status"] == "failed"} == {"twice.values",
                                                                             "twice.hidden"}
    for cid in ("twice.values", "twice.hidden"):
        assert tests[cid]["score"] == 0
        assert "twice(x) returned the right shape but wrong values" in tests[cid]["output"]
        assert tests[cid]["extra_data"]["outcome"] == "incorrect"
    assert tests["twice.dtype"]["score"] == 1


def test_a_known_mistake_is_named(batch):
    results = batch[1]["unchanged.py"]
    values = _tests(results)["twice.values"]
    assert "twice returned x itself: multiply it by 2." in values["output"]
    assert values["extra_data"]["mistake"] == "unchanged"


def test_a_notebook_submission_grades_the_same(batch):
    results = batch[1]["notebook.ipynb"]
    assert (results["score"], results["max_score"]) == (10, 10)
    assert results["extra_data"]["submission"] == "notebook.ipynb"


def test_the_reference_cannot_be_read_by_student_code(folder, batch):
    secret = folder / "twice" / "reference" / "twice.py"
    assert "return 2 * x" in secret.read_text()  # there for the grader, not for the child
    assert str(secret) in _submissions(folder)["thief.py"]
    results = batch[1]["thief.py"]
    assert results["score"] == 0
    assert results["extra_data"]["status"] == "could not load"
    for test in results["tests"]:
        assert test["extra_data"]["outcome"] == "could not load"
        assert "FileNotFoundError" in test["output"] or "PermissionError" in test["output"]


def test_build_expected_stores_the_public_answers_in_the_exercise_folder(cli, folder):
    stored = folder / "twice" / "expected_public.json"
    run = cli("build-expected", "--exercise", "twice")
    assert run.returncode == 0, run.stderr
    assert f"wrote {stored}" in run.stdout
    answers = json.loads(stored.read_text())
    assert list(answers) == ["twice/public"]  # never a secret case
    assert answers["twice/public"]["out"]["values"] == [1.0, -2.0, 4.5, 6.0, 0.0, -9.0]
    assert cli("build-expected", "--exercise", "twice", "--check").returncode == 0


def test_the_rubric_prints_the_new_exercise_table(cli):
    run = cli("rubric", "--exercise", "twice")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "| check | points | visibility | what earns the points |",
        "|---|---|---|---|",
        "| `twice.values` | 6 | visible | 2 * x on a fixed (2, 3) tensor |",
        "| `twice.hidden` | 3 | hidden until published | the same on a tensor drawn at "
        "grading time (another shape) |",
        "| `twice.dtype` | 1 | visible | a float32 tensor, whatever its values |",
        "| **total** | **10** | | |",
    ]


def test_a_linreg_submission_graded_as_twice_is_told_the_function_is_missing(batch):
    results = batch[1]["linreg.py"]
    assert (results["score"], results["max_score"]) == (0, 10)
    for test in results["tests"]:
        assert test["status"] == "failed"
        assert "Not attempted: there is no function named `twice`" in test["output"]


def test_an_unknown_exercise_exits_2_naming_the_exercises(cli, tmp_path):
    (tmp_path / "twice.py").write_text(CORRECT)
    run = cli("grade", tmp_path / "twice.py", "--exercise", "nope", "--json", tmp_path / "r.json")
    assert run.returncode == 2
    message = run.stderr.strip().splitlines()[-1]
    assert message.startswith("autograder: no exercise named 'nope': the exercises are ")
    assert {"linreg", "twice"} <= set(message.split(": the exercises are ")[1]
                                       .split(" (")[0].split(", "))
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "r.json").exists()


def test_build_without_a_template_builds_only_the_stored_answers(cli):
    run = cli("build", "--check")  # --check: writes nothing, not even for linreg
    assert "Traceback" not in run.stderr, run.stderr
    stale = [line for line in run.stderr.splitlines() if "is stale" in line]
    assert all("twice" in line and "expected_public.json" in line for line in stale), stale
