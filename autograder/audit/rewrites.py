"""Whole-function mutants: the input changed in place, the derivative taken by machine, the wrong formulas students
write.

- in place: the right values returned, but each parameter multiplied by 1.5 in place afterwards;
- finite differences and autograd of the exercise's `primal` (for by-hand derivatives): the by-hand policy must
  catch them whatever their values;
- the library in `wrong_formulas.py`: each lambda's own expression, read from that module's source (its helpers
  inlined, its parameters renamed to the exercise's), becomes the body of a definition that runs in the sandbox
  like any other mutant, so the wrong formulas go through the same trusted path as everything else.
"""

from __future__ import annotations

import ast
import copy
import inspect
from functools import cache

from autograder.audit import wrong_formulas
from autograder.audit.mutants import Kind, Mutant, distinct
from autograder.authoring.exercises import Exercise
from autograder.judging.python_source import parse

IN_PLACE_FACTOR = 1.5
STEP = 1e-6
RETURNED = "returned"


def whole_function_mutants(exercise: Exercise, function: ast.FunctionDef) -> list[Mutant]:
    original = ast.unparse(function)
    mutants = [
        *_in_place(exercise, function, original),
        *_by_machine(exercise, function, original),
        *_wrong_formulas(exercise, function, original),
    ]
    return distinct(mutants, original)


def _definition(function: ast.FunctionDef, body: str) -> str:
    """A definition with `function`'s name and parameters and this body, as `ast.unparse` writes it."""
    bare = copy.copy(function)
    bare.body, bare.decorator_list = [ast.Pass()], []
    header = ast.unparse(bare).splitlines()[0]
    return ast.unparse(parse(header + "\n" + "\n".join("    " + line for line in body.splitlines())))


def _unused(name: str, function: ast.FunctionDef) -> str:
    taken = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)} | {a.arg for a in function.args.args}
    while name in taken:
        name += "_"
    return name


# ---- in place -------------------------------------------------------------------------------------------------------


class _ChangeAfterReturning(ast.NodeTransformer):
    """`return e` → `returned = e; p.mul_(1.5); return returned`, in the function's own body (not in nested ones)."""

    def __init__(self, parameter: str, returned: str):
        self.parameter, self.returned = parameter, returned

    def visit_Return(self, node: ast.Return):
        if node.value is None:
            return node
        change = parse(f"{self.returned} = None\n{self.parameter}.mul_({IN_PLACE_FACTOR})\nreturn {self.returned}").body
        change[0].value = node.value
        return change

    def visit_FunctionDef(self, node):
        return node if node is not self.outermost else self.generic_visit(node)

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def rewrite(self, function: ast.FunctionDef) -> ast.FunctionDef:
        self.outermost = function = copy.deepcopy(function)
        return ast.fix_missing_locations(self.visit(function))


def _in_place(exercise: Exercise, function: ast.FunctionDef, original: str) -> list[Mutant]:
    mutants = []
    for parameter in (a.arg for a in function.args.args):
        source = ast.unparse(_ChangeAfterReturning(parameter, _unused(RETURNED, function)).rewrite(function))
        mutants.append(
            Mutant(
                exercise.name,
                Kind.IN_PLACE,
                f"{Kind.IN_PLACE.value}: {parameter}.mul_({IN_PLACE_FACTOR})",
                f"the right result returned, but `{parameter}` multiplied by {IN_PLACE_FACTOR} in place",
                source,
                original,
            )
        )
    return mutants


# ---- by machine: finite differences and autograd of the primal ------------------------------------------------------


class _Substitute(ast.NodeTransformer):
    def __init__(self, names: dict[str, ast.expr]):
        self.names = names

    def visit_Name(self, node: ast.Name):
        return copy.deepcopy(self.names[node.id]) if node.id in self.names else node


def _primal_at(exercise: Exercise, value: str) -> str:
    """The primal with its first parameter replaced by the expression `value`."""
    primal = parse(exercise.primal).body[0].value
    return ast.unparse(_Substitute({exercise.parameters[0]: parse(value).body[0].value}).visit(primal))


