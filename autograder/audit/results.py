"""What the audit found, as values: one result per mutant, per edge case, per formula perturbation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from autograder.audit.formula_mutants import FormulaResult
from autograder.audit.mutants import Mutant
from autograder.judging.scoring import ExerciseResult

SURVIVAL = 0.9
"""a wrong function that earns this share of the points or more has got past the hidden tests"""


class Catch(Enum):
    CASE = "a failing case"
    POLICY = "by-hand policy"
    MANUAL = "manual"
    NOTHING = "nothing"


@dataclass(frozen=True)
class CaughtBy:
    how: Catch
    detail: str = ""
    """the check and case (`value · 0-d tensor`), the kind of machine differentiation, or why a person grades it"""

    def __str__(self) -> str:
        if self.how is Catch.CASE:
            return self.detail
        return f"{self.how.value} ({self.detail})" if self.detail else self.how.value


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    points: float
    max_points: float
    caught_by: CaughtBy
    """the first failing case's check and name, or the policy that voided the points; for a mutant that earns
    its points despite failing some case, that case still"""
    failing_cases: tuple[str, ...]
    equivalent: str = ""
    """why it is a documented equivalent (the homework's `equivalent_mutants`), "" if it is not one"""
    judged: bool = True
    """False when its process was stopped even when run alone: the grader's or the machine's doing, not a catch"""

    @property
    def survived(self) -> bool:
        return self.points >= SURVIVAL * self.max_points

    @property
    def survivor(self) -> bool:
        """Wrong, and yet the hidden tests give it (nearly) every point."""
        return self.survived and not self.equivalent


@dataclass(frozen=True)
class EdgeUse:
    exercise: str
    edge: str
    needed_by: tuple[str, ...]
    """ids of the mutants that fail this edge case and nothing else"""

    @property
    def earns_its_place(self) -> bool:
        return bool(self.needed_by)


@dataclass(frozen=True)
class StaleEquivalent:
    exercise: str
    mutant_id: str
    why: str


@dataclass(frozen=True)
class SolutionCheck:
    """The instructor's own solution through the same path: unless it earns every point, its mutants prove nothing."""

    exercise: str
    points: float
    max_points: float
    caught_by: CaughtBy

    @property
    def earns_every_point(self) -> bool:
        return self.points >= self.max_points


@dataclass(frozen=True)
class AuditReport:
    mutants: tuple[MutantResult, ...]
    edges: tuple[EdgeUse, ...]
    formulas: tuple[FormulaResult, ...]
    stale_equivalents: tuple[StaleEquivalent, ...]
    """documented equivalents that no longer come out as generated, or that the tests now catch"""
    solutions: tuple[SolutionCheck, ...]
    unaudited: tuple[tuple[str, str], ...]
    """(exercise, why) for the exercises whose solution the master lacks"""
    exercises: int
    seconds: float

    @property
    def survivors(self) -> list[MutantResult | FormulaResult]:
        return [r for r in self.mutants if r.survivor] + [r for r in self.formulas if r.survivor]

    @property
    def broken_solutions(self) -> list[SolutionCheck]:
        return [s for s in self.solutions if not s.earns_every_point]

    @property
    def unjudged(self) -> list[MutantResult]:
        return [r for r in self.mutants if not r.judged]

    @property
    def passed(self) -> bool:
        """No weakness and no doubt: no survivor, no stale equivalent, no mutant that could not be judged, and every
        solution of the master earns its points."""
        return not (self.survivors or self.stale_equivalents or self.broken_solutions or self.unjudged)


def caught_by(result: ExerciseResult, machine: str | None, construct: str | None, called: str) -> CaughtBy:
    """What stopped a mutant, in the order `trusted._judge` decides: the policy, a person, then the cases."""
    if result.violation:
        return CaughtBy(
            Catch.POLICY, machine or (f"called {called} when graded" if called else "machine differentiation")
        )
    if result.manual:
        return CaughtBy(Catch.MANUAL, construct or result.manual)
    failing = result.failures
    return CaughtBy(Catch.CASE, f"{failing[0].check} · {failing[0].case.name}") if failing else CaughtBy(Catch.NOTHING)
