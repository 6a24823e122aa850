"""Trusted grading inside `nbgrader autograde`, through its configurable preprocessor lists.

`nbgrader_config.py` puts `RestoreFromMaster` in `Autograde.sanitize_preprocessors` (in place of
DeduplicateIds, OverwriteKernelspec and OverwriteCells) and `TrustedExecute` in
`Autograde.autograde_preprocessors` (in place of Execute), and `SaveGradesFlaggingFormulas` in place
of SaveAutoGrades. The rest of nbgrader's pipeline, its
gradebook, formgrader, generate_feedback and export, works on the result unchanged.

This module is what a course's `nbgrader_config.py` imports, and all it imports; `CleanMarkdown2HTML` and
`clean_html` (student markup made inert in nbconvert's HTML) come from `autograder.feedback.sanitize`.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Float, Integer

from autograder.course.from_nbgrader import homework_of, load_master
from autograder.feedback.sanitize import CleanMarkdown2HTML, clean_html
from autograder.judging.restore import rebuild
from autograder.nbgrader_cells import nbgrader_of
from autograder.sandbox.limits import Limits

__all__ = [
    "CleanMarkdown2HTML",
    "FormulaAnswerStubs",
    "RestoreFromMaster",
    "SaveGradesFlaggingFormulas",
    "TrustedExecute",
    "clean_html",
    "course_limits",
    "record_unreadable",
]


def record_unreadable(assignment: str, student: str, notebooks: list[str]) -> None:
    """`Autograde.pre_convert_hook`: a notebook nbgrader cannot read still gets its row.

    Runs before nbgrader reads a student's notebooks. An unreadable, oversized or linked one gets 0 points in
    the gradebook (what a person entered stays) and its reason in logs/ungradable.log and the outcome ledger;
    nbgrader then fails on it (RestoreFromMaster refuses it), lists it at the end and goes on with the next student.
    """
    from autograder.course.folder import NOTEBOOK, Course, record_not_graded
    from autograder.course.intake import unreadable
    from autograder.course.nbgrader_path import UNGRADABLE
    from autograder.course.outcomes import remember
    from autograder.feedback.instructor_text import plain

    for path in map(Path, notebooks):  # <root>/submitted/<student>/<assignment>/<notebook>.ipynb
        if path.name != NOTEBOOK:
            continue  # nbgrader drops notebooks the assignment does not have (a Copy1) after this hook
        problem = unreadable(path)
        if problem:
            course = Course(path.parents[3], assignment=path.parent.name)
            record_not_graded(course, path.parents[1].name, grader_fault=False)
            remember(course, path.parents[1].name, UNGRADABLE, problem)
            log = path.parents[3] / "logs" / "ungradable.log"
            log.parent.mkdir(exist_ok=True)
            with log.open("a", encoding="utf-8", errors="replace") as handle:
                handle.write(f"{plain(path.parents[1].name)}: {problem}\n")


class SubmissionRefused(Exception):
    """A submitted file nbgrader must not grade (a link, say); `record_unreadable` has already given it its row."""


def _context(preprocessor, resources) -> tuple:
    info = resources["nbgrader"]
    coursedir = CourseDirectory(config=preprocessor.config)
    return coursedir, info["db_url"], info["assignment"], info["notebook"]


class RestoreFromMaster(NbGraderPreprocessor):
    """Rebuild the submission against the master: tests, points, locked cells and kernel are the master's."""

    def preprocess(self, nb, resources):
        from autograder.course.intake import unreadable

        coursedir, db_url, assignment, notebook = _context(self, resources)
        problem = unreadable(Path(resources["metadata"]["path"]) / f"{notebook}.ipynb")
        if problem:  # a link to the master would otherwise be graded as the master
            raise SubmissionRefused(problem)
        master, checksums = load_master(coursedir, db_url, assignment, notebook)
        return rebuild(nb, master, checksums), resources


