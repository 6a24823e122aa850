"""Finite differences by their shape: the same expression at x + h and at x (or x − h), one taken from the other.

`(f(x + h) - f(x)) / h`, `(f(h + x) - f(x - h)) / (2 * h)`, `f(x * (1 + h)) - f(x)`, and the same through
names assigned once (`a = f(x + h); b = f(x); (a - b) / h`), through `torch.sub`, `a.sub(b)`, `torch.add(a, -b)`,
and written out (`3 * (x + h) ** 3 - 3 * x ** 3`): 0 points. No honest formula for these derivatives
subtracts an expression from itself at a shifted input.

Wider, and so only for a person to judge: one function called, in one scope, at an input and at that input a
step away, whether the notebook's own or a nonlinear torch function (an extrapolation, a stencil, a difference
built up some other way). σ(x)·σ(−x), log(p) and log(1 − p) are formulas, not steps.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from autograder.judging.by_hand.scopes import all_args
from autograder.judging.by_hand.steps import (
    STEP,
    Budget,
    Inline,
    compare,
    constant_value,
    scope_nodes,
    single_assignments,
)

SUBTRACTIONS = {"sub", "subtract"}
ADDITIONS = {"add"}
NONLINEAR = set(
    "exp log log1p expm1 log2 log10 sqrt rsqrt pow square "
    "reciprocal sigmoid tanh relu softplus logsigmoid expit logit logaddexp xlogy xlog1py".split()
)
"""the torch functions a difference would be taken of"""
MAX_TERMS = 64
MAX_INPUTS = 32
"""distinct inputs compared per function and scope; a stencil needs two"""


def _terms(node: ast.expr, covered: set[int], sign: int = 1) -> list[tuple[int, ast.expr]]:
    """An additive expression as signed terms: a − b + (−c) → (+a, −b, −c); `torch.sub(a, b)`, `a.sub(b)`,
    `torch.add(a, -b)` and `torch.add(a, b, alpha=-1)` too. Its inner sums go into `covered`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        covered.add(id(node))
        return _terms(node.left, covered, sign) + _terms(
            node.right, covered, sign if isinstance(node.op, ast.Add) else -sign
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _terms(node.operand, covered, -sign)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):  # 5/21 · f(x + 2h), (−1) · f(x − h)
        for factor, other in (
            (node.right, node.left),
            (node.left, node.right) if isinstance(node.op, ast.Mult) else (None, None),
        ):
            value = constant_value(factor) if factor is not None else None
            if value:
                return _terms(other, covered, sign if value > 0 else -sign)
    operands = _call_operands(node)
    if operands:
        covered.add(id(node))
        (first, second), second_sign = operands
        return _terms(first, covered, sign) + _terms(second, covered, sign * second_sign)
    return [(sign, node)]


def _call_operands(node: ast.expr) -> tuple[tuple[ast.expr, ast.expr], int] | None:
    """The two operands of an addition or subtraction written as a call, and the sign of the second."""
    if not isinstance(node, ast.Call):
        return None
    name = (
        node.func.attr
        if isinstance(node.func, ast.Attribute)
        else node.func.id
        if isinstance(node.func, ast.Name)
        else ""
    )
    if name not in SUBTRACTIONS | ADDITIONS:
        return None
    if len(node.args) == 2:
        operands = (node.args[0], node.args[1])
    elif len(node.args) == 1 and isinstance(node.func, ast.Attribute):
        operands = (node.func.value, node.args[0])  # a.sub(b)
    else:
        return None
    alpha = next((k.value for k in node.keywords if k.arg == "alpha"), None)
    negative_alpha = isinstance(alpha, ast.UnaryOp) and isinstance(alpha.op, ast.USub)
    return operands, (-1 if (name in SUBTRACTIONS) != negative_alpha else 1)


def _nontrivial(node: ast.expr) -> bool:
    """A computation, not the bare input: `x + h − x` is the step, not a difference of f."""
    return any(
        isinstance(n, ast.Call) or (isinstance(n, ast.BinOp) and not isinstance(n.op, (ast.Add, ast.Sub)))
        for n in ast.walk(node)
    )


