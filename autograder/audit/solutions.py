"""The instructor's solutions, found in the master as a submission's functions are, and mutants put in their place.

A mutant is graded as a student's notebook would be: its definition replaces the instructor's lines in the
master's cell, and `read_definitions` rebuilds the function from that program (so a mutant that reaches a new
name, `f` in a finite difference of f, gets that name's definition like any submission would). Reading the whole
notebook again costs ~30 ms a mutant, so a mutant that reads exactly the top-level names the solution reads (most
do) takes the solution's own rebuilt statements with its definition in their place: what `read_definitions`
gives for it, as tests/test_audit.py checks. All of this parses, so it runs in one thread, before any sandbox
is driven.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from nbformat import NotebookNode

from autograder.audit.mutants import Mutant
from autograder.authoring.exercises import Exercise
from autograder.authoring.homework import Homework
from autograder.errors import AutograderError
from autograder.judging.by_hand import ByHand, by_hand_finding
from autograder.judging.definitions import NotRebuilt, Rebuilt, Statement, read_definitions
from autograder.judging.definitions.statements import free_names
from autograder.judging.python_source import parse
from autograder.judging.trusted import function_jobs, student_program
from autograder.sandbox import FunctionJob

NO_SOLUTION = "the master has no solution of `{name}` that could be rebuilt ({why})"


@dataclass(frozen=True)
class Solution:
    exercise: Exercise
    function: ast.FunctionDef
    """the instructor's definition, parsed from its statement (line numbers are its cell's)"""
    cell: int
    program: tuple[tuple[int, str], ...]
    """the master's code cells, as a submission's would be run"""
    rebuilt: Rebuilt
    """the solution's function as grading rebuilds it"""
    statement: int
    """which of `rebuilt.statements` is the definition"""
    names: tuple[str, ...]
    """the functions the master defines (for the judge's "did you rename it?")"""

    def program_with(self, definition: str) -> list[tuple[int, str]]:
        """The master's program with `definition` in place of the instructor's lines."""
        first = min([self.function.lineno] + [d.lineno for d in self.function.decorator_list])
        program = []
        for index, source in self.program:
            if index == self.cell:
                lines = source.split("\n")
                if "\n".join(lines[first - 1 : self.function.end_lineno]) != self.rebuilt.statements[
                    self.statement
                ].source.strip("\n"):
                    raise SolutionUnreadable(SOLUTION_UNREADABLE.format(name=self.exercise.name, cell=self.cell))
                source = "\n".join(lines[: first - 1] + definition.split("\n") + lines[self.function.end_lineno :])
            program.append((index, source))
        return program


SOLUTION_UNREADABLE = (
    "cell {cell} of the master, which defines {name}, is not plain Python where the definition is (IPython "
    "syntax such as % or ! in it?), so its mutants cannot be put in its place; move {name} to a cell of its own"
)


class SolutionUnreadable(AutograderError):
    """The master's cell around a solution cannot take a mutant in the solution's place."""


@dataclass(frozen=True)
class Prepared:
    """A mutant (or, with `mutant` None, the solution itself) ready for the sandbox: its job and what the judge
    needs."""

    exercise: Exercise
    mutant: Mutant | None
    found: Rebuilt | NotRebuilt
    job: FunctionJob | None
    finding: ByHand | None
    names: tuple[str, ...]


def solutions_in(homework: Homework, master: NotebookNode) -> tuple[dict[str, Solution], dict[str, str]]:
    """Each exercise's solution in the master, and for those that have none, why not."""
    program = tuple(student_program(master, homework))
    rebuilt, names = read_definitions(list(program), [e.name for e in homework.exercises])
    found, missing = {}, {}
    for exercise in homework.exercises:
        rebuilt_one = rebuilt[exercise.name]
        if not isinstance(rebuilt_one, Rebuilt):
            missing[exercise.name] = NO_SOLUTION.format(
                name=exercise.name, why=getattr(rebuilt_one, "reason", "it is not defined")
            )
            continue
        for index in reversed(range(len(rebuilt_one.statements))):
            statement = rebuilt_one.statements[index]
            tree = parse(statement.source)  # padded to its line: the definition's line numbers are its cell's
            definition = next(
                (node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == exercise.name), None
            )
            if definition is not None:
                found[exercise.name] = Solution(
                    exercise, definition, statement.cell, program, rebuilt_one, index, names
                )
                break
        else:
            missing[exercise.name] = NO_SOLUTION.format(name=exercise.name, why="it is not a `def`")
    return found, missing


def prepare(solution: Solution, mutant: Mutant | None, homework: Homework) -> Prepared:
    """Rebuild the mutant's function from the master's program with the mutant in place, as grading would."""
    exercise = solution.exercise
    found: Rebuilt | NotRebuilt
    if mutant is None:
        found, names = solution.rebuilt, solution.names
    elif free_names(mutant.source) == free_names(solution.rebuilt.statements[solution.statement].source):
        found, names = in_place_of_the_solution(solution, mutant), solution.names
    else:
        found, names = rebuilt_from_the_notebook(solution, mutant)
    finding = by_hand_finding(found.statements) if exercise.by_hand and isinstance(found, Rebuilt) else None
    jobs = function_jobs({exercise.name: found}, homework)
    return Prepared(exercise, mutant, found, jobs[0] if jobs else None, finding, names)


def in_place_of_the_solution(solution: Solution, mutant: Mutant) -> Rebuilt:
    """The solution's rebuilt statements with the mutant's definition, padded to the same line, in place of its own."""
    statements = list(solution.rebuilt.statements)
    old = statements[solution.statement]
    padding = "\n" * (len(old.source) - len(old.source.lstrip("\n")))
    statements[solution.statement] = Statement(old.cell, old.line, padding + mutant.source + "\n")
    return Rebuilt(solution.rebuilt.name, tuple(statements))


def rebuilt_from_the_notebook(solution: Solution, mutant: Mutant) -> tuple[Rebuilt | NotRebuilt, tuple[str, ...]]:
    """The master's program read again with the mutant in place: what a submission with this definition gives."""
    rebuilt, names = read_definitions(solution.program_with(mutant.source), [solution.exercise.name])
    found = rebuilt[solution.exercise.name]
    # a mutant always defines the function; a failing one is a bug here
    if not isinstance(found, (Rebuilt, NotRebuilt)):
        raise RuntimeError(f"the mutant {mutant.id!r} of {solution.exercise.name} left no definition: {found}")
    return found, names
