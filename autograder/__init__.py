"""Autograder for the derivatives and activation functions homework.

The public API is small: the exercise registry, grading one function, and the course job.
"""
from .exercises import EXERCISES, Exercise
from .grading import StudentResult, grade_course
from .scoring import ExerciseResult, grade_function

__all__ = ["EXERCISES", "Exercise", "ExerciseResult", "StudentResult", "grade_course", "grade_function"]
