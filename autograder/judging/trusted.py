"""The grade decision, made in a process where no student code ever runs.

rebuild against the master → rebuild each graded function from its source (`definitions.py`) → run
the student's cells in one sandbox for their outputs, and each function in a process of its own where no
cell ran → judge what came back against torch and torch.autograd here → read each formula answer from
its cell's source as data and check it against sympy's derivative → write the hidden-test cells'
outputs ourselves, so nbgrader's SaveAutoGrades reads points that no student code could have touched.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from autograder import messages as msg
from autograder.authoring.exercises import Exercise
from autograder.authoring.homework import DEFAULT, Homework
from autograder.errors import MasterOutOfStep
from autograder.feedback.records import MIME, FeedbackRecord, formula_record, record
from autograder.feedback.text import feedback_text
from autograder.formulas.answers import FormulaAnswer
from autograder.formulas.cells import NOTATION_ID
from autograder.formulas.check import FormulaVerdict, manual
from autograder.formulas.reading import answer_string
from autograder.formulas.worker import FormulaChecker, formula_checker
from autograder.judging.by_hand import ByHand, by_hand_finding
from autograder.judging.definitions import (
    MAX_CODE_CHARS,
    NOT_REBUILT,
    Missing,
    NeverRan,
    NotRebuilt,
    Rebuilt,
    read_definitions,
)
from autograder.judging.diagnosis import cause_of, failed_cells
from autograder.judging.restore import rebuild
from autograder.judging.scoring import ExerciseResult, score
from autograder.nbgrader_cells import nbgrader_of
from autograder.sandbox import FunctionJob, Sandbox, SandboxRun
from autograder.sandbox.observe import Observation
from autograder.sandbox.protocol import COMPLEX_NUMBERS

HIDDEN_MARKER = "BEGIN HIDDEN TESTS"
NOT_RUN = "the notebook stopped before this point"
ANSWER_CELL_TOO_LONG = (
    "The cell of {name} holds {size:,} characters, more than the {limit:,} the grader reads, so it was not read."
)


def parsed_here(homework: Homework) -> set[str]:
    """the cell defining the public formula check, and the checks: not run when grading (the parent reads formulas)"""
    return {NOTATION_ID} | {answer.echo_id for answer in homework.formulas}


@dataclass(frozen=True)
class GradedNotebook:
    notebook: NotebookNode
    results: tuple[ExerciseResult, ...]
    fault: str | None
    isolation: str
    seconds: float
    formulas: tuple[FormulaVerdict, ...] = ()


def hidden_test_cells(notebook: NotebookNode, entries) -> dict[str, int]:
    """Exercise (or formula answer) name → index of its hidden-test cell, found by the registry's grade ids."""
    ids = {entry.grade_id: entry.name for entry in entries}
    return {
        ids[nbgrader_of(c)["grade_id"]]: i
        for i, c in enumerate(notebook.cells)
        if nbgrader_of(c).get("grade_id") in ids
    }


OUT_OF_STEP = (
    "the master and {origin} disagree ({problems}); run `autograder sync-master` and `autograder release` "
    "before grading: a hidden test with no entry would be left unscored, which nbgrader counts as full marks"
)


def is_hidden_test(cell: NotebookNode) -> bool:
    return bool(nbgrader_of(cell).get("grade")) and HIDDEN_MARKER in cell.source


def check_in_step(master: NotebookNode, homework: Homework) -> None:
    """Every hidden test of the master has its entry, and every entry its hidden test."""
    hidden = {nbgrader_of(c).get("grade_id") for c in master.cells if is_hidden_test(c)}
    known = homework.hidden_test_ids
    problems = [f"{grade_id} has no entry" for grade_id in sorted(hidden - known, key=str)]
    problems += [f"{grade_id} is not in the master" for grade_id in sorted(known - hidden)]
    if problems:
        raise MasterOutOfStep(OUT_OF_STEP.format(origin=homework.origin, problems="; ".join(problems)))


