"""Look at a submitted file before anything runs it, and say in one line what is wrong with it.

Whatever the file holds, the answer is the text to grade or one sentence naming the file: nothing here
raises, so one malformed submission costs its author a row with the reason, never the batch. The file
is opened once (see `links.py`: never through a link) and read once; the text that was checked is the
text that is graded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import cast

import nbformat

from autograder.course.links import Refused, open_own_file
from autograder.nbgrader_cells import grade_id_of, top_level_defs

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 100
"""JSON nesting a notebook may have (Jupyter writes about 8; rich outputs a few dozen): past it, reading
recursively (here, in nbformat, in jsonschema) would depend on how deep the reader's own stack already is"""
MAX_LISTED = 10
"""names of other files given in a missing-notebook reason"""

NO_NOTEBOOK = "no {expected} in the submission{found}"
FOUND_INSTEAD = " (it has: {names})"
TOO_LARGE = "{name} is {size:.1f} MB, over the {limit:.0f} MB limit"
NOT_UTF8 = "{name} is not UTF-8 text (byte {offset} is not valid UTF-8)"
NOT_JSON = (
    "{name} is not valid JSON (line {line}, column {column}: {message}); it may be truncated or edited outside Jupyter"
)
TOO_DEEP = "{name} is nested too deeply to read"
NOT_NOTEBOOK = "{name} is not a Jupyter notebook: {message}"
OTHER_ASSIGNMENT = "{name} does not belong to assignment '{assignment}': none of its cells or functions match it"
WRONG_JSON = "{what} is {kind}, not {expected}"
UNKNOWN_VERSION = "its format version (nbformat {major}, nbformat_minor {minor}) is not one Jupyter reads"
COULD_NOT_READ = "the grader could not read {name}: {kind}: {message}"


class IntakeFault(Exception):
    """Reading a submission failed in a way no file explains (a permission, a bug of ours): the grader's fault,
    never the student's 0. The message is one line naming the file."""


MAX_MESSAGE = 200
"""characters of an exception's message quoted in a reason"""


def read_submission(
    folder: Path, notebook_name: str, assignment: str, grade_ids: set[str], function_names: set[str]
) -> tuple[str | None, str | None]:
    """(the notebook's text, None) if `folder / notebook_name` can be graded; (None, the reason in one line) if
    not. `folder` is submitted/<student>/<assignment>: its parent is the student's folder, which the
    notebook must really be in. Whatever is wrong with the file is a reason; anything else raises IntakeFault."""
    try:
        text, notebook, problem = _checked(Path(folder) / notebook_name)
        # _checked returns a notebook whenever it finds no problem
        if problem is None and not _belongs(cast(nbformat.NotebookNode, notebook), grade_ids, function_names):
            problem = OTHER_ASSIGNMENT.format(name=notebook_name, assignment=assignment)
    except Exception as error:  # noqa: BLE001 - no file explains it: the caller records a grader fault
        raise IntakeFault(_could_not_read(notebook_name, error)) from error
    return (None, problem) if problem else (text, None)


def submission_problem(
    folder: Path, notebook_name: str, assignment: str, grade_ids: set[str], function_names: set[str]
) -> str | None:
    """None if the submission can be graded; otherwise the reason, in one line. IntakeFault as read_submission."""
    return read_submission(folder, notebook_name, assignment, grade_ids, function_names)[1]


def unreadable(path: Path) -> str | None:
    """None if `path` (<student's folder>/<assignment>/<notebook>) holds the student's own readable notebook
    of a sane size; otherwise the reason, in one line. IntakeFault as read_submission."""
    path = Path(path)
    try:
        return _checked(path)[2]
    except Exception as error:  # noqa: BLE001 - as in read_submission
        raise IntakeFault(_could_not_read(path.name, error)) from error


