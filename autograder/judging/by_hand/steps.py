"""Comparing two expressions for "the same, an input a step away": what the finite-difference rules are built on.

Everything here is bounded by a `Budget`: a notebook of 256,000 characters must not hold up anyone's grading.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator

from autograder.judging.definitions.statements import SCOPES

STEP, SAME, DIFFERENT = "step", "same", "different"
MAX_WORK = 200_000
"""nodes copied and compared while reading one by-hand function (about a second of work); honest code needs a few
thousand"""


class TooMuchToRead(Exception):
    """The reading ran out of its budget: the code is too large or too repetitive to compare in time."""


class Budget:
    def __init__(self, nodes: int = MAX_WORK):
        self.left = nodes

    def spend(self, nodes: int) -> None:
        self.left -= nodes
        if self.left < 0:
            raise TooMuchToRead


def scope_nodes(statement: ast.AST) -> Iterator[ast.AST]:
    """A statement's nodes, not those of the functions, lambdas or classes it holds (their bodies are their own
    scopes; a def's decorators and defaults are this scope's)."""
    pending = [statement]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, SCOPES) and node is not statement:
            arguments = getattr(node, "args", None)
            pending += list(getattr(node, "decorator_list", [])) + (
                [*arguments.defaults, *(d for d in arguments.kw_defaults if d)]
                if isinstance(arguments, ast.arguments)
                else []
            )
            continue
        pending += list(ast.iter_child_nodes(node))


def single_assignments(body: list[ast.stmt], parameters: set[str]) -> dict[str, ast.expr]:
    """Names a scope assigns exactly once, by `name = expression`, and never otherwise: safe to inline."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for statement in body:
        for node in scope_nodes(statement):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                counts[node.name] = counts.get(node.name, 0) + 2
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                counts[node.id] = counts.get(node.id, 0) + 1
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                values[node.targets[0].id] = node.value
    return {name: value for name, value in values.items() if counts.get(name) == 1 and name not in parameters}


class Inline(ast.NodeTransformer):
    """A copy of an expression with the names assigned once replaced by their values, each copy paid for."""

    def __init__(self, values: dict[str, ast.expr], budget: Budget):
        self.values, self.budget = values, budget
        self.active: set[str] = set()

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.values and node.id not in self.active:
            self.active.add(node.id)
            value = self.values[node.id]
            self.budget.spend(sum(1 for _ in ast.walk(value)))
            inlined = self.visit(copy.deepcopy(value))
            self.active.discard(node.id)
            return inlined
        return node

    def copy(self, node: ast.expr) -> ast.expr:
        self.budget.spend(sum(1 for _ in ast.walk(node)))
        return self.visit(copy.deepcopy(node))


def _inputs_before_a_step(node: ast.AST) -> set[str]:
    """x + h, h + x, x − h, x·(1 + h), (1 + h)·x → the dumps of what x may be (a constant is never the input)."""
    if not isinstance(node, ast.BinOp):
        return set()
    if isinstance(node.op, ast.Add):
        sides = [node.left, node.right]
    elif isinstance(node.op, ast.Sub):
        sides = [node.left]
    elif isinstance(node.op, ast.Mult):
        sides = [side for side, other in ((node.left, node.right), (node.right, node.left)) if _one_plus(other)]
    else:
        sides = []
    return {ast.dump(side) for side in sides if not isinstance(side, ast.Constant)}


def _primary(node: ast.AST) -> str | None:
    """What a step is taken from, as written first: x in x + h, x − h, x·(1 + h). (p + eps and 1 − p + eps share
    only their step, eps: two reflections, not two steps.)"""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult))
        and not isinstance(node.left, ast.Constant)
    ):
        return ast.dump(node.left)
    return None


def _one_plus(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, (ast.Add, ast.Sub))
        and isinstance(node.left, ast.Constant)
        and node.left.value == 1
    )


def compare(a: ast.AST, b: ast.AST, budget: Budget) -> str:
    """STEP if a and b differ only where one holds an input and the other that input a step away (or both do), and
    every such place steps the same input: f(x + h) against f(x), 3(x + h)³ − 2(x + h)² against 3x³ − 2x². Not
    (y − 1)/(p − 1) against y/p, which shifts two inputs: that is a formula. SAME or DIFFERENT otherwise."""
    bases: set[str] = set()
    outcome = _compare(a, b, bases, budget)
    return STEP if outcome == STEP and len(bases) == 1 else DIFFERENT if outcome == STEP else outcome


def _compare(a: ast.AST, b: ast.AST, bases: set[str], budget: Budget) -> str:
    budget.spend(1)
    dump_a, dump_b = ast.dump(a), ast.dump(b)
    budget.spend((len(dump_a) + len(dump_b)) // 64)
    if dump_a == dump_b:
        return SAME
    before_a, before_b = _inputs_before_a_step(a), _inputs_before_a_step(b)
    base = next(
        (
            x
            for x in (
                dump_b if dump_b in before_a else None,
                dump_a if dump_a in before_b else None,
                _primary(a) if _primary(a) in before_b else None,
                _primary(b) if _primary(b) in before_a else None,
            )
            if x
        ),
        None,
    )
    if base is not None:
        bases.add(base)
        return STEP
    if type(a) is not type(b):
        return DIFFERENT
    found = SAME
    for field in a._fields:
        left, right = getattr(a, field), getattr(b, field)
        pairs = (
            list(zip(left, right))
            if isinstance(left, list) and isinstance(right, list) and len(left) == len(right)
            else [(left, right)]
        )
        for x, y in pairs:
            outcome = (
                _compare(x, y, bases, budget)
                if isinstance(x, ast.AST) and isinstance(y, ast.AST)
                else SAME
                if x == y
                else DIFFERENT
            )
            if outcome == DIFFERENT:
                return DIFFERENT
            found = STEP if outcome == STEP else found
    return found


def constant_value(node: ast.AST, depth: int = 0) -> float | None:
    """The value of a constant written with + − · / (`-5 / 21`, `3 - 1`), or None (also for one too large for a
    float)."""
    if depth > 20:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        try:
            return float(node.value)
        except OverflowError:
            return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = constant_value(node.operand, depth + 1)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = constant_value(node.left, depth + 1), constant_value(node.right, depth + 1)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}.get(
            type(node.op), left / right if right else None
        )
    return None
