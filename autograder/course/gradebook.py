"""Write one student's autograded notebook into nbgrader's gradebook, in one transaction.

The rules are nbgrader's own (`SaveAutoGrades`): `determine_grade` for each grade cell, manual
grading flagged where there is no automatic score or a manual one already, "No response." for
untouched answers. One addition: a formula answer the checker could not read has no automatic score,
so formgrader lists it for a person (never a silent 0). nbgrader commits once per cell; this commits once per
student, so a student's rows are all there or none are, whatever stops the process.

What a person entered (manual scores, extra credit, comments) is never written here, whatever the outcome:
graded, ungradable, or a grader fault.
"""

from __future__ import annotations

import warnings

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Comment, Grade, Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import joinedload

from autograder.feedback.records import MIME
from autograder.nbgrader_cells import grade_id_of


def flagged_for_manual_grading(cell: NotebookNode) -> bool:
    """A formula answer the checker could not read: its cell's record asks for a person."""
    return any(
        output.get("output_type") == "display_data" and output.get("data", {}).get(MIME, {}).get("needs_manual_grade")
        for output in cell.get("outputs", [])
    )


def automatic_score(cell: NotebookNode) -> float | None:
    """nbgrader's `determine_grade`, except that a flagged cell gets no automatic score (None)."""
    return None if flagged_for_manual_grading(cell) else utils.determine_grade(cell)[0]


def save_autograded(
    db_url: str, course_id: str, assignment: str, notebook_id: str, student: str, notebook: NotebookNode, timestamp=None
) -> tuple[float, float, bool]:
    """Write one student's autograded notebook into nbgrader's gradebook in one transaction, as nbgrader's
    SaveAutoGrades would (scores, comments, the timestamp), with a formula answer the checker could not read flagged
    for a person; what a person entered stays. Returns the submission's code score, its maximum and whether it needs
    manual grading, as now written."""
    with Gradebook(db_url, course_id) as gb:
        return save_into(gb, assignment, notebook_id, student, notebook, timestamp)


def save_into(
    gb: Gradebook, assignment: str, notebook_id: str, student: str, notebook: NotebookNode, timestamp=None
) -> tuple[float, float, bool]:
    """`save_autograded` in a gradebook the caller keeps open: a batch uses one for all its students, so each SQL
    statement is compiled once (a new Gradebook is a new engine, with an empty statement cache)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission autoflushes early; harmless
            gb.update_or_create_student(student)
            if timestamp:
                gb.update_or_create_submission(assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(assignment, student)
            submitted = gb.find_submission_notebook(notebook_id, assignment, student)
            # each row with its cell in one query: `grade.name` alone loads the cells one by one
            grades = {
                g.cell.name: g
                for g in gb.db.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook_id == submitted.id)
            }
            comments = {
                c.cell.name: c
                for c in gb.db.query(Comment)
                .options(joinedload(Comment.cell))
                .filter(Comment.notebook_id == submitted.id)
            }
            for cell in notebook.cells:
                grade_id = grade_id_of(cell)
                if utils.is_grade(cell) and grade_id in grades:
                    grade = grades[grade_id]
                    grade.auto_score = automatic_score(cell)
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                if (utils.is_solution(cell) or utils.is_task(cell)) and grade_id in comments:
                    untouched = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(
                        cell
                    ) and not utils.is_task(cell)
                    comments[grade_id].auto_comment = "No response." if untouched else None
            gb.db.flush()
            submission = gb.find_submission(assignment, student)
            scores = (submission.code_score, submission.max_code_score, submission.needs_manual_grade)
            gb.db.commit()
            return scores
    except BaseException:
        gb.db.rollback()  # nothing of this student's is half written, and the session serves the next one
        raise


def record_not_graded(
    db_url: str, course_id: str, assignment: str, student: str, *, grader_fault: bool, timestamp=None
) -> None:
    """A submission the autograder did not score. Ungradable (the student's file): every automatic score is 0, as
    nbgrader gives a missing notebook. A grader fault (ours): no automatic score at all, and every grade is flagged
    for a person, so it reads as the grader's failure and never as the student's zero. Manual scores, extra credit
    and comments stay as they are; a cell a person scored is flagged for review, as nbgrader's SaveAutoGrades does."""
    with Gradebook(db_url, course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission autoflushes early; harmless
        gb.update_or_create_student(student)
        try:
            submission = gb.find_submission(assignment, student)
            if timestamp:
                submission.timestamp = timestamp
        except MissingEntry:
            submission = gb.add_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = None if grader_fault else 0
                grade.needs_manual_grade = grader_fault or grade.manual_score is not None
        gb.db.commit()
