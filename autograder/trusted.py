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
from functools import cache

import nbformat
from nbformat import NotebookNode

from . import messages as msg
from .by_hand import ByHand, by_hand_finding
from .definitions import MAX_CODE_CHARS, NOT_REBUILT, Missing, NeverRan, NotRebuilt, Rebuilt, read_definitions
from .exercises import EXERCISES, EXERCISES_BY_NAME, Exercise
from .diagnosis import cause_of, failed_cells
from .feedback import MIME, formula_record, record
from .formulas.answers import FORMULAS
from .formulas.cells import NOTATION_ID
from .formulas.check import FormulaVerdict, manual
from .formulas.reading import answer_string
from .formulas.worker import FormulaChecker, formula_checker
from .observe import Observation, TensorData
from .render import feedback_text
from .restore import nbgrader_of, rebuild
from .sandbox import FunctionJob, Sandbox, SandboxRun
from .sandbox.protocol import COMPLEX_NUMBERS, encode_tensor
from .scoring import ExerciseResult, score

HIDDEN_MARKER = "BEGIN HIDDEN TESTS"
NOT_RUN = "the notebook stopped before this point"
ANSWER_CELL_TOO_LONG = "The cell of {name} holds {size:,} characters, more than the {limit:,} the grader reads, so it was not read."
PARSED_HERE = {NOTATION_ID} | {answer.echo_id for answer in FORMULAS}
"""the cell defining the public formula check, and the checks: not run when grading (the parent reads formulas)"""


@dataclass(frozen=True)
class GradedNotebook:
    notebook: NotebookNode
    results: tuple[ExerciseResult, ...]
    fault: str | None
    isolation: str
    seconds: float
    formulas: tuple[FormulaVerdict, ...] = ()


def hidden_test_cells(notebook: NotebookNode, entries=EXERCISES) -> dict[str, int]:
    """Exercise (or formula answer) name → index of its hidden-test cell, found by the registry's grade ids."""
    ids = {entry.grade_id: entry.name for entry in entries}
    return {ids[nbgrader_of(c)["grade_id"]]: i for i, c in enumerate(notebook.cells) if nbgrader_of(c).get("grade_id") in ids}


