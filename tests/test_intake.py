"""A submission is looked at before anything runs it; each way it can be unreadable has one sentence."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from autograder.course import intake
from autograder.course.intake import MAX_NOTEBOOK_BYTES, submission_problem

IDS, FUNCTIONS = {"impl_f", "hidden_tests_f"}, {"f", "f_prime"}


def problem(folder):
    return submission_problem(folder, "derivatives.ipynb", "derivatives", IDS, FUNCTIONS)


def write(folder, cells):
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "derivatives.ipynb")


def test_a_readable_notebook_of_this_assignment_has_no_problem(tmp_path):
    write(tmp_path, [nbformat.v4.new_code_cell("def f(x):\n    return x")])
    assert problem(tmp_path) is None


def test_an_empty_submission_folder(tmp_path):
    assert problem(tmp_path) == "no derivatives.ipynb in the submission"


def test_a_missing_student_folder(tmp_path):
    assert problem(tmp_path / "nobody") == "no derivatives.ipynb in the submission"


def test_an_oversized_notebook(tmp_path):
    (tmp_path / "derivatives.ipynb").write_bytes(b" " * (MAX_NOTEBOOK_BYTES + 1))
    assert problem(tmp_path) == "derivatives.ipynb is 20.0 MB, over the 20 MB limit"


def test_json_that_is_not_a_notebook(tmp_path):
    (tmp_path / "derivatives.ipynb").write_text('{"cells": 3}')
    assert problem(tmp_path).startswith("derivatives.ipynb is not a Jupyter notebook: ")


def test_a_notebook_from_another_assignment(tmp_path):
    write(tmp_path, [nbformat.v4.new_code_cell("ones = 1")])
    assert problem(tmp_path) == (
        "derivatives.ipynb does not belong to assignment 'derivatives': none of its cells or functions match it"
    )


# Malformed and linked submissions: each is one sentence, never an exception that ends the batch.

MASTER_NOTEBOOK = Path(__file__).resolve().parents[1] / "source" / "derivatives" / "derivatives.ipynb"


def student_folder(tmp_path, student="ann"):
    """submitted/<student>/derivatives, as the batch passes it: its parent is the student's folder."""
    folder = tmp_path / "submitted" / student / "derivatives"
    folder.mkdir(parents=True)
    return folder


def with_metadata(folder, metadata):
    """A notebook of this assignment with one more cell whose metadata is `metadata`, however odd."""
    cells = [nbformat.v4.new_code_cell("def f(x):\n    return x"), nbformat.v4.new_code_cell("x = 1")]
    cells[1].metadata = metadata
    write(folder, cells)


def test_nbgrader_metadata_that_is_a_list_is_read_as_none(tmp_path):
    with_metadata(tmp_path, {"nbgrader": ["grade_id", "impl_f"]})
    assert problem(tmp_path) is None


def test_a_grade_id_that_is_a_list_is_read_as_none(tmp_path):
    with_metadata(tmp_path, {"nbgrader": {"grade_id": ["impl_f"], "solution": "yes", "points": "3"}})
    assert problem(tmp_path) is None


def test_a_notebook_whose_only_ids_are_not_strings_does_not_belong(tmp_path):
    write(tmp_path, [nbformat.v4.new_code_cell("ones = 1", metadata={"nbgrader": {"grade_id": {"impl_f": 1}}})])
    assert problem(tmp_path) == (
        "derivatives.ipynb does not belong to assignment 'derivatives': none of its cells or functions match it"
    )


def test_metadata_nested_100000_deep(tmp_path):
    (tmp_path / "derivatives.ipynb").write_text(
        '{"cells": [], "metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + '}, "nbformat": 4, "nbformat_minor": 5}'
    )
    assert problem(tmp_path) == "derivatives.ipynb is nested too deeply to read"


def test_metadata_nested_past_the_limit_but_within_python_s_own(tmp_path):
    (tmp_path / "derivatives.ipynb").write_text(
        '{"cells": [], "metadata": {"x": ' + "[" * 150 + "]" * 150 + '}, "nbformat": 4, "nbformat_minor": 5}'
    )
    assert problem(tmp_path) == "derivatives.ipynb is nested too deeply to read"


