"""The formula reader: LaTeX → sympy, and the public check of each formula answer.

One copy is the grader's (autograder/formulas/reader/); `autograder sync-master` copies it next to the master
notebook as formula_reader/, and nbgrader's release ships that folder with the student's notebook, whose
locked cell imports it. A test fails when the copies differ. The grader only ever imports its own copy.
It needs sympy ≥ 1.13, lark and the standard library, nothing of the autograder.
"""

from .notation import ACCEPTED, MISSING, NotationError, plain, read_formula, sigmoid_class
from .public import (
    ANSWERS,
    CANNOT_READ,
    SHOWN_NAMES,
    meaning_of,
    read_meaning,
    show_formula_reading,
    symbols_of,
    undefined,
    variables_of,
)

__all__ = [
    "ACCEPTED",
    "ANSWERS",
    "CANNOT_READ",
    "MISSING",
    "SHOWN_NAMES",
    "NotationError",
    "meaning_of",
    "plain",
    "read_formula",
    "read_meaning",
    "show_formula_reading",
    "sigmoid_class",
    "symbols_of",
    "undefined",
    "variables_of",
]