class TrustedExecute(NbGraderPreprocessor):
    """Run the student's cells in a sandbox and write the hidden tests' verdicts from this process.
    Its settings are the course's limits for every grading path (`course_limits`)."""

    call_seconds = Float(Limits.call_seconds, help="Wall-clock limit for one call of a student's function.").tag(
        config=True
    )
    cell_seconds = Float(Limits.cell_seconds, help="Wall-clock limit for one notebook cell.").tag(config=True)
    submission_seconds = Float(
        Limits.submission_seconds, help="Wall-clock limit for one sandbox run of a whole submission."
    ).tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU seconds a sandbox's processes may use.").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="Memory the student's code may add to the warm interpreter.").tag(
        config=True
    )
    processes = Integer(Limits.processes, help="Processes a sandbox may hold at once.").tag(config=True)
    output_bytes = Integer(Limits.output_bytes, help="Text the student's cells may print, all cells together.").tag(
        config=True
    )
    images = Integer(Limits.images, help="Figures kept from the student's plots (0: none are rendered).").tag(
        config=True
    )
    file_mb = Integer(Limits.file_mb, help="Largest file the student's code may write.").tag(config=True)
    tmp_mb = Integer(Limits.tmp_mb, help="Size of the sandbox's private /tmp.").tag(config=True)
    formula_seconds = Float(
        Limits.formula_seconds,
        help="CPU time limit for checking one formula answer; past it, the answer goes to manual grading.",
    ).tag(config=True)

    @property
    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.__dataclass_fields__})

    def preprocess(self, nb, resources):
        from autograder.judging.trusted import grade_notebook
        from autograder.sandbox import warm_sandbox

        coursedir, db_url, assignment, notebook = _context(self, resources)
        master, checksums = load_master(coursedir, db_url, assignment, notebook)
        homework = homework_of(coursedir, assignment)
        sandbox = warm_sandbox(self.limits)
        try:
            graded = grade_notebook(nb, master, sandbox, checksums, homework=homework)
        except Exception:  # ours: logged, then once more in a fresh sandbox; a second one is nbgrader's failure
            self.log.exception("grader fault on this submission; grading it once more in a fresh sandbox")
            sandbox.close()
            graded = grade_notebook(nb, master, sandbox, checksums, homework=homework)
        self.log.info(
            "Graded in a sandbox (isolation: %s) in %.2f s%s",
            graded.isolation,
            graded.seconds,
            f"; stopped: {graded.fault}" if graded.fault else "",
        )
        return graded.notebook, resources


def course_limits(config) -> Limits:
    """The limits a course's nbgrader_config.py sets (`c.TrustedExecute.*`), for every grading path."""
    return TrustedExecute(config=config).limits


class SaveGradesFlaggingFormulas(SaveAutoGrades):
    """nbgrader's SaveAutoGrades; a formula answer the checker could not read gets no automatic score,
    so it needs manual grading in formgrader instead of counting as 0."""

    def _add_score(self, cell, resources) -> None:
        super()._add_score(cell, resources)
        from autograder.course.gradebook import flagged_for_manual_grading

        if flagged_for_manual_grading(cell):
            grade = self.gradebook.find_grade(
                cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id
            )
            grade.auto_score, grade.needs_manual_grade = None, True
            self.gradebook.db.commit()


class FormulaAnswerStubs(NbGraderPreprocessor):
    """In the release, a formula answer cell reads `answer_f_prime = r""` where ClearSolutions put
    `raise NotImplementedError()`: an empty answer lets the rest of the notebook run."""

    def preprocess_cell(self, cell, resources, index):
        from nbgrader.preprocessors import ClearSolutions

        answers = homework_of(CourseDirectory(config=self.config), resources["nbgrader"]["assignment"]).formulas_by_name
        answer = answers.get(nbgrader_of(cell).get("grade_id"))
        if answer is not None and cell.cell_type == "code":
            cell.source = cell.source.replace(ClearSolutions(config=self.config).code_stub["python"], answer.stub)
        return cell, resources