def test_one_byte_that_is_not_utf8(tmp_path):
    write(tmp_path, [nbformat.v4.new_code_cell("def f(x):\n    return x  # café")])
    data = (tmp_path / "derivatives.ipynb").read_bytes()
    offset = data.index("é".encode())
    (tmp_path / "derivatives.ipynb").write_bytes(data[:offset] + b"\xe9" + data[offset + 2 :])  # é in Latin-1
    assert problem(tmp_path) == f"derivatives.ipynb is not UTF-8 text (byte {offset} is not valid UTF-8)"


def test_a_notebook_that_is_a_symbolic_link_to_the_master(tmp_path):
    folder = student_folder(tmp_path)
    (folder / "derivatives.ipynb").symlink_to(MASTER_NOTEBOOK)
    assert problem(folder) == "derivatives.ipynb is a symbolic link; submit the notebook itself"


def test_a_notebook_that_is_a_hard_link(tmp_path):
    folder = student_folder(tmp_path)
    write(tmp_path, [nbformat.v4.new_code_cell("def f(x):\n    return x")])
    os.link(tmp_path / "derivatives.ipynb", folder / "derivatives.ipynb")
    assert problem(folder) == "derivatives.ipynb is a hard link to another file; submit the notebook itself"


def test_a_student_folder_that_is_a_symbolic_link(tmp_path):
    elsewhere = student_folder(tmp_path, "ben")
    write(elsewhere, [nbformat.v4.new_code_cell("def f(x):\n    return x")])
    (tmp_path / "submitted" / "ann").symlink_to(elsewhere.parent)
    assert problem(tmp_path / "submitted" / "ann" / "derivatives") == (
        "derivatives.ipynb resolves outside the student's folder; submit the notebook itself"
    )


def test_an_assignment_folder_that_is_a_symbolic_link(tmp_path):
    elsewhere = student_folder(tmp_path, "ben")
    write(elsewhere, [nbformat.v4.new_code_cell("def f(x):\n    return x")])
    (tmp_path / "submitted" / "ann").mkdir()
    (tmp_path / "submitted" / "ann" / "derivatives").symlink_to(elsewhere)
    assert problem(tmp_path / "submitted" / "ann" / "derivatives") == (
        "derivatives.ipynb resolves outside the student's folder; submit the notebook itself"
    )


def test_a_fifo_or_a_folder_in_place_of_the_notebook(tmp_path):
    os.mkfifo(tmp_path / "derivatives.ipynb")  # opening it for reading must not wait for a writer
    assert problem(tmp_path) == "derivatives.ipynb is not a regular file; submit the notebook itself"
    (tmp_path / "derivatives.ipynb").unlink()
    (tmp_path / "derivatives.ipynb").mkdir()
    assert problem(tmp_path) == "derivatives.ipynb is not a regular file; submit the notebook itself"


def test_the_nbgrader_hook_refuses_a_link_too(tmp_path):
    folder = student_folder(tmp_path)
    (folder / "derivatives.ipynb").symlink_to(MASTER_NOTEBOOK)
    assert intake.unreadable(folder / "derivatives.ipynb") == (
        "derivatives.ipynb is a symbolic link; submit the notebook itself"
    )
    (folder / "derivatives.ipynb").unlink()
    write(folder, [nbformat.v4.new_code_cell("ones = 1")])
    assert intake.unreadable(folder / "derivatives.ipynb") is None  # it only says whether nbgrader can read it


