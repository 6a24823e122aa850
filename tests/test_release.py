"""The student version: what nbgrader makes of the master, and what it must never contain."""
from __future__ import annotations

import copy
import json
import shutil

import pytest

from autograder.course import Course, generate_release
from autograder.master import sync_master
from autograder.synthetic import solutions_of

from .conftest import MASTER, RELEASE, ROOT

FORBIDDEN_IN_RELEASE = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "grade_in_notebook", "import autograder", "from autograder")


def test_the_release_has_no_solution_or_hidden_test_markers():
    text = RELEASE.read_text()
    assert [marker for marker in FORBIDDEN_IN_RELEASE if marker in text] == []


def test_no_line_of_any_solution_reaches_the_release(master, release):
    release_lines = {line.strip() for cell in release.cells for line in cell.source.split("\n")}
    leaked = [
        line.strip()
        for source in solutions_of(master).values()
        for line in source.split("\n")
        if len(line.strip()) > 12 and not line.strip().startswith(("def ", '"""')) and line.strip() in release_lines
    ]
    assert leaked == []


def test_the_master_is_in_step_with_the_exercise_registry(master):
    assert sync_master(copy.deepcopy(master)) == []


def test_every_exercise_has_a_hidden_cell_worth_its_points_in_the_release(release):
    from autograder.exercises import EXERCISES

    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points") for c in release.cells if "nbgrader" in c.metadata}
    assert {e.grade_id: e.points for e in EXERCISES}.items() <= points.items()


@pytest.mark.slow
def test_the_committed_release_is_what_nbgrader_generates_from_the_committed_master(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "source" / "derivatives").mkdir(parents=True)
    shutil.copy(MASTER, tmp_path / "source" / "derivatives")
    generated = generate_release(Course(tmp_path))
    assert json.loads(generated.read_text()) == json.loads(RELEASE.read_text()), (
        "release/ is stale: run `autograder release` and commit release/derivatives/derivatives.ipynb"
    )
