"""The instructor's job end to end, through nbgrader's own API: the demo on the bundled samples."""
from __future__ import annotations

import csv
import shutil

import pytest

from autograder.course import Course
from autograder.demo import run_demo
from autograder.exercises import EXERCISES_BY_NAME
from autograder.grading import grade_student

from .conftest import MASTER

pytestmark = pytest.mark.slow
TOTAL = sum(e.points for e in EXERCISES_BY_NAME.values())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("course")
    printed: list[str] = []
    results = run_demo(workdir, say=printed.append)
    return workdir, {r.student: r for r in results}, "\n".join(printed)


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
    assert ben.reason.startswith("sigmoid_derivative: 2.33 / 3 points. 2 of 9 checks failed; first: `sigmoid_derivative(x)` returned nan at x = -1000")


def test_a_cell_that_raises_costs_only_what_depends_on_it(demo):
    dee = demo[1]["dee_crashes"]
    lost = sum(EXERCISES_BY_NAME[n].points for n in ("sigmoid", "sigmoid_derivative", "bce_logit_derivative"))
    assert dee.auto_score == TOTAL - lost
    assert dee.reason.startswith("a cell raised ModuleNotFoundError: No module named 'tensorflow'; ")


def test_a_renamed_function_is_reported_with_its_new_name(demo):
    eve = demo[1]["eve_renamed"]
    assert eve.auto_score == TOTAL - EXERCISES_BY_NAME["sigmoid_derivative"].points
    assert "Did you rename it? Your notebook defines: sigmoid_deriv." in eve.reason


@pytest.mark.parametrize("student, reason", [
    ("fay_invalid_json", "derivatives.ipynb is not valid JSON (line 794, column 6: Unterminated string starting at); "
                         "it may be truncated or edited outside Jupyter"),
    ("gus_missing_notebook", "no derivatives.ipynb in the submission (it has: derivatives-Copy1.ipynb)"),
    ("hal_other_assignment", "derivatives.ipynb does not belong to assignment 'derivatives': none of its cells or functions match it"),
])
def test_bad_input_scores_zero_with_a_one_line_reason(demo, student, reason):
    result = demo[1][student]
    assert (result.status, result.auto_score, result.needs_manual_grade, result.reason) == ("ungradable", 0, False, reason)


def test_the_demo_prints_the_score_table_and_where_the_grades_are(demo):
    workdir, _, printed = demo
    assert "student               autograded  written   status      reason" in printed
    assert f"nbgrader's grades.csv: {workdir / 'grades.csv'}" in printed


def test_the_master_notebook_submitted_as_is_earns_every_autograded_point(demo):
    workdir = demo[0]
    folder = workdir / "submitted" / "instructor" / "derivatives"
    folder.mkdir(parents=True)
    shutil.copy(MASTER, folder)
    result = grade_student(Course(workdir), "instructor")
    assert (result.status, result.auto_score, result.max_auto_score) == ("graded", TOTAL, TOTAL)
