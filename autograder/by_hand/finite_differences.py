"""Finite differences by their shape: the same expression at x + h and at x (or x − h), one taken from the other.

`(f(x + h) - f(x)) / h`, `(f(h + x) - f(x - h)) / (2 * h)`, `f(x * (1 + h)) - f(x)`, and the same through
names assigned once (`a = f(x + h); b = f(x); (a - b) / h`), through `torch.sub`, `a.sub(b)`, `torch.add(a, -b)`,
and written out (`3 * (x + h) ** 3 - 3 * x ** 3`): 0 points. No honest formula for these derivatives
subtracts an expression from itself at a shifted input.

Wider, and so only for a person to judge: one notebook function called at two inputs that differ beyond a
sign, in one scope (an extrapolation, or a difference built up some other way). σ(x)·σ(−x) is fine.
"""
from __future__ import annotations

import ast
import copy
from collections.abc import Callable

SUBTRACTIONS = {"sub", "subtract"}
NONLINEAR = {"exp", "log", "log1p", "expm1", "log2", "log10", "sqrt", "rsqrt", "pow", "square", "reciprocal", "sigmoid", "tanh",
             "relu", "softplus", "logsigmoid", "expit", "logit", "logaddexp", "xlogy", "xlog1py"}
"""the torch functions a difference would be taken of; called at two inputs that differ beyond a sign, a person looks"""
ADDITIONS = {"add"}
MAX_TERMS = 64
MAX_INLINED = 4096
"""nodes an expression may grow to through inlined names; past it, it is compared as written"""


def _single_assignments(body: list[ast.stmt], parameters: set[str]) -> dict[str, ast.expr]:
    """Names a scope assigns exactly once, by `name = expression`, and never otherwise: safe to inline."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                counts[node.name] = counts.get(node.name, 0) + 2
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
        pending += list(ast.iter_child_nodes(node))
    return {name: value for name, value in values.items() if counts.get(name) == 1 and name not in parameters}


class _Inline(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr]):
        self.values, self.active, self.size = values, set(), 0

    def visit_Name(self, node: ast.Name) -> ast.AST:
        self.size += 1
        if node.id in self.values and node.id not in self.active and self.size < MAX_INLINED:
            self.active.add(node.id)
            inlined = self.visit(copy.deepcopy(self.values[node.id]))
            self.active.discard(node.id)
            return inlined
        return node


STEP, SAME, DIFFERENT = "step", "same", "different"
MAX_COMPARED = 2000
"""nodes a term may have to be compared with another, node by node"""


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
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)) and not isinstance(node.left, ast.Constant):
        return ast.dump(node.left)
    return None


def _one_plus(node: ast.AST) -> bool:
    return (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(node.left, ast.Constant)
            and node.left.value == 1)


def _compare(a: ast.AST, b: ast.AST) -> str:
    """SAME; STEP if they differ only where one has an input and the other that input a step away (or both do,
    by different steps); else DIFFERENT."""
    if ast.dump(a) == ast.dump(b):
        return SAME
    before_a, before_b = _inputs_before_a_step(a), _inputs_before_a_step(b)
    if ast.dump(b) in before_a or ast.dump(a) in before_b or _primary(a) in before_b or _primary(b) in before_a:
        return STEP
    if type(a) is not type(b):
        return DIFFERENT
    found = SAME
    for field in a._fields:
        left, right = getattr(a, field), getattr(b, field)
        pairs = list(zip(left, right)) if isinstance(left, list) and isinstance(right, list) and len(left) == len(right) else [(left, right)]
        for x, y in pairs:
            outcome = _compare(x, y) if isinstance(x, ast.AST) and isinstance(y, ast.AST) else SAME if x == y else DIFFERENT
            if outcome == DIFFERENT:
                return DIFFERENT
            found = STEP if outcome == STEP else found
    return found


def _terms(node: ast.expr, covered: set[int], sign: int = 1) -> list[tuple[int, ast.expr]]:
    """An additive expression as signed terms: a − b + (−c) → (+a, −b, −c); `torch.sub(a, b)`, `a.sub(b)`,
    `torch.add(a, -b)` and `torch.add(a, b, alpha=-1)` too. Its inner sums go into `covered`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        covered.add(id(node))
        return _terms(node.left, covered, sign) + _terms(node.right, covered, sign if isinstance(node.op, ast.Add) else -sign)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _terms(node.operand, covered, -sign)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):  # 5/21 · f(x + 2h), (−1) · f(x − h)
        for factor, other in ((node.right, node.left), (node.left, node.right) if isinstance(node.op, ast.Mult) else (None, None)):
            value = _constant_value(factor) if factor is not None else None
            if value:
                return _terms(other, covered, sign if value > 0 else -sign)
    operands = _call_operands(node)
    if operands:
        covered.add(id(node))
        (first, second), second_sign = operands
        return _terms(first, covered, sign) + _terms(second, covered, sign * second_sign)
    return [(sign, node)]


def _constant_value(node: ast.AST, depth: int = 0) -> float | None:
    """The value of a constant written with + − · / (`-5 / 21`), or None."""
    if depth > 20:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _constant_value(node.operand, depth + 1)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = _constant_value(node.left, depth + 1), _constant_value(node.right, depth + 1)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}.get(type(node.op), left / right if right else None)
    return None


