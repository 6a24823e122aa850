"""Rebuild a submission against the master before anything runs: tampering changes nothing.

Locked and test cells come from the master, whatever the submission holds; answer cells keep
the student's text under the master's metadata; duplicated or unknown ids become plain cells
(they still run, as they would in the student's kernel); cells the student deleted come back,
an answer as an empty placeholder. Points and the kernel are the master's.
"""

from __future__ import annotations

import json
from typing import cast

import nbformat
from nbformat import NotebookNode

from autograder.nbgrader_cells import is_answer, nbgrader_of

MISSING_ANSWER = "# This answer cell was missing from the submission."
MISSING_TEXT = "*This answer cell was missing from the submission.*"


def _copy(node):
    """A deep copy through C-encoded JSON: notebooks are JSON, and deepcopy is slow on them."""
    return nbformat.from_dict(json.loads(json.dumps(node)))


def master_cells(master: NotebookNode) -> dict[str, NotebookNode]:
    return {nbgrader_of(c)["grade_id"]: c for c in master.cells if nbgrader_of(c).get("grade_id")}


def source_of(cell: NotebookNode) -> str:
    """A submitted cell's source as one string that UTF-8 can encode (JSON lets a lone surrogate through)."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    source = "".join(part for part in source if isinstance(part, str)) if isinstance(source, list) else str(source)
    return source.encode("utf-8", "replace").decode("utf-8")


def _plain(cell: NotebookNode) -> NotebookNode:
    """The student's cell as an ordinary one: its nbgrader metadata claims nothing.

    Built as nbformat.v4.new_*_cell builds it (same keys, same order; the id is set by `rebuild`), without
    its schema check of every cell: that check alone made a notebook of 20,000 cells take 15 s to rebuild."""
    kind = (
        cell.get("cell_type")
        if isinstance(cell, dict) and cell.get("cell_type") in ("code", "markdown", "raw")
        else "raw"
    )
    source = source_of(cell)
    if kind == "code":
        return nbformat.from_dict(
            {"id": "", "cell_type": kind, "metadata": {}, "execution_count": None, "source": source, "outputs": []}
        )
    return nbformat.from_dict({"id": "", "cell_type": kind, "source": source, "metadata": {}})


def rebuild(submission: NotebookNode, master: NotebookNode, checksums: dict[str, str] | None = None) -> NotebookNode:
    """`checksums` (grade id → the release's checksum) let nbgrader score an untouched answer 0."""
    by_id = master_cells(master)
    used: dict[str, int] = {}
    cells: list[NotebookNode] = []
    submitted = submission.get("cells")
    for cell in submitted if isinstance(submitted, list) else []:
        grade_id = nbgrader_of(cell).get("grade_id")
        reference = by_id.get(grade_id) if isinstance(grade_id, str) else None
        if reference is None:
            cells.append(_plain(cell))
        elif grade_id in used:  # a copied cell: the later copy is the answer, the earlier one runs as plain code
            if is_answer(reference):
                earlier = used[grade_id]
                cells[earlier] = _plain(cells[earlier])
                cells.append(_answer(cell, reference))
                used[grade_id] = len(cells) - 1
            else:
                cells.append(_plain(cell))
        else:
            cells.append(_answer(cell, reference) if is_answer(reference) else _copy(reference))
            used[cast(str, grade_id)] = len(cells) - 1  # a reference was found, so grade_id is a string
    _restore_missing(cells, master, used)
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"
        grade_id = nbgrader_of(cell).get("grade_id")
        if checksums and is_answer(cell) and grade_id in checksums:
            cell.metadata["nbgrader"]["checksum"] = checksums[grade_id]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.v4.new_notebook(cells=cells, metadata=_copy(master.metadata))


def _answer(student: NotebookNode, reference: NotebookNode) -> NotebookNode:
    cell = _copy(reference)
    cell.source = source_of(student)
    return cell


def _restore_missing(cells: list[NotebookNode], master: NotebookNode, used: dict[str, int]) -> None:
    """Put back, in the master's order, every master cell with an id that the submission lacks."""
    previous_position = -1
    for reference in master.cells:
        grade_id = nbgrader_of(reference).get("grade_id")
        if not grade_id:
            continue
        if grade_id in used:
            previous_position = next(i for i, c in enumerate(cells) if nbgrader_of(c).get("grade_id") == grade_id)
            continue
        cell = _copy(reference)
        if is_answer(reference):
            cell.source = MISSING_ANSWER if cell.cell_type == "code" else MISSING_TEXT
            cell.metadata["nbgrader"].pop("checksum", None)
        previous_position += 1
        cells.insert(previous_position, cell)
        used[grade_id] = previous_position
