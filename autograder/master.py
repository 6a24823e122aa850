"""Keep the master notebook's hidden-test cells in step with the exercise registry.

Each exercise gets one nbgrader "autograder tests" cell, `hidden_tests_<name>`, placed after
the cells that define and publicly test the function. Its points come from the registry. Each formula
answer's solution in the master must read as equivalent to its reference, or nothing is written; and the
formula reader is copied next to the master, for nbgrader's release to ship.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .errors import AutograderError
from .exercises import EXERCISES, Exercise
from .formulas.answers import FORMULAS
from .formulas.cells import nbgrader_cell, points_in_words, sync_formula_cells, sync_reader_files
from .formulas.check import EQUIVALENT, compare
from .formulas.reading import answer_string

HIDDEN_CELL = '''# Hidden tests for `{name}` ({points}) run here when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.hidden import grade_in_notebook
grade_in_notebook("{name}", globals())
### END HIDDEN TESTS'''


SOLUTION_NOT_EQUIVALENT = ("the master's solution for {name} does not read as equivalent to its reference, so nothing was "
                           "written: {verdict} Fix the answer cell {name} (or its reference in autograder/formulas/answers.py).")


class SolutionNotEquivalent(AutograderError):
    """An instructor's formula solution that the grader would not give full marks."""


def check_solutions(nb: NotebookNode) -> None:
    """Refuse a master whose formula solution the grader itself would not accept."""
    for answer in FORMULAS:
        cell = next(c for c in nb.cells if _grade_id(c) == answer.name)
        text, problem = answer_string(cell.source, answer.name)
        verdict = compare(answer, text) if text is not None else None
        if verdict is None or verdict.outcome != EQUIVALENT:
            raise SolutionNotEquivalent(SOLUTION_NOT_EQUIVALENT.format(name=answer.name, verdict=verdict.message if verdict else problem))


def hidden_test_cell(exercise: Exercise) -> NotebookNode:
    source = HIDDEN_CELL.format(name=exercise.name, points=points_in_words(exercise.points))
    return nbgrader_cell("code", source, exercise.grade_id, grade=True, points=exercise.points)


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _defines(cell: NotebookNode, name: str) -> bool:
    return cell.cell_type == "code" and re.search(rf"^def {re.escape(name)}\(", cell.source, re.M) is not None


def _insertion_point(nb: NotebookNode, exercise: Exercise) -> int:
    """After the cell defining the function and the plot/test cells that follow it."""
    defining = [i for i, cell in enumerate(nb.cells) if _defines(cell, exercise.name)]
    if not defining:
        raise LookupError(f"the master notebook has no cell with `def {exercise.name}(`; add the exercise's solution cell first")
    index = defining[0] + 1
    while index < len(nb.cells) and nb.cells[index].cell_type == "code" and not nb.cells[index].metadata.get("nbgrader", {}).get("solution"):
        index += 1
    return index


def sync_master(nb: NotebookNode) -> list[str]:
    """Make the hidden-test cells match EXERCISES, and the formula cells FORMULAS, in place. Returns what changed."""
    changes = []
    for exercise in EXERCISES:
        wanted = hidden_test_cell(exercise)
        existing = [i for i, cell in enumerate(nb.cells) if _grade_id(cell) == exercise.grade_id]
        if existing:
            cell = nb.cells[existing[0]]
            if cell.source != wanted.source or cell.metadata["nbgrader"].get("points") != exercise.points:
                cell.source, cell.metadata["nbgrader"] = wanted.source, wanted.metadata["nbgrader"]
                changes.append(f"updated {exercise.grade_id}")
        else:
            nb.cells.insert(_insertion_point(nb, exercise), wanted)
            changes.append(f"added {exercise.grade_id}")
    changes += sync_formula_cells(nb)
    check_solutions(nb)
    known = {exercise.grade_id for exercise in EXERCISES} | {answer.grade_id for answer in FORMULAS}
    for cell in list(nb.cells):
        grade_id = _grade_id(cell) or ""
        if grade_id.startswith("hidden_tests_") and grade_id not in known:
            nb.cells.remove(cell)
            changes.append(f"removed {grade_id}")
    return changes


def sync_master_file(path: Path) -> list[str]:
    """The master notebook at `path`, and the formula reader copied next to it (which nbgrader's release ships)."""
    nb = nbformat.read(path, as_version=4)
    changes = sync_master(nb)
    if changes:
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return changes + sync_reader_files(path.parent)
