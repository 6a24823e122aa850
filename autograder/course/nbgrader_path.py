"""Grade every submission of the assignment: one result per student, whatever goes wrong.

Each student is handled on their own: an unreadable notebook or an nbgrader failure becomes
a row with 0 points and a reason, and the batch moves on.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder.course.folder import NOTEBOOK, Course, record_not_graded
from autograder.course.intake import submission_problem
from autograder.course.outcomes import Status, remember
from autograder.feedback.records import MIME
from autograder.nbgrader_cells import nbgrader_of

log = logging.getLogger("autograder")


GRADED, UNGRADABLE, GRADER_ERROR = Status.GRADED, Status.UNGRADABLE, Status.GRADER_ERROR
GRADER_FAULT = "the grader failed on this submission: {error} (tracebacks in {log_path})"
"""the reason results.csv and the score table give for a grader fault, on either grading path"""
CELL_RAISED = "a cell raised {error}"


@dataclass(frozen=True)
class StudentResult:
    student: str
    status: Status
    auto_score: float
    max_auto_score: float
    needs_manual_grade: bool
    reason: str = ""

    def __post_init__(self) -> None:  # a status read back from the ledger or a CSV is a plain string
        object.__setattr__(self, "status", Status(self.status))


def grade_through_nbgrader(
    course: Course, students: list[str] | None = None, on_result: Callable[[StudentResult], None] | None = None
) -> list[StudentResult]:
    from autograder.judging.trusted import check_in_step

    # a broken exercises.py, or a master out of step with it, is said once, not as every student's grader fault
    check_in_step(nbformat.read(course.folder("source") / NOTEBOOK, as_version=4), course.homework)
    results = []
    for student in students if students is not None else course.submitted_students():
        result = grade_student(course, student)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def grade_student(course: Course, student: str) -> StudentResult:
    """One student through `nbgrader autograde` (the trusted preprocessors retry a fault of ours once)."""
    folder = course.folder("submitted", student)
    try:
        problem = submission_problem(
            folder, NOTEBOOK, course.assignment, course.master_grade_ids(), course.homework.function_names
        )
    except Exception as exc:  # IntakeFault: no file explains it, so it is ours
        record_not_graded(course, student, grader_fault=True)
        return _remembered(course, student, GRADER_ERROR, grader_fault(course, student, exc))
    if problem:
        record_not_graded(course, student, grader_fault=False)
        return _remembered(course, student, UNGRADABLE, problem)
    try:
        outcome = course.api().autograde(course.assignment, student, force=True, create=True)
        if not outcome["success"]:
            raise RuntimeError(outcome.get("log", "") + outcome.get("error", ""))
    except Exception as exc:
        record_not_graded(course, student, grader_fault=True)
        return _remembered(course, student, GRADER_ERROR, grader_fault(course, student, exc))
    from autograder.feedback.outputs import reason_in  # reports builds on this module

    autograded = nbformat.read(course.folder("autograded", student) / NOTEBOOK, as_version=4)
    return _remembered(course, student, GRADED, reason_in(autograded))


def _remembered(course: Course, student: str, status: Status, reason: str, seconds: float = 0.0) -> StudentResult:
    remember(course, student, status, reason, seconds)
    return result_from_gradebook(course, student, status, reason)


def reasons_in(autograded: nbformat.NotebookNode) -> list[str]:
    """One line per problem in an autograded notebook, root causes first: the student's own
    cells that raised, then the hidden tests' verdicts, then other cells that raised."""
    own_cells: list[str] = []
    verdicts: list[str] = []
    other_cells: list[str] = []
    for cell in autograded.cells:
        nbgrader = nbgrader_of(cell)
        outputs = cell.get("outputs", [])
        for output in outputs:
            if output.output_type == "error":
                error = CELL_RAISED.format(error=f"{output.ename}: {output.evalue}".strip())
                (own_cells if nbgrader.get("solution") else other_cells).append(error)
        records = [o.data[MIME] for o in outputs if o.output_type == "display_data" and MIME in o.get("data", {})]
        if records and (records[0]["points"] < records[0]["max_points"] or records[0].get("needs_manual_grade")):
            verdicts += [o.text.split("\n", 1)[0] for o in outputs if o.output_type == "stream"][:1]
    return own_cells[:1] + verdicts + other_cells[:1]


def result_from_gradebook(course: Course, student: str, status: Status, reason: str) -> StudentResult:
    """The student's row as the gradebook now has it, with the status and reason the caller knows."""
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        submission = gb.find_submission(course.assignment, student)
        return StudentResult(
            student, status, submission.code_score, submission.max_code_score, submission.needs_manual_grade, reason
        )


def grader_fault(course: Course, student: str, exc: BaseException) -> str:
    """Log the traceback of a fault of ours; return the reason a person reads: the error's first line and the log."""
    log_path = log_fault(course, student, "".join(traceback.format_exception(exc)))
    first_line = (str(exc).strip().splitlines() or [""])[0][:200]
    error = type(exc).__name__ + (f": {first_line}" if first_line else "")
    return GRADER_FAULT.format(error=error, log_path=log_path)


def log_fault(course: Course, student: str, trace: str) -> Path:
    """Append a traceback to logs/grader-faults.log; the student's name is made plain (it is a folder name they
    chose)."""
    from autograder.feedback.instructor_text import plain

    path = Path(course.coursedir.root) / "logs" / "grader-faults.log"
    path.parent.mkdir(exist_ok=True)
    with path.open("a", encoding="utf-8", errors="replace") as handle:
        handle.write(f"--- {plain(student)}\n{trace}\n")
    log.error("grader fault on %s; traceback in %s", plain(student), path)
    return path
