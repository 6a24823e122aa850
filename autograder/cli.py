"""Command line: `autograder demo | init | grade | release | sync-master | audit`. Thin: each verb calls one function.

One handler: an `AutograderError` is printed as its sentence with its exit code; anything else is a
bug of ours and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from autograder.errors import AutograderError, CourseNotFound

NO_MASTER = "there is no master notebook at {path} to audit"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    demo = verbs.add_parser("demo", help="grade the bundled sample submissions in a fresh course folder")
    demo.add_argument(
        "--workdir", type=Path, default=Path("demo-course"), help="where to build the demo course (replaced if present)"
    )
    init = verbs.add_parser("init", help="make a new course folder: nbgrader_config.py and a copy of source/")
    init.add_argument("directory", type=Path, help="the new course folder (must be new or empty)")
    for name, text in (
        ("grade", "autograde every submission in submitted/, in parallel, and export grades.csv"),
        ("release", "run nbgrader generate_assignment for the assignment"),
        ("sync-master", "write the master's cells for the entries in source/<assignment>/exercises.py"),
        ("audit", "run mutants of the master's solutions through the hidden checks; list any that survive"),
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--course", type=Path, default=Path("."), help="the course root (holds nbgrader_config.py)")
    grade = verbs.choices["grade"]
    grade.add_argument("--jobs", type=int, default=None, help="sandboxes run at once (default: the number of cores)")
    grade.add_argument("--force", action="store_true", help="grade again what is already graded")
    grade.add_argument(
        "--scheduler", default=None, help="address of a Dask scheduler to grade on instead of this machine"
    )
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument(
        "--no-plots", action="store_true", help="do not render the students' own figures (about 60 ms each)"
    )
    audit = verbs.choices["audit"]
    audit.add_argument("--jobs", type=int, default=None, help="sandboxes run at once (default: the number of cores)")
    audit.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except AutograderError as error:
        print(f"autograder {args.verb}: {error}", file=sys.stderr)
        return error.exit_code


def _run(args: argparse.Namespace) -> int:
    if args.verb == "demo":
        from autograder.demo import run_demo

        return 0 if run_demo(args.workdir) else 1
    if args.verb == "init":
        from autograder.authoring.course_init import init_course

        written = init_course(args.directory)
        print("\n".join(str(path) for path in written))
        print(
            f"next: cd {args.directory} && autograder release, then "
            f"submitted/<student>/derivatives/derivatives.ipynb and autograder grade"
        )
        return 0
    if args.verb == "grade":
        return _grade(args)
    if args.verb == "audit":
        return _audit(args)
    if args.verb == "release":
        from autograder.course.folder import Course, generate_release

        print(generate_release(Course(args.course)))
        return 0
    from autograder.authoring.master import sync_master_file
    from autograder.course.folder import NOTEBOOK, Course

    course = Course(args.course)
    course.config  # noqa: B018  (says so in one sentence if this is not a course)
    for change in sync_master_file(course.folder("source") / NOTEBOOK) or ["already in step"]:
        print(change)
    return 0


def _audit(args: argparse.Namespace) -> int:
    import nbformat

    from autograder.audit import render_audit, run_audit
    from autograder.course.folder import NOTEBOOK, Course
    from autograder.nbgrader_plugin import course_limits

    course = Course(args.course)
    path = course.folder("source") / NOTEBOOK
    if not path.is_file():
        raise CourseNotFound(NO_MASTER.format(path=path))
    master = nbformat.read(path, as_version=4)
    report = run_audit(
        course.homework, master, jobs=args.jobs, progress=not args.no_progress, limits=course_limits(course.config)
    )
    print(render_audit(report))
    return 0 if report.passed else 1


def _grade(args: argparse.Namespace) -> int:
    if not args.scheduler:  # the sandboxes load torch while this process loads the grader
        from autograder.sandbox.launch import start_early

        start_early(args.jobs if args.jobs and args.jobs >= 1 else os.cpu_count() or 1)
    from dataclasses import replace

    from autograder.course.batch import INTERRUPTED, grade_assignment
    from autograder.course.folder import Course, export_grades
    from autograder.course.nbgrader_path import GRADER_ERROR
    from autograder.feedback.outputs import PAGE, feedback_folder
    from autograder.feedback.score_table import batch_summary, score_table
    from autograder.nbgrader_plugin import course_limits

    course, started = Course(args.course), time.monotonic()
    limits = course_limits(course.config)
    report = grade_assignment(
        course,
        jobs=args.jobs,
        force=args.force,
        scheduler=args.scheduler,
        outputs=True,
        limits=replace(limits, images=0) if args.no_plots else limits,
        progress=not args.no_progress,
    )
    print(score_table(sorted(report.results, key=lambda r: r.student)))
    print(batch_summary(report, time.monotonic() - started))
    export_grades(course, args.course / "grades.csv")
    outputs = report.outputs
    if outputs is not None and outputs.results:
        print(f"results.csv ({len(outputs.results)} students): {outputs.results_csv}")
        print(f"feedback: {feedback_folder(course, '*')}/{PAGE} and results.json; class report: {outputs.class_report}")
    if report.interrupted:
        return INTERRUPTED
    return 1 if any(r.status == GRADER_ERROR for r in report.results) else 0


if __name__ == "__main__":
    sys.exit(main())
