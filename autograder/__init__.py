"""Autograder for the derivatives and activation functions homework.

The public API is small: the exercise registry, grading one function, grading a course (one
submission at a time through nbgrader, or in parallel), and writing the feedback. Names load on
first use, so the sandbox and the notebook's hidden cells import only what they need.
"""

import sys
from importlib import import_module

# jsonschema (under nbformat) imports rfc3987_syntax if it is installed, for two string formats nbformat never checks;
# that import builds a parser and takes about two seconds of every grader process's start.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None in sys.modules blocks the import


def lazy_exports(package: str, homes: dict[str, tuple[str, str]]):
    """A package's `__getattr__` that loads each exported name on first use: name → (its module under
    `autograder`, the attribute there). A star import asks for each name of `__all__`, so it works too."""

    def __getattr__(name: str):
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = homes[name]
        return getattr(import_module(f"autograder.{module}"), attribute)

    return __getattr__


_HOMES = {
    "EXERCISES": ("authoring.exercises", "EXERCISES"),
    "Exercise": ("authoring.exercises", "Exercise"),
    "ExerciseResult": ("judging.scoring", "ExerciseResult"),
    "grade_function": ("judging.scoring", "grade_function"),
    "StudentResult": ("course.nbgrader_path", "StudentResult"),
    "grade_through_nbgrader": ("course.nbgrader_path", "grade_through_nbgrader"),
    "grade_course": ("course.nbgrader_path", "grade_through_nbgrader"),  # its name before, kept for code that uses it
    "grade_assignment": ("course.batch", "grade_assignment"),
    "write_outputs": ("feedback.outputs", "write_outputs"),
}
__all__ = sorted(_HOMES)
__getattr__ = lazy_exports(__name__, _HOMES)
