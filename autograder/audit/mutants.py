"""Mutants of one function: small, plausible mistakes, each a changed copy of the instructor's definition.

This module holds the mutant type and the expression-level operators: each rewrites one node of the function's
AST (an operator, a term, a constant, a comparison, a numerically careful form). Whole-function rewrites (the
input changed in place, finite differences, autograd, the library of wrong formulas) are in `rewrites.py`.

A mutant's source is `ast.unparse` of the changed definition, and the original it is compared with is the
unparse of the unchanged one: the diff then shows the mutation and nothing of the formatting. Its id is built
from what changed, so it stays the same from run to run while the solution does (the documented equivalents,
`equivalent_mutants.py` and a course's EQUIVALENT_MUTANTS, are keyed by it).
"""

from __future__ import annotations

import ast
import copy
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    OPERATOR = "operator"
    DROPPED = "dropped term"
    CONSTANT = "constant"
    COMPARISON = "comparison"
    UNSTABLE = "unstable form"
    IN_PLACE = "in place"
    FINITE_DIFFERENCE = "finite difference"
    AUTOGRAD = "autograd"
    WRONG_FORMULA = "wrong formula"


@dataclass(frozen=True)
class Mutant:
    exercise: str
    kind: Kind
    id: str
    """stable while the solution is: `<kind>: <before> → <after>` for the expression operators"""
    description: str
    source: str
    """the mutated definition, as it replaces the instructor's in the master's cell"""
    original: str
    """the instructor's definition, unparsed the same way"""

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                (self.original + "\n").splitlines(True),
                (self.source + "\n").splitlines(True),
                f"{self.exercise} (solution)",
                f"{self.exercise} ({self.id})",
            )
        )


SWAPPED_OPERATORS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
SWAPPED_COMPARISONS = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}
SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Lt: "<",
    ast.LtE: "<=",
}
LOGISTIC_NAMES = {"sigmoid", "expit"}
GUARDS = {"clamp", "clip", "clamp_min", "clamp_max", "nan_to_num"}
"""calls that keep a value away from where log, division or exp break: removed, they leave their argument"""
EPS_NAMES = {"eps", "epsilon", "EPS", "EPSILON"}
SMALL = 1e-3
"""a constant added or subtracted that is smaller than this is a guard (an eps), not a term"""
LEAF = (ast.Constant, ast.Name, ast.Attribute, ast.keyword)


def is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def body_nodes(function: ast.FunctionDef) -> Iterator[ast.AST]:
    """Every node of the body in a fixed order, the docstring left out (changing it changes nothing)."""
    body = function.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    for statement in body:
        yield from ast.walk(statement)


def replaced(tree: ast.AST, target: ast.AST, replacement: ast.AST) -> ast.AST:
    """A copy of `tree` with `target` (one of its nodes) replaced; the original is left as it was."""
    return copy.deepcopy(tree, {id(target): replacement})


# ---- what each node can become ----------------------------------------------------------------------------------


def _candidates(node: ast.AST) -> Iterator[tuple[Kind, ast.AST, str]]:
    """(kind, replacement, what it does) for one node; numerically careless forms first, so that when the same
    mutant also comes out as a dropped term it keeps the name that says why it matters."""
    yield from _unstable(node)
    if isinstance(node, ast.BinOp):
        if type(node.op) in SWAPPED_OPERATORS:
            swapped = SWAPPED_OPERATORS[type(node.op)]
            yield (
                Kind.OPERATOR,
                ast.BinOp(node.left, swapped(), node.right),
                f"`{SYMBOLS[type(node.op)]}` swapped for `{SYMBOLS[swapped]}`",
            )
        yield Kind.DROPPED, node.left, f"`{SYMBOLS.get(type(node.op), '?')}` and its right side dropped"
        yield Kind.DROPPED, node.right, f"`{SYMBOLS.get(type(node.op), '?')}` and its left side dropped"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield Kind.DROPPED, node.operand, "the minus sign dropped"
    elif isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in SWAPPED_COMPARISONS:
                ops = list(node.ops)
                ops[index] = SWAPPED_COMPARISONS[type(op)]()
                yield (
                    Kind.COMPARISON,
                    ast.Compare(node.left, ops, node.comparators),
                    f"`{SYMBOLS[type(op)]}` swapped for `{SYMBOLS[type(ops[index])]}`",
                )
    elif is_number(node):
        yield from _changed_constant(node.value)


def _changed_constant(value: int | float) -> Iterator[tuple[Kind, ast.AST, str]]:
    changes: tuple[tuple[str, int | float], ...] = (
        ("plus 1", value + 1),
        ("doubled", 2 * value),
        ("negated", -value),
        ("made 0", 0 * value),
    )
    if 0 < abs(value) < SMALL:  # a guard (an eps) too large to be harmless: 1e-8 → 1e-5
        changes += (("made 1000 times larger", float(f"{value * 1000:g}")),)
    seen = {value}
    for how, new in changes:
        if new in seen:  # 0 doubled, negated or made 0 is 0: not a mutant (and −0.0 == 0.0)
            continue
        seen.add(new)
        node = ast.UnaryOp(ast.USub(), ast.Constant(-new)) if new < 0 else ast.Constant(new)
        yield Kind.CONSTANT, node, f"the constant {value!r} {how}"


