"""Turn case verdicts into points: each case is worth its weight, so a student right on
typical inputs and wrong at the edges keeps the typical part. Edge cases count only once every
typical case passes: a constant 0 is "right" where σ′ underflows, but that is no derivative.
Likewise a single-value case counts only beside a passing case of many values and with no wrong values
in any typical case: one value cannot tell a formula from a coincidence (ReLU′ = 0 is right at any x < 0,
and so is a constant torch.tensor(0.))."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograder.authoring.exercises import Exercise
from autograder.judging.checks import CaseResult, check_case
from autograder.sandbox.observe import Observation, observe


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
    def case_points(self) -> tuple[float, ...]:
        """The share of the points each case earns, in the order of `cases`."""
        if self.violation or self.manual:
            return tuple(0.0 for _ in self.cases)
        typical = [result for result in self.cases if result.case.group == "typical"]
        typical_ok = all(result.passed for result in typical)
        # a single value is believed only beside a case of many values that passed, and no wrong values anywhere
        single_believed = any(r.passed and not r.case.single_value for r in typical) and not any(
            r.check in ("value", "finite") for r in typical
        )
        total = sum(result.case.weight for result in self.cases)

        def counts(result: CaseResult) -> bool:
            case = result.case
            return result.passed and (
                typical_ok or (case.group == "typical" and (single_believed or not case.single_value))
            )

        return tuple(
            self.max_points * result.case.weight / total if total and counts(result) else 0.0 for result in self.cases
        )

    @property
    def points(self) -> float:
        return round(sum(self.case_points), 2)

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.cases if not result.passed)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.violation and not self.manual


def score(
    exercise: Exercise, observations: tuple[Observation, ...], student_names: tuple[str, ...] = ()
) -> ExerciseResult:
    """Judge one observation per case of `exercise` (in the order of `exercise.cases`)."""
    if len(observations) != len(exercise.cases):
        raise ValueError(f"{exercise.name}: {len(observations)} observations for {len(exercise.cases)} cases")
    return ExerciseResult(
        exercise,
        tuple(check_case(exercise, case, seen, student_names) for case, seen in zip(exercise.cases, observations)),
    )


def grade_function(
    exercise: Exercise, function: Callable | None, student_names: tuple[str, ...] = ()
) -> ExerciseResult:
    """Observe and judge `function` in this process (used where student and grader share a kernel)."""
    return score(exercise, tuple(observe(function, case.args) for case in exercise.cases), student_names)
