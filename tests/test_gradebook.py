"""Writing one student's autograded notebook into nbgrader's gradebook (`autograder.course.gradebook`): nbgrader's own
scoring rules, what a person entered kept, a formula answer the checker could not read left for a person, and one
transaction per student.

Each test builds a real gradebook in a temporary SQLite file with nbgrader's API and an autograded notebook from the
project's cell factory, with outputs as nbgrader reads them. No sandbox, kernel or nbgrader process runs.
"""

from __future__ import annotations

import datetime
import functools
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import nbgrader
import pytest
from alembic.script import ScriptDirectory
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry

from autograder.course import gradebook
from autograder.course.gradebook import save_autograded, save_into
from autograder.feedback.records import MIME
from autograder.nbgrader_cells import grade_id_of, nbgrader_cell

COURSE, ASSIGNMENT, NOTEBOOK, STUDENT = "derivatives-course", "hw1", "derivatives", "ann"
STARTER = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
TEXT = "YOUR ANSWER HERE"
CELLS = [  # (kind, grade id, source as released, answer?, points)
    ("code", "impl_f", STARTER, True, 0),
    ("code", "test_full", "assert f(1) == 2", False, 3),
    ("code", "test_partial", "partial_credit()", False, 4),
    ("code", "test_error", "assert f(0) == 0", False, 2),
    ("code", "hidden_tests_formula", "check_formula()", False, 5),
    ("markdown", "explain", TEXT, True, 2),
]
GRADED = [grade_id for _, grade_id, _, answer, points in CELLS if points]
MAX_CODE_SCORE = 3 + 4 + 2 + 5  # the markdown answer is not code

PARTIAL = nbformat.v4.new_output("execute_result", data={"text/plain": "1.5"}, execution_count=1)
ERROR = nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=["AssertionError"])
UNREADABLE_FORMULA = nbformat.v4.new_output(
    "display_data", data={MIME: {"needs_manual_grade": True}, "text/plain": "The checker could not read it."}
)
READ_FORMULA = nbformat.v4.new_output(
    "display_data", data={MIME: {"needs_manual_grade": False}, "text/plain": "Your formula is right."}
)


def release_cells() -> list[nbformat.NotebookNode]:
    """The released cells, each answer with the checksum nbgrader gives it on release."""
    cells = []
    for kind, grade_id, source, answer, points in CELLS:
        cell = nbgrader_cell(kind, source, grade_id, grade=bool(points), solution=answer, points=points)
        if answer:
            cell.metadata["nbgrader"]["checksum"] = utils.compute_checksum(cell)
        cells.append(cell)
    return cells


def autograded(answers: dict[str, str] | None = None, outputs: dict[str, list] | None = None) -> nbformat.NotebookNode:
    """The autograded notebook: the release with the student's `answers` (grade id → source) and the cells' outputs."""
    cells = release_cells()
    for cell in cells:
        cell.source = (answers or {}).get(grade_id_of(cell), cell.source)
        if cell.cell_type == "code":
            cell.outputs = (outputs or {}).get(grade_id_of(cell), [])
    return nbformat.v4.new_notebook(cells=cells)


EDITED = {"impl_f": "def f(x):\n    return 2 * x", "explain": "It doubles x."}
MIXED = autograded(
    EDITED, {"test_partial": [PARTIAL], "test_error": [ERROR], "hidden_tests_formula": [UNREADABLE_FORMULA]}
)
"""partial credit, an error, an unreadable formula and an answer in words: 3 + 1.5 + 0 of 14 code points"""
ALL_MACHINE = autograded(
    outputs={"test_partial": [PARTIAL], "test_error": [ERROR], "hidden_tests_formula": [READ_FORMULA]}
)
"""nothing for a person: answers untouched (the markdown one scores 0), the formula read and right"""


