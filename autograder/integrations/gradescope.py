"""Gradescope: the bundle an instructor uploads, and the grading run inside its container.

Gradescope unpacks the bundle into `<root>/source` and runs `setup.sh` there once, as root;
then, per submission, `run_autograder`, which calls `run`: the student's upload is in
`<root>/submission`, the results go to `<root>/results/results.json`. The root is
`/autograder`, or $AUTOGRADER_ROOT (a test mimics the layout in a folder of its own).
"""

import importlib.metadata
import io
import json
import os
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import autograder
from autograder.grading import pipeline as grade
from autograder.grading import reference, registry, settings
from autograder.grading.exercise import Exercise
from autograder.grading.expectations import Expectations
from autograder.grading.report import Report
from autograder.inputs import uploads
from autograder.outputs import writers
from autograder.sandbox import pool
from autograder.sandbox.folders import SECRET
from autograder.sandbox.limits import Limits

DISTRIBUTION = "linreg-autograder"
STUDENT = "student"
"""The unprivileged user `setup.sh` creates; every child of the grader runs as it."""
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
"""Where `setup.sh` gets torch: the CPU build, not the multi-GB CUDA one."""

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip
fi
# a virtual environment of its own: system Pythons refuse pip (PEP 668)
python3 -m venv ${AUTOGRADER_VENV_ARGS:-} "$ROOT/venv"
PIP=("$ROOT/venv/bin/python" -m pip)
"${PIP[@]}" install -q __TORCH__ --index-url "${AUTOGRADER_TORCH_INDEX:-__INDEX__}"
"${PIP[@]}" install -q "$SOURCE/package"
id -u __USER__ >/dev/null 2>&1 || \\
    useradd --system --no-create-home --shell /usr/sbin/nologin __USER__
# the reference and the settings are root's alone: student code runs as __USER__
chmod -R go-rwx "$SOURCE"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export AUTOGRADER_USER="${AUTOGRADER_USER:-__USER__}"
exec "$ROOT/venv/bin/autograder" gradescope-run --root "$ROOT" --exercise __EXERCISE__
"""

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
requires-python = "{python}"
dependencies = {dependencies}

[project.scripts]
{scripts}

[tool.setuptools]
packages = {packages}

[tool.setuptools.package-data]
"*" = ["*.json"]
"""


def _pyproject() -> str:
    """The installed package's own metadata, so the bundle installs the same thing."""
    meta = importlib.metadata.metadata(DISTRIBUTION)
    needs = [r for r in importlib.metadata.requires(DISTRIBUTION) or [] if "extra ==" not in r]
    scripts = "\n".join(f"{ep.name} = {json.dumps(ep.value)}" for ep in
                         importlib.metadata.distribution(DISTRIBUTION).entry_points
                         if ep.group == "console_scripts")
    return PYPROJECT.format(name=DISTRIBUTION, version=meta["Version"],
                            python=meta["Requires-Python"] or ">=3.10", scripts=scripts,
                            dependencies=json.dumps(needs), packages=json.dumps(_packages()))


def _package_dir() -> Path:
    return Path(autograder.__file__).resolve().parent


def _packages() -> list[str]:
    root = _package_dir()
    return sorted(".".join(("autograder", *p.parent.relative_to(root).parts))
                  for p in root.rglob("__init__.py"))


def _package_files() -> dict[str, bytes]:
    """The package as installed, but for every exercise's reference: the installed package
    is readable by the student's user, the bundle's own reference/ is not."""
    root = _package_dir()
    return {f"package/autograder/{p.relative_to(root).as_posix()}": p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.suffix in {".py", ".json"} and "__pycache__" not in p.parts
            and SECRET not in p.relative_to(root).parts}


def _script(text: str, exercise: Exercise) -> str:
    version = importlib.metadata.version("torch").split("+")[0]
    return (text.replace("__TORCH__", f"torch=={version}").replace("__INDEX__", TORCH_INDEX)
            .replace("__USER__", STUDENT).replace("__EXERCISE__", exercise.name))


def files(*, exercise: Exercise, reference_path: Path | None,
          settings_path: Path | None) -> dict[str, bytes]:
    """Everything the bundle holds, by its name in the zip."""
    ref = reference.load(exercise, reference_path)
    settings.load(settings_path, exercise)  # a bad settings file fails here, not in Gradescope
    bundle = {"setup.sh": _script(SETUP, exercise).encode(),
              "run_autograder": _script(RUN, exercise).encode(),
              "package/pyproject.toml": _pyproject().encode(),
              f"reference/{exercise.module}.py": ref.source.encode(), **_package_files()}
    if settings_path is not None:
        bundle[f"settings/{Path(settings_path).name}"] = Path(settings_path).read_bytes()
    return bundle


def build(out: Path, *, exercise: Exercise | None = None, reference_path: Path | None = None,
          settings_path: Path | None = None) -> Path:
    """Write the zip Gradescope expects for `exercise`; the same inputs give the same bytes."""
    exercise = exercise or registry.get()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(files(exercise=exercise, reference_path=reference_path,
                                       settings_path=settings_path).items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    writers.atomic_write_bytes(Path(out), buffer.getvalue())
    return Path(out)


def grade_upload(folder: Path, exercise: Exercise, *, rubric: tuple, limits: Limits,
                 expect: Callable[[], Expectations]) -> tuple[Report, Path | None]:
    """The report of the one submission in a service's upload `folder` (every check not
    loaded when there is none to grade), in the warm pool, and the file graded; `expect` is
    asked for only when there is a file to grade."""
    path, why = uploads.find(folder, exercise)
    if path is None:
        return grade.not_loaded("submission", rubric, why), None
    expectations = expect()
    try:
        return grade.grade_file(path, expect=expectations, limits=limits, rubric=rubric,
                                spawner=pool.default()), path
    finally:
        if expectations.reference is not None:  # its observer ends with the grading
            expectations.reference.close()


def _settings(source: Path, exercise: Exercise) -> settings.Settings:
    given = sorted((source / "settings").glob("*.toml"))
    return settings.load(given[0] if given else None, exercise)


def run(root: Path, exercise_name: str | None = None) -> int:
    """Grade the upload under `root` and write its results.json; 0 when results were written.
    A failure of the grader writes none (Gradescope then reports a failed run to the
    instructor, never a 0 for the student) and says why in one line."""
    began, source = time.monotonic(), root / "source"
    try:
        exercise = registry.get(exercise_name)
        chosen = _settings(source, exercise)
        given = source / "reference" / f"{exercise.module}.py"
        report, _ = grade_upload(root / "submission", exercise, rubric=chosen.rubric(),
                              limits=chosen.limits,
                              expect=lambda: Expectations.observed(
                                  exercise, given, spawner=pool.default()))
    except Exception as exc:  # the grader's, never the student's: no score, a plain line
        print(f"autograder: the grader failed, no score was recorded: "
              f"{type(exc).__name__}: {exc}")
        return 1
    results = writers.gradescope(report)
    results["execution_time"] = round(time.monotonic() - began, 2)
    writers.atomic_write(root / "results" / "results.json", json.dumps(results, indent=2) + "\n")
    print(writers.summary(report, detail=False))
    return 0


def default_root() -> Path:
    return Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
