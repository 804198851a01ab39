"""The command line's arguments: every command, its options and their help."""

import argparse
from pathlib import Path

from autograder.grading import batch, registry
from autograder.sandbox.limits import Limits


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade an exercise "
                                     "(default: the linear-regression one): one submission, "
                                     "or a folder of them.")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a submission (.py or .ipynb) or every "
                           "submission in a folder")
    grade.add_argument("path", type=Path, help="a submission file, or a folder of submissions: "
                       ".py and .ipynb files, and a folder for each student (a repository, an "
                       "export's folder), whose one file, or the one named for the exercise, "
                       "is graded")
    grade.add_argument("--json", type=Path, dest="json_path",
                       help="write Gradescope results.json here (one submission)")
    grade.add_argument("--out", type=Path, help="folder for <name>.json files and grades.csv")
    grade.add_argument("--reference", type=Path, help="the reference solution (default: the "
                       "exercise's reference/, or $AUTOGRADER_REFERENCE)")
    _settings_option(grade)
    _exercise_option(grade)
    grade.add_argument("--case-seconds", type=_positive(float), help="time limit for one "
                       "probe of a submission (default: the settings', or "
                       f"{Limits.case_seconds})")
    grade.add_argument("--memory-mb", type=_positive(int), help="memory of one child, where "
                       f"cgroups allow (default: the settings', or {Limits.memory_mb})")
    grade.add_argument("--jobs", type=_positive(int), default=batch.default_jobs(),
                       help="submissions graded at once (default: three a core of this "
                       "machine, %(default)s)")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster: "
                       "its scheduler's address (tcp://HOST:8786), or `local` for a cluster "
                       "of this machine's cores; the results are written here, as without it "
                       "(needs the `cluster` extra; --jobs is then the workers' threads')")
    grade.add_argument("--no-pool", action="store_true", help="start a fresh interpreter for "
                       "every child instead of forking the warm pool (slower; the same results)")
    grade.add_argument("--grace", type=_seconds, default=batch.GRACE_SECONDS, metavar="SECONDS",
                       help="once stopped (Ctrl-C, SIGTERM, SIGHUP), how long the submissions "
                       "being graded may take to finish before they are cut short, to be graded "
                       "next time (default: %(default)g; 0: at once; inf: within their limits; "
                       "a batch on this machine)")
    grade.add_argument("--timings", type=Path, help="write each submission's grading time "
                       "(seconds) and status to this CSV file")
    grade.add_argument("--fresh", action="store_true",
                       help="grade again even where an up-to-date result exists in --out")
    grade.add_argument("--quiet", action="store_true", help="only the score lines")
    grade.add_argument("--report", action="store_true", help="also write a feedback report per "
                       "submission (<name>.md and .html beside its results) and, for a folder, "
                       "the class summary (summary.md and summary.html in --out)")
    rubric = sub.add_parser("rubric", help="print the rubric as a Markdown table")
    _settings_option(rubric)
    _exercise_option(rubric)
    sub.add_parser("exercises", help="list the exercises, with their checks' points")
    build = sub.add_parser("build-expected", help="store the reference's answers on the public "
                           "cases, for the students' self-check")
    build.add_argument("--check", action="store_true", help="fail if the stored file is stale")
    _exercise_option(build)
    bundle = sub.add_parser("gradescope", help="build the Gradescope autograder bundle "
                            "(setup.sh, run_autograder, this package, the reference, the "
                            "settings)")
    bundle.add_argument("--out", type=Path, default=Path("autograder.zip"),
                        help="where to write the zip (default: %(default)s)")
    bundle.add_argument("--reference", type=Path, help="the reference solution (default: the "
                        "exercise's reference/, or $AUTOGRADER_REFERENCE)")
    _settings_option(bundle)
    _exercise_option(bundle)
    _container_parser(sub, "gradescope-run", "grade the upload inside a Gradescope container "
                      "(what the bundle's run_autograder calls)",
                      "Gradescope's folder (default: $AUTOGRADER_ROOT, or /autograder)")
    _container_parser(sub, "prairielearn", "grade the files inside a PrairieLearn external "
                      "grader's container (<root>/student -> <root>/results/results.json)",
                      "PrairieLearn's folder (default: $AUTOGRADER_PL_ROOT, or /grade)")
    classroom = sub.add_parser("classroom", help="grade a checked-out repository as a GitHub "
                               "Classroom workflow step (result output, job summary, "
                               "annotations, exit code)")
    classroom.add_argument("folder", type=Path, nargs="?", default=Path("."),
                           help="the repository (default: the current folder)")
    classroom.add_argument("--reference", type=Path, help="the reference solution (default: "
                           "the exercise's, if installed; else only the visible checks, "
                           "with the stored answers)")
    classroom.add_argument("--workflow", action="store_true", help="print the workflow "
                           "template (.github/workflows/classroom.yml) and exit")
    _exercise_option(classroom)
    _export_parser(sub)
    everything = sub.add_parser("build", help="generate every exercise's stubs, student "
                                "notebook, test file, nbgrader source notebook and stored "
                                "answers from its template and its reference")
    everything.add_argument("--exercise", metavar="NAME", help="build only this exercise "
                            "(default: every exercise)")
    everything.add_argument("--check", action="store_true",
                            help="write nothing; fail if a generated file is stale")
    return parser


