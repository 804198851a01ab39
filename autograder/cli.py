"""The instructor's command line: a thin layer over `grade`, `writers` and `expected`."""

import argparse
import dataclasses
import sys
from collections import Counter
from pathlib import Path

from autograder.grading import batch, expected, reference, settings
from autograder.grading.pipeline import SUFFIXES, Expectations
from autograder.outputs import class_summary, feedback, plots, writers
from autograder.outputs.progress import Progress
from autograder.sandbox import spawn
from autograder.sandbox.layers import detect
from autograder.sandbox.limits import Limits


class UsageError(Exception):
    """Bad arguments or a missing file: a message and exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade the linear-regression "
                                     "exercise: one submission, or a folder of them.")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade a submission (.py) or every submission in a folder")
    grade.add_argument("path", type=Path, help="a submission file, or a folder of submissions")
    grade.add_argument("--json", type=Path, dest="json_path",
                       help="write Gradescope results.json here (one submission)")
    grade.add_argument("--out", type=Path, help="folder for <name>.json files and grades.csv")
    grade.add_argument("--reference", type=Path, help="the reference solution "
                       "(default: solutions/linreg.py, or $AUTOGRADER_REFERENCE)")
    _settings_option(grade)
    grade.add_argument("--case-seconds", type=float, help="time limit for one probe of a "
                       f"submission (default: the settings', or {Limits.case_seconds})")
    grade.add_argument("--memory-mb", type=int, help="memory of one child, where cgroups allow "
                       f"(default: the settings', or {Limits.memory_mb})")
    grade.add_argument("--jobs", type=int, default=batch.cores(),
                       help="submissions graded at once (default: this machine's cores, "
                       "%(default)s)")
    grade.add_argument("--no-pool", action="store_true", help="start a fresh interpreter for "
                       "every child instead of forking the warm pool (slower; the same results)")
    grade.add_argument("--timings", type=Path, help="write each submission's grading time "
                       "(seconds) and status to this CSV file")
    grade.add_argument("--fresh", action="store_true",
                       help="grade again even where an up-to-date result exists in --out")
    grade.add_argument("--quiet", action="store_true", help="only the score lines")
    grade.add_argument("--report", action="store_true", help="also write a feedback report per "
                       "submission (<name>.md and .html beside its results) and, for a folder, "
                       "the class summary (summary.md and summary.html in --out)")
    _settings_option(sub.add_parser("rubric", help="print the rubric as a Markdown table"))
    build = sub.add_parser("build-expected", help="store the reference's answers on the public "
                           "cases, for the students' self-check")
    build.add_argument("--check", action="store_true", help="fail if the stored file is stale")
    bundle = sub.add_parser("gradescope", help="build the Gradescope autograder bundle "
                            "(setup.sh, run_autograder, this package, the reference, the "
                            "settings)")
    bundle.add_argument("--out", type=Path, default=Path("autograder.zip"),
                        help="where to write the zip (default: %(default)s)")
    bundle.add_argument("--reference", type=Path, help="the reference solution "
                        "(default: solutions/linreg.py, or $AUTOGRADER_REFERENCE)")
    _settings_option(bundle)
    inside = sub.add_parser("gradescope-run", help="grade the upload inside a Gradescope "
                            "container (what the bundle's run_autograder calls)")
    inside.add_argument("--root", type=Path, help="Gradescope's folder (default: "
                        "$AUTOGRADER_ROOT, or /autograder)")
    everything = sub.add_parser("build", help="generate the stubs, the student notebook, "
                                "nbgrader's source notebook and the stored answers from the "
                                "template and the reference")
    everything.add_argument("--check", action="store_true",
                            help="write nothing; fail if a generated file is stale")
    return parser


def _settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", type=Path, help="the instructor's settings: an "
                        "autograder.toml, or a pyproject.toml with [tool.autograder] (default: "
                        "the one in the current folder, if any)")


def _settings_path(args) -> Path | None:
    return args.settings or settings.find()


def _settings(args) -> settings.Settings:
    return settings.load(_settings_path(args))


def _limits(args, chosen: settings.Settings) -> Limits:
    """The settings' limits, with the command line's on top."""
    given = {"case_seconds": args.case_seconds, "memory_mb": args.memory_mb}
    return dataclasses.replace(chosen.limits, **{k: v for k, v in given.items() if v is not None})


def _submissions(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith("."))
    if not found:
        raise UsageError(f"no submissions ({', '.join(SUFFIXES)}) in {folder}")
    return found


RESERVED = (class_summary.STEM,)
"""Stems of the batch's own files: a submission of that name keeps its suffix in its files'."""


def _result_names(paths: list[Path]) -> dict[Path, str]:
    """<stem>.json, or <name>.json where two submissions share a stem."""
    stems = Counter(p.stem for p in paths) + Counter(RESERVED)
    return {p: f"{p.stem if stems[p.stem] == 1 else p.name}.json" for p in paths}


def _reports(args, reports: list, results: list[Path]) -> None:
    """Feedback reports beside each result file; the class summary for a folder."""
    for report, result in zip(reports, results, strict=True):
        feedback.write(report, result.with_suffix(""))
    if args.path.is_dir():
        class_summary.write(reports, args.out)


def _grade(args) -> int:
    if not args.path.exists():
        raise UsageError(f"no such file or folder: {args.path}")
    if args.path.is_dir() and args.out is None:
        raise UsageError("grading a folder needs --out OUTDIR")
    if args.path.is_dir() and args.json_path:
        raise UsageError("--json is for one submission; use --out for a folder")
    if args.report and not (args.out or args.json_path):
        raise UsageError("--report writes beside the results: give --json or --out")
    if args.report and not plots.available():
        raise UsageError("--report draws its plots with matplotlib: "
                         "pip install 'linreg-autograder[reports]'")
    chosen = _settings(args)
    if chosen.path and not args.quiet:
        print(f"autograder: settings from {chosen.path}", file=sys.stderr)
    expect = Expectations(reference=reference.load(args.reference))
    limits = _limits(args, chosen)
    paths = _submissions(args.path) if args.path.is_dir() else [args.path]
    names = _result_names(paths)
    targets = {p: args.out / names[p] if args.out else args.json_path for p in paths}
    spawner = spawn.Fresh(detect()) if args.no_pool else spawn.default()
    with Progress(len(paths), detail=not args.quiet) as progress:
        reports = batch.grade_all(paths, targets, expect=expect, limits=limits, jobs=args.jobs,
                                  fresh=args.fresh, spawner=spawner, rubric=chosen.rubric(),
                                  done=progress.done)
    if args.out:
        writers.write_csv(reports, args.out / "grades.csv")
    if args.timings:
        writers.write_timings(reports, progress.seconds, args.timings)
    if args.report:
        _reports(args, reports, [targets[p] for p in paths])
    return 0


def _gradescope(args) -> int:
    from autograder.integrations import gradescope

    found = _settings_path(args)
    out = gradescope.build(args.out, reference_path=args.reference, settings_path=found)
    print(f"wrote {out}" + (f" (settings from {found})" if found else ""))
    return 0


def _build_expected(args) -> int:
    text = expected.dumps(expected.build(reference.load()))
    if args.check:
        if expected.path().read_text(encoding="utf-8") != text:
            print("autograder: the stored expectations are stale: run "
                  "`autograder build-expected`", file=sys.stderr)
            return 1
        return 0
    expected.path().write_text(text, encoding="utf-8")
    print(f"wrote {expected.path()}")
    return 0


def _build(args) -> int:
    from autograder.integrations import build

    files = build.generated()
    if args.check:
        old = build.stale(files)
        for path in old:
            print(f"autograder: {path} is stale: run `autograder build`", file=sys.stderr)
        return 1 if old else 0
    for path in build.write(files):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
        if args.command == "rubric":
            print(writers.rubric_markdown(_settings(args).rubric()))
            return 0
        if args.command == "build":
            return _build(args)
        if args.command == "gradescope":
            return _gradescope(args)
        if args.command == "gradescope-run":
            from autograder.integrations import gradescope

            return gradescope.run(args.root or gradescope.default_root())
        return _build_expected(args)
    except (UsageError, settings.SettingsError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except reference.ReferenceError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
