"""Write every student's feedback page and results.json, and the class report, after grading."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .class_report import summarize, write_class_report
from .course import NOTEBOOK, Course
from .feedback import GRADER_FAULT, MIME, NOT_GRADED
from .feedback_html import student_page
from .gradescope import results_json
from .grading import GRADED, GRADER_ERROR, StudentResult

PAGE = "derivatives-autograder.html"


@dataclass(frozen=True)
class FeedbackFiles:
    pages: dict[str, Path]
    class_report: Path
    class_csv: Path


def records_in(autograded: nbformat.NotebookNode) -> list[dict]:
    """The feedback records the trusted grader stored in the hidden-test cells, in notebook order."""
    return [output["data"][MIME] for cell in autograded.cells for output in cell.get("outputs", [])
            if output.get("output_type") == "display_data" and MIME in output.get("data", {})]


def write_feedback(course: Course, results: list[StudentResult], seconds: dict[str, float] | None = None) -> FeedbackFiles:
    pages, graded_records, totals = {}, {}, {}
    for result in results:
        records, notice = [], ""
        if result.status == GRADED:
            records = records_in(nbformat.read(course.folder("autograded", result.student) / NOTEBOOK, as_version=4))
            graded_records[result.student] = records
        else:
            notice = GRADER_FAULT if result.status == GRADER_ERROR else NOT_GRADED.format(reason=result.reason)
        totals[result.student] = result.auto_score
        folder = course.folder("feedback", result.student)
        folder.mkdir(parents=True, exist_ok=True)
        pages[result.student] = folder / PAGE
        pages[result.student].write_text(student_page(result.student, course.assignment, records, result.auto_score, result.max_auto_score, notice))
        payload = results_json(records, result.auto_score, result.max_auto_score, (seconds or {}).get(result.student, 0.0), notice)
        (folder / "results.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False))
    max_score = max((r.max_auto_score for r in results), default=0.0)
    html_path, csv_path = write_class_report(summarize(graded_records, totals), max_score,
                                             Path(course.coursedir.root) / "reports" / course.assignment, course.assignment)
    return FeedbackFiles(pages, html_path, csv_path)