def student_program(notebook: NotebookNode, homework: Homework = DEFAULT) -> list[tuple[int, str]]:
    """The code cells a student's kernel would run: everything but the hidden tests and the public
    formula checks (formulas are read here, from the cells' source; the checks only import sympy)."""
    skipped = parsed_here(homework)
    return [
        (index, cell.source)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not is_hidden_test(cell) and nbgrader_of(cell).get("grade_id") not in skipped
    ]


def answer_text(notebook: NotebookNode, name: str) -> tuple[str | None, str]:
    """The answer's string, from the source of its answer cell; if nothing is assigned there (the
    cell lost its nbgrader metadata, say), from the last of the student's plain cells that assigns it."""
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    text, problem = _answer_in(next((c.source for c in cells if nbgrader_of(c).get("grade_id") == name), ""), name)
    if text == "" and not problem:
        for cell in cells:
            if not nbgrader_of(cell).get("grade_id") and name in cell.source:
                found = _answer_in(cell.source, name)
                text, problem = found if found != ("", "") else (text, problem)
    return text, problem


def _answer_in(source: str, name: str) -> tuple[str | None, str]:
    if len(source) > MAX_CODE_CHARS:  # parsing megabytes would hold the process-wide parse lock for many seconds
        return None, ANSWER_CELL_TOO_LONG.format(name=name, size=len(source), limit=MAX_CODE_CHARS)
    return answer_string(source, name)


def formula_verdicts(
    notebook: NotebookNode,
    names: Container[str],
    checker: FormulaChecker,
    answers: tuple[FormulaAnswer, ...] = DEFAULT.formulas,
) -> dict[str, FormulaVerdict]:
    """Each named formula answer, read statically from the notebook and checked."""
    verdicts = {}
    for answer in (a for a in answers if a.name in names):
        text, problem = answer_text(notebook, answer.name)
        verdicts[answer.name] = checker.check(answer, text) if text is not None else manual(answer, "", problem)
    return verdicts


def verdict_outputs(text: str, details: FeedbackRecord, points: float) -> list[NotebookNode]:
    """A hidden-test cell's outputs: the sentences, the feedback record, and the points for nbgrader."""
    return [
        nbformat.from_dict(output)
        for output in (  # built, not validated: their shape is fixed here (a test validates it)
            {"output_type": "stream", "name": "stdout", "text": text + "\n"},
            {"output_type": "display_data", "data": {MIME: details, "text/plain": ""}, "metadata": {}},
            {
                "output_type": "execute_result",
                "data": {"text/plain": repr(points)},
                "metadata": {},
                "execution_count": None,
            },
        )
    ]


def function_jobs(rebuilt: dict, homework: Homework = DEFAULT) -> list[FunctionJob]:
    return [
        FunctionJob(
            name, tuple((s.cell, s.line, s.source) for s in found.statements), homework.by_name[name].encoded_cases
        )
        for name, found in rebuilt.items()
        if isinstance(found, Rebuilt)
    ]


