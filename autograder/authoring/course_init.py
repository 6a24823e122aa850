"""`autograder init DIR`: a course folder of the instructor's own, outside this repository.

It holds the repository's `nbgrader_config.py` (trusted grading, sanitized HTML; it imports only the installed
`autograder` package) and a copy of `source/` (the master notebook and the students' requirements.txt). From there,
`autograder release`, `autograder grade`, nbgrader's own commands and formgrader work as in the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.course.folder import ASSIGNMENT, NOTEBOOK
from autograder.errors import FolderNotEmpty, NoTemplate

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = "nbgrader_config.py"
NOT_EMPTY = "{folder} exists and is not an empty folder; autograder init makes a course only in a new or empty folder"
NO_TEMPLATE = (
    "{template} has no {config} and source/{assignment}/{notebook} to copy; install the autograder from a clone "
    "of its repository (pip install -e .)"
)


def init_course(folder: Path, *, template: Path = REPO_ROOT) -> list[Path]:
    """Make `folder` a course: write nbgrader_config.py and copy source/ from `template`. Returns what it wrote."""
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FolderNotEmpty(NOT_EMPTY.format(folder=folder))
    if not ((template / CONFIG).is_file() and (template / "source" / ASSIGNMENT / NOTEBOOK).is_file()):
        raise NoTemplate(NO_TEMPLATE.format(template=template, config=CONFIG, assignment=ASSIGNMENT, notebook=NOTEBOOK))
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(template / CONFIG, folder / CONFIG)
    shutil.copytree(
        template / "source", folder / "source", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    )
    return [folder / CONFIG, *sorted(p for p in (folder / "source").rglob("*") if p.is_file())]
