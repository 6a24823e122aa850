"""One submission graded from plain text to plain data: what a worker, local or on Dask, runs.

The caller sends the notebook's and the master's text in and gets the graded notebook (as plain
dicts and lists) and the scores back, so workers need no shared filesystem and never touch the
gradebook. This runs in a trusted worker; what came from the sandbox was validated already.
"""

from __future__ import annotations

import copy
import functools
import time

import nbformat
from nbformat import NotebookNode

from autograder.authoring.homework import homework_from_text
from autograder.judging.trusted import grade_notebook
from autograder.sandbox import Limits, Sandbox, warm_sandbox


@functools.lru_cache(maxsize=4)
def _parsed_master(master_text: str) -> NotebookNode:
    return nbformat.reads(master_text, as_version=4)


def _master(master_text: str) -> NotebookNode:
    """The master, parsed once per worker (read-only: grading rebuilds the student's notebook from a copy of its
    cells)."""
    return copy.deepcopy(_parsed_master(master_text))


def grade_text(
    student: str,
    notebook_text: str,
    master_text: str,
    checksums: dict[str, str],
    limits: dict,
    sandbox: Sandbox | None = None,
    homework_text: str = "",
) -> dict:
    """Grade one submission from plain text to plain data, as a worker does (a local thread or a Dask worker, which
    shares no filesystem with the batch): the graded notebook as a dict, its isolation, seconds and fault. The
    master, limits and `homework_text` (the course's exercises.py as the parent read it, "" for the package's
    default) travel with the call, so every worker grades against the same course."""
    started = time.monotonic()
    graded = grade_notebook(
        nbformat.reads(notebook_text, as_version=4),
        _master(master_text),
        sandbox or warm_sandbox(Limits(**limits)),
        checksums,
        homework=homework_from_text(homework_text),
    )
    return {
        "student": student,
        "notebook": graded.notebook,
        "points": {result.exercise.name: result.points for result in graded.results}
        | {v.name: v.points for v in graded.formulas},
        "fault": graded.fault,
        "isolation": graded.isolation,
        "seconds": time.monotonic() - started,
    }