def student_program(notebook: NotebookNode) -> list[tuple[int, str]]:
    """The code cells a student's kernel would run: everything but the hidden tests and the public
    formula checks (formulas are read here, from the cells' source; the checks only import sympy)."""
    return [
        (index, cell.source)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not (nbgrader_of(cell).get("grade") and HIDDEN_MARKER in cell.source)
        and nbgrader_of(cell).get("grade_id") not in PARSED_HERE
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


def formula_verdicts(notebook: NotebookNode, names: Container[str], checker: FormulaChecker) -> dict[str, FormulaVerdict]:
    """Each named formula answer, read statically from the notebook and checked."""
    verdicts = {}
    for answer in (a for a in FORMULAS if a.name in names):
        text, problem = answer_text(notebook, answer.name)
        verdicts[answer.name] = checker.check(answer, text) if text is not None else manual(answer, "", problem)
    return verdicts


def verdict_outputs(text: str, details: dict, points: float) -> list[NotebookNode]:
    """A hidden-test cell's outputs: the sentences, the feedback record, and the points for nbgrader."""
    return [
        nbformat.v4.new_output("stream", name="stdout", text=text + "\n"),
        nbformat.v4.new_output("display_data", data={MIME: details, "text/plain": ""}),
        nbformat.v4.new_output("execute_result", data={"text/plain": repr(points)}, execution_count=None),
    ]


@cache
def encoded_cases(name: str) -> tuple[tuple[dict, ...], ...]:
    """The exercise's inputs as plain data, the plot grid last: what a function's process is called on."""
    exercise = EXERCISES_BY_NAME[name]
    return tuple(tuple(encode_tensor(TensorData.of(arg)) for arg in case.args) for case in exercise.cases + (exercise.plot_case,))


def function_jobs(rebuilt: dict) -> list[FunctionJob]:
    return [FunctionJob(name, tuple((s.cell, s.line, s.source) for s in found.statements), encoded_cases(name))
            for name, found in rebuilt.items() if isinstance(found, Rebuilt)]


def _judge(exercise: Exercise, run: SandboxRun, found: Rebuilt | NotRebuilt | Missing | NeverRan, finding: ByHand | None,
           names: tuple[str, ...]) -> ExerciseResult:
    if isinstance(found, NotRebuilt):
        return ExerciseResult(exercise, (), manual=NOT_REBUILT.format(signature=exercise.signature, reason=found.reason))
    absent = (Observation("missing") if isinstance(found, Missing) else
              Observation("stopped", error=found.reason) if isinstance(found, NeverRan) else Observation("stopped", error=run.fault or NOT_RUN))
    seen = tuple(run.observation(exercise.name, i) or absent for i in range(len(exercise.cases)))
    result = score(exercise, seen, names)
    called = run.functions[exercise.name].autograd if exercise.by_hand and exercise.name in run.functions else ""
    if finding and finding.machine:
        return ExerciseResult(exercise, result.cases, violation=msg.BY_MACHINE.format(
            signature=exercise.signature, kind=finding.machine, evidence=finding.where))
    if called:  # what its process reports can only add evidence: it never clears a function
        kind, evidence = (("complex-step differentiation", msg.COMPLEX_WHEN_GRADED) if COMPLEX_NUMBERS in called else
                          ("autograd", msg.CALLED_WHEN_GRADED.format(entry_points=called)))
        return ExerciseResult(exercise, result.cases, violation=msg.BY_MACHINE.format(signature=exercise.signature, kind=kind, evidence=evidence))
    if finding:
        return ExerciseResult(exercise, result.cases, manual=msg.NOT_VERIFIABLE.format(signature=exercise.signature, where=finding.where))
    return result


def grade_notebook(submission: NotebookNode, master: NotebookNode, sandbox: Sandbox, checksums: dict[str, str] | None = None,
                   checker: FormulaChecker | None = None) -> GradedNotebook:
    notebook = rebuild(submission, master, checksums)
    hidden = hidden_test_cells(notebook)
    program = student_program(notebook)
    exercises = [e for e in EXERCISES if e.name in hidden]
    rebuilt, names = read_definitions(program, [e.name for e in exercises])
    findings = {e.name: by_hand_finding(found.statements) for e in exercises if e.by_hand and isinstance(found := rebuilt[e.name], Rebuilt)}
    run = sandbox.run(program, function_jobs(rebuilt))
    for index, outputs in run.outputs.items():
        notebook.cells[index].outputs = [nbformat.from_dict(output) for output in outputs]
    results = tuple(_judge(exercise, run, rebuilt[exercise.name], findings.get(exercise.name), names) for exercise in exercises)
    stopped = failed_cells(notebook.cells, run.outputs)  # the cause first: a cell that stopped before defining what failed
    for result in results:
        cell = notebook.cells[hidden[result.exercise.name]]
        name, count = result.exercise.name, len(result.exercise.cases)
        traces = {i: seen.student_trace for i in range(count) if (seen := run.observation(name, i)) and seen.student_trace}
        cause = cause_of(result, stopped, absent=not isinstance(rebuilt[result.exercise.name], Rebuilt))
        details = record(result, run.observation(name, count), traces, cause)
        cell.outputs = verdict_outputs(feedback_text(result, cause), details, result.points)
    formula_cells = hidden_test_cells(notebook, FORMULAS)
    formulas = formula_verdicts(notebook, formula_cells, checker or formula_checker(sandbox.limits.formula_seconds))
    for name, verdict in formulas.items():
        notebook.cells[formula_cells[name]].outputs = verdict_outputs(verdict.message, formula_record(verdict), verdict.points)
    return GradedNotebook(notebook, results, run.fault, run.level, run.seconds, tuple(formulas.values()))
