"""The instructor's job end to end, through nbgrader's own API: the demo on the bundled samples."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.course.folder import Course
from autograder.course.nbgrader_path import grade_student
from autograder.demo import run_demo

from .conftest import MASTER, autograded_total

pytestmark = pytest.mark.slow
TOTAL = autograded_total()


def where_json_breaks(path: Path) -> str:
    """Where the truncated sample stops being JSON (it moves whenever the release changes)."""
    try:
        json.loads(path.read_text())
    except json.JSONDecodeError as error:
        return f"line {error.lineno}, column {error.colno}"
    raise AssertionError(f"{path} is valid JSON")


TRUNCATED = where_json_breaks(
    MASTER.parents[2] / "samples" / "submitted" / "fay_invalid_json" / "derivatives" / "derivatives.ipynb"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    parent = tmp_path_factory.mktemp("demo")
    printed: list[str] = []
    here = os.getcwd()
    os.chdir(parent)  # a relative --workdir, as `autograder demo` uses by default
    try:
        results = run_demo(Path("course"), say=printed.append)
    finally:
        os.chdir(here)
    return parent / "course", {r.student: r for r in results}, "\n".join(printed)


@pytest.fixture
def own_course(demo, tmp_path) -> Path:
    """A copy of the graded demo course for a test that adds to it, so that no other test sees what it added."""
    copy = tmp_path / "course"
    shutil.copytree(demo[0], copy, symlinks=True)
    return copy


def leaked_solution_lines(text: str, solution_lines: set[str], quotable: str) -> list[str]:
    """The master's solution lines in a page, except those found in `quotable` (what the page may quote back)."""
    return sorted(line for line in solution_lines if line in text and json.dumps(line)[1:-1] not in quotable)


def test_every_submission_gets_a_row_even_when_it_cannot_be_read(demo):
    workdir, results, _ = demo
    students = sorted(p.name for p in (workdir / "submitted").iterdir())
    assert sorted(results) == students
    with open(workdir / "grades.csv") as handle:
        assert sorted(row["student_id"] for row in csv.DictReader(handle)) == students
    with open(workdir / "results.csv") as handle:
        assert sorted(row["student"] for row in csv.DictReader(handle)) == students


def test_the_correct_sample_earns_every_autograded_point_and_waits_for_manual_grading(demo):
    ada = demo[1]["ada_correct"]
    assert (ada.status, ada.auto_score, ada.max_auto_score, ada.reason) == ("graded", TOTAL, TOTAL, "")
    assert ada.needs_manual_grade


def test_the_release_as_handed_out_earns_nothing(demo):
    assert demo[1]["cy_stubs"].auto_score == 0


def test_partly_wrong_work_earns_partial_credit_with_the_first_mistake_as_reason(demo):
    ben = demo[1]["ben_partly_wrong"]
    assert 0 < ben.auto_score < TOTAL - EXERCISES_BY_NAME["bce_derivative"].points
    # the same reason as results.csv's: the worst problem of each function that lost points, in the notebook's order
    assert ben.reason.startswith(
        "answer_sigmoid_prime: 0 / 1 points. Your σ′(x) = σ(x) is not the expected formula: "
        "at x = 1 it gives 0.731059, expected 0.196612; `sigmoid_derivative(x)` returned nan at x = -100, expected "
        "3.72008e-44; "
    )
    assert (
        "; `bce_derivative(y_pred, y)` is wrong at y_pred = 0.295351, y = 0: got -1.41915, expected 1.41915 "
        in ben.reason
    )


def test_a_cell_that_raises_costs_only_what_depends_on_it(demo):
    dee = demo[1]["dee_crashes"]
    lost = sum(EXERCISES_BY_NAME[n].points for n in ("sigmoid", "sigmoid_derivative", "bce_logit_derivative"))
    assert dee.auto_score == TOTAL - lost
    assert dee.reason.startswith(
        "Cell 23 stopped at line 1 (`import tensorflow as tf  # not installed: this cell raises`) with "
        "ModuleNotFoundError: No module named 'tensorflow'; nothing after that line in the cell ran; "
        "`sigmoid(x)` is not defined because cell 23 stopped first"
    )


def test_a_renamed_function_is_reported_with_its_new_name(demo):
    eve = demo[1]["eve_renamed"]
    assert eve.auto_score == TOTAL - EXERCISES_BY_NAME["sigmoid_derivative"].points
    # a cell of results.csv: no full stop
    assert eve.reason.endswith("Did you rename it? Your notebook defines: sigmoid_deriv")


