"""`autograder init DIR`: a course of the instructor's own, outside the repository, released and graded from there
with the commands the README gives (as a person would: in a subprocess, from the course folder)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.authoring.course_init import init_course
from autograder.authoring.synthetic import fill_release, solutions_of, write_submission
from autograder.cli import main
from autograder.errors import FolderNotEmpty, NoTemplate

from .conftest import ROOT, autograded_total

AUTOGRADER = Path(sys.executable).with_name("autograder")


def _run(argv: list[str], cwd: Path) -> str:
    """A command as the instructor types it: the installed console script, nothing of this repository on the path."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [str(AUTOGRADER), *argv], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_init_writes_the_config_and_the_master_and_nothing_else(tmp_path):
    written = init_course(tmp_path / "course")
    master_files = [
        p
        for p in (ROOT / "source").rglob("*")
        if p.is_file() and not {"__pycache__", ".ipynb_checkpoints"} & set(p.parts)
    ]
    assert {"derivatives.ipynb", "requirements.txt"} <= {p.name for p in master_files}
    assert sorted(p.relative_to(tmp_path / "course").as_posix() for p in written) == sorted(
        ["nbgrader_config.py", *(p.relative_to(ROOT).as_posix() for p in master_files)]
    )
    assert (tmp_path / "course" / "nbgrader_config.py").read_text() == (ROOT / "nbgrader_config.py").read_text()
    assert (tmp_path / "course" / "source" / "derivatives" / "derivatives.ipynb").read_bytes() == (
        ROOT / "source" / "derivatives" / "derivatives.ipynb"
    ).read_bytes()


def test_init_refuses_a_folder_that_holds_anything_in_one_sentence(tmp_path, capsys):
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "notes.txt").write_text("mine")
    with pytest.raises(FolderNotEmpty):
        init_course(tmp_path / "course")
    assert main(["init", str(tmp_path / "course")]) == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith("autograder init: ") and "is not an empty folder" in said and "\n" not in said
    assert "Traceback" not in said
    assert [p.name for p in (tmp_path / "course").iterdir()] == ["notes.txt"]


def test_init_without_a_repository_to_copy_says_how_to_install(tmp_path):
    with pytest.raises(NoTemplate, match="pip install -e"):
        init_course(tmp_path / "course", template=tmp_path / "not-a-clone")


@pytest.mark.slow
def test_a_course_made_by_init_outside_the_repository_releases_and_grades(tmp_path, master):
    course = tmp_path / "my-course"
    _run(["init", str(course)], cwd=tmp_path)
    _run(["release"], cwd=course)
    release = nbformat.read(course / "release" / "derivatives" / "derivatives.ipynb", as_version=4)
    write_submission(
        course / "submitted" / "alice" / "derivatives" / "derivatives.ipynb",
        fill_release(release, solutions_of(master)),
    )
    write_submission(course / "submitted" / "bob" / "derivatives" / "derivatives.ipynb", release)
    said = _run(["grade", "--no-progress", "--jobs", "1"], cwd=course)
    assert "alice" in said and "bob" in said
    with open(course / "grades.csv", newline="") as handle:
        scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
    assert scores == {"alice": pytest.approx(autograded_total()), "bob": 0.0}
    assert (course / "autograded" / "alice" / "derivatives" / "derivatives.ipynb").is_file()
    assert (course / "autograder-feedback" / "alice" / "derivatives" / "derivatives-autograder.html").is_file()
