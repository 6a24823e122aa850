"""The demo: a real course graded end to end from the bundled samples, with nbgrader's own steps,
then each student's feedback page and the class report."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from autograder.course.folder import Course, export_grades, generate_release
from autograder.course.nbgrader_path import StudentResult, grade_through_nbgrader
from autograder.feedback.outputs import write_outputs
from autograder.feedback.score_table import score_table

REPO_ROOT = Path(__file__).resolve().parents[1]
FEATURED = "ben_partly_wrong"


def run_demo(workdir: Path, *, template: Path = REPO_ROOT, say: Callable[[str], None] = print) -> list[StudentResult]:
    """Build a course in `workdir` from `template`'s master and samples, grade it, export grades."""
    workdir = workdir.resolve()  # nbgrader answers with absolute paths
    if not (template / "source").is_dir() or not (template / "samples" / "submitted").is_dir():
        raise FileNotFoundError(
            f"{template} has no source/ and samples/submitted/; run the demo from a clone of the repository"
        )
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    shutil.copy(template / "nbgrader_config.py", workdir)
    shutil.copytree(template / "source", workdir / "source")
    course = Course(workdir)

    say(f"1/3 nbgrader generate_assignment → {generate_release(course).relative_to(workdir)}")
    shutil.copytree(template / "samples" / "submitted", workdir / "submitted")
    students = course.submitted_students()
    say(f"2/3 nbgrader autograde: {len(students)} sample submissions")
    results = grade_through_nbgrader(
        course,
        students,
        on_result=lambda r: say(f"    {r.student}: {r.auto_score:g} / {r.max_auto_score:g} ({r.status})"),
    )
    grades = export_grades(course, workdir / "grades.csv")
    outputs = write_outputs(course)
    say("3/3 results\n")
    say(score_table(results))
    say(f"\nnbgrader's grades.csv: {grades}\nreasons per student:   {outputs.results_csv}")
    say(f"feedback for one student: {outputs.pages[FEATURED]}\nclass report:             {outputs.class_report}")
    return results
