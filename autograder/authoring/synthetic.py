"""Build submissions from the release notebook, as a student would: fill in the stubs.

Used for the bundled samples, the mutation and variant tests, and the benchmark.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import cast

import nbformat
from nbformat import NotebookNode

from autograder.nbgrader_cells import grade_id_of, is_answer, top_level_defs

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*\n", re.M)


def solutions_of(master: NotebookNode) -> dict[str, str]:
    """The master's solution cells with the solution markers removed, by grade id."""
    return {
        cast(str, grade_id_of(cell)): SOLUTION_MARKERS.sub("", cell.source)  # filtered below: never None
        for cell in master.cells
        if is_answer(cell) and grade_id_of(cell)
    }


def replace_function(source: str, name: str, new_definition: str) -> str:
    """Swap the top-level `def name(...)` in `source` for `new_definition`."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            lines = source.split("\n")
            return "\n".join(
                lines[: node.lineno - 1] + new_definition.strip("\n").split("\n") + lines[node.end_lineno :]
            )
    raise LookupError(f"no function {name!r} in cell")


def cell_defining(cells: dict[str, str], name: str) -> str:
    for key, source in cells.items():
        if name in top_level_defs(source):
            return key
    raise LookupError(f"no cell defines {name!r}")


def with_functions(solutions: dict[str, str], definitions: dict[str, str]) -> dict[str, str]:
    """The solution cells with some functions replaced: {function name: new `def` source}."""
    cells = dict(solutions)
    for name, definition in definitions.items():
        key = cell_defining(cells, name)
        cells[key] = replace_function(cells[key], name, definition)
    return cells


def fill_release(release: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of the release notebook with the cells named in `answers` (grade id → source) filled in."""
    submission = copy.deepcopy(release)
    for cell in submission.cells:
        if grade_id_of(cell) in answers:
            cell.source = answers[cast(str, grade_id_of(cell))]  # in answers, so not None
    return submission


def write_submission(path: Path, notebook: NotebookNode) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
