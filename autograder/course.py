"""The course directory as nbgrader sees it, and the operations on it: release, grade, export.

nbgrader stays the reference: its own API generates the release and autogrades each
submission, its gradebook holds the scores and its CSV plugin writes grades.csv. This module
adds what nbgrader lacks: a reason per student, and a row even for a submission it cannot read.
"""
from __future__ import annotations

import logging
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import CsvExportPlugin
from sqlalchemy.exc import SAWarning
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .exercises import EXERCISES

ASSIGNMENT = "derivatives"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


@dataclass(frozen=True)
class Course:
    root: Path
    assignment: str = ASSIGNMENT

    @property
    def config(self) -> Config:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root.resolve())
        return config

    @property
    def coursedir(self) -> CourseDirectory:
        return CourseDirectory(config=self.config)

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url

    def api(self) -> NbGraderAPI:
        _tools_on_path()
        api = NbGraderAPI(coursedir=self.coursedir, config=self.config)
        api.log.setLevel(logging.ERROR)
        return api

    def folder(self, step: str, student: str = ".") -> Path:
        return Path(self.coursedir.format_path(step, student, self.assignment))

    def submitted_students(self) -> list[str]:
        submitted = Path(self.coursedir.root) / self.coursedir.submitted_directory
        return sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []

    def master_grade_ids(self) -> set[str]:
        import nbformat

        master = nbformat.read(self.folder("source") / NOTEBOOK, as_version=4)
        return {c.metadata["nbgrader"]["grade_id"] for c in master.cells if "nbgrader" in c.metadata}


def _tools_on_path() -> None:
    """nbgrader runs `alembic` as a command: make this interpreter's scripts findable."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


class NbgraderFailed(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own log and traceback."""


def generate_release(course: Course) -> Path:
    result = course.api().generate_assignment(course.assignment, force=True, create=True)
    if not result["success"]:
        raise NbgraderFailed(result.get("log", "") + result.get("error", ""))
    return course.folder("release") / NOTEBOOK


def record_zero(course: Course, student: str) -> None:
    """Give `student` a submission worth 0 on every cell, as nbgrader does for a missing notebook."""
    with Gradebook(course.db_url, course.coursedir.course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission autoflushes early; harmless
        gb.update_or_create_student(student)
        try:
            submission = gb.find_submission(course.assignment, student)
        except MissingEntry:
            submission = gb.add_submission(course.assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.manual_score, grade.needs_manual_grade = 0, None, False
        gb.db.commit()


def export_grades(course: Course, destination: Path) -> Path:
    """nbgrader's own grades.csv (what `nbgrader export` writes)."""
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        CsvExportPlugin(to=str(destination), config=course.config).export(gb)
    return destination


def function_names() -> set[str]:
    return {exercise.name for exercise in EXERCISES}