def _unstable(node: ast.AST) -> Iterator[tuple[Kind, ast.AST, str]]:
    """The careless forms of careful code: σ through eˣ/(1 + eˣ) (inf/inf for large x), guards and eps removed."""
    argument, exp = _logistic(node)
    if argument is not None:
        exp = exp or ast.Attribute(ast.Name("torch", ast.Load()), "exp", ast.Load())
        overflowing = ast.Call(exp, [argument], [])
        yield (
            Kind.UNSTABLE,
            ast.BinOp(overflowing, ast.Div(), ast.BinOp(ast.Constant(1), ast.Add(), overflowing)),
            "σ(t) written as eᵗ/(1 + eᵗ), which is inf/inf for large t",
        )
    if isinstance(node, ast.Call) and _called_name(node.func) in GUARDS:
        guarded = node.args[0] if node.args else node.func.value if isinstance(node.func, ast.Attribute) else None
        if guarded is not None:
            yield Kind.UNSTABLE, guarded, f"the guard `{_called_name(node.func)}` removed"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        for guard, kept in ((node.right, node.left), (node.left, node.right)):
            if _is_eps(guard):
                yield Kind.UNSTABLE, kept, f"the eps `{ast.unparse(guard)}` removed"


def _called_name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _logistic(node: ast.AST) -> tuple[ast.expr | None, ast.expr | None]:
    """The argument t of σ(t), written as a call (`torch.sigmoid(t)`, `t.sigmoid()`, the notebook's `sigmoid(t)`) or as
    1 / (1 + exp(−t)); and the exp function that form used."""
    if isinstance(node, ast.Call) and _called_name(node.func) in LOGISTIC_NAMES and not node.keywords:
        if len(node.args) == 1:
            return node.args[0], None
        if not node.args and isinstance(node.func, ast.Attribute):
            return node.func.value, None
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and _is_one(node.left)
        and isinstance(node.right, ast.BinOp)
        and isinstance(node.right.op, ast.Add)
        and _is_one(node.right.left)
    ):
        call = node.right.right
        if (
            isinstance(call, ast.Call)
            and _called_name(call.func) == "exp"
            and len(call.args) == 1
            and isinstance(call.args[0], ast.UnaryOp)
            and isinstance(call.args[0].op, ast.USub)
        ):
            return call.args[0].operand, call.func
    return None, None


def _is_one(node: ast.AST) -> bool:
    return is_number(node) and node.value == 1


def _is_eps(node: ast.AST) -> bool:
    return (
        (isinstance(node, ast.Name) and node.id in EPS_NAMES)
        or (isinstance(node, ast.Attribute) and node.attr == "eps")
        or (is_number(node) and 0 < abs(node.value) < SMALL)
    )


# ---- from candidates to mutants -----------------------------------------------------------------------------------


def expression_mutants(exercise: str, function: ast.FunctionDef) -> list[Mutant]:
    """Every expression-level mutant of `function`, in a fixed order; unchanged and repeated sources left out."""
    parents = {id(child): parent for parent in ast.walk(function) for child in ast.iter_child_nodes(parent)}
    original = ast.unparse(function)
    mutants = []
    for node in body_nodes(function):
        for kind, replacement, what in _candidates(node):
            context = _context(node, parents)
            before, after = ast.unparse(context), ast.unparse(replaced(context, node, replacement))
            source = ast.unparse(replaced(function, node, replacement))
            mutants.append(
                Mutant(exercise, kind, f"{kind.value}: {before} → {after}", f"{what} in `{before}`", source, original)
            )
    return distinct(mutants, original)


def _context(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    """What an id shows of a change: the node itself, or for a name or a constant the expression (or one-line
    statement) around it, so `1 → 2` reads as `1 - y → 2 - y`."""
    context = node
    while isinstance(context, LEAF) and id(context) in parents:
        parent = parents[id(context)]
        if isinstance(parent, ast.stmt) and hasattr(parent, "body"):  # a block: its text is more than one line
            break
        context = parent
    return context


def distinct(mutants: list[Mutant], original: str) -> list[Mutant]:
    """Without the mutants whose source is the original's or an earlier mutant's; ids made unique in order."""
    ids: dict[str, int]
    seen, kept, ids = {original}, [], {}
    for mutant in mutants:
        if mutant.source in seen:
            continue
        seen.add(mutant.source)
        ids[mutant.id] = ids.get(mutant.id, 0) + 1
        if ids[mutant.id] > 1:
            mutant = Mutant(
                mutant.exercise,
                mutant.kind,
                f"{mutant.id} (#{ids[mutant.id]})",
                mutant.description,
                mutant.source,
                mutant.original,
            )
        kept.append(mutant)
    return kept
