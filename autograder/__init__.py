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

_HOMES = {
    "EXERCISES": "authoring.exercises",
    "Exercise": "authoring.exercises",
    "ExerciseResult": "judging.scoring",
    "grade_function": "judging.scoring",
    "StudentResult": "course.nbgrader_path",
    "grade_through_nbgrader": "course.nbgrader_path",
    "grade_course": "course.nbgrader_path",
    "grade_assignment": "course.batch",
    "write_outputs": "feedback.outputs",
}
_RENAMED = {"grade_course": "grade_through_nbgrader"}
"""names this package exported before, kept for code that still uses them"""
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'autograder' has no attribute {name!r}")
    return getattr(import_module(f".{_HOMES[name]}", __name__), _RENAMED.get(name, name))
