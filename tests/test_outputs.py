"""Outputs complete after any sequence of runs: results.csv, every feedback page and results.json, and the class
report are rebuilt from the gradebook and autograded/ at the end of every run, however each student was graded."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from autograder.cli import main
from autograder.course import batch
from autograder.course.batch import grade_assignment
from autograder.course.folder import Course, generate_release
from autograder.course.nbgrader_path import grade_through_nbgrader
from autograder.feedback import outputs as reports
from autograder.feedback.class_report import OUT_OF
from autograder.feedback.pages import student_page
from autograder.feedback.records import PAGE_FAILED

from .conftest import ROOT

STUDENTS = ("ada_correct", "ben_partly_wrong", "cy_stubs", "fay_invalid_json")


def _course(root, students=STUDENTS) -> Course:
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source", root / "source")
    for student in students:
        shutil.copytree(ROOT / "samples" / "submitted" / student, root / "submitted" / student)
    course = Course(root)
    generate_release(course)
    return course


def _csv_students(root) -> list[str]:
    with (root / "results.csv").open() as handle:
        return [row["student"] for row in csv.DictReader(handle)]


def _page(course: Course, student: str):
    return reports.feedback_folder(course, student) / reports.PAGE


@pytest.mark.slow
def test_a_function_returning_the_largest_floats_on_the_plot_grid_still_gets_its_page():
    record = {
        "name": "relu_derivative",
        "signature": "relu_derivative(x)",
        "points": 0,
        "max_points": 2,
        "violation": "",
        "checked": "checked",
        "needs_manual_grade": False,
        "manual_reason": "",
        "cases": [
            {
                "name": "typical",
                "group": "typical",
                "passed": False,
                "check": "value",
                "message": "wrong",
                "point": "x = 1",
                "x": 1.0,
                "got": -1.7e308,
                "got_text": "-1.7e+308",
                "expected": 1.0,
                "max_abs_error": 1.7e308,
                "max_rel_error": 1.7e308,
                "tolerance": "1e-5",
                "hint": "",
                "trace": "",
            }
        ],
        "plot": {
            "parameter": "x",
            "series": [
                {"label": "", "x": [0.0, 1.0, 2.0], "reference": [0.0, 1.0, 1.0], "student": [1.7e308, -1.7e308, 0.0]}
            ],
        },
    }
    page = student_page("zed", "derivatives", [record], 0, 2)
    assert (
        page.count('<img alt="relu_derivative(x): your function against the expected one" src="data:image/png;base64,')
        == 1
    )


@pytest.mark.slow
def test_after_an_interrupt_a_resume_and_a_rerun_with_nothing_to_do_every_output_covers_every_student(
    tmp_path, monkeypatch
):
    course = _course(tmp_path)
    real = batch.grade_text

    def interrupted_at_ben(student, *args, **kwargs):
        if student == "ben_partly_wrong":
            raise KeyboardInterrupt
        return real(student, *args, **kwargs)

    monkeypatch.setattr(batch, "grade_text", interrupted_at_ben)
    first = grade_assignment(course, jobs=1, progress=False, outputs=True)
    assert first.interrupted
    graded_first = {r.student for r in first.results}
    assert "ada_correct" in graded_first and "ben_partly_wrong" not in graded_first
    monkeypatch.setattr(batch, "grade_text", real)

    resumed = grade_assignment(course, jobs=1, progress=False, outputs=True)
    assert {r.student for r in resumed.results} | graded_first == set(STUDENTS)
    again = grade_assignment(course, jobs=1, progress=False, outputs=True)  # nothing left to grade
    # an unreadable file as it was: its row stands
    assert sorted(again.skipped) == list(STUDENTS) and again.results == []
    (tmp_path / "gradebook.db").unlink()  # the instructor starts the gradebook over; the ledger in logs/ stays
    generate_release(course)
    fresh = grade_assignment(course, jobs=1, progress=False, outputs=True)
    assert sorted(r.student for r in fresh.results) == list(STUDENTS)
    assert _csv_students(tmp_path) == list(STUDENTS)

    assert _csv_students(tmp_path) == list(STUDENTS)
    for student in STUDENTS:
        assert _page(course, student).exists(), student
        assert json.loads((reports.feedback_folder(course, student) / "results.json").read_text())["score"] is not None
    report = (tmp_path / "reports" / "derivatives" / "class-report.html").read_text()
    assert f"<p>{OUT_OF.format(graded=len(STUDENTS) - 1, submissions=len(STUDENTS))}</p>" in report  # fay's is not JSON
    assert (
        "This submission could not be graded: derivatives.ipynb is not valid JSON"
        in _page(course, "fay_invalid_json").read_text()
    )


@pytest.mark.slow
def test_autograder_grade_after_nbgrader_autograde_points_at_pages_that_exist(tmp_path, capsys):
    course = _course(tmp_path, ("ada_correct", "cy_stubs"))
    grade_through_nbgrader(course, ["ada_correct"])  # nbgrader's own path, for one student
    assert main(["grade", "--course", str(tmp_path), "--jobs", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert f"results.csv (2 students): {tmp_path / 'results.csv'}" in printed
    assert f"feedback: {tmp_path / 'autograder-feedback' / '*' / 'derivatives'}/{reports.PAGE}" in printed
    for student in ("ada_correct", "cy_stubs"):
        assert "Autograded score:" in _page(course, student).read_text()
    assert "<strong>Autograded score: 22 / 22</strong>" in _page(course, "ada_correct").read_text()

    # nbgrader's feedback and ours never delete each other
    assert course.api().generate_feedback("derivatives", "ada_correct", force=True)["success"]
    assert (
        _page(course, "ada_correct").exists()
        and (reports.feedback_folder(course, "ada_correct") / "results.json").exists()
    )
    reports.write_outputs(course)
    assert (course.folder("feedback", "ada_correct") / "derivatives.html").exists()


@pytest.mark.slow
def test_a_page_that_cannot_be_drawn_costs_that_student_a_plain_page_and_nothing_more(tmp_path, monkeypatch):
    course = _course(tmp_path, ("ada_correct", "ben_partly_wrong"))
    grade_assignment(course, jobs=1, progress=False)
    real = reports.student_page

    def breaks_on_ben(student, *args, **kwargs):
        if student == "ben_partly_wrong" and args[1]:
            raise ValueError("a record that cannot be drawn")
        return real(student, *args, **kwargs)

    monkeypatch.setattr(reports, "student_page", breaks_on_ben)
    outputs = reports.write_outputs(course)
    assert PAGE_FAILED in _page(course, "ben_partly_wrong").read_text()
    assert "Autograded score: 14.97 / 22" in _page(course, "ben_partly_wrong").read_text()
    assert (
        json.loads((reports.feedback_folder(course, "ben_partly_wrong") / "results.json").read_text())["output"]
        == PAGE_FAILED
    )
    assert PAGE_FAILED not in _page(course, "ada_correct").read_text()
    assert (
        outputs.class_report.exists()
        and f"<p>{OUT_OF.format(graded=2, submissions=2)}</p>" in outputs.class_report.read_text()
    )
    assert "ValueError: a record that cannot be drawn" in (tmp_path / "logs" / "grader-faults.log").read_text()

    # cut short (nbgrader killed mid-write)
    autograded = course.folder("autograded", "ben_partly_wrong") / "derivatives.ipynb"
    autograded.write_text(autograded.read_text()[:1000])
    rows = {r.student: r for r in reports.write_outputs(course).results}
    assert rows["ben_partly_wrong"].status == "grader error"
    assert rows["ben_partly_wrong"].reason.startswith("its autograded notebook could not be read: ")
    assert rows["ada_correct"].status == "graded"
    assert list(reports.feedback_folder(course, "ada_correct").glob("*.partial")) == []
