"""Command line: `autograder demo | grade | release | sync-master`. Thin: each verb calls one function."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    demo = verbs.add_parser("demo", help="grade the bundled sample submissions in a fresh course folder")
    demo.add_argument("--workdir", type=Path, default=Path("demo-course"), help="where to build the demo course (replaced if present)")
    for name, text in (("grade", "autograde every submission in submitted/, in parallel, and export grades.csv"),
                       ("release", "run nbgrader generate_assignment for the assignment"),
                       ("sync-master", "rewrite the master's hidden-test and formula cells from the registries")):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--course", type=Path, default=Path("."), help="the course root (holds nbgrader_config.py)")
    grade = verbs.choices["grade"]
    grade.add_argument("--jobs", type=int, default=None, help="sandboxes run at once (default: the number of cores)")
    grade.add_argument("--force", action="store_true", help="grade again what is already graded")
    grade.add_argument("--scheduler", default=None, help="address of a Dask scheduler to grade on instead of this machine")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--no-plots", action="store_true", help="do not render the students' own figures (about 60 ms each)")
    args = parser.parse_args(argv)

    if args.verb == "demo":
        from .demo import run_demo

        results = run_demo(args.workdir)
        return 0 if results else 1
    if args.verb == "grade":
        import time

        from .batch import INTERRUPTED, grade_assignment
        from .course import Course, export_grades
        from .report import batch_summary, score_table, write_results_csv
        from .reports import PAGE, write_feedback

        course, started = Course(args.course), time.monotonic()
        from .sandbox import Limits

        limits = Limits(images=0) if args.no_plots else Limits()
        report = grade_assignment(course, jobs=args.jobs, force=args.force, scheduler=args.scheduler, limits=limits, progress=not args.no_progress)
        print(score_table(sorted(report.results, key=lambda r: r.student)))
        print(batch_summary(report, time.monotonic() - started))
        export_grades(course, args.course / "grades.csv")
        write_results_csv(report.results, args.course / "results.csv")
        if not report.interrupted:
            files = write_feedback(course, report.results, report.seconds)
            print(f"feedback: {course.folder('feedback', '*')}/{PAGE} and results.json; class report: {files.class_report}")
        return INTERRUPTED if report.interrupted else (1 if any(r.status == "grader error" for r in report.results) else 0)
    if args.verb == "release":
        from .course import Course, generate_release

        print(generate_release(Course(args.course)))
        return 0
    from .master import sync_master_file

    for change in sync_master_file(args.course / "source" / "derivatives" / "derivatives.ipynb") or ["already in step"]:
        print(change)
    return 0


if __name__ == "__main__":
    sys.exit(main())
