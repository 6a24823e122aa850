"""The student version: what nbgrader makes of the master, and what it must never contain."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from autograder.authoring.master import sync_master
from autograder.authoring.synthetic import solutions_of
from autograder.course.folder import Course, generate_release
from autograder.nbgrader_cells import grade_id_of

from .conftest import MASTER, RELEASE, ROOT

FORBIDDEN_IN_RELEASE = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "grade_in_notebook",
    "import autograder",
    "from autograder",
)


def test_the_release_has_no_solution_or_hidden_test_markers():
    text = RELEASE.read_text()
    assert [marker for marker in FORBIDDEN_IN_RELEASE if marker in text] == []


def test_no_line_of_any_solution_reaches_the_release(master, release):
    release_lines = {line.strip() for cell in release.cells for line in cell.source.split("\n")}
    leaked = [
        line.strip()
        for source in solutions_of(master).values()
        for line in source.split("\n")
        if len(line.strip()) > 12
        and not line.strip().startswith(("def ", '"""', "#"))
        and line.strip() in release_lines
    ]
    assert leaked == []


@pytest.mark.slow
def test_the_master_is_in_step_with_the_exercise_registry(master):
    assert sync_master(copy.deepcopy(master)) == []


def test_every_exercise_has_a_hidden_cell_worth_its_points_in_the_release(release):
    from autograder.authoring.exercises import EXERCISES

    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points")
        for c in release.cells
        if "nbgrader" in c.metadata
    }
    assert {e.grade_id: e.points for e in EXERCISES}.items() <= points.items()


def test_every_formula_answer_is_an_empty_string_with_a_public_and_a_hidden_check_in_the_release(release):
    from autograder.formulas.answers import FORMULAS

    cells = {grade_id_of(c): c for c in release.cells if grade_id_of(c)}
    for answer in FORMULAS:
        assert cells[answer.name].source.endswith(f'\n{answer.name} = r""'), cells[answer.name].source
        assert (
            cells[answer.echo_id].metadata["nbgrader"]["points"] == 0
            and "show_formula_reading" in cells[answer.echo_id].source
        )
        assert cells[answer.grade_id].metadata["nbgrader"]["points"] == answer.points


def test_each_formula_answer_follows_its_derivation_which_stays_a_manually_graded_cell(master):
    from autograder.formulas.answers import FORMULAS

    ids = [grade_id_of(c) for c in master.cells]
    for answer in FORMULAS:
        derivation = master.cells[ids.index(answer.derivation)]
        meta = derivation.metadata["nbgrader"]
        assert (derivation.cell_type, meta["grade"], meta["solution"], meta["points"] > 0) == (
            "markdown",
            True,
            True,
            True,
        )
        assert ids[ids.index(answer.derivation) + 1 : ids.index(answer.derivation) + 4] == [
            answer.name,
            answer.echo_id,
            answer.grade_id,
        ]


@pytest.mark.slow
def test_the_committed_release_is_what_nbgrader_generates_from_the_committed_master(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "source" / "derivatives").mkdir(parents=True)
    shutil.copy(MASTER, tmp_path / "source" / "derivatives")
    shutil.copy(MASTER.with_name("requirements.txt"), tmp_path / "source" / "derivatives")
    shutil.copytree(
        MASTER.with_name("formula_reader"),
        tmp_path / "source" / "derivatives" / "formula_reader",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    generated = generate_release(Course(tmp_path))
    assert (generated.parent / "requirements.txt").read_text() == (RELEASE.parent / "requirements.txt").read_text()
    for module in (generated.parent / "formula_reader").glob("*.py"):  # nbgrader ships the reader with the notebook
        assert module.read_text() == (RELEASE.parent / "formula_reader" / module.name).read_text()
    assert json.loads(generated.read_text()) == json.loads(RELEASE.read_text()), (
        "release/ is stale: run `autograder release` and commit release/derivatives/derivatives.ipynb"
    )