@pytest.mark.parametrize(
    "json_text, sentence",
    [
        ("[1, 2]", "the file is a list, not an object"),
        (
            '{"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}',
            "its format version (nbformat 5, nbformat_minor 0) is not one Jupyter reads",
        ),
        (
            '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": "5"}',
            "its format version (nbformat 4, nbformat_minor '5') is not one Jupyter reads",
        ),
        (
            '{"cells": {}, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "its list of cells is an object, not a list",
        ),
        ('{"cells": [], "metadata": [], "nbformat": 4, "nbformat_minor": 5}', "its metadata is a list, not an object"),
        ('{"cells": [3], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "cell 1 is a number, not an object"),
        (
            '{"cells": [{"cell_type": "raw", "id": "a", "source": "", "metadata": "x"}], "metadata": {}, "nbformat": '
            "4, "
            '"nbformat_minor": 5}',
            "the metadata of cell 1 is a string, not an object",
        ),
    ],
    ids=[
        "not an object",
        "version 5",
        "minor a string",
        "cells an object",
        "metadata a list",
        "a cell a number",
        "cell metadata a string",
    ],
)
def test_json_that_is_not_shaped_like_a_notebook(tmp_path, json_text, sentence):
    (tmp_path / "derivatives.ipynb").write_text(json_text)
    assert problem(tmp_path) == f"derivatives.ipynb is not a Jupyter notebook: {sentence}"


def test_anything_no_file_explains_is_the_graders_fault_in_one_sentence_naming_the_file(tmp_path, monkeypatch):
    """A bug of ours, or a permission the instructor set, is never the student's 0 (the batch records a grader
    fault)."""
    write(tmp_path, [nbformat.v4.new_code_cell("def f(x):\n    return x")])

    def unexpected(*args):
        raise TypeError("unhashable type: 'list'\nsecond line")

    monkeypatch.setattr(intake, "_belongs", unexpected)
    with pytest.raises(intake.IntakeFault) as fault:
        problem(tmp_path)
    assert str(fault.value) == "the grader could not read derivatives.ipynb: TypeError: unhashable type: 'list'"


def test_the_text_to_grade_is_the_text_that_was_checked(tmp_path):
    write(tmp_path, [nbformat.v4.new_code_cell("def f(x):\n    return x  # café")])
    assert intake.read_submission(tmp_path, "derivatives.ipynb", "derivatives", IDS, FUNCTIONS) == (
        (tmp_path / "derivatives.ipynb").read_text(encoding="utf-8"),
        None,
    )
    assert intake.read_submission(tmp_path / "nobody", "derivatives.ipynb", "derivatives", IDS, FUNCTIONS) == (
        None,
        "no derivatives.ipynb in the submission",
    )


@pytest.mark.slow
def test_a_link_to_the_master_earns_nothing_on_either_grading_path_nor_shows_the_solutions(tmp_path):
    """`autograder grade` refuses it at intake; plain `nbgrader autograde` (our hook and RestoreFromMaster) too."""
    import shutil

    from nbgrader.api import Gradebook

    from autograder.course.batch import grade_assignment
    from autograder.course.folder import Course, generate_release
    from autograder.course.outcomes import recall

    from .conftest import ROOT

    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "source", tmp_path / "source")
    course = Course(tmp_path)
    generate_release(course)
    for student in ("mallory", "trudy"):
        folder = course.folder("submitted", student)
        folder.mkdir(parents=True)
        (folder / "derivatives.ipynb").symlink_to(tmp_path / "source" / "derivatives" / "derivatives.ipynb")

    rows = {r.student: r for r in grade_assignment(course, jobs=1, progress=False).results}
    assert (rows["mallory"].status, rows["mallory"].auto_score) == ("ungradable", 0)
    assert rows["mallory"].reason == "derivatives.ipynb is a symbolic link; submit the notebook itself"

    assert not course.api().autograde("derivatives", "trudy", force=True, create=True)[
        "success"
    ]  # nbgrader's own command
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        assert gb.find_submission("derivatives", "trudy").code_score == 0
    assert recall(course)["trudy"].reason == "derivatives.ipynb is a symbolic link; submit the notebook itself"
    assert not (course.folder("autograded", "trudy") / "derivatives.ipynb").exists()
    assert not (course.folder("feedback", "trudy") / "derivatives.html").exists()


@pytest.mark.parametrize("content", [b"garbage", b"9" * 5000, b"\xff\xfe2026", b"2026-11-28 09:00:00" + b" " * 10**6])
def test_a_timestamp_the_student_controls_is_read_as_theirs(tmp_path, content):
    """`nbgrader submit` writes timestamp.txt where the student can write; nbgrader's own reader raises on garbage
    (AttributeError), on long digits (OverflowError), on bytes that are not UTF-8, and blocks on a FIFO."""
    import shutil

    from autograder.course.folder import Course, submission_timestamp

    from .conftest import ROOT

    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    course = Course(tmp_path)
    folder = course.folder("submitted", "mallory")
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_bytes(content)
    expected = None if not content.startswith(b"2026") else "2026-11-28 09:00:00"
    found = submission_timestamp(course, "mallory")
    assert (found if found is None else found.strftime("%Y-%m-%d %H:%M:%S")) == expected
    (folder / "timestamp.txt").unlink()
    os.mkfifo(folder / "timestamp.txt")
    assert submission_timestamp(course, "mallory") is None  # never opened for a blocking read
    (folder / "timestamp.txt").unlink()
    (folder / "timestamp.txt").symlink_to("/etc/hostname")
    assert submission_timestamp(course, "mallory") is None
