"""Every output of a course, rebuilt from the gradebook, autograded/ and the outcome ledger after every run:
results.csv, each student's feedback page and results.json, and the class report.

Rebuilding from what is stored (not from the run that just ended) means an interrupted and resumed run,
a rerun with nothing to grade, or `nbgrader autograde` run by hand all leave complete outputs. Our files
live in `autograder-feedback/`, apart from nbgrader's `feedback/`, so `nbgrader generate_feedback --force`
and we never delete each other's. One student's page is built inside a guard: a record that cannot be drawn
costs that student a plain page with their score, logged for the instructor, and nothing more.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograder.course.folder import NOTEBOOK, Course, write_whole
from autograder.course.nbgrader_path import GRADED, GRADER_ERROR, StudentResult, log_fault, reasons_in
from autograder.course.outcomes import Outcome, recall
from autograder.feedback import gradescope
from autograder.feedback import pages as feedback_html
from autograder.feedback.class_report import summarize, write_class_report
from autograder.feedback.gradescope import results_json
from autograder.feedback.pages import student_page
from autograder.feedback.records import GRADER_FAULT_NOTICE, MIME, NOT_GRADED, PAGE_FAILED, FeedbackRecord
from autograder.feedback.score_table import worst_problems, write_results_csv

PAGE = "derivatives-autograder.html"
FEEDBACK_STEP = "autograder-feedback"
NO_AUTOGRADED = "the gradebook has this submission but there is no autograded notebook (see nbgrader's log)"
UNREADABLE_AUTOGRADED = "its autograded notebook could not be read: {error} (traceback in {log_path})"


@dataclass(frozen=True)
class Outputs:
    results: list[StudentResult]
    pages: dict[str, Path]
    class_report: Path
    class_csv: Path
    results_csv: Path


def records_in(autograded: dict) -> list[FeedbackRecord]:
    """The feedback records the trusted grader stored in the hidden-test cells, in notebook order (from a notebook,
    or the plain dict a grading worker sends)."""
    return [
        output["data"][MIME]
        for cell in autograded["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "display_data" and MIME in output.get("data", {})
    ]


def feedback_folder(course: Course, student: str) -> Path:
    return course.folder(FEEDBACK_STEP, student)


def _rows(course: Course) -> list[tuple[str, float, float, bool]]:
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        try:
            submissions = gb.find_assignment(course.assignment).submissions
        except MissingEntry:
            return []
        return [(s.student.id, s.code_score, s.max_code_score, s.needs_manual_grade) for s in submissions]


def reason_in(autograded: nbformat.NotebookNode) -> str:
    """One student's reason, the same on the terminal and in results.csv: each cell that stopped, then the worst
    problem of each function that lost points."""
    return "; ".join(worst_problems(records_in(autograded)) or reasons_in(autograded)[:2])


def _result(
    course: Course, row: tuple, outcome: Outcome | None
) -> tuple[StudentResult, nbformat.NotebookNode | None, float]:
    """The student's row with its status and reason, and their autograded notebook if it is what stands."""
    student, score, max_score, manual = row
    path = course.folder("autograded", student) / NOTEBOOK
    autograded_at = path.stat().st_mtime if path.exists() else None
    if autograded_at is not None and (outcome is None or outcome.status == GRADED or autograded_at > outcome.when):
        notebook = nbformat.read(path, as_version=4)
        reason = reason_in(notebook)
        return (
            StudentResult(student, GRADED, score, max_score, manual, reason),
            notebook,
            outcome.seconds if outcome else 0.0,
        )
    if outcome is not None and outcome.status != GRADED:
        return (StudentResult(student, outcome.status, score, max_score, manual, outcome.reason), None, outcome.seconds)
    return StudentResult(student, GRADER_ERROR, score, max_score, manual, NO_AUTOGRADED), None, 0.0  # nbgrader failed


# both are modules of this package, loaded from their files
_RENDERERS = hashlib.sha256(
    b"".join(Path(cast(str, m.__file__)).read_bytes() for m in (feedback_html, gradescope))
).hexdigest()
"""a page made by other rendering code is made again"""


