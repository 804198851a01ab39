"""The instructor's command line: a thin layer over `grade`, `writers` and `expected`."""

import dataclasses
import sys
from collections import Counter
from pathlib import Path

from autograder.arguments import parser
from autograder.grading import batch, expected, reference, registry, settings
from autograder.grading.expectations import Expectations
from autograder.grading.pipeline import SUFFIXES
from autograder.inputs import uploads
from autograder.integrations import cluster, lms
from autograder.outputs import class_summary, feedback, plots, writers
from autograder.outputs.progress import Progress, tally
from autograder.sandbox import pool, runner, spawn
from autograder.sandbox.layers import detect
from autograder.sandbox.limits import Limits


class UsageError(Exception):
    """Bad arguments or a missing file: a message and exit status 2."""


def _settings_path(args) -> Path | None:
    return args.settings or settings.find()


def _settings(args) -> settings.Settings:
    return settings.load(_settings_path(args), registry.get(args.exercise))


def _limits(args, chosen: settings.Settings) -> Limits:
    """The settings' limits, with the command line's on top."""
    given = {"case_seconds": args.case_seconds, "memory_mb": args.memory_mb}
    return dataclasses.replace(chosen.limits, **{k: v for k, v in given.items() if v is not None})


def _submissions(folder: Path, out: Path | None) -> list[Path]:
    found = uploads.listed(folder, out)
    if not found:
        raise UsageError(f"no submissions ({' or '.join(SUFFIXES)} files, or a folder for each "
                         f"student) in {folder}")
    if other := uploads.left_out(folder):
        print(writers.printable(f"autograder: warning: {len(other)} file"
                                f"{'s' if len(other) > 1 else ''} left out, not "
                                f"{' or '.join(SUFFIXES)}: {uploads.some(other)}"),
              file=sys.stderr)
    return found


RESERVED = (class_summary.STEM,)
"""Stems of the batch's own files: a submission of that name keeps its suffix in its files'."""


