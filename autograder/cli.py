"""The instructor's command line: a thin layer over `grade`, `writers` and `expected`."""

import argparse
import sys
from collections import Counter
from pathlib import Path

from autograder import expected, reference, writers
from autograder.grade import SUFFIXES, Expectations, grade_file
from autograder.limits import Limits
from autograder.report import Report


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
    grade.add_argument("--case-seconds", type=float, default=Limits.case_seconds,
                       help="time limit for one probe of a submission (default: %(default)s)")
    grade.add_argument("--quiet", action="store_true", help="only the score lines")
    sub.add_parser("rubric", help="print the rubric as a Markdown table")
    build = sub.add_parser("build-expected", help="store the reference's answers on the public "
                           "cases, for the students' self-check")
    build.add_argument("--check", action="store_true", help="fail if the stored file is stale")
    return parser


def _submissions(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith("."))
    if not found:
        raise UsageError(f"no submissions ({', '.join(SUFFIXES)}) in {folder}")
    return found


def _result_names(paths: list[Path]) -> dict[Path, str]:
    """<stem>.json, or <name>.json where two submissions share a stem."""
    stems = Counter(p.stem for p in paths)
    return {p: f"{p.stem if stems[p.stem] == 1 else p.name}.json" for p in paths}


def _grade_one(path: Path, expect: Expectations, limits: Limits) -> Report:
    try:
        return grade_file(path, expect=expect, limits=limits)
    except reference.ReferenceError:
        raise  # the same for every submission: stop, and never report it as a student's 0
    except Exception as exc:  # one broken submission never stops the batch
        return Report(path.name, (), "grader error", "The grader could not grade this file; "
                      "your instructor has been told.", detail=repr(exc))


def _grade(args) -> int:
    if not args.path.exists():
        raise UsageError(f"no such file or folder: {args.path}")
    if args.path.is_dir() and args.out is None:
        raise UsageError("grading a folder needs --out OUTDIR")
    if args.path.is_dir() and args.json_path:
        raise UsageError("--json is for one submission; use --out for a folder")
    expect = Expectations(reference=reference.load(args.reference))
    limits = Limits(case_seconds=args.case_seconds)
    paths = _submissions(args.path) if args.path.is_dir() else [args.path]
    names, reports = _result_names(paths), []
    for number, path in enumerate(paths, 1):
        report = _grade_one(path, expect, limits)
        reports.append(report)
        if args.out:
            writers.write_gradescope(report, args.out / names[path])
        if len(paths) > 1:
            print(f"[{number}/{len(paths)}] ", end="", file=sys.stderr)
        print(writers.summary(report, detail=not args.quiet) if not args.quiet else
              f"{report.submission}: {report.score:g}/{report.max_score:g} {report.status}")
    if args.json_path:
        writers.write_gradescope(reports[0], args.json_path)
    if args.out:
        writers.write_csv(reports, args.out / "grades.csv")
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
        if args.command == "rubric":
            print(writers.rubric_markdown())
            return 0
        return _build_expected(args)
    except UsageError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except reference.ReferenceError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