def _judge(
    exercise: Exercise,
    run: SandboxRun,
    found: Rebuilt | NotRebuilt | Missing | NeverRan,
    finding: ByHand | None,
    names: tuple[str, ...],
) -> ExerciseResult:
    if isinstance(found, NotRebuilt):
        return ExerciseResult(
            exercise, (), manual=NOT_REBUILT.format(signature=exercise.signature, reason=found.reason)
        )
    absent = (
        Observation("missing")
        if isinstance(found, Missing)
        else Observation("stopped", error=found.reason)
        if isinstance(found, NeverRan)
        else Observation("stopped", error=run.fault or NOT_RUN)
    )
    seen = tuple(run.observation(exercise.name, i) or absent for i in range(len(exercise.cases)))
    result = score(exercise, seen, names)
    called = run.functions[exercise.name].autograd if exercise.by_hand and exercise.name in run.functions else ""
    if finding and finding.machine:
        return ExerciseResult(
            exercise,
            result.cases,
            violation=msg.BY_MACHINE.format(signature=exercise.signature, kind=finding.machine, evidence=finding.where),
        )
    if called:  # what its process reports can only add evidence: it never clears a function
        kind, evidence = (
            ("complex-step differentiation", msg.COMPLEX_WHEN_GRADED)
            if COMPLEX_NUMBERS in called
            else ("autograd", msg.CALLED_WHEN_GRADED.format(entry_points=called))
        )
        return ExerciseResult(
            exercise,
            result.cases,
            violation=msg.BY_MACHINE.format(signature=exercise.signature, kind=kind, evidence=evidence),
        )
    if finding:
        return ExerciseResult(
            exercise, result.cases, manual=msg.NOT_VERIFIABLE.format(signature=exercise.signature, where=finding.where)
        )
    return result


def grade_notebook(
    submission: NotebookNode,
    master: NotebookNode,
    sandbox: Sandbox,
    checksums: dict[str, str] | None = None,
    checker: FormulaChecker | None = None,
    homework: Homework = DEFAULT,
) -> GradedNotebook:
    """Grade one submission in this process, where no student code runs: rebuild it against the master, rebuild each
    graded function from the notebook's source, run the cells (for the outputs) and each function (for the calls) in
    fresh sandboxes, judge what comes back, check the formula answers in the helper process, and write each hidden
    test's points and feedback record into the rebuilt notebook. Raises `MasterOutOfStep` for a master out of step with
    `homework`; a fault of the sandbox is `GradedNotebook.fault`, never a student's 0."""
    check_in_step(master, homework)  # a fault of the course's, never full marks for an unscored cell
    notebook = rebuild(submission, master, checksums)
    hidden = hidden_test_cells(notebook, homework.exercises)
    program = student_program(notebook, homework)
    exercises = [e for e in homework.exercises if e.name in hidden]
    rebuilt, defined = read_definitions(program, [e.name for e in exercises])
    # "did you rename it?" never offers another exercise
    names = tuple(name for name in defined if name not in homework.by_name)
    findings = {
        e.name: by_hand_finding(found.statements)
        for e in exercises
        if e.by_hand and isinstance(found := rebuilt[e.name], Rebuilt)
    }
    run = sandbox.run(program, function_jobs(rebuilt, homework))
    for index, outputs in run.outputs.items():
        notebook.cells[index].outputs = [nbformat.from_dict(output) for output in outputs]
    results = tuple(
        _judge(exercise, run, rebuilt[exercise.name], findings.get(exercise.name), names) for exercise in exercises
    )
    # the cause first: a cell that stopped before defining what failed
    stopped = failed_cells(notebook.cells, run.outputs)
    for result in results:
        cell = notebook.cells[hidden[result.exercise.name]]
        name, count = result.exercise.name, len(result.exercise.cases)
        traces = {
            i: seen.student_trace for i in range(count) if (seen := run.observation(name, i)) and seen.student_trace
        }
        cause = cause_of(result, stopped, absent=not isinstance(rebuilt[result.exercise.name], Rebuilt))
        details = record(result, run.observation(name, count), traces, cause)
        cell.outputs = verdict_outputs(feedback_text(result, cause), details, result.points)
    formula_cells = hidden_test_cells(notebook, homework.formulas)
    formulas = formula_verdicts(
        notebook, formula_cells, checker or formula_checker(sandbox.limits.formula_seconds), homework.formulas
    )
    for name, verdict in formulas.items():
        notebook.cells[formula_cells[name]].outputs = verdict_outputs(
            verdict.message, formula_record(verdict, homework.formulas_by_name[name]), verdict.points
        )
    return GradedNotebook(notebook, results, run.fault, run.isolation, run.seconds, tuple(formulas.values()))
