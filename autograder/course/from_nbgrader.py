"""What grading takes from nbgrader's side of a course: the master as the gradebook holds it, and the homework
beside it. The nbgrader plugin and the batch both start from these."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from autograder.nbgrader_cells import nbgrader_of


def homework_of(coursedir: CourseDirectory, assignment: str):
    """The assignment's entries, from the exercises.py beside its master (or the package's default)."""
    from autograder.authoring.homework import homework_in

    return homework_in(Path(coursedir.format_path(coursedir.source_directory, ".", assignment)))


def load_master(coursedir: CourseDirectory, db_url: str, assignment: str, notebook: str):
    """The source notebook, with points, locked sources and answer checksums as the gradebook has them."""
    path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"
    master = nbformat.read(path, as_version=4)
    checksums = {}
    with Gradebook(db_url, coursedir.course_id) as gb:
        stored = gb.find_notebook(notebook, assignment)
        points = {cell.name: cell.max_score for cell in stored.grade_cells}
        sources = {cell.name: cell for cell in stored.source_cells}
        for cell in master.cells:
            meta = nbgrader_of(cell)
            grade_id = meta.get("grade_id")
            if grade_id in points:
                meta["points"] = points[grade_id]
            if grade_id in sources and meta.get("locked") and not meta.get("solution"):
                cell.source = sources[grade_id].source
            if grade_id in sources and meta.get("solution") and sources[grade_id].checksum:
                checksums[grade_id] = sources[grade_id].checksum
    return master, checksums
