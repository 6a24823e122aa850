"""Keep the master notebook in step with the homework's entries (`homework.py`).

An exercise the master already implements by hand keeps its cells; only its hidden-test cell, `hidden_tests_<name>`,
placed after the cells that define and publicly test the function, follows the entry (its points come from it).
An exercise that is only an entry gets every cell it needs, each written once, where it is missing
(`exercise_cells.py`); a cell that is there is never rewritten, so an instructor's edits stay. Each formula
answer's solution must read as equivalent to its reference, or nothing is written; and the formula reader is
copied next to the master, for nbgrader's release to ship.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.authoring.exercise_cells import cell_ids, exercise_cells, hidden_test_cell
from autograder.authoring.exercises import Exercise
from autograder.authoring.homework import DEFAULT, Homework, homework_in
from autograder.course.folder import write_whole
from autograder.errors import AutograderError
from autograder.formulas.answers import FormulaAnswer
from autograder.formulas.cells import sync_formula_cells, sync_reader_files
from autograder.formulas.check import EQUIVALENT, compare
from autograder.formulas.reading import answer_string
from autograder.nbgrader_cells import grade_id_of, is_answer, tested_name, top_level_defs

SOLUTION_NOT_EQUIVALENT = (
    "the master's solution for {name} does not read as equivalent to its reference, so nothing was "
    "written: {verdict} Fix the answer cell {name} (or its reference in autograder/formulas/answers.py)."
)


class SolutionNotEquivalent(AutograderError):
    """An instructor's formula solution that the grader would not give full marks."""


ENTRY_MISSING = (
    "the master has the cells of {name}, written from its entry, but {origin} has no entry {name}; nothing was "
    "written: put the entry back, or delete {name}'s cells from the master yourself"
)


class EntryMissing(AutograderError):
    """The master holds an exercise's generated cells whose entry is gone (a deleted or misplaced exercises.py)."""


class MasterIncomplete(AutograderError):
    """The master lacks a cell an entry is placed after (the setup cell, a formula answer's derivation)."""


def check_solutions(nb: NotebookNode, answers: tuple[FormulaAnswer, ...] = DEFAULT.formulas) -> None:
    """Refuse a master whose formula solution the grader itself would not accept."""
    for answer in answers:
        cell = next(c for c in nb.cells if grade_id_of(c) == answer.name)
        text, problem = answer_string(cell.source, answer.name)
        verdict = compare(answer, text) if text is not None else None
        if verdict is None or verdict.outcome != EQUIVALENT:
            raise SolutionNotEquivalent(
                SOLUTION_NOT_EQUIVALENT.format(name=answer.name, verdict=verdict.message if verdict else problem)
            )


def _defines(cell: NotebookNode, name: str) -> bool:
    return cell.cell_type == "code" and name in top_level_defs(cell.source)


def _insertion_point(nb: NotebookNode, exercise: Exercise) -> int:
    """After the cell defining the function and the plot/test cells that follow it."""
    defining = [i for i, cell in enumerate(nb.cells) if _defines(cell, exercise.name)]
    if not defining:
        raise LookupError(
            f"the master notebook has no cell with `def {exercise.name}(`; add the exercise's solution cell first"
        )
    index = defining[0] + 1
    while index < len(nb.cells) and nb.cells[index].cell_type == "code" and not is_answer(nb.cells[index]):
        index += 1
    return index


def _hand_written(nb: NotebookNode, exercise: Exercise) -> bool:
    """The master implements it in cells of the instructor's own: it defines the function, and has no section written
    from the entry (whose grade id marks the exercise's generated cells)."""
    generated = any(grade_id_of(cell) == cell_ids(exercise)[0] for cell in nb.cells)
    return not generated and any(_defines(cell, exercise.name) for cell in nb.cells)


def _keep_hidden_test(nb: NotebookNode, exercise: Exercise, changes: list[str]) -> None:
    wanted = hidden_test_cell(exercise)
    existing = [i for i, cell in enumerate(nb.cells) if grade_id_of(cell) == exercise.grade_id]
    if existing:
        cell = nb.cells[existing[0]]
        if cell.source != wanted.source or cell.metadata["nbgrader"].get("points") != exercise.points:
            cell.source, cell.metadata["nbgrader"] = wanted.source, wanted.metadata["nbgrader"]
            changes.append(f"updated {exercise.grade_id}")
    else:
        nb.cells.insert(_insertion_point(nb, exercise), wanted)
        changes.append(f"added {exercise.grade_id}")


def _write_missing_cells(nb: NotebookNode, exercise: Exercise, changes: list[str]) -> None:
    """Each of the exercise's cells that is not there, after the one before it (a new exercise goes at the end)."""
    ids = cell_ids(exercise)
    where = {grade_id_of(cell): i for i, cell in enumerate(nb.cells) if grade_id_of(cell) in ids}
    if len(where) == len(ids):
        return
    wanted = exercise_cells(exercise, "\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    after = None
    for grade_id in ids:
        index = next((i for i, cell in enumerate(nb.cells) if grade_id_of(cell) == grade_id), None)
        if index is None:
            following = [i for i, cell in enumerate(nb.cells) if grade_id_of(cell) in ids]
            index = after + 1 if after is not None else (following[0] if following else len(nb.cells))
            nb.cells.insert(index, wanted[grade_id])
            changes.append(f"added {grade_id}")
        after = index


def sync_master(nb: NotebookNode, homework: Homework = DEFAULT) -> list[str]:
    """Make the master's cells match the homework's entries, in place. Returns what changed."""
    changes: list[str] = []
    for exercise in homework.exercises:
        if not _hand_written(nb, exercise):
            _write_missing_cells(nb, exercise, changes)
        _keep_hidden_test(nb, exercise, changes)
    changes += sync_formula_cells(nb, answers=homework.formulas)
    check_solutions(nb, homework.formulas)
    known = homework.hidden_test_ids
    ids = {grade_id_of(cell) for cell in nb.cells}
    for cell in list(nb.cells):
        grade_id = grade_id_of(cell) or ""
        name = tested_name(grade_id)
        if name is not None and grade_id not in known:
            # written from an entry that is gone: a lost exercises.py must not cost the master its cells
            if f"section_{name}" in ids:
                raise EntryMissing(ENTRY_MISSING.format(name=name, origin=homework.origin))
            nb.cells.remove(cell)
            changes.append(f"removed {grade_id}")
    return changes


def sync_master_file(path: Path) -> list[str]:
    """The master notebook at `path` with the homework defined next to it, and the formula reader copied next to
    it (which nbgrader's release ships)."""
    nb = nbformat.read(path, as_version=4)
    try:
        changes = sync_master(nb, homework_in(path.parent))
    except LookupError as error:
        raise MasterIncomplete(f"{path}: {error.args[0]}") from None
    if changes:
        nbformat.validate(nb)
        write_whole(path, nbformat.writes(nb) + "\n")  # the master whole or not at all, never cut short
    return changes + sync_reader_files(path.parent)
