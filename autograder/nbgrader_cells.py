"""nbgrader's cell metadata, read and written in one place.

A submission's metadata may be anything, so every reader here returns {} or None rather than raising, where
`nbgrader.utils.is_grade` and its kin (for the master's and nbgrader's own cells) would. Light on purpose: the
exercises import it, and the sandbox imports them; nbformat loads only to make a cell.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

HIDDEN_TESTS = "hidden_tests_"
"""the prefix of a hidden-test cell's grade id: `hidden_tests_<exercise or formula answer>`"""


def nbgrader_of(cell: dict) -> dict:
    """The cell's nbgrader metadata, {} unless the cell, its metadata and that are all objects."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id_of(cell: dict) -> str | None:
    """The cell's grade id, None without one (or with one that is not a string)."""
    grade_id = nbgrader_of(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def is_answer(cell: dict) -> bool:
    return bool(nbgrader_of(cell).get("solution"))


def grade_ids(notebook: NotebookNode) -> set[str]:
    """Every grade id in a notebook."""
    return {g for g in map(grade_id_of, notebook.cells) if g}


def hidden_tests_id(name: str) -> str:
    """The grade id of the hidden-test cell of an exercise or a formula answer."""
    return HIDDEN_TESTS + name


def tested_name(grade_id: str) -> str | None:
    """The exercise or formula answer a hidden-test cell's grade id names, None for another cell."""
    return grade_id.removeprefix(HIDDEN_TESTS) if grade_id.startswith(HIDDEN_TESTS) else None


def nbgrader_cell(
    kind: str, source: str, grade_id: str, *, grade: bool = False, solution: bool = False, points: float = 0
) -> NotebookNode:
    """A new cell with nbgrader's metadata: graded (with its points), an answer, or locked."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": grade,
        "solution": solution,
        "locked": not solution,
        "grade_id": grade_id,
        "schema_version": 3,
        "task": False,
        **({"points": points} if grade else {}),
    }
    cell.id = grade_id.replace("_", "-")
    return cell


_TOP_LEVEL_DEF = re.compile(r"^def (\w+)\(", re.M)


def top_level_defs(source: str) -> set[str]:
    """The names a cell's source defines with a `def` at the start of a line, read as text (nothing is parsed)."""
    return set(_TOP_LEVEL_DEF.findall(source))
