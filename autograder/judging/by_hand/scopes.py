"""Python's scopes, as the by-hand reading needs them: what each name a scope binds is (a module, a function,
a value), without running anything. A comprehension is a scope of its own; a name bound two ways is neither."""

from __future__ import annotations

import ast
import importlib
from functools import cache

from autograder.judging.by_hand import allowlist as allowed
from autograder.judging.definitions.statements import COMPREHENSIONS, SCOPES

Kind = tuple[str, str]
VALUE = ("value", "")
"""what a function computes from its inputs and the allowed names: a tensor, a number, a bound method"""
MIXED = ("mixed", "")
"""a name one scope binds in two ways (a module and a value): which one a line sees is only known at run time"""


def module_path(name: str) -> bool:
    """A module that is allowed, or one an allowed module is reached through (`torch.nn` on the way to `F`)."""
    return name in allowed.MODULES or any(module.startswith(name + ".") for module in allowed.MODULES)


def import_kinds(node: ast.Import | ast.ImportFrom) -> list[tuple[str, tuple[str, str] | None]]:
    """(bound name, its kind, or None where the import is not allowed) for each name an import binds."""
    if isinstance(node, ast.Import):
        found = []
        for alias in node.names:
            ok = alias.name in allowed.MODULES or (alias.asname is None and module_path(alias.name))
            bound, path = (
                (alias.asname, alias.name) if alias.asname else (alias.name.split(".")[0], alias.name.split(".")[0])
            )
            found.append((bound, ("module", path) if ok else None))
        return found
    module = "." * node.level + (node.module or "")
    found = []
    for alias in node.names:
        full = f"{module}.{alias.name}"
        kind = (
            ("module", full)
            if module_path(full)
            else ("allowed", full)
            if alias.name in allowed.MODULES.get(module, {})
            else None
        )
        found.append((alias.asname or alias.name, kind))
    return found


def bindings(nodes: list[ast.AST]) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """The names a scope binds, with their kinds, and those it declares global. Not the names bound inside the
    functions, lambdas, classes or comprehensions it holds (a walrus in a comprehension binds here, as in Python)."""
    found: dict[str, tuple[str, str]] = {}
    declared: set[str] = set()

    def bind(name: str, kind: tuple[str, str]) -> None:
        found[name] = kind if found.get(name, kind) == kind else MIXED

    pending = list(nodes)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, VALUE if isinstance(node, ast.ClassDef) else ("function", node.name))
            pending += node.decorator_list
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, COMPREHENSIONS):
            pending.append(node.generators[0].iter)  # evaluated here; the rest is the comprehension's own scope
            pending += [n.target for n in inside_comprehension(node) if isinstance(n, ast.NamedExpr)]
            continue
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Lambda)
            and [type(t) for t in node.targets] == [ast.Name]
        ):
            bind(node.targets[0].id, ("function", node.targets[0].id))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, kind in import_kinds(node):
                if name != "*":
                    bind(name, kind or VALUE)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bind(node.id, VALUE)
        elif isinstance(node, ast.arg):
            bind(node.arg, VALUE)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, VALUE)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name, VALUE)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        pending += list(ast.iter_child_nodes(node))
    return {name: kind for name, kind in found.items() if name not in declared}, declared


def inside_comprehension(node: ast.AST) -> list[ast.AST]:
    """The nodes of a comprehension, not those of the functions or lambdas inside it."""
    found, pending = [], list(ast.iter_child_nodes(node))
    while pending:
        inner = pending.pop()
        found.append(inner)
        if not isinstance(inner, SCOPES):
            pending += list(ast.iter_child_nodes(inner))
    return found


def comprehension_names(node: ast.AST) -> dict[str, tuple[str, str]]:
    return {n.id: VALUE for generator in node.generators for n in ast.walk(generator.target) if isinstance(n, ast.Name)}


@cache
def star_names(module: str) -> frozenset[str]:
    """What `from module import *` binds: its `__all__`, or its public names (only allowed modules are imported)."""
    imported = importlib.import_module(module)
    return frozenset(getattr(imported, "__all__", None) or (n for n in dir(imported) if not n.startswith("_")))


def is_routine(module: str, name: str) -> bool:
    """A function of an allowed module (`torch.exp`), not a constant, a dtype or a class."""
    found = getattr(importlib.import_module(module), name, None)
    return callable(found) and not isinstance(found, type)


def all_args(arguments: ast.arguments) -> list[ast.arg]:
    return [
        *arguments.posonlyargs,
        *arguments.args,
        *arguments.kwonlyargs,
        *(a for a in (arguments.vararg, arguments.kwarg) if a),
    ]


def constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant))
