"""Nothing a person entered is erased by a regrade, whatever its outcome, on either grading path.

A TA's manual scores, comments and extra credit go in through nbgrader's own `Gradebook` API (what
formgrader does); then the submission is graded again four ways: graded, ungradable, a grader fault
(ours: no automatic score and flagged for a person, never the student's zero) and interrupted.
"""

from __future__ import annotations

import shutil

import pytest
from nbgrader.api import Gradebook

from autograder.course import batch
from autograder.course.batch import grade_assignment
from autograder.course.folder import Course, generate_release
from autograder.course.nbgrader_path import grade_through_nbgrader
from autograder.judging import trusted

from .conftest import ROOT

pytestmark = pytest.mark.slow
STUDENT = "ada_correct"
DERIVATION, AUTOGRADED = "derivation_sigmoid_prime", "hidden_tests_relu_derivative"


def _course(root) -> Course:
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copytree(ROOT / "samples" / "submitted" / STUDENT, root / "submitted" / STUDENT)
    course = Course(root)
    generate_release(course)
    return course


def _enter_by_hand(course: Course) -> None:
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        gb.find_grade(DERIVATION, "derivatives", "derivatives", STUDENT).manual_score = 1.5
        overridden = gb.find_grade(AUTOGRADED, "derivatives", "derivatives", STUDENT)
        overridden.manual_score, overridden.extra_credit = 1.0, 0.5
        gb.find_comment(DERIVATION, "derivatives", "derivatives", STUDENT).manual_comment = "good chain rule"
        gb.db.commit()


def _by_hand(course: Course) -> tuple:
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        overridden = gb.find_grade(AUTOGRADED, "derivatives", "derivatives", STUDENT)
        return (
            gb.find_grade(DERIVATION, "derivatives", "derivatives", STUDENT).manual_score,
            overridden.manual_score,
            overridden.extra_credit,
            gb.find_comment(DERIVATION, "derivatives", "derivatives", STUDENT).manual_comment,
        )


def _automatic(course: Course) -> tuple:
    """Every automatic score of the student's autograded cells, and whether each is flagged for a person."""
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        grades = gb.find_submission_notebook("derivatives", "derivatives", STUDENT).grades
        return tuple(
            sorted((g.name, g.auto_score, g.needs_manual_grade) for g in grades if g.name.startswith("hidden_tests_"))
        )


def _local(course: Course) -> None:
    grade_assignment(course, jobs=1, force=True, progress=False)


def _nbgrader(course: Course) -> None:
    grade_through_nbgrader(course)


@pytest.mark.parametrize(
    "grade, grading_function",
    [(_local, "grade_text"), (_nbgrader, "grade_notebook")],
    ids=["autograder grade", "nbgrader autograde"],
)
def test_manual_scores_comments_and_extra_credit_survive_every_outcome_of_a_regrade(
    tmp_path, monkeypatch, grade, grading_function
):
    course = _course(tmp_path)
    grade(course)
    _enter_by_hand(course)
    entered = (1.5, 1.0, 0.5, "good chain rule")
    assert _by_hand(course) == entered

    grade(course)  # graded again
    assert _by_hand(course) == entered
    assert all(score is not None for _, score, _ in _automatic(course))

    home = batch if grading_function == "grade_text" else trusted
    real = getattr(home, grading_function)

    def fault(*args, **kwargs):
        raise RuntimeError("simulated grader bug")

    monkeypatch.setattr(home, grading_function, fault)
    grade(course)  # a grader fault, twice over (it is retried once)
    assert _by_hand(course) == entered
    assert {(score, flagged) for _, score, flagged in _automatic(course)} == {
        (None, True)
    }  # the grader's failure, not a 0

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(home, grading_function, interrupt)
    try:
        grade(course)  # interrupted
    except KeyboardInterrupt:
        pass  # the nbgrader path lets Ctrl-C through, as nbgrader does
    assert _by_hand(course) == entered
    monkeypatch.setattr(home, grading_function, real)

    submitted = course.folder("submitted", STUDENT) / "derivatives.ipynb"
    submitted.write_text('{"cells": [')  # ungradable: truncated
    grade(course)
    assert _by_hand(course) == entered
    automatic = _automatic(course)
    assert {score for _, score, _ in automatic} == {0}
    # a person's score there is to review
    assert dict((name, flagged) for name, _, flagged in automatic)[AUTOGRADED] is True
