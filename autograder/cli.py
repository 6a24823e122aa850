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
    for name, text in (("grade", "autograde every submission in submitted/ and export grades.csv"),
                       ("release", "run nbgrader generate_assignment for the assignment"),
                       ("sync-master", "rewrite the master's hidden-test cells from the exercise registry")):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--course", type=Path, default=Path("."), help="the course root (holds nbgrader_config.py)")
    args = parser.parse_args(argv)

    if args.verb == "demo":
        from .demo import run_demo

        results = run_demo(args.workdir)
        return 0 if results else 1
    if args.verb == "grade":
        from .course import Course, export_grades
        from .grading import grade_course
        from .report import score_table, write_results_csv

        course = Course(args.course)
        results = grade_course(course, on_result=lambda r: print(f"{r.student}: {r.auto_score:g} / {r.max_auto_score:g} ({r.status})", file=sys.stderr))
        print(score_table(results))
        export_grades(course, args.course / "grades.csv")
        write_results_csv(results, args.course / "results.csv")
        return 0
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
