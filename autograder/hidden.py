"""What a hidden-test cell of the master notebook calls: grade one function of the kernel.

The cell ends with this call, so its value, the points earned, becomes the cell's
execute_result, which nbgrader reads as partial credit.
"""
from __future__ import annotations

from typing import Any

from .exercises import EXERCISES_BY_NAME
from .render import feedback_text
from .scoring import grade_function


def grade_in_notebook(name: str, namespace: dict[str, Any]) -> float:
    exercise = EXERCISES_BY_NAME[name]
    function = namespace.get(name)
    student_names = tuple(key for key, value in namespace.items() if callable(value) and not key.startswith("_"))
    result = grade_function(exercise, function if callable(function) else None, student_names)
    print(feedback_text(result))
    return result.points


def check_formula_in_notebook(name: str, namespace: dict[str, Any]) -> float:
    """The in-kernel check of a formula answer (the master, run by an instructor). Graded submissions
    never get here: the trusted grader reads the answer from the cell's source instead."""
    from . import messages as msg
    from .formulas.answers import FORMULAS_BY_NAME
    from .formulas.check import compare, manual

    answer, text = FORMULAS_BY_NAME[name], namespace.get(name)
    verdict = compare(answer, text) if isinstance(text, str) else manual(answer, "", msg.NOT_LITERAL.format(name=name))
    print(verdict.message)
    return verdict.points