@functools.cache
def alembic_head() -> str:
    """The schema version nbgrader stamps a new gradebook with, read in this process."""
    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A gradebook with the assignment released: its grade, solution and source cells as nbgrader stores them.
    nbgrader runs the `alembic` command to stamp a new database; here the same version is read in this process."""
    path = tmp_path_factory.mktemp("released") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nbgrader.api, "get_alembic_version", alembic_head)
        gb = Gradebook(f"sqlite:///{path}", COURSE)
    with gb:
        gb.update_or_create_assignment(ASSIGNMENT)
        gb.update_or_create_notebook(NOTEBOOK, ASSIGNMENT)
        for cell in release_cells():
            meta = cell.metadata["nbgrader"]
            if meta["grade"]:
                gb.update_or_create_grade_cell(
                    meta["grade_id"], NOTEBOOK, ASSIGNMENT, max_score=meta["points"], cell_type=cell.cell_type
                )
            if meta["solution"]:
                gb.update_or_create_solution_cell(meta["grade_id"], NOTEBOOK, ASSIGNMENT)
            gb.update_or_create_source_cell(
                meta["grade_id"],
                NOTEBOOK,
                ASSIGNMENT,
                cell_type=cell.cell_type,
                locked=meta["locked"],
                source=cell.source,
                checksum=meta.get("checksum"),
            )
    return path


@pytest.fixture
def db_url(released, tmp_path) -> str:
    """A copy of the released gradebook of this test's own, with no submission yet."""
    shutil.copyfile(released, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def rows(db_url: str, student: str = STUDENT) -> dict:
    """The student's rows as a fresh connection reads them: each grade's (auto, manual, needs manual grading), each
    comment's (auto, manual), and the submission's (code score, max, needs manual grading, timestamp)."""
    with Gradebook(db_url, COURSE) as gb:
        grades = {
            name: (g.auto_score, g.manual_score, g.needs_manual_grade)
            for name in GRADED
            for g in [gb.find_grade(name, NOTEBOOK, ASSIGNMENT, student)]
        }
        comments = {
            name: (c.auto_comment, c.manual_comment)
            for name in ("impl_f", "explain")
            for c in [gb.find_comment(name, NOTEBOOK, ASSIGNMENT, student)]
        }
        s = gb.find_submission(ASSIGNMENT, student)
        return {
            "grades": grades,
            "comments": comments,
            "submission": (s.code_score, s.max_code_score, s.needs_manual_grade, s.timestamp),
        }


def test_the_notebooks_built_here_score_as_nbgraders_determine_grade_says():
    assert {
        grade_id_of(c): utils.determine_grade(c)[0] for c in MIXED.cells if utils.is_grade(c)
    } == {  # nbgrader alone would give the unreadable formula full marks: no execute_result, no error
        "test_full": 3.0,
        "test_partial": 1.5,
        "test_error": 0,
        "hidden_tests_formula": 5.0,
        "explain": None,
    }


def test_scores_follow_nbgraders_rules_and_the_returned_totals_are_the_gradebooks(db_url):
    scores = save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, MIXED, "2024-03-01 12:30:00")
    assert scores == (4.5, MAX_CODE_SCORE, True)
    assert rows(db_url) == {
        "grades": {
            "test_full": (3.0, None, False),
            "test_partial": (1.5, None, False),
            "test_error": (0.0, None, False),
            "hidden_tests_formula": (None, None, True),
            "explain": (None, None, True),
        },
        "comments": {"impl_f": (None, None), "explain": (None, None)},
        "submission": (4.5, MAX_CODE_SCORE, True, datetime.datetime(2024, 3, 1, 12, 30)),
    }


def test_a_submission_scored_wholly_by_machine_needs_no_manual_grading(db_url):
    assert save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, ALL_MACHINE) == (9.5, MAX_CODE_SCORE, False)
    assert rows(db_url)["grades"] == {
        "test_full": (3.0, None, False),
        "test_partial": (1.5, None, False),
        "test_error": (0.0, None, False),
        "hidden_tests_formula": (5.0, None, False),
        "explain": (0.0, None, False),  # an untouched graded answer: nbgrader's 0
    }


def test_a_formula_answer_the_checker_could_not_read_is_left_for_a_person_never_a_silent_zero(db_url):
    notebook = autograded(outputs={"hidden_tests_formula": [UNREADABLE_FORMULA]})
    code_score, _, needs_manual_grade = save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, notebook)
    assert rows(db_url)["grades"]["hidden_tests_formula"] == (None, None, True)
    assert (code_score, needs_manual_grade) == (3.0 + 4.0 + 2.0, True)


def test_what_a_person_entered_is_kept_and_a_cell_a_person_scored_is_flagged_for_review(db_url):
    with Gradebook(db_url, COURSE) as gb:
        gb.update_or_create_student(STUDENT)
        gb.update_or_create_submission(ASSIGNMENT, STUDENT)
        gb.find_grade("test_error", NOTEBOOK, ASSIGNMENT, STUDENT).manual_score = 1.0
        gb.find_grade("test_full", NOTEBOOK, ASSIGNMENT, STUDENT).extra_credit = 0.5
        gb.find_comment("explain", NOTEBOOK, ASSIGNMENT, STUDENT).manual_comment = "Say why."
        gb.db.commit()
    scores = save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, ALL_MACHINE)
    assert scores == (3.5 + 1.5 + 1.0 + 5.0, MAX_CODE_SCORE, True)
    after = rows(db_url)
    assert after["grades"]["test_error"] == (0.0, 1.0, True)
    assert after["grades"]["test_full"] == (3.0, None, False)
    assert after["comments"]["explain"] == ("No response.", "Say why.")
    with Gradebook(db_url, COURSE) as gb:
        assert gb.find_grade("test_full", NOTEBOOK, ASSIGNMENT, STUDENT).extra_credit == 0.5