def _call_operands(node: ast.expr) -> tuple[tuple[ast.expr, ast.expr], int] | None:
    """The two operands of an addition or subtraction written as a call, and the sign of the second."""
    if not isinstance(node, ast.Call):
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
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
    return any(isinstance(n, ast.Call) or (isinstance(n, ast.BinOp) and not isinstance(n.op, (ast.Add, ast.Sub))) for n in ast.walk(node))


def _scopes(trees: list[ast.Module]) -> list[tuple[list[ast.stmt], set[str]]]:
    found: list[tuple[list[ast.stmt], set[str]]] = [([s for tree in trees for s in tree.body], set())]
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                arguments = node.args
                names = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg] if a}
                body = node.body if isinstance(node.body, list) else [ast.Return(node.body)]
                found.append((body, names))
    return found


def _sums(trees: list[ast.Module]):
    """Each scope's outermost sums, and each name it accumulates (`acc += …`, `acc = acc - …`), as (where, its signed
    terms with names assigned once inlined)."""
    for body, parameters in _scopes(trees):
        values = _single_assignments(body, parameters)
        covered: set[int] = set()
        accumulated: dict[str, list[tuple[int, ast.expr]]] = {}
        first: dict[str, ast.AST] = {}
        for statement in body:
            for node in ast.walk(statement):
                for name, terms in _accumulation(node, covered):
                    accumulated.setdefault(name, []).extend(terms)
                    first.setdefault(name, node)
                if id(node) in covered or not ((isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)))
                                               or _call_operands(node)):
                    continue
                yield node, [(sign, _Inline(values).visit(copy.deepcopy(term))) for sign, term in _terms(node, covered)[:MAX_TERMS]]
        for name, terms in accumulated.items():
            yield first[name], [(sign, _Inline(values).visit(copy.deepcopy(term))) for sign, term in terms[:MAX_TERMS]]


def _accumulation(node: ast.AST, covered: set[int]) -> list[tuple[str, list[tuple[int, ast.expr]]]]:
    """`acc += a`, `acc -= b`, `acc = acc + c`: the name and the terms this statement adds to it."""
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and isinstance(node.op, (ast.Add, ast.Sub)):
        return [(node.target.id, _terms(node.value, covered, 1 if isinstance(node.op, ast.Add) else -1))]
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        name, inner = node.targets[0].id, set()
        terms = _terms(node.value, inner)
        if any(sign == 1 and isinstance(term, ast.Name) and term.id == name for sign, term in terms):
            covered |= inner
            return [(name, [(sign, term) for sign, term in terms if not (isinstance(term, ast.Name) and term.id == name)])]
    return []


def finite_difference(trees: list[ast.Module]) -> ast.expr | None:
    """The first sum that subtracts an expression at one input from the same expression a step away, if any."""
    for node, terms in _sums(trees):
        sizes = [sum(1 for _ in ast.walk(term)) for _, term in terms]
        for index, (sign, term) in enumerate(terms):
            for other_index in range(index + 1, len(terms)):
                other_sign, other = terms[other_index]
                if (sign != other_sign and sizes[index] + sizes[other_index] <= MAX_COMPARED and _nontrivial(term)
                        and _compare(term, other) == STEP):
                    return node
    return None


def calls_at_two_inputs(trees: list[ast.Module], callee: Callable[[ast.Call], tuple[str, list[ast.expr]] | None]) -> tuple[ast.Call, ast.Call] | None:
    """Two calls of one function, in one scope, at inputs that differ beyond a sign: how a finite difference, a
    stencil or an extrapolation looks when it is not written as a plain difference. `callee` says which calls
    count and what their inputs are (all arguments of a notebook function; the tensor a pointwise torch function
    is applied to)."""
    for body, parameters in _scopes(trees):
        values = _single_assignments(body, parameters)
        seen: dict[str, list[tuple[ast.Call, list[ast.expr]]]] = {}
        for statement in body:
            for node in ast.walk(statement):
                found = callee(node) if isinstance(node, ast.Call) else None
                if found is None:
                    continue
                key, inputs = found
                inlined = [_Inline(values).visit(copy.deepcopy(a)) for a in inputs]
                for earlier, earlier_inputs in seen.get(key, []):
                    if _apart(key, earlier_inputs, inlined):
                        return earlier, node
                seen.setdefault(key, []).append((node, inlined))
    return None


def _apart(key: str, first: list[ast.expr], second: list[ast.expr]) -> bool:
    """A notebook function at inputs that differ beyond a sign (σ(x)·σ(−x) is a formula); a torch function at an
    input and the same input a step away (log(p) and log(1 − p) are a formula)."""
    if key.startswith("function "):
        dumps = [[ast.dump(a) for a in inputs] for inputs in (first, second)]
        return not _mirrored(*dumps)
    return len(first) == len(second) and any(_compare(a, b) == STEP for a, b in zip(first, second))


def _mirrored(first: list[str], second: list[str]) -> bool:
    """The same inputs, or some of them negated."""
    negated = lambda dump: f"UnaryOp(op=USub(), operand={dump})"  # noqa: E731
    return len(first) == len(second) and all(a == b or a == negated(b) or b == negated(a) for a, b in zip(first, second))
