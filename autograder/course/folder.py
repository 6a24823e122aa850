"""The course directory as nbgrader sees it, and the operations on it: release, grade, export.

nbgrader stays the reference: its own API generates the release and autogrades each
submission, its gradebook holds the scores and its CSV plugin writes grades.csv. This module
adds what nbgrader lacks: a reason per student, and a row even for a submission it cannot read.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import CsvExportPlugin
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.errors import CourseNotFound, NbgraderFailed
from autograder.nbgrader_cells import grade_ids

ASSIGNMENT = "derivatives"
NO_CONFIG = "{root} is not an nbgrader course: it has no nbgrader_config.py (pass the course folder with --course)"
SUBMITTED_NOT_A_FOLDER = "{path} is a file, not the folder of submissions (submitted/<student>/<assignment>/)"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


@dataclass(frozen=True)
class Course:
    root: Path
    assignment: str = ASSIGNMENT

    @property
    def config(self) -> Config:
        if not (self.root / "nbgrader_config.py").is_file():
            raise CourseNotFound(NO_CONFIG.format(root=self.root))
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root.resolve())
        _tools_on_path()  # any gradebook opened for this course may run `alembic`, not only the API's
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
        if submitted.exists() and not submitted.is_dir():
            raise CourseNotFound(SUBMITTED_NOT_A_FOLDER.format(path=submitted))
        return sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []

    @property
    def homework(self):
        """The assignment's exercises and formula answers: `source/<assignment>/exercises.py`, or the package's
        default."""
        from autograder.authoring.homework import homework_in

        return homework_in(self.folder("source"))

    def master_grade_ids(self) -> set[str]:
        import nbformat

        master = nbformat.read(self.folder("source") / NOTEBOOK, as_version=4)
        return grade_ids(master)


def _tools_on_path() -> None:
    """nbgrader runs `alembic` as a command: make this interpreter's scripts findable."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


RELEASE_FAILED = "nbgrader generate_assignment failed for '{assignment}'; its log follows.\n{log}"
RELEASE_AFTER_SUBMISSIONS = (
    "nbgrader will not add or remove cells of '{assignment}' once the gradebook holds submissions of it "
    "(they answered the cells as released); edit the content of the master's cells but keep the same cells, "
    "or release the change as a new assignment"
)


SOLUTIONS_RELEASED = (
    "the release held the solutions of {names} in {files}, which have been deleted: keep exercises.py and any copy "
    "of it out of source/{assignment}/, or list them in c.CourseDirectory.ignore in nbgrader_config.py (as "
    "autograder init writes it), then release again"
)
MIN_SOLUTION_LINE = 16
"""a solution's line this long or longer is its own, never a line a task or a public test would hold too"""


def released_solutions(folder: Path, homework) -> dict[Path, list[str]]:
    """Every released file that holds a line of an entry's solution (exercises.py, a backup of it, a pasted cell):
    the class of leak, not one file name."""
    lines = {
        line.strip(): exercise.name
        for exercise in homework.exercises
        for line in exercise.solution.splitlines()
        if len(line.strip()) >= MIN_SOLUTION_LINE and not line.strip().startswith("#")
    }
    found: dict[Path, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if lines else ():
        text = _readable(path)
        names = sorted({name for line, name in lines.items() if line in text})
        if names or path.name == "exercises.py":
            found[path] = names
    return found


def _readable(path: Path) -> str:
    """A file's text as a person reads it: a notebook's cells unescaped from their JSON (quotes, backslashes)."""
    text = path.read_bytes()[:10_000_000].decode("utf-8", errors="ignore")
    if path.suffix == ".ipynb":
        import nbformat

        try:
            return text + "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        except Exception:  # not a notebook after all: its raw text is what there is
            return text
    return text


def generate_release(course: Course) -> Path:
    import nbformat

    from autograder.judging.trusted import check_in_step

    # a broken exercises.py, or a master out of step with it, is said in one sentence before nbgrader runs
    check_in_step(nbformat.read(course.folder("source") / NOTEBOOK, as_version=4), course.homework)
    result = course.api().generate_assignment(course.assignment, force=True, create=True)
    if not result["success"]:
        log = result.get("log", "") + result.get("error", "")
        if "because there are submissions associated with it" in log:
            raise NbgraderFailed(RELEASE_AFTER_SUBMISSIONS.format(assignment=course.assignment))
        raise NbgraderFailed(RELEASE_FAILED.format(assignment=course.assignment, log=log))
    leaked = released_solutions(course.folder("release"), course.homework)
    if leaked:  # a config without our ignore list, or a copy of exercises.py, would hand the solutions out
        for path in leaked:
            path.unlink()
        names = sorted({name for found in leaked.values() for name in found}) or ["the exercises"]
        raise NbgraderFailed(
            SOLUTIONS_RELEASED.format(
                names=", ".join(names), files=", ".join(str(p) for p in leaked), assignment=course.assignment
            )
        )
    return course.folder("release") / NOTEBOOK


def write_whole(path: Path, text: str) -> None:
    """Written whole or not at all (a sibling `.partial`, then an atomic rename): a file cut short by a full disk or a
    kill must never stand in for a finished one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def submission_timestamp(course: Course, student: str):
    """When the student submitted, from nbgrader's timestamp.txt, or None. `nbgrader submit` writes that file where
    the student can write, so it is read as theirs: never through a link or a FIFO, at most 100 bytes, and anything
    unreadable in it means no timestamp (nbgrader's own reader raises, or blocks, on such a file)."""
    import os

    from nbgrader.utils import parse_utc

    from autograder.course.links import open_own_file

    try:
        descriptor = open_own_file(course.folder("submitted", student) / "timestamp.txt")
        if descriptor is None:
            return None
        with os.fdopen(descriptor, "rb") as handle:
            return parse_utc(handle.read(100).decode("utf-8").strip())
    except Exception:  # a link, a FIFO, garbage, a date out of range: the submission has no usable timestamp
        return None


def record_not_graded(course: Course, student: str, *, grader_fault: bool) -> None:
    """The student's row when the autograder did not score them; what a person entered stays (see gradebook.py)."""
    from autograder.course.gradebook import record_not_graded as write

    write(
        course.db_url,
        course.coursedir.course_id,
        course.assignment,
        student,
        grader_fault=grader_fault,
        timestamp=submission_timestamp(course, student),
    )


def export_grades(course: Course, destination: Path) -> Path:
    """nbgrader's own grades.csv (what `nbgrader export` writes), its text cells made safe for a spreadsheet
    (student ids are folder names, which students choose)."""
    import csv

    from autograder.feedback.instructor_text import csv_row

    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        CsvExportPlugin(to=str(destination), config=course.config).export(gb)
    with destination.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with destination.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows[:1] + [csv_row(row) for row in rows[1:]])
    return destination
