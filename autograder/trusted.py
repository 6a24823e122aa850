"""The grade decision, made in a process where no student code ever runs.

rebuild against the master → run the student's cells in a sandbox → judge what came back
against torch and torch.autograd here → write the hidden-test cells' outputs ourselves, so
nbgrader's SaveAutoGrades reads points that no student code could have touched.
"""
from __future__ import annotations

from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from . import messages as msg
from .autograd_policy import autograd_evidence
from .exercises import EXERCISES, Exercise
from .feedback import MIME, record
from .observe import Observation
from .render import feedback_text
from .restore import nbgrader_of, rebuild
from .sandbox import Sandbox, SandboxRun
from .scoring import ExerciseResult, score

HIDDEN_MARKER = "BEGIN HIDDEN TESTS"
NOT_RUN = "the notebook stopped before this point"


@dataclass(frozen=True)
class GradedNotebook:
    notebook: NotebookNode
    results: tuple[ExerciseResult, ...]
    fault: str | None
    isolation: str
    seconds: float


def hidden_test_cells(notebook: NotebookNode) -> dict[str, int]:
    """Exercise name → index of its hidden-test cell, found by the registry's grade ids."""
    ids = {exercise.grade_id: exercise.name for exercise in EXERCISES}
    return {ids[nbgrader_of(c)["grade_id"]]: i for i, c in enumerate(notebook.cells) if nbgrader_of(c).get("grade_id") in ids}


def student_program(notebook: NotebookNode) -> list[tuple[int, str]]:
    """The code cells a student's kernel would run: everything but the hidden tests."""
    return [
        (index, cell.source)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not (nbgrader_of(cell).get("grade") and HIDDEN_MARKER in cell.source)
    ]


def _judge(exercise: Exercise, run: SandboxRun, evidence: dict[str, str]) -> ExerciseResult:
    stopped = Observation("stopped", error=run.fault or NOT_RUN)
    seen = tuple(run.observations.get((exercise.name, i), stopped) for i in range(len(exercise.cases)))
    result = score(exercise, seen, run.names)
    if exercise.by_hand:
        runtime = run.observations.get((exercise.name, -1))
        found = evidence.get(exercise.name) or (f"it called {runtime.error}" if runtime else "")
        if found:
            return ExerciseResult(exercise, result.cases, violation=msg.AUTOGRAD.format(signature=exercise.signature, evidence=found))
    return result


def grade_notebook(submission: NotebookNode, master: NotebookNode, sandbox: Sandbox, checksums: dict[str, str] | None = None) -> GradedNotebook:
    notebook = rebuild(submission, master, checksums)
    hidden = hidden_test_cells(notebook)
    program = student_program(notebook)
    exercises = [e for e in EXERCISES if e.name in hidden]
    evidence = autograd_evidence(
        [source for index, source in program if not nbgrader_of(notebook.cells[index]).get("locked")],
        [e.name for e in exercises if e.by_hand],
    )
    run = sandbox.run(program, [e.name for e in exercises])
    for index, outputs in run.outputs.items():
        notebook.cells[index].outputs = [nbformat.from_dict(output) for output in outputs]
    results = tuple(_judge(exercise, run, evidence) for exercise in exercises)
    for result in results:
        cell = notebook.cells[hidden[result.exercise.name]]
        name, count = result.exercise.name, len(result.exercise.cases)
        traces = {i: seen.student_trace for i in range(count) if (seen := run.observations.get((name, i))) and seen.student_trace}
        details = record(result, run.observations.get((name, count)), traces)
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=feedback_text(result) + "\n"),
            nbformat.v4.new_output("display_data", data={MIME: details, "text/plain": ""}),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(result.points)}, execution_count=None),
        ]
    return GradedNotebook(notebook, results, run.fault, run.level, run.seconds)
