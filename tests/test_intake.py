"""A submission is looked at before anything runs it; each way it can be unreadable has one sentence."""
from __future__ import annotations

import nbformat

from autograder.intake import MAX_NOTEBOOK_BYTES, submission_problem

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
    assert problem(tmp_path) == "derivatives.ipynb does not belong to assignment 'derivatives': none of its cells or functions match it"
