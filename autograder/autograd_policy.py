"""The autograd policy, checked on the student's source before any of it runs.

A derivative exercise asks for the derivative worked out by hand. A by-hand function fails the
policy if it, or any student function or name it reaches, touches autograd or uses dynamic access
(setattr, eval, computed getattr, __import__ …) that could hide what it calls. Anywhere in the
notebook, reaching into torch itself (assigning onto torch, __closure__, __code__, __globals__)
implicates every by-hand function. Autograd elsewhere (say, a cell that checks an answer) is fine.
"""
from __future__ import annotations

import ast

from .python_source import parse_cell

AUTOGRAD_ATTRIBUTES = {
    "backward", "grad", "autograd", "func", "functorch", "jacobian", "hessian", "vjp", "jvp", "jacrev",
    "jacfwd", "requires_grad", "requires_grad_", "enable_grad", "set_grad_enabled", "grad_fn",
}
AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "functorch")
DYNAMIC_CALLS = {"setattr", "delattr", "eval", "exec", "compile", "__import__", "globals", "vars", "locals", "attrgetter", "methodcaller"}
DYNAMIC_ATTRIBUTES = {"__closure__", "__globals__", "__code__", "__dict__", "__getattribute__", "__builtins__", "modules", "import_module"}
INTERNALS = {"__closure__", "__globals__", "__code__", "__wrapped__"}
DYNAMIC_MODULES = {"importlib", "ctypes", "gc", "inspect", "builtins"}

USES = "{what} on line {line} of its cell"


def _parse(source: str) -> ast.Module:
    parsed = parse_cell(source)
    return parsed[0] if parsed else ast.Module(body=[], type_ignores=[])


def _earliest(found: list[tuple[int, int, str]]) -> str | None:
    return min(found)[2] if found else None


def _autograd_in(node: ast.AST, tainted: set[str]) -> str | None:
    found = []
    for inner in ast.walk(node):
        where = (getattr(inner, "lineno", 0), getattr(inner, "col_offset", 0))
        if isinstance(inner, ast.Attribute) and inner.attr in AUTOGRAD_ATTRIBUTES:
            found.append((*where, USES.format(what=f"`.{inner.attr}`", line=inner.lineno)))
        if isinstance(inner, ast.Name) and inner.id in tainted:
            found.append((*where, USES.format(what=f"`{inner.id}` (imported from autograd)", line=inner.lineno)))
        if isinstance(inner, ast.keyword) and inner.arg == "requires_grad":
            found.append((inner.value.lineno, inner.value.col_offset, USES.format(what="`requires_grad=`", line=inner.value.lineno)))
        if isinstance(inner, ast.Call):  # getattr(x, "backward") and the like; docstrings do not count
            for argument in inner.args:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and any(
                    word in argument.value for word in ("backward", "autograd", "requires_grad")
                ):
                    found.append((*where, USES.format(what=f"the string {argument.value!r}", line=argument.lineno)))
    return _earliest(found)


def _dynamic_in(node: ast.AST) -> str | None:
    found = []
    for inner in ast.walk(node):
        where = (getattr(inner, "lineno", 0), getattr(inner, "col_offset", 0))
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
            name = inner.func.id
            if name in DYNAMIC_CALLS or (name == "getattr" and not (len(inner.args) > 1 and isinstance(inner.args[1], ast.Constant))):
                found.append((*where, USES.format(what=f"`{name}()`", line=inner.lineno)))
        if isinstance(inner, ast.Attribute) and inner.attr in DYNAMIC_ATTRIBUTES:
            found.append((*where, USES.format(what=f"`.{inner.attr}`", line=inner.lineno)))
        if isinstance(inner, (ast.Import, ast.ImportFrom)):
            modules = [inner.module or ""] if isinstance(inner, ast.ImportFrom) else [a.name for a in inner.names]
            if any(m.split(".")[0] in DYNAMIC_MODULES for m in modules):
                found.append((*where, USES.format(what=f"`import {modules[0]}`", line=inner.lineno)))
    return _earliest(found)


def _onto_torch(target: ast.AST) -> bool:
    root = target
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    return target is not root and isinstance(root, ast.Name) and root.id == "torch"


def _tampers_with_torch(module: ast.Module, tainted: set[str]) -> str | None:
    """Moves no honest answer makes: putting autograd onto torch under another name, or reading a
    function's internals (which is how the sandbox's autograd guard would be undone)."""
    for inner in ast.walk(module):
        if isinstance(inner, ast.Attribute) and inner.attr in INTERNALS:
            return USES.format(what=f"`.{inner.attr}`", line=inner.lineno)
        if isinstance(inner, ast.Assign) and any(_onto_torch(t) for t in inner.targets) and _autograd_in(inner.value, tainted):
            return USES.format(what="an assignment of autograd onto torch", line=inner.lineno)
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "setattr" and inner.args:
            if _onto_torch(ast.Attribute(value=inner.args[0], attr="_")) and any(_autograd_in(a, tainted) for a in inner.args[1:]):
                return USES.format(what="`setattr()` of autograd onto torch", line=inner.lineno)
    return None


def _bindings(modules: list[ast.Module]) -> tuple[dict[str, list[ast.AST]], set[str]]:
    """Top-level names with the code that defines them, and the names bound to autograd modules."""
    bound: dict[str, list[ast.AST]] = {}
    tainted: set[str] = set()
    for module in modules:
        for statement in module.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound[statement.name] = [statement]
            elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            bound.setdefault(name.id, []).append(statement)
            elif isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith(AUTOGRAD_MODULES):
                tainted.update(alias.asname or alias.name for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom) and statement.module == "torch":
                tainted.update(a.asname or a.name for a in statement.names if a.name in ("autograd", "func"))
            elif isinstance(statement, ast.Import):
                tainted.update(a.asname for a in statement.names if a.asname and a.name.startswith(AUTOGRAD_MODULES))
    return bound, tainted


def _locals(node: ast.AST) -> set[str]:
    """Names a function binds itself (parameters, assignments): they are not the globals of the same name."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    arguments = node.args
    names = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a}
    return names | {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def autograd_evidence(cell_sources: list[str], function_names: list[str]) -> dict[str, str]:
    """For each by-hand function that breaks the policy, what gives it away, in one phrase."""
    modules = [_parse(source) for source in cell_sources]
    bound, tainted = _bindings(modules)
    evidence: dict[str, str] = {}
    tampering = next((found for module in modules if (found := _tampers_with_torch(module, tainted))), None)
    for name in function_names:
        if name not in bound:
            continue
        if tampering:
            evidence[name] = f"the notebook uses {tampering}, which can hide what a function calls"
            continue
        seen, queue = {name}, [name]
        while queue:
            current = queue.pop()
            for node in bound.get(current, []):
                found = _autograd_in(node, tainted) or _dynamic_in(node)
                if found:
                    evidence[name] = found if current == name else f"`{current}`, which it calls, uses {found}"
                    queue = []
                    break
                local = _locals(node)
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Name) and inner.id in bound and inner.id not in seen and inner.id not in local:
                        seen.add(inner.id)
                        queue.append(inner.id)
    return evidence