def _stem(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


def _result_names(paths: list[Path]) -> dict[Path, str]:
    """<stem>.json (a student's folder: <folder>.json), or where two submissions share a stem
    <name>.json (a folder: <folder>.dir.json)."""
    stems = Counter(map(_stem, paths)) + Counter(RESERVED)

    def name(path: Path) -> str:
        if stems[_stem(path)] == 1:
            return f"{_stem(path)}.json"
        return f"{path.name}.dir.json" if path.is_dir() else f"{path.name}.json"

    return {p: name(p) for p in paths}


def _reports(args, reports: list, results: list[Path], exercise) -> None:
    """Feedback reports beside each result file; the class summary for a folder."""
    for report, result in zip(reports, results, strict=True):
        feedback.write(report, result.with_suffix(""))
    if args.path.is_dir():
        class_summary.write(reports, args.out, exercise)


def _grade(args) -> int:
    if not args.path.exists():
        raise UsageError(f"no such file or folder: {args.path}")
    if not args.path.is_dir() and args.path.suffix not in SUFFIXES:
        raise UsageError(f"not a submission: {args.path} (a {' or '.join(SUFFIXES)} file, or a "
                         "folder of them)")
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
    exercise = chosen.exercise
    limits = _limits(args, chosen)
    paths = _submissions(args.path, args.out) if args.path.is_dir() else [args.path]
    _writable(args)
    names = _result_names(paths)
    targets = {p: args.out / names[p] if args.out else args.json_path for p in paths}
    progress = Progress(len(paths), detail=not args.quiet)  # before the wait for the pool
    expect = _expectations(args, exercise)  # once the command line is known good: no observer
    try:  # started, nor the reference run, for one that is not
        with progress:
            common = {"expect": expect, "limits": limits, "fresh": args.fresh,
                      "rubric": chosen.rubric(), "store": writers.ResultFiles(exercise),
                      "done": progress.done}
            reports = _batch(args, paths, targets, common, progress)
    finally:
        expect.reference.close()
    if args.path.is_dir():
        print(tally(reports, progress.reused), file=sys.stderr)
    if args.out:
        writers.write_csv(reports, args.out / "grades.csv", chosen.rubric())
    if args.timings:
        writers.write_timings(reports, progress.seconds, args.timings)
    if args.report:
        _reports(args, reports, [targets[p] for p in paths], exercise)
    return 0


def _expectations(args, exercise) -> Expectations:
    """Where the reference runs: on a cluster's workers (here it is only sent), in the warm
    pool's observer (`sandbox.observer`), or else here; in neither of the first two does this
    process import torch."""
    if args.scheduler:
        return Expectations.with_reference(exercise, args.reference, run=False)
    return Expectations.observed(exercise, args.reference,
                                 spawner=None if args.no_pool else pool.default())


def _writable(args) -> None:
    """Every folder the command will write in, tried before anything is graded."""
    for folder in {args.out, args.json_path and args.json_path.parent,
                   args.timings and args.timings.parent} - {None}:
        try:
            writers.writable(folder)
        except writers.CannotWrite as exc:
            raise UsageError(str(exc)) from None


def _batch(args, paths: list[Path], targets: dict, common: dict, progress: Progress) -> list:
    """Graded here, or on the cluster that --scheduler names."""
    if args.scheduler:
        note = (lambda text: None) if args.quiet else (
            lambda text: print(f"autograder: {text}", file=sys.stderr))
        return cluster.grade_all(paths, targets, scheduler=args.scheduler,
                                 warm=not args.no_pool, note=note, **common)
    spawner = spawn.Fresh(detect()) if args.no_pool else pool.default()
    return batch.grade_all(paths, targets, jobs=args.jobs, spawner=spawner,
                           stopping=progress.stopping, grace=args.grace, **common)


def _gradescope(args) -> int:
    from autograder.integrations import gradescope

    found = _settings_path(args)
    out = gradescope.build(args.out, exercise=registry.get(args.exercise),
                           reference_path=args.reference, settings_path=found)
    print(f"wrote {out}" + (f" (settings from {found})" if found else ""))
    return 0


def _export(args) -> int:
    if args.assignment_id and args.lms != "canvas":
        raise UsageError("--assignment-id is Canvas's: Moodle maps the column to a grade "
                         "item when it imports the file")
    # the title without its "(functions...)": Canvas reads a column's "(...)" as an id
    name = args.assignment or registry.get(args.exercise).title.split(" (")[0]
    column = f"{name} ({args.assignment_id})" if args.assignment_id else name
    try:
        done = lms.export(args.results, args.out, lms=args.lms, id_pattern=args.id_pattern,
                          id_column=args.id_column, assignment=column)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    for file, why in done.left_out:
        print(f"autograder: warning: {file} is not in the gradebook: {why}", file=sys.stderr)
    print(f"wrote {args.out}: {len(done.grades)} students"
          + (f", {len(done.left_out)} results left out (listed above)" if done.left_out else ""))
    return 1 if done.left_out else 0


def _build_expected(args) -> int:
    exercise = registry.get(args.exercise)
    text = expected.dumps(expected.build(reference.load(exercise)))
    where = expected.path(exercise)
    if args.check:
        if not where.is_file() or not expected.same(where.read_text(encoding="utf-8"), text):
            print("autograder: the stored expectations are stale: run "
                  "`autograder build-expected`", file=sys.stderr)
            return 1
        return 0
    where.write_text(text, encoding="utf-8")
    print(f"wrote {where}")
    return 0


def _exercises() -> int:
    for ex in registry.every():
        hidden = sum(c.points for c in ex.checks if c.hidden)
        print(f"{ex.name:<18} {len(ex.checks):>2} checks  {ex.total:g} points "
              f"({hidden:g} hidden)  {ex.title}")
    return 0


def _build(args) -> int:
    from autograder.integrations import build

    files = build.generated(registry.get(args.exercise)) if args.exercise else build.every()
    if args.check:
        old = build.stale(files)
        for path in old:
            print(f"autograder: {path} is stale: run `autograder build`", file=sys.stderr)
        return 1 if old else 0
    for path in build.write(files):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
        if args.command == "exercises":
            return _exercises()
        if args.command == "rubric":
            print(writers.rubric_markdown(_settings(args).rubric()))
            return 0
        if args.command == "build":
            return _build(args)
        if args.command == "gradescope":
            return _gradescope(args)
        if args.command == "gradescope-run":
            from autograder.integrations import gradescope

            return gradescope.run(args.root or gradescope.default_root(), args.exercise)
        if args.command == "prairielearn":
            from autograder.integrations import prairielearn

            return prairielearn.run(args.root or prairielearn.default_root(), args.exercise)
        if args.command == "classroom":
            from autograder.integrations import classroom

            if args.workflow:
                print(classroom.WORKFLOW.read_text(), end="")
                return 0
            return classroom.run(args.folder, args.exercise, args.reference)
        if args.command == "export":
            return _export(args)
        return _build_expected(args)
    except (UsageError, settings.SettingsError, registry.UnknownExercise,
            lms.ExportError, cluster.Unreachable) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except (reference.ReferenceError, runner.HarnessError, cluster.ClusterError) as exc:
        print(f"autograder: {writers.printable(str(exc))}", file=sys.stderr)
        return 3
    except writers.CannotWrite as exc:  # a full disk: what was written before it is kept
        print(f"autograder: {writers.printable(str(exc))}; the results written before it are "
              "kept, and the same command grades the rest", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