def test_formula_answers_earn_lose_or_wait_for_a_person_through_nbgrader(demo):
    from nbgrader.api import Gradebook

    workdir = demo[0]
    course = Course(workdir)
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        grades = {
            g.name.removeprefix("hidden_tests_"): (g.auto_score, g.needs_manual_grade)
            for g in gb.find_submission_notebook("derivatives", "derivatives", "ben_partly_wrong").grades
            if g.name.startswith("hidden_tests_answer_")
        }
    assert grades == {
        "answer_f_prime": (1.0, False),
        "answer_sigmoid_prime": (0.0, False),
        "answer_relu_prime": (0.0, False),
        "answer_bce_wrt_prediction": (None, True),
        "answer_bce_wrt_logit": (1.0, False),
    }
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:  # formgrader still asks a person for the reasoning
        reasoning = {
            g.name: (g.auto_score, g.needs_manual_grade)
            for g in gb.find_submission_notebook("derivatives", "derivatives", "ada_correct").grades
            if g.name.startswith("derivation_")
        }
    assert len(reasoning) == 5 and set(reasoning.values()) == {(None, True)}
    page = (
        workdir / "autograder-feedback" / "ben_partly_wrong" / "derivatives" / "derivatives-autograder.html"
    ).read_text()
    assert '<h2 class="pending">Your final formula for ∂L/∂ŷ: needs manual grading (worth 1)</h2>' in page
    assert "<p>You wrote: <code>\\begin{cases} 1 &amp; x \\geq 0 \\\\ 0 &amp; x &lt; 0 \\end{cases}</code></p>" in page
    tests = json.loads(
        (workdir / "autograder-feedback" / "ben_partly_wrong" / "derivatives" / "results.json").read_text()
    )["tests"]
    assert [t["name"] for t in tests if t["name"].startswith("Your final formula")] == [
        "Your final formula for f′(x)",
        "Your final formula for σ′(x)",
        "Your final formula for ReLU′(x)",
        "Your final formula for ∂L/∂ŷ",
        "Your final formula for ∂L/∂z",
    ]
    report = (workdir / "reports" / "derivatives" / "class-report.csv").read_text()
    assert "σ′(x) = σ(x)" in report and "\\sigma" not in report  # as read, not as typed in LaTeX


@pytest.mark.parametrize(
    "student, reason",
    [
        (
            "fay_invalid_json",
            f"derivatives.ipynb is not valid JSON ({TRUNCATED}: Unterminated string starting at); "
            "it may be truncated or edited outside Jupyter",
        ),
        ("gus_missing_notebook", "no derivatives.ipynb in the submission (it has: derivatives-Copy1.ipynb)"),
        (
            "hal_other_assignment",
            "derivatives.ipynb does not belong to assignment 'derivatives': none of its cells or functions match it",
        ),
    ],
)
def test_bad_input_scores_zero_with_a_one_line_reason(demo, student, reason):
    result = demo[1][student]
    assert (result.status, result.auto_score, result.needs_manual_grade, result.reason) == (
        "ungradable",
        0,
        False,
        reason,
    )


def test_the_demo_prints_the_score_table_and_where_the_grades_are(demo):
    workdir, _, printed = demo
    assert "student               autograded  written   status      reason" in printed
    assert f"nbgrader's grades.csv: {workdir / 'grades.csv'}" in printed


def test_the_demo_ends_by_pointing_at_a_students_feedback_and_the_class_report(demo):
    workdir, _, printed = demo
    assert (
        f"feedback for one student: "
        f"{workdir / 'autograder-feedback' / 'ben_partly_wrong' / 'derivatives' / 'derivatives-autograder.html'}"
    ) in printed
    assert f"class report:             {workdir / 'reports' / 'derivatives' / 'class-report.html'}" in printed


def test_every_student_gets_a_feedback_page_and_a_valid_results_json(demo):
    from autograder.feedback.gradescope import problems

    workdir, results, _ = demo
    for student in results:
        folder = workdir / "autograder-feedback" / student / "derivatives"
        assert (folder / "derivatives-autograder.html").exists()
        assert problems(json.loads((folder / "results.json").read_text())) == []
    assert (
        "This submission could not be graded: no derivatives.ipynb in the submission (it has: derivatives-Copy1.ipynb)"
    ) in (
        workdir / "autograder-feedback" / "gus_missing_notebook" / "derivatives" / "derivatives-autograder.html"
    ).read_text()


