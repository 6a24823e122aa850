"""Rebuilding a submission against the master (`autograder.judging.restore.rebuild`): what the student submitted
can change an answer's text and nothing else.

A small master built with the project's own cell factory: a locked markdown cell, a code answer, a graded locked
test cell and a graded markdown answer. Each test tampers with a copy of it and pins the rebuilt cells exactly.
No sandbox, kernel or nbgrader process runs.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.judging.restore import MISSING_ANSWER, MISSING_TEXT, rebuild
from autograder.nbgrader_cells import nbgrader_cell

INTRO = "# Derivatives\nRead this first."
SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
TEST = "assert f(2) == 4"
TEXT = "YOUR ANSWER HERE"
KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

LOCKED_META = {
    "grade": False,
    "solution": False,
    "locked": True,
    "grade_id": "intro",
    "schema_version": 3,
    "task": False,
}
ANSWER_META = {
    "grade": False,
    "solution": True,
    "locked": False,
    "grade_id": "impl_f",
    "schema_version": 3,
    "task": False,
}
TEST_META = {
    "grade": True,
    "solution": False,
    "locked": True,
    "grade_id": "test_f",
    "schema_version": 3,
    "task": False,
    "points": 3,
}
TEXT_META = {
    "grade": True,
    "solution": True,
    "locked": False,
    "grade_id": "explain",
    "schema_version": 3,
    "task": False,
    "points": 2,
}


def make_master() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[
            nbgrader_cell("markdown", INTRO, "intro"),
            nbgrader_cell("code", SOLUTION, "impl_f", solution=True),
            nbgrader_cell("code", TEST, "test_f", grade=True, points=3),
            nbgrader_cell("markdown", TEXT, "explain", grade=True, solution=True, points=2),
        ],
        metadata=KERNEL,
    )


def student(grade_id: str, source=None, **changes) -> dict:
    """A plain-JSON copy of the master's cell with this grade id, as a student's file would hold it, changed."""
    cell = next(
        c for c in json.loads(json.dumps(make_master().cells)) if c["metadata"]["nbgrader"]["grade_id"] == grade_id
    )
    if source is not None:
        cell["source"] = source
    cell.update(changes)
    return cell


def submission(*cells, metadata=None) -> nbformat.NotebookNode:
    """A submitted notebook as it was read: nothing in it has been validated."""
    return nbformat.from_dict({"cells": list(cells), "metadata": {} if metadata is None else metadata})


def code(index: int, source: str, nbgrader: dict | None = None) -> dict:
    """A rebuilt code cell: no outputs, no execution count, the given nbgrader metadata or none."""
    return {
        "id": f"cell-{index}",
        "cell_type": "code",
        "metadata": {"nbgrader": nbgrader} if nbgrader is not None else {},
        "execution_count": None,
        "source": source,
        "outputs": [],
    }


def markdown(index: int, source: str, nbgrader: dict | None = None, kind: str = "markdown") -> dict:
    return {
        "id": f"cell-{index}",
        "cell_type": kind,
        "source": source,
        "metadata": {"nbgrader": nbgrader} if nbgrader is not None else {},
    }


def test_the_master_built_here_has_the_metadata_these_tests_pin():
    assert [c.metadata["nbgrader"] for c in make_master().cells] == [LOCKED_META, ANSWER_META, TEST_META, TEXT_META]


def test_a_rewritten_locked_cell_and_test_cell_come_back_from_the_master_with_its_points():
    test = student("test_f", "pass  # the test always passes now")
    test["metadata"]["nbgrader"].update(points=100, solution=True, locked=False)  # posing as an answer, worth more
    test["metadata"]["tags"] = ["mine"]
    rebuilt = rebuild(
        submission(
            student("intro", "# My own instructions"),
            student("impl_f", "def f(x):\n    return x + x"),
            test,
            student("explain", "Twice x."),
        ),
        make_master(),
    )
    assert rebuilt.cells[0] == markdown(0, INTRO, LOCKED_META)
    assert rebuilt.cells[2] == code(2, TEST, TEST_META)


def test_an_answer_keeps_the_students_source_under_the_masters_points_grade_flag_and_locked_flag():
    answer = student("impl_f", "def f(x):\n    return x + x")
    answer["metadata"]["nbgrader"].update(grade=True, points=50, locked=True)
    answer["metadata"]["deletable"] = False
    text = student("explain", "It doubles.")
    text["metadata"]["nbgrader"].update(points=99, grade=False, locked=True)
    rebuilt = rebuild(submission(student("intro"), answer, student("test_f"), text), make_master())
    assert rebuilt.cells[1] == code(1, "def f(x):\n    return x + x", ANSWER_META)
    assert rebuilt.cells[3] == markdown(3, "It doubles.", TEXT_META)


def test_an_answer_whose_cell_type_the_student_changed_comes_back_as_the_masters_type():
    rebuilt = rebuild(
        submission(
            student("intro"),
            student("impl_f", "f = lambda x: 2 * x", cell_type="raw"),
            student("test_f"),
            student("explain", "Twice x.", cell_type="code", outputs=[], execution_count=3),
        ),
        make_master(),
    )
    assert rebuilt.cells[1] == code(1, "f = lambda x: 2 * x", ANSWER_META)
    assert rebuilt.cells[3] == markdown(3, "Twice x.", TEXT_META)


def test_a_cell_with_an_unknown_grade_id_becomes_a_plain_cell_that_still_runs():
    bonus = student("test_f", "print('bonus')", outputs=[{"output_type": "stream", "name": "stdout", "text": "bonus"}])
    bonus["metadata"]["nbgrader"].update(grade_id="test_bonus", points=1000)
    bonus["execution_count"] = 7
    note = student("intro", "A note of my own.")
    note["metadata"]["nbgrader"]["grade_id"] = "my_note"
    rebuilt = rebuild(
        submission(student("intro"), student("impl_f", "f = abs"), bonus, student("test_f"), note, student("explain")),
        make_master(),
    )
    assert rebuilt.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, "f = abs", ANSWER_META),
        code(2, "print('bonus')"),
        code(3, TEST, TEST_META),
        markdown(4, "A note of my own."),
        markdown(5, TEXT, TEXT_META),
    ]


def test_a_second_copy_of_a_locked_cell_or_a_test_cell_becomes_a_plain_cell():
    copied_test = student("test_f", "f = lambda x: 4")
    copied_test["metadata"]["nbgrader"]["points"] = 100
    rebuilt = rebuild(
        submission(
            student("intro"),
            student("impl_f", "f = abs"),
            student("test_f"),
            copied_test,
            student("explain", "Doubles."),
            student("intro", "# Intro, again"),
        ),
        make_master(),
    )
    assert rebuilt.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, "f = abs", ANSWER_META),
        code(2, TEST, TEST_META),
        code(3, "f = lambda x: 4"),
        markdown(4, "Doubles.", TEXT_META),
        markdown(5, "# Intro, again"),
    ]


def test_of_two_copies_of_an_answer_the_later_one_is_the_answer_and_the_earlier_one_a_plain_cell():
    rebuilt = rebuild(
        submission(
            student("intro"),
            student("impl_f", "f = lambda x: 0  # first try"),
            student("explain", "First draft."),
            student("test_f"),
            student("impl_f", "f = lambda x: 2 * x  # second try"),
            student("explain", "Final text."),
        ),
        make_master(),
    )
    assert rebuilt.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, "f = lambda x: 0  # first try"),
        markdown(2, "First draft."),
        code(3, TEST, TEST_META),
        code(4, "f = lambda x: 2 * x  # second try", ANSWER_META),
        markdown(5, "Final text.", TEXT_META),
    ]


def test_master_cells_the_student_deleted_come_back_in_the_masters_order():
    rebuilt = rebuild(
        submission(student("impl_f", "f = abs"), nbformat.v4.new_code_cell("x = 1"), student("explain", "Doubles.")),
        make_master(),
    )
    assert rebuilt.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, "f = abs", ANSWER_META),
        code(2, TEST, TEST_META),
        code(3, "x = 1"),
        markdown(4, "Doubles.", TEXT_META),
    ]


def test_a_deleted_answer_comes_back_as_a_placeholder_without_the_masters_checksum():
    master = make_master()
    master.cells[1].metadata["nbgrader"]["checksum"] = "the release's checksum"
    master.cells[3].metadata["nbgrader"]["checksum"] = "the release's other checksum"
    rebuilt = rebuild(submission(student("intro"), student("test_f")), master)
    assert rebuilt.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, MISSING_ANSWER, ANSWER_META),
        code(2, TEST, TEST_META),
        markdown(3, MISSING_TEXT, TEXT_META),
    ]
    assert (MISSING_ANSWER, MISSING_TEXT) == (
        "# This answer cell was missing from the submission.",
        "*This answer cell was missing from the submission.*",
    )


def test_checksums_are_written_into_the_answer_cells_and_nowhere_else():
    checksums = {"impl_f": "c-impl", "explain": "c-explain", "test_f": "c-test", "intro": "c-intro"}
    rebuilt = rebuild(
        submission(
            student("intro"),
            student("impl_f", "f = abs  # a first try"),
            student("test_f"),
            student("impl_f", "f = abs"),
            student("explain", "Doubles."),
        ),
        make_master(),
        checksums,
    )
    assert rebuilt.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, "f = abs  # a first try"),
        code(2, TEST, TEST_META),
        code(3, "f = abs", {**ANSWER_META, "checksum": "c-impl"}),
        markdown(4, "Doubles.", {**TEXT_META, "checksum": "c-explain"}),
    ]


def test_outputs_and_execution_counts_are_cleared_and_the_cells_are_numbered_in_order():
    output = {"output_type": "execute_result", "data": {"text/plain": "3.0"}, "metadata": {}, "execution_count": 4}
    error = {"output_type": "error", "ename": "E", "evalue": "", "traceback": []}
    master = make_master()  # a master saved after a run of its own
    master.cells[1].outputs, master.cells[1].execution_count = [output], 1
    master.cells[2].outputs, master.cells[2].execution_count = [error], 2
    answer = student("impl_f", "f = abs", outputs=[output], execution_count=4, id="my-answer")
    test = student("test_f", outputs=[error], execution_count=5)
    extra = {"id": "x", "cell_type": "code", "metadata": {}, "source": "1", "outputs": [output], "execution_count": 9}
    rebuilt = rebuild(submission(student("intro", id="first"), answer, test, extra, student("explain")), master)
    assert [(c.id, c.get("outputs"), c.get("execution_count")) for c in rebuilt.cells] == [
        ("cell-0", None, None),
        ("cell-1", [], None),
        ("cell-2", [], None),
        ("cell-3", [], None),
        ("cell-4", None, None),
    ]
    restored = rebuild(submission(), master)  # every cell from the master
    assert [(c.id, c.get("outputs"), c.get("execution_count")) for c in restored.cells] == [
        ("cell-0", None, None),
        ("cell-1", [], None),
        ("cell-2", [], None),
        ("cell-3", None, None),
    ]


def test_the_notebooks_metadata_is_a_copy_of_the_masters_whatever_the_submission_says():
    master = make_master()
    before = json.dumps(master, sort_keys=True)
    tampered = {"kernelspec": {"display_name": "Bash", "language": "bash", "name": "bash"}, "trusted": True}
    rebuilt = rebuild(submission(student("impl_f", "f = abs"), metadata=tampered), master, {"impl_f": "c"})
    assert rebuilt.metadata == KERNEL
    assert (rebuilt.nbformat, rebuilt.nbformat_minor) == (4, 5)
    rebuilt.metadata.kernelspec.name = "changed"
    rebuilt.cells[1].metadata.nbgrader.points = 7
    assert json.dumps(master, sort_keys=True) == before  # nothing rebuilt shares, or wrote into, the master


@pytest.mark.parametrize(
    "cell, rebuilt",
    [
        ("print('not a cell')", markdown(1, "", kind="raw")),
        (42, markdown(1, "", kind="raw")),
        (None, markdown(1, "", kind="raw")),
        ({"cell_type": "code", "metadata": "a string", "source": "x = 1"}, code(1, "x = 1")),
        ({"cell_type": "code", "metadata": {"nbgrader": ["grade_id", "test_f"]}, "source": "y = 2"}, code(1, "y = 2")),
        ({"cell_type": "code", "metadata": {"nbgrader": {"grade_id": ["test_f"]}}, "source": "z"}, code(1, "z")),
        ({"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text", 7]}, markdown(1, "# Title\ntext")),
        ({"cell_type": "code", "metadata": {}, "source": "s = '\ud800'"}, code(1, "s = '?'")),
        ({"cell_type": "widget", "source": "w"}, markdown(1, "w", kind="raw")),
    ],
    ids=[
        "a string",
        "a number",
        "null",
        "metadata a string",
        "nbgrader metadata a list",
        "grade id a list",
        "source a list of strings",
        "a lone surrogate",
        "an unknown cell type",
    ],
)
def test_a_malformed_cell_becomes_a_plain_cell_and_the_result_is_a_valid_notebook(cell, rebuilt):
    notebook = rebuild(
        submission(student("intro"), cell, student("impl_f", "f = abs"), student("test_f"), student("explain")),
        make_master(),
    )
    assert notebook.cells[1] == rebuilt
    assert [c.source for c in notebook.cells[:1] + notebook.cells[2:]] == [INTRO, "f = abs", TEST, TEXT]
    nbformat.validate(notebook)
    nbformat.writes(notebook).encode("utf-8")


def test_an_answer_given_as_a_list_of_strings_with_a_lone_surrogate_is_kept_as_one_utf8_string():
    answer = student("impl_f", ["def f(x):\n", "    return '\udc80'\n", None, "# end"])
    answer["metadata"] = {"nbgrader": {**answer["metadata"]["nbgrader"], "points": "many"}, "tags": "x"}
    notebook = rebuild(submission(student("intro"), answer, student("test_f"), student("explain")), make_master())
    assert notebook.cells[1] == code(1, "def f(x):\n    return '?'\n# end", ANSWER_META)
    nbformat.validate(notebook)


@pytest.mark.parametrize("cells", [None, "cells", {"0": {}}, 3], ids=["null", "a string", "an object", "a number"])
def test_a_submission_whose_cells_are_not_a_list_comes_back_as_the_master_with_placeholders(cells):
    notebook = rebuild(nbformat.from_dict({"cells": cells, "metadata": "not an object"}), make_master())
    assert notebook.cells == [
        markdown(0, INTRO, LOCKED_META),
        code(1, MISSING_ANSWER, ANSWER_META),
        code(2, TEST, TEST_META),
        markdown(3, MISSING_TEXT, TEXT_META),
    ]
    assert notebook.metadata == KERNEL
    nbformat.validate(notebook)
