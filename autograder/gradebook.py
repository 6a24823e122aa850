"""Write one student's autograded notebook into nbgrader's gradebook, in one transaction.

The rules are nbgrader's own (`SaveAutoGrades`): `determine_grade` for each grade cell, manual
grading flagged where there is no automatic score or a manual one already, "No response." for
untouched answers. One addition: a formula answer the checker could not read has no automatic score,
so formgrader lists it for a person (never a silent 0). nbgrader commits once per cell; this commits once per student, so a student's
rows are all there or none are, whatever stops the process.
"""
from __future__ import annotations

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook

from .feedback import MIME


def flagged_for_manual_grading(cell: NotebookNode) -> bool:
    """A formula answer the checker could not read: its cell's record asks for a person."""
    return any(output.get("output_type") == "display_data" and output.get("data", {}).get(MIME, {}).get("needs_manual_grade")
               for output in cell.get("outputs", []))


def automatic_score(cell: NotebookNode) -> float | None:
    """nbgrader's `determine_grade`, except that a flagged cell gets no automatic score (None)."""
    return None if flagged_for_manual_grading(cell) else utils.determine_grade(cell)[0]


def save_autograded(db_url: str, course_id: str, assignment: str, notebook_id: str, student: str,
                    notebook: NotebookNode, timestamp=None) -> None:
    with Gradebook(db_url, course_id) as gb:
        gb.update_or_create_student(student)
        if timestamp:
            gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment, student)
        submitted = gb.find_submission_notebook(notebook_id, assignment, student)
        grades = {grade.name: grade for grade in submitted.grades}
        comments = {comment.name: comment for comment in submitted.comments}
        for cell in notebook.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if utils.is_grade(cell) and grade_id in grades:
                grade = grades[grade_id]
                grade.auto_score = automatic_score(cell)
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            if (utils.is_solution(cell) or utils.is_task(cell)) and grade_id in comments:
                untouched = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell) and not utils.is_task(cell)
                comments[grade_id].auto_comment = "No response." if untouched else None
        gb.db.commit()