def solution_lines_of(master) -> set[str]:
    from autograder.authoring.synthetic import solutions_of

    return {
        line.strip()
        for source in solutions_of(master).values()
        for line in source.split("\n")
        if len(line.strip()) > 12 and not line.strip().startswith(("def ", '"""', "#"))
    }


def test_no_feedback_reveals_a_hidden_test_or_a_solution(own_course, master):
    workdir = own_course
    course = Course(workdir)
    for student in ("ben_partly_wrong", "cy_stubs"):  # nbgrader's own feedback page, through nbgrader_config.py
        assert course.api().generate_feedback("derivatives", student)["success"]
    hidden = ("BEGIN HIDDEN TESTS", "grade_in_notebook", "from autograder", "autograder.hidden")
    solution_lines = solution_lines_of(master)
    pages = [
        p
        for folder in ("feedback", "autograder-feedback")
        for pattern in ("*.html", "results.json")
        for p in (workdir / folder).rglob(pattern)
    ]
    reports = [p for p in (workdir / "reports").rglob("*") if p.is_file()]
    assert len([p for p in pages if p.name == "derivatives.html"]) == 2 and reports
    for page in pages + reports:
        text = page.read_text()
        assert [marker for marker in hidden if marker in text] == [], page
        if page in reports:  # the class report is every student's: it may quote no solution line at all
            assert leaked_solution_lines(text, solution_lines, quotable="") == [], page
        elif page.name != "derivatives.html":  # nbgrader's page is the student's own notebook, right code included
            submitted = workdir / "submitted" / page.parent.parent.name / "derivatives" / "derivatives.ipynb"
            own = submitted.read_text() if submitted.exists() else ""  # a traceback may quote the student's own line
            assert leaked_solution_lines(text, solution_lines, quotable=own) == [], page


def test_the_leak_check_finds_a_solution_line_planted_in_the_class_report_or_another_students_page(demo, master):
    workdir = demo[0]
    solution_lines = solution_lines_of(master)
    planted = sorted(solution_lines)[0]
    report = (workdir / "reports" / "derivatives" / "class-report.html").read_text()
    assert leaked_solution_lines(report + planted, solution_lines, quotable="") == [planted]
    cy_page = (workdir / "autograder-feedback" / "cy_stubs" / "derivatives" / "derivatives-autograder.html").read_text()
    cy_own = (workdir / "submitted" / "cy_stubs" / "derivatives" / "derivatives.ipynb").read_text()
    assert leaked_solution_lines(cy_page + planted, solution_lines, quotable=cy_own) == [planted]


def test_the_class_report_names_the_most_common_mistakes(demo):
    workdir = demo[0]
    report = (workdir / "reports" / "derivatives" / "class-report.html").read_text()
    assert "20% have relu_derivative(x = 0) = 1 (expected 0)" in report
    rows = (workdir / "reports" / "derivatives" / "class-report.csv").read_text()
    assert 'pass rate,relu_derivative,"x = 0, float32",0.6000' in rows  # ben's x >= 0 and cy's stub fail it


def test_plain_nbgrader_autograde_still_records_a_notebook_it_cannot_read(own_course):
    from nbgrader.api import Gradebook

    workdir = own_course
    folder = workdir / "submitted" / "zed_truncated" / "derivatives"
    folder.mkdir(parents=True)
    shutil.copy(workdir / "submitted" / "fay_invalid_json" / "derivatives" / "derivatives.ipynb", folder)
    course = Course(workdir)
    # nbgrader's own failure, as before
    assert course.api().autograde("derivatives", "zed_truncated")["success"] is False
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        submission = gb.find_submission("derivatives", "zed_truncated")
        assert (submission.code_score, submission.max_code_score, submission.needs_manual_grade) == (0, TOTAL, False)
    assert (workdir / "logs" / "ungradable.log").read_text() == (
        f"zed_truncated: derivatives.ipynb is not valid JSON ({TRUNCATED}: Unterminated string starting at); "
        "it may be truncated or edited outside Jupyter\n"
    )


def test_the_master_notebook_submitted_as_is_earns_every_autograded_point(own_course):
    workdir = own_course
    folder = workdir / "submitted" / "instructor" / "derivatives"
    folder.mkdir(parents=True)
    shutil.copy(MASTER, folder)
    result = grade_student(Course(workdir), "instructor")
    assert (result.status, result.auto_score, result.max_auto_score) == ("graded", TOTAL, TOTAL)
