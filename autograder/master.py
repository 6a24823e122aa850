"""Keep the master notebook's hidden-test cells in step with the exercise registry.

Each exercise gets one nbgrader "autograder tests" cell, `hidden_tests_<name>`, placed after
the cells that define and publicly test the function. Its points come from the registry.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .exercises import EXERCISES, Exercise
from .formulas.answers import FORMULAS
from .formulas.cells import nbgrader_cell, points_in_words, sync_formula_cells

HIDDEN_CELL = '''# Hidden tests for `{name}` ({points}) run here when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.hidden import grade_in_notebook
grade_in_notebook("{name}", globals())
### END HIDDEN TESTS'''


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
    known = {exercise.grade_id for exercise in EXERCISES} | {answer.grade_id for answer in FORMULAS}
    for cell in list(nb.cells):
        grade_id = _grade_id(cell) or ""
        if grade_id.startswith("hidden_tests_") and grade_id not in known:
            nb.cells.remove(cell)
            changes.append(f"removed {grade_id}")
    return changes


def sync_master_file(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    changes = sync_master(nb)
    if changes:
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return changes