def _scopes(trees: list[ast.Module]) -> list[tuple[list[ast.stmt], set[str]]]:
    """The top level, and each function and lambda, as (its statements, its parameters)."""
    found: list[tuple[list[ast.stmt], set[str]]] = [([s for tree in trees for s in tree.body], set())]
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                names = {a.arg for a in all_args(node.args)}
                body: list[ast.stmt] = node.body if isinstance(node.body, list) else [ast.Return(node.body)]
                found.append((body, names))
    return found


def _sums(trees: list[ast.Module], budget: Budget) -> Iterator[tuple[ast.AST, list[tuple[int, ast.expr]]]]:
    """Each scope's outermost sums, and each name it accumulates (`acc += …`, `acc = acc - …`), as (where, its signed
    terms with names assigned once inlined)."""
    for body, parameters in _scopes(trees):
        inline = Inline(single_assignments(body, parameters), budget)
        covered: set[int] = set()
        accumulated: dict[str, list[tuple[int, ast.expr]]] = {}
        first: dict[str, ast.AST] = {}
        for statement in body:
            for node in scope_nodes(statement):
                for name, terms in _accumulation(node, covered):
                    accumulated.setdefault(name, []).extend(terms)
                    first.setdefault(name, node)
                if id(node) in covered or not (
                    (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))) or _call_operands(node)
                ):
                    continue
                yield node, [(sign, inline.copy(term)) for sign, term in _terms(node, covered)[:MAX_TERMS]]
        for name, terms in accumulated.items():
            yield first[name], [(sign, inline.copy(term)) for sign, term in terms[:MAX_TERMS]]


def _accumulation(node: ast.AST, covered: set[int]) -> list[tuple[str, list[tuple[int, ast.expr]]]]:
    """`acc += a`, `acc -= b`, `acc = acc + c`: the name and the terms this statement adds to it."""
    if (
        isinstance(node, ast.AugAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.op, (ast.Add, ast.Sub))
    ):
        return [(node.target.id, _terms(node.value, covered, 1 if isinstance(node.op, ast.Add) else -1))]
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        inner: set[int]
        name, inner = node.targets[0].id, set()
        terms = _terms(node.value, inner)
        if any(sign == 1 and isinstance(term, ast.Name) and term.id == name for sign, term in terms):
            covered |= inner
            return [
                (name, [(sign, term) for sign, term in terms if not (isinstance(term, ast.Name) and term.id == name)])
            ]
    return []


def finite_difference(trees: list[ast.Module], budget: Budget) -> ast.AST | None:
    """The first sum that subtracts an expression at one input from the same expression a step away, if any."""
    for node, terms in _sums(trees, budget):
        for index, (sign, term) in enumerate(terms):
            for other_sign, other in terms[index + 1 :]:
                if sign != other_sign and _nontrivial(term) and compare(term, other, budget) == STEP:
                    return node
    return None


def calls_at_two_inputs(
    trees: list[ast.Module], callee: Callable[[ast.Call], tuple[str, list[ast.expr]] | None], budget: Budget
) -> tuple[ast.Call, ast.Call] | None:
    """Two calls of one function, in one scope, at an input and that input a step away: how a stencil or an
    extrapolation looks when it is not written as a plain difference. `callee` says which calls count and what
    their inputs are. The two calls come back in the order they are written."""
    for body, parameters in _scopes(trees):
        inline = Inline(single_assignments(body, parameters), budget)
        seen: dict[str, dict[str, tuple[ast.Call, list[ast.expr]]]] = {}
        for statement in body:
            for node in scope_nodes(statement):
                found = callee(node) if isinstance(node, ast.Call) else None
                if found is None:
                    continue
                key, inputs = found
                inlined = [inline.copy(a) for a in inputs]
                earlier = seen.setdefault(key, {})
                signature = "|".join(ast.dump(a) for a in inlined)
                if signature in earlier or len(earlier) >= MAX_INPUTS:
                    continue  # the same inputs again are no step
                for call, other in earlier.values():
                    if len(other) == len(inlined) and any(
                        compare(a, b, budget) == STEP for a, b in zip(other, inlined)
                    ):
                        return tuple(sorted((call, node), key=lambda c: (c.lineno, c.col_offset)))  # type: ignore[return-value]
                earlier[signature] = (node, inlined)
    return None