def _by_machine(exercise: Exercise, function: ast.FunctionDef, original: str) -> list[Mutant]:
    if not (exercise.by_hand and exercise.primal):
        return []
    first, step, tracked = exercise.parameters[0], _unused("h", function), _unused("tracked", function)
    ahead, behind = _primal_at(exercise, f"{first} + {step}"), _primal_at(exercise, f"{first} - {step}")
    forms = (
        (
            Kind.FINITE_DIFFERENCE,
            f"central, {step} = {STEP:g}",
            "a central finite difference of the primal",
            f"{step} = {STEP!r}\nreturn ({ahead} - {behind}) / (2 * {step})",
        ),
        (
            Kind.FINITE_DIFFERENCE,
            f"forward, {step} = {STEP:g}",
            "a forward finite difference of the primal",
            f"{step} = {STEP!r}\nreturn ({ahead} - {exercise.primal}) / {step}",
        ),
        (
            Kind.AUTOGRAD,
            "torch.autograd.grad",
            "the primal differentiated by torch.autograd.grad",
            f"{tracked} = {first}.detach().clone().requires_grad_(True)\nwith torch.enable_grad():\n"
            f"    (gradient,) = torch.autograd.grad({_primal_at(exercise, tracked)}.sum(), {tracked})\nreturn gradient",
        ),
        (
            Kind.AUTOGRAD,
            "Tensor.backward",
            "the primal differentiated by .backward()",
            f"{tracked} = {first}.detach().clone().requires_grad_(True)\nwith torch.enable_grad():\n"
            f"    {_primal_at(exercise, tracked)}.sum().backward()\nreturn {tracked}.grad",
        ),
    )
    return [
        Mutant(
            exercise.name,
            kind,
            f"{kind.value}: {name}",
            f"{what}: {exercise.primal}",
            _definition(function, body),
            original,
        )
        for kind, name, what, body in forms
    ]


# ---- the wrong-formula library ------------------------------------------------------------------------------------


@cache
def wrong_formula_expressions() -> dict[str, tuple[tuple[str, ast.Lambda], ...]]:
    """WRONG_FORMULAS as written: exercise → ((description, lambda with its module's helpers inlined), …), checked
    against the module's own table so that a table built some other way is a loud error, not a quiet gap."""
    module = parse(inspect.getsource(wrong_formulas))
    helpers = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef) and _returns_only(node)}
    table = next(
        node.value
        for node in module.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and "WRONG_FORMULAS"
        in {t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)}
    )
    read = {
        key.value: tuple((entry.elts[0].value, _Inline(helpers).visit(entry.elts[1])) for entry in value.elts)
        for key, value in zip(table.keys, table.values)
    }
    expected = {
        name: tuple(description for description, _ in entries)
        for name, entries in wrong_formulas.WRONG_FORMULAS.items()
    }
    if {name: tuple(d for d, _ in entries) for name, entries in read.items()} != expected:
        raise RuntimeError(
            "WRONG_FORMULAS is not a literal table of (description, lambda) pairs; the audit cannot read it"
        )
    return read


def _returns_only(function: ast.FunctionDef) -> bool:
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None and not function.args.vararg


class _Inline(ast.NodeTransformer):
    """`_sig(x)` → `torch.sigmoid(x)`: a call of a one-line helper of the module becomes the helper's expression."""

    def __init__(self, helpers: dict[str, ast.FunctionDef]):
        self.helpers = helpers

    def visit_Call(self, node: ast.Call):
        node = self.generic_visit(node)
        helper = self.helpers.get(node.func.id) if isinstance(node.func, ast.Name) else None
        if helper is None or len(node.args) != len(helper.args.args) or node.keywords:
            return node
        returned = next(s for s in helper.body if isinstance(s, ast.Return)).value
        return _Substitute({a.arg: value for a, value in zip(helper.args.args, node.args)}).visit(
            copy.deepcopy(returned)
        )


def _wrong_formulas(exercise: Exercise, function: ast.FunctionDef, original: str) -> list[Mutant]:
    parameters = [a.arg for a in function.args.args]
    mutants = []
    for description, formula in wrong_formula_expressions().get(exercise.name, ()):
        names = [a.arg for a in formula.args.args]
        if len(names) != len(parameters):
            raise RuntimeError(
                f"the wrong formula {description!r} of {exercise.name} takes {len(names)} arguments, "
                f"not {len(parameters)}"
            )
        body = _Substitute({name: ast.Name(parameter, ast.Load()) for name, parameter in zip(names, parameters)}).visit(
            copy.deepcopy(formula.body)
        )
        mutants.append(
            Mutant(
                exercise.name,
                Kind.WRONG_FORMULA,
                f"{Kind.WRONG_FORMULA.value}: {description}",
                f"the wrong formula {description}",
                _definition(function, f"return {ast.unparse(body)}"),
                original,
            )
        )
    return mutants