def _checked(path: Path) -> tuple[str | None, nbformat.NotebookNode | None, str | None]:
    """(text, notebook, None), or (None, None, the reason)."""
    name = path.name
    try:
        descriptor = open_own_file(path)
    except Refused as refused:
        return None, None, str(refused)
    if descriptor is None:
        return None, None, NO_NOTEBOOK.format(expected=name, found=_found_instead(path.parent))
    with os.fdopen(descriptor, "rb") as handle:
        size = os.fstat(descriptor).st_size
        data = handle.read(MAX_NOTEBOOK_BYTES + 1) if size <= MAX_NOTEBOOK_BYTES else b""
    if size > MAX_NOTEBOOK_BYTES or len(data) > MAX_NOTEBOOK_BYTES:  # checked again: the file may grow while read
        size = max(size, len(data))
        return None, None, TOO_LARGE.format(name=name, size=size / 2**20, limit=MAX_NOTEBOOK_BYTES / 2**20)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, None, NOT_UTF8.format(name=name, offset=error.start)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        return None, None, NOT_JSON.format(name=name, line=error.lineno, column=error.colno, message=error.msg)
    except RecursionError:
        return None, None, TOO_DEEP.format(name=name)
    if _too_deep(parsed):
        return None, None, TOO_DEEP.format(name=name)
    if shape := _shape_problem(parsed):
        return None, None, NOT_NOTEBOOK.format(name=name, message=shape)
    try:
        notebook = _as_notebook(parsed)
    except RecursionError:
        return None, None, TOO_DEEP.format(name=name)
    except Exception as error:  # noqa: BLE001 - nbformat raises several types for a malformed notebook
        return None, None, NOT_NOTEBOOK.format(name=name, message=_first_line(error))
    return text, notebook, None


def _shape_problem(parsed) -> str | None:
    """What nbformat would trip over before its schema could say it in words: the outline of the JSON."""
    if not isinstance(parsed, dict):
        return WRONG_JSON.format(what="the file", kind=_json_type(parsed), expected="an object")
    major, minor = parsed.get("nbformat"), parsed.get("nbformat_minor", 0)
    if type(major) is not int or major not in nbformat.versions or type(minor) is not int:
        return UNKNOWN_VERSION.format(major=_printable(repr(major))[:20], minor=_printable(repr(minor))[:20])
    if major < 4:
        return None  # converted by nbformat, then validated as version 4
    if not isinstance(parsed.get("metadata"), dict):
        return WRONG_JSON.format(what="its metadata", kind=_json_type(parsed.get("metadata")), expected="an object")
    if not isinstance(parsed.get("cells"), list):
        return WRONG_JSON.format(what="its list of cells", kind=_json_type(parsed.get("cells")), expected="a list")
    for number, cell in enumerate(parsed["cells"], start=1):
        if not isinstance(cell, dict):
            return WRONG_JSON.format(what=f"cell {number}", kind=_json_type(cell), expected="an object")
        if not isinstance(cell.get("metadata", {}), dict):
            return WRONG_JSON.format(
                what=f"the metadata of cell {number}", kind=_json_type(cell["metadata"]), expected="an object"
            )
    return None


def _json_type(value) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _as_notebook(parsed) -> nbformat.NotebookNode:
    """What `nbformat.reads(text, as_version=4)` gives for this JSON, validated (an invalid one raises)."""
    major, minor = nbformat.reader.get_version(parsed)
    notebook = nbformat.convert(nbformat.versions[major].to_notebook_json(parsed, minor=minor), 4)
    nbformat.validate(notebook)
    return notebook


def _belongs(notebook: nbformat.NotebookNode, grade_ids: set[str], function_names: set[str]) -> bool:
    """Whether any cell carries one of the assignment's grade ids or defines one of its functions."""
    for cell in notebook.get("cells", []) if isinstance(notebook.get("cells"), list) else []:
        if not isinstance(cell, dict):
            continue
        if grade_id_of(cell) in grade_ids:
            return True
        if cell.get("cell_type") == "code" and function_names & top_level_defs(_source(cell)):
            return True
    return False


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(part for part in source if isinstance(part, str)) if isinstance(source, list) else str(source)


def _too_deep(value) -> bool:
    """Whether lists and objects nest more than MAX_DEPTH deep in parsed JSON, looked at a level at a time (no
    recursion)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return False
    return True


def _found_instead(folder: Path) -> str:
    try:
        names = sorted(os.listdir(folder)) if folder.is_dir() and not folder.is_symlink() else []
    except OSError:
        names = []
    shown = [_printable(n) for n in names[:MAX_LISTED]] + (
        [f"and {len(names) - MAX_LISTED} more"] if len(names) > MAX_LISTED else []
    )
    return FOUND_INSTEAD.format(names=", ".join(shown)) if names else ""


def _printable(text: str) -> str:
    """One line of text UTF-8 can encode: a file name or an error message may hold anything."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(c if c.isprintable() else "?" for c in text)


def _first_line(error: BaseException, otherwise: str | None = None) -> str:
    """The start of the error's message, for a one-line reason (jsonschema's run to many lines, quoting the data)."""
    lines = str(error).strip().splitlines()
    return _printable(lines[0])[:MAX_MESSAGE] if lines else otherwise or type(error).__name__


def _could_not_read(name: str, error: BaseException) -> str:
    return COULD_NOT_READ.format(name=name, kind=type(error).__name__, message=_first_line(error, "no message"))
