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
