"""By hand means by hand: the derivative policy, decided in the trusted parent from the source that will run.

A by-hand function is rebuilt from the statements `definitions` chose; those statements, and nothing
else, run in its process. Each is read here against one allowlist (`allowlist.py`): arithmetic, torch's
pointwise and tensor-creation functions, math constants, the notebook's own functions, plain control
flow. What the list lacks is a finding:

- plainly machine differentiation (autograd, backward kernels, dual numbers, complex numbers, sympy,
  finite differences by their shape): 0 points, naming the construct and its line;
- anything else: the grader cannot tell, so a person grades it (`needs_manual_grade`).

Nothing the sandbox reports can clear a function; it can only add evidence.

    allowlist.py           the one list, each entry with its reason
    scopes.py              what each name a scope binds is, as Python scopes it
    reading.py             the statements read in their scopes: every use of what the list lacks
    findings.py            a finding as data, its construct shown as written
    finite_differences.py  f(x + h) − f(x), by its shape; one function at an input and a step away
    steps.py               comparing two expressions for "an input a step away", within a budget
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass

from autograder.judging.by_hand.findings import Finding, shown
from autograder.judging.by_hand.finite_differences import NONLINEAR, calls_at_two_inputs, finite_difference
from autograder.judging.by_hand.reading import Reader
from autograder.judging.by_hand.steps import Budget, TooMuchToRead
from autograder.judging.definitions import Statement
from autograder.judging.python_source import parse

log = logging.getLogger("autograder")

FINITE_DIFFERENCES = "finite differences"
TWO_INPUTS = "`{name}` at two different inputs, {first} and {second},"
WHERE = "{construct} on line {line} of cell {cell}"
TOO_DEEP = "code nested more deeply than the grader reads"
TOO_MUCH = "more code than the grader compares in the time it has"
UNREADABLE = "code the grader failed to read (its error is in the grader's log)"


@dataclass(frozen=True)
class ByHand:
    """What reading a by-hand function found first: machine differentiation if any, else what cannot be verified."""

    construct: str
    machine: str | None
    cell: int
    line: int

    @property
    def where(self) -> str:
        # counted from 1, as everywhere
        return WHERE.format(construct=self.construct, line=self.line, cell=self.cell + 1)


def by_hand_finding(statements: tuple[Statement, ...]) -> ByHand | None:
    """The first finding in the statements a by-hand function is rebuilt from, or None if all of it is allowed.
    Whatever stops the reading sends the function to a person: never to 0, never to full marks."""
    last = (statements[-1].cell, statements[-1].line) if statements else (0, 0)
    try:
        return _first_finding(statements)
    except (RecursionError, SyntaxError):  # the reading recurses with the code's nesting; honest code is nowhere near
        return ByHand(TOO_DEEP, None, *last)
    except TooMuchToRead:
        return ByHand(TOO_MUCH, None, *last)
    except Exception:  # a bug of ours: logged with its traceback for the instructor, and a person grades it
        log.exception("reading a by-hand function failed")
        return ByHand(UNREADABLE, None, *last)


def _first_finding(statements: tuple[Statement, ...]) -> ByHand | None:
    budget = Budget()
    trees = [parse(statement.source) for statement in statements]  # padded: line numbers are the cell's own
    reader = Reader(trees)
    ordered: list[tuple[int, Finding]] = []
    for index, (statement, tree) in enumerate(zip(statements, trees)):
        reader.cell = statement.cell
        start = len(reader.findings)
        for node in tree.body:
            reader.visit(node)
        ordered += [(index, finding) for finding in reader.findings[start:]]
    step = finite_difference(trees, budget)
    if step is not None:
        index = _holding(trees, step)
        ordered.append(
            (index, Finding(shown(step), FINITE_DIFFERENCES, step.lineno, step.col_offset, statements[index].cell))
        )
    twice = calls_at_two_inputs(trees, _callee(reader, trees), budget)
    if twice is not None:
        first, second = twice
        index = _holding(trees, second)
        construct = TWO_INPUTS.format(name=shown(second.func)[1:-1], first=shown(first), second=shown(second))
        ordered.append((index, Finding(construct, None, second.lineno, second.col_offset, statements[index].cell)))
    if not ordered:
        return None
    machine = [item for item in ordered if item[1].machine]
    index, chosen = min(machine or ordered, key=lambda item: (item[0], item[1].line, item[1].column))
    return ByHand(chosen.construct, chosen.machine, chosen.cell, chosen.line)


def _callee(reader: Reader, trees: list[ast.Module]):
    """Which calls `calls_at_two_inputs` compares, and their inputs: every argument of a function the notebook
    defines (at any depth), the tensor a nonlinear torch function is applied to (`torch.sigmoid(t)`, `t.sigmoid()`)."""
    functions = {
        node.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    functions |= {
        node.targets[0].id
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Lambda)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    }

    def key(call: ast.Call) -> tuple[str, list[ast.expr]] | None:
        func = call.func
        if isinstance(func, ast.Name) and func.id in functions:
            return f"function {func.id}", list(call.args)
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name.rsplit(".", 1)[-1] not in NONLINEAR:
            return None
        if isinstance(func, ast.Attribute) and reader.chain_root(func)[0] != "module":
            return f"method {name}", [func.value]  # (x + h).sigmoid()
        kind = reader.chain_root(func) if isinstance(func, ast.Attribute) else reader.resolve(func.id)
        return (f"torch {name}", call.args[:1]) if kind[0] in ("module", "allowed") and call.args else None

    return key


def _holding(trees: list[ast.Module], node: ast.AST) -> int:
    return next(i for i, tree in enumerate(trees) if any(inner is node for inner in ast.walk(tree)))


__all__ = ["ByHand", "FINITE_DIFFERENCES", "by_hand_finding"]
