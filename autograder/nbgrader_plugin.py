"""Trusted grading inside `nbgrader autograde`, through its configurable preprocessor lists.

`nbgrader_config.py` puts `RestoreFromMaster` in `Autograde.sanitize_preprocessors` (in place of
DeduplicateIds, OverwriteKernelspec and OverwriteCells) and `TrustedExecute` in
`Autograde.autograde_preprocessors` (in place of Execute), and `SaveGradesFlaggingFormulas` in place
of SaveAutoGrades. The rest of nbgrader's pipeline, its
gradebook, formgrader, generate_feedback and export, works on the result unchanged.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Float, Integer

from .restore import nbgrader_of, rebuild


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


def record_unreadable(assignment: str, student: str, notebooks: list[str]) -> None:
    """`Autograde.pre_convert_hook`: a notebook nbgrader cannot read still gets its row.

    Runs before nbgrader reads a student's notebooks. An unreadable or oversized one gets 0 points in
    the gradebook and its reason in logs/ungradable.log; nbgrader then fails on it, as it would anyway,
    lists it at the end and goes on with the next student.
    """
    from .course import Course, record_zero
    from .intake import unreadable

    for path in map(Path, notebooks):  # <root>/submitted/<student>/<assignment>/<notebook>.ipynb
        problem = unreadable(path)
        if problem:
            course = Course(path.parents[3], assignment=path.parent.name)
            record_zero(course, path.parents[1].name)
            log = path.parents[3] / "logs" / "ungradable.log"
            log.parent.mkdir(exist_ok=True)
            with log.open("a") as handle:
                handle.write(f"{path.parents[1].name}: {problem}\n")


def _context(preprocessor, resources) -> tuple:
    info = resources["nbgrader"]
    coursedir = CourseDirectory(config=preprocessor.config)
    return coursedir, info["db_url"], info["assignment"], info["notebook"]


class RestoreFromMaster(NbGraderPreprocessor):
    """Rebuild the submission against the master: tests, points, locked cells and kernel are the master's."""

    def preprocess(self, nb, resources):
        coursedir, db_url, assignment, notebook = _context(self, resources)
        master, checksums = load_master(coursedir, db_url, assignment, notebook)
        return rebuild(nb, master, checksums), resources


class TrustedExecute(NbGraderPreprocessor):
    """Run the student's cells in a sandbox and write the hidden tests' verdicts from this process."""

    call_seconds = Float(2.0, help="Wall-clock limit for one call of a student's function.").tag(config=True)
    cell_seconds = Float(30.0, help="Wall-clock limit for one notebook cell.").tag(config=True)
    submission_seconds = Float(90.0, help="Wall-clock limit for one sandbox run of a whole submission.").tag(config=True)
    memory_mb = Integer(1024, help="Memory the student's code may add to the warm interpreter.").tag(config=True)
    processes = Integer(16, help="Processes a sandbox may hold at once.").tag(config=True)
    formula_seconds = Float(10.0, help="Time limit for checking one formula answer; past it, the answer goes to manual grading.").tag(config=True)

    def preprocess(self, nb, resources):
        from .sandbox import Limits, warm_sandbox
        from .trusted import grade_notebook

        coursedir, db_url, assignment, notebook = _context(self, resources)
        master, checksums = load_master(coursedir, db_url, assignment, notebook)
        limits = Limits(call_seconds=self.call_seconds, cell_seconds=self.cell_seconds, submission_seconds=self.submission_seconds,
                        memory_mb=self.memory_mb, processes=self.processes)
        from .formulas.worker import formula_checker

        graded = grade_notebook(nb, master, warm_sandbox(limits), checksums,
                                formula_checker(self.formula_seconds))
        self.log.info("Graded in a sandbox (isolation: %s) in %.2f s%s", graded.isolation, graded.seconds,
                      f"; stopped: {graded.fault}" if graded.fault else "")
        return graded.notebook, resources


class SaveGradesFlaggingFormulas(SaveAutoGrades):
    """nbgrader's SaveAutoGrades; a formula answer the checker could not read gets no automatic score,
    so it needs manual grading in formgrader instead of counting as 0."""

    def _add_score(self, cell, resources) -> None:
        super()._add_score(cell, resources)
        from .gradebook import flagged_for_manual_grading

        if flagged_for_manual_grading(cell):
            grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id)
            grade.auto_score, grade.needs_manual_grade = None, True
            self.gradebook.db.commit()


class FormulaAnswerStubs(NbGraderPreprocessor):
    """In the release, a formula answer cell reads `answer_f_prime = r""` where ClearSolutions put
    `raise NotImplementedError()`: an empty answer lets the rest of the notebook run."""

    def preprocess_cell(self, cell, resources, index):
        from nbgrader.preprocessors import ClearSolutions

        from .formulas.answers import FORMULAS_BY_NAME

        answer = FORMULAS_BY_NAME.get(nbgrader_of(cell).get("grade_id"))
        if answer is not None and cell.cell_type == "code":
            cell.source = cell.source.replace(ClearSolutions(config=self.config).code_stub["python"], answer.stub)
        return cell, resources
