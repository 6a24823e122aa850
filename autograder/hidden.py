"""What a hidden-test cell of the master notebook calls: grade one function of the kernel.

The cell ends with this call, so its value, the points earned, becomes the cell's
execute_result, which nbgrader reads as partial credit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.authoring.homework import DEFAULT, Homework, homework_in
from autograder.feedback.text import feedback_text
from autograder.judging.scoring import grade_function


def _homework() -> Homework:
    """The kernel runs in the master's folder, <course>/source/<assignment>/: the exercises.py there, or the package's
    default. Anywhere else (a submission run by stock nbgrader, in autograded/<student>/…, say) a file beside the
    notebook could be the student's, so it is never loaded."""
    here = Path.cwd()
    beside_the_master = here.parent.name == "source" and (here.parent.parent / "nbgrader_config.py").is_file()
    return homework_in(here) if beside_the_master else DEFAULT


def grade_in_notebook(name: str, namespace: dict[str, Any]) -> float:
    homework = _homework()
    exercise = homework.by_name[name]
    function = namespace.get(name)
    student_names = tuple(
        key
        for key, value in namespace.items()
        if callable(value) and not key.startswith("_") and key not in homework.by_name
    )
    result = grade_function(exercise, function if callable(function) else None, student_names)
    print(feedback_text(result))
    return result.points


def check_formula_in_notebook(name: str, namespace: dict[str, Any]) -> float:
    """The in-kernel check of a formula answer (the master, run by an instructor). Graded submissions
    never get here: the trusted grader reads the answer from the cell's source instead."""
    from autograder import messages as msg
    from autograder.formulas.check import compare, manual

    answer, text = _homework().formulas_by_name[name], namespace.get(name)
    verdict = compare(answer, text) if isinstance(text, str) else manual(answer, "", msg.NOT_LITERAL.format(name=name))
    print(verdict.message)
    return verdict.points