def test_an_untouched_answer_gets_no_response_and_an_edited_one_no_comment(db_url):
    save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, autograded())
    assert rows(db_url)["comments"] == {"impl_f": ("No response.", None), "explain": ("No response.", None)}
    save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, autograded({"impl_f": EDITED["impl_f"]}))
    assert rows(db_url)["comments"] == {"impl_f": (None, None), "explain": ("No response.", None)}
    assert utils.compute_checksum(autograded().cells[0]) == autograded().cells[0].metadata["nbgrader"]["checksum"]


def test_a_fault_part_way_leaves_the_students_rows_as_they_were_and_the_session_serves_the_next(db_url, monkeypatch):
    untouched_with_an_error = autograded(outputs={"test_full": [ERROR], "test_error": [ERROR]})
    save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, untouched_with_an_error, "2024-03-01 12:30:00")
    before = rows(db_url)
    assert before["grades"]["test_full"] == (0.0, None, False)
    assert before["comments"]["impl_f"] == ("No response.", None)

    real, scored = gradebook.automatic_score, []

    def fails_on_the_second_graded_cell(cell):
        scored.append(grade_id_of(cell))
        if len(scored) == 2:
            raise RuntimeError("a grader fault")
        return real(cell)

    with Gradebook(db_url, COURSE) as gb:
        monkeypatch.setattr(gradebook, "automatic_score", fails_on_the_second_graded_cell)
        with pytest.raises(RuntimeError, match="a grader fault"):
            save_into(gb, ASSIGNMENT, NOTEBOOK, STUDENT, MIXED)
        # the first graded cell (3 points now) and the answer before it (edited now) had been changed in the session
        assert scored == ["test_full", "test_partial"]
        assert rows(db_url) == before
        monkeypatch.setattr(gradebook, "automatic_score", real)
        assert save_into(gb, ASSIGNMENT, NOTEBOOK, "bob", ALL_MACHINE) == (9.5, MAX_CODE_SCORE, False)
        assert rows(db_url) == before  # the next student's commit carried nothing of the failed save
        assert save_into(gb, ASSIGNMENT, NOTEBOOK, STUDENT, MIXED) == (4.5, MAX_CODE_SCORE, True)
    after = rows(db_url)
    assert after["grades"]["test_full"] == (3.0, None, False)
    assert after["comments"]["impl_f"] == (None, None)
    assert after["submission"] == (4.5, MAX_CODE_SCORE, True, datetime.datetime(2024, 3, 1, 12, 30))
    assert rows(db_url, "bob")["submission"][:3] == (9.5, MAX_CODE_SCORE, False)


def test_saving_the_same_notebook_twice_writes_the_same_rows(db_url):
    save_autograded(db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, MIXED)
    first = rows(db_url)
    assert save_autograded(
        db_url, COURSE, ASSIGNMENT, NOTEBOOK, STUDENT, nbformat.from_dict(json.loads(json.dumps(MIXED)))
    ) == (4.5, MAX_CODE_SCORE, True)
    assert rows(db_url) == first


class _Refusing:
    """A gradebook whose lookup fails with `error`."""

    def __init__(self, error: BaseException) -> None:
        self.error, self.rolled_back = error, False
        self.db = self

    def find_submission(self, assignment: str, student: str):
        raise self.error

    def rollback(self) -> None:
        self.rolled_back = True


def test_a_student_missing_from_the_gradebook_is_graded_and_a_database_error_is_never_taken_for_one(tmp_path):
    from sqlalchemy.exc import OperationalError

    from autograder.course.batch import _in_gradebook

    course = SimpleNamespace(assignment="derivatives")
    missing = _Refusing(MissingEntry())
    assert _in_gradebook(course, "ann", missing) is False and missing.rolled_back
    broken = _Refusing(OperationalError("SELECT", {}, Exception("database is locked")))
    with pytest.raises(OperationalError):
        _in_gradebook(course, "ann", broken)
    assert broken.rolled_back