def _fingerprint(result: StudentResult, notebook_mtime: float | None) -> str:
    return hashlib.sha256(repr((result, notebook_mtime, _RENDERERS)).encode()).hexdigest()[:16]


def _write_student(
    course: Course, result: StudentResult, records: list[FeedbackRecord], seconds: float, fingerprint: str
) -> Path:
    """The student's page and results.json, unless they are already what these inputs make."""
    folder = feedback_folder(course, result.student)
    page, stamp = folder / PAGE, f"<!-- autograder {fingerprint} -->\n"
    if page.exists() and (folder / "results.json").exists():
        with page.open(encoding="utf-8", errors="replace") as handle:
            if handle.readline() == stamp:
                return page
    folder.mkdir(parents=True, exist_ok=True)
    notice = (
        ""
        if result.status == GRADED
        else GRADER_FAULT_NOTICE
        if result.status == GRADER_ERROR
        else NOT_GRADED.format(reason=result.reason)
    )
    try:
        html = student_page(
            result.student, course.assignment, records, result.auto_score, result.max_auto_score, notice
        )
        payload = results_json(records, result.auto_score, result.max_auto_score, seconds, notice)
    except Exception:  # a record we cannot draw: that student gets a plain page, the instructor the traceback
        log_fault(course, result.student, traceback.format_exc())
        html = student_page(
            result.student, course.assignment, [], result.auto_score, result.max_auto_score, PAGE_FAILED
        )
        payload = results_json([], result.auto_score, result.max_auto_score, seconds, PAGE_FAILED)
    write_whole(folder / "results.json", json.dumps(payload, indent=1, ensure_ascii=False))
    write_whole(page, stamp + html)  # last: a page with its stamp is a page whose inputs were all written
    return page


def write_page_now(course: Course, result: StudentResult, notebook: dict, seconds: float) -> None:
    """One student's page and results.json as soon as they are graded (while the others are), exactly as
    `write_outputs` makes them afterwards; that pass then finds them up to date. A page that fails here is made
    there."""
    try:
        mtime = (course.folder("autograded", result.student) / NOTEBOOK).stat().st_mtime
        _write_student(course, result, records_in(notebook), seconds, _fingerprint(result, mtime))
    except Exception:  # noqa: BLE001  (write_outputs makes it again, inside its own guard)
        log_fault(course, result.student, traceback.format_exc())


def _summarizable(records: list[FeedbackRecord]) -> bool:
    try:
        summarize({"one": records}, {})
        return True
    except Exception:  # a record the class report cannot read: the student still counts in the histogram
        return False


def write_outputs(course: Course) -> Outputs:
    """Rebuild every output of the course's assignment from what is stored; see the module docstring."""
    outcomes = recall(course)
    results, pages, graded_records, totals = [], {}, {}, {}
    for row in _rows(course):
        try:
            result, notebook, seconds = _result(course, row, outcomes.get(row[0]))
        except Exception as exc:  # an autograded notebook cut short (nbgrader killed mid-write, say): that row says so
            log_path = log_fault(course, row[0], traceback.format_exc())
            result, notebook, seconds = (
                StudentResult(
                    row[0],
                    GRADER_ERROR,
                    row[1],
                    row[2],
                    row[3],
                    UNREADABLE_AUTOGRADED.format(error=f"{type(exc).__name__}: {exc}", log_path=log_path),
                ),
                None,
                0.0,
            )
        records = records_in(notebook) if notebook is not None else []
        mtime = (
            (course.folder("autograded", result.student) / NOTEBOOK).stat().st_mtime if notebook is not None else None
        )
        pages[result.student] = _write_student(course, result, records, seconds, _fingerprint(result, mtime))
        if notebook is not None and _summarizable(records):
            graded_records[result.student] = records
        totals[result.student] = result.auto_score
        results.append(result)
    max_score = max((r.max_auto_score for r in results), default=0.0)
    html_path, csv_path = write_class_report(
        summarize(graded_records, totals),
        max_score,
        Path(course.coursedir.root) / "reports" / course.assignment,
        course.assignment,
    )
    results_csv = write_results_csv(results, Path(course.coursedir.root) / "results.csv")
    return Outputs(sorted(results, key=lambda r: r.student), pages, html_path, csv_path, results_csv)
