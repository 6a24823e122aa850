"""Turn case verdicts into points: each case is worth its weight, so a student right on
typical inputs and wrong at the edges keeps the typical part. Edge cases count only once every
typical case passes: a constant 0 is "right" where σ′ underflows, but that is no derivative."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .checks import CaseResult, check_case
from .exercises import Exercise
from .observe import Observation, observe


@dataclass(frozen=True)
class ExerciseResult:
    exercise: Exercise
    cases: tuple[CaseResult, ...]
    violation: str = ""
    """a policy breach that voids the points whatever the cases say (autograd in a by-hand derivative)"""
    manual: str = ""
    """why a person must grade it (its definition could not be rebuilt from source); no automatic points"""

    @property
    def max_points(self) -> float:
        return float(self.exercise.points)

    @property
    def points(self) -> float:
        if self.violation or self.manual:
            return 0.0
        typical_ok = all(result.passed for result in self.cases if result.case.group == "typical")
        total = sum(result.case.weight for result in self.cases)
        earned = sum(result.case.weight for result in self.cases if result.passed and (typical_ok or result.case.group == "typical"))
        return round(self.max_points * earned / total, 2) if total else 0.0

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.cases if not result.passed)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.violation and not self.manual


def score(exercise: Exercise, observations: tuple[Observation, ...], student_names: tuple[str, ...] = ()) -> ExerciseResult:
    """Judge one observation per case of `exercise` (in the order of `exercise.cases`)."""
    if len(observations) != len(exercise.cases):
        raise ValueError(f"{exercise.name}: {len(observations)} observations for {len(exercise.cases)} cases")
    return ExerciseResult(
        exercise,
        tuple(check_case(exercise, case, seen, student_names) for case, seen in zip(exercise.cases, observations)),
    )


def grade_function(exercise: Exercise, function: Callable | None, student_names: tuple[str, ...] = ()) -> ExerciseResult:
    """Observe and judge `function` in this process (used where student and grader share a kernel)."""
    return score(exercise, tuple(observe(function, case.args) for case in exercise.cases), student_names)