def _export_parser(sub) -> None:
    from autograder.integrations.lms import GRADEBOOKS

    export = sub.add_parser("export", help="turn a batch's results (the --out folder of "
                            "`autograder grade`) into a gradebook CSV to import into an LMS")
    export.add_argument("results", type=Path, help="the folder `autograder grade DIR --out` "
                        "wrote")
    export.add_argument("--lms", required=True, choices=sorted(GRADEBOOKS),
                        help="the gradebook's import format")
    export.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    export.add_argument("--id-pattern", required=True, metavar="REGEX",
                        help="how a submission's file name names its student: a regular "
                        r"expression with a group id, e.g. '(?P<id>[a-z0-9]+)_linreg\.py'")
    books = "; ".join(f"{b.name}: {', '.join(b.id_columns)}" for b in GRADEBOOKS.values())
    export.add_argument("--id-column", help="the column the id goes in, by which the LMS "
                        f"finds the student (the first is the default; {books})")
    export.add_argument("--assignment", help="the grade column's name (default: the "
                        "exercise's title)")
    export.add_argument("--assignment-id", help="Canvas: the assignment's id, so that the "
                        "column is `Assignment (ID)` and updates that assignment")
    _exercise_option(export)


def _number(kind: type, *, zero: bool, told: str):
    """An argparse type: a number of `kind` above 0, or 0 or more with `zero`, as the settings'
    limits must be (a negative or NaN limit once reached the grading as a traceback)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if not (value >= 0 if zero else value > 0):  # NaN too
            raise argparse.ArgumentTypeError(f"{told}: {text!r}")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _positive(kind: type):
    return _number(kind, zero=False,
                   told=f"not {'an integer' if kind is int else 'a number'} above 0")


_seconds = _number(float, zero=True, told="not a number of seconds, 0 or more")
"""A number of seconds, 0 or more (inf for no bound)."""


def _settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", type=Path, help="the instructor's settings: an "
                        "autograder.toml, or a pyproject.toml with [tool.autograder] (default: "
                        "the one in the current folder, if any)")


def _container_parser(sub, name: str, what: str, root: str) -> None:
    """A command run inside a grading service's container, at the service's root folder."""
    inside = sub.add_parser(name, help=what)
    inside.add_argument("--root", type=Path, help=root)
    _exercise_option(inside)


def _exercise_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exercise", default=registry.DEFAULT, metavar="NAME",
                        help="the exercise (default: %(default)s; `autograder exercises` "
                        "lists them)")
