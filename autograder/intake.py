"""Look at a submitted file before anything runs it, and say in one line what is wrong with it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

NO_NOTEBOOK = "no {expected} in the submission{found}"
FOUND_INSTEAD = " (it has: {names})"
TOO_LARGE = "{name} is {size:.1f} MB, over the {limit:.0f} MB limit"
NOT_JSON = "{name} is not valid JSON (line {line}, column {column}: {message}); it may be truncated or edited outside Jupyter"
NOT_NOTEBOOK = "{name} is not a Jupyter notebook: {message}"
OTHER_ASSIGNMENT = "{name} does not belong to assignment '{assignment}': none of its cells or functions match it"


def unreadable(path: Path) -> str | None:
    """None if `path` holds a readable notebook of a sane size; otherwise the reason, in one line."""
    notebook_name = path.name
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return TOO_LARGE.format(name=notebook_name, size=size / 2**20, limit=MAX_NOTEBOOK_BYTES / 2**20)
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return NOT_JSON.format(name=notebook_name, line=exc.lineno, column=exc.colno, message=exc.msg)
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as exc:  # nbformat raises several types for a malformed notebook
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return NOT_NOTEBOOK.format(name=notebook_name, message=first_line)
    return None


def submission_problem(folder: Path, notebook_name: str, assignment: str, grade_ids: set[str], function_names: set[str]) -> str | None:
    """None if the submission can be graded; otherwise the reason, in one line."""
    path = folder / notebook_name
    if not path.is_file():
        others = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        found = FOUND_INSTEAD.format(names=", ".join(others)) if others else ""
        return NO_NOTEBOOK.format(expected=notebook_name, found=found)
    problem = unreadable(path)
    if problem:
        return problem
    notebook = nbformat.read(path, as_version=4)
    ids = {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in notebook.cells}
    defined = {m for cell in notebook.cells if cell.cell_type == "code" for m in re.findall(r"^def (\w+)\(", cell.source, re.M)}
    if not ids & grade_ids and not defined & function_names:
        return OTHER_ASSIGNMENT.format(name=notebook_name, assignment=assignment)
    return None
