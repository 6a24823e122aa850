"""`autograder` on the command line: every mistake a person can make is one sentence and a non-zero exit code,
tested in-process."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder.cli import main
from autograder.course.folder import Course, generate_release, record_not_graded
from autograder.course.lock import course_lock

from .conftest import ROOT


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A course with its release generated and no submissions; each test grades a copy of it."""
    root = tmp_path_factory.mktemp("released")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source", root / "source")
    generate_release(Course(root))
    return root


@pytest.fixture
def course(released, tmp_path):
    shutil.copytree(released, tmp_path / "course")
    return tmp_path / "course"


def _said(capsys, argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err.strip()


@pytest.mark.slow
def test_a_folder_that_is_not_a_course_is_named(tmp_path, capsys):
    for verb in ("grade", "release", "sync-master"):
        assert _said(capsys, [verb, "--course", str(tmp_path)]) == (
            2,
            f"autograder {verb}: {tmp_path} is not an nbgrader course: it has no nbgrader_config.py (pass the "
            f"course folder with --course)",
        )


@pytest.mark.slow
def test_grading_before_the_release_says_to_release_first(tmp_path, capsys):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "source", tmp_path / "source")
    assert _said(capsys, ["grade", "--course", str(tmp_path), "--no-progress"]) == (
        2,
        f"autograder grade: 'derivatives' has no release in {tmp_path} (the gradebook does not have it); "
        f"run `autograder release --course {tmp_path}` first, so the gradebook knows the assignment's cells and "
        f"points",
    )


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_below_one_is_refused(course, capsys, jobs):
    assert _said(capsys, ["grade", "--course", str(course), "--jobs", jobs, "--no-progress"]) == (
        2,
        f"autograder grade: --jobs must be a whole number of sandboxes, at least 1 (got {jobs})",
    )


@pytest.mark.slow
def test_submitted_that_is_a_file_is_named(course, capsys):
    (course / "submitted").write_text("not a folder")
    assert _said(capsys, ["grade", "--course", str(course), "--no-progress"]) == (
        2,
        f"autograder grade: {course / 'submitted'} is a file, not the folder of submissions "
        f"(submitted/<student>/<assignment>/)",
    )


@pytest.mark.slow
def test_a_second_grade_on_the_same_course_refuses_while_the_first_runs(course, capsys):
    with course_lock(course):
        code, said = _said(capsys, ["grade", "--course", str(course), "--no-progress"])
    assert code == 75
    assert said.startswith("autograder grade: another `autograder grade` (process ")
    assert said.endswith(f"is grading {course} now; wait for it to finish, or stop it, and run this again")
    assert main(["grade", "--course", str(course), "--no-progress"]) == 0  # the lock went with the first run


@pytest.mark.slow
def test_a_release_that_adds_cells_after_submissions_says_what_nbgrader_refuses(course, capsys):
    record_not_graded(Course(course), "ada", grader_fault=False)  # the gradebook now holds a submission
    master = course / "source" / "derivatives" / "derivatives.ipynb"
    notebook = nbformat.read(master, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_markdown_cell(
            "Explain.",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "solution": True,
                    "locked": False,
                    "grade_id": "derivation_extra",
                    "points": 1,
                    "schema_version": 3,
                }
            },
        )
    )
    nbformat.write(notebook, master)
    assert _said(capsys, ["release", "--course", str(course)]) == (
        1,
        "autograder release: nbgrader will not add or remove cells of 'derivatives' once the gradebook holds "
        "submissions of it "
        "(they answered the cells as released); edit the content of the master's cells but keep the same cells, "
        "or release the change as a new assignment",
    )


@pytest.mark.slow
def test_grades_csv_from_nbgrader_is_made_safe_for_a_spreadsheet(course):
    import csv

    from autograder.course.folder import export_grades

    record_not_graded(Course(course), "=HYPERLINK(1)", grader_fault=False)
    with export_grades(Course(course), course / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student_id"] for row in rows] == ["'=HYPERLINK(1)"]
    assert rows[0]["raw_score"] == "0.0"
