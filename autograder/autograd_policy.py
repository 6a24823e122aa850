"""The autograd policy, checked on the student's source before any of it runs.

A derivative exercise asks for the derivative worked out by hand. A by-hand function fails the
policy if it, or any student function or name it reaches, touches autograd; or if the notebook
anywhere uses dynamic access (setattr, eval, computed getattr, __import__ …), which could hide
autograd from this check. Autograd elsewhere (say, a cell that verifies an answer) is allowed.
"""
from __future__ import annotations

import ast

from IPython.core.inputtransformer2 import TransformerManager

AUTOGRAD_ATTRIBUTES = {
    "backward", "grad", "autograd", "func", "functorch", "jacobian", "hessian", "vjp", "jvp", "jacrev",
    "jacfwd", "requires_grad", "requires_grad_", "enable_grad", "set_grad_enabled", "grad_fn",
}
AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "functorch")
DYNAMIC_CALLS = {"setattr", "delattr", "eval", "exec", "compile", "__import__", "globals", "vars", "locals", "attrgetter", "methodcaller"}
DYNAMIC_ATTRIBUTES = {"__closure__", "__globals__", "__code__", "__dict__", "__getattribute__", "__builtins__", "modules", "import_module"}
DYNAMIC_MODULES = {"importlib", "ctypes", "gc", "inspect", "builtins"}

USES = "{what} on line {line} of its cell"


def _parse(source: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError:
        try:  # IPython syntax (magics): transform as the kernel would, without running anything
            return ast.parse(TransformerManager().transform_cell(source))
        except SyntaxError:
            return ast.Module(body=[], type_ignores=[])


def _autograd_in(node: ast.AST, tainted: set[str]) -> str | None:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in AUTOGRAD_ATTRIBUTES:
            return USES.format(what=f"`.{inner.attr}`", line=inner.lineno)
        if isinstance(inner, ast.Name) and inner.id in tainted:
            return USES.format(what=f"`{inner.id}` (imported from autograd)", line=inner.lineno)
        if isinstance(inner, ast.keyword) and inner.arg == "requires_grad":
            return USES.format(what="`requires_grad=`", line=inner.value.lineno)
        if isinstance(inner, ast.Call):  # getattr(x, "backward") and the like; docstrings do not count
            for argument in inner.args:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and any(
                    word in argument.value for word in ("backward", "autograd", "requires_grad")
                ):
                    return USES.format(what=f"the string {argument.value!r}", line=argument.lineno)
    return None


def _dynamic_in(node: ast.AST) -> str | None:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
            name = inner.func.id
            if name in DYNAMIC_CALLS or (name == "getattr" and not (len(inner.args) > 1 and isinstance(inner.args[1], ast.Constant))):
                return USES.format(what=f"`{name}()`", line=inner.lineno)
        if isinstance(inner, ast.Attribute) and inner.attr in DYNAMIC_ATTRIBUTES:
            return USES.format(what=f"`.{inner.attr}`", line=inner.lineno)
        if isinstance(inner, (ast.Import, ast.ImportFrom)):
            modules = [inner.module or ""] if isinstance(inner, ast.ImportFrom) else [a.name for a in inner.names]
            if any(m.split(".")[0] in DYNAMIC_MODULES for m in modules):
                return USES.format(what=f"`import {modules[0]}`", line=inner.lineno)
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


def autograd_evidence(cell_sources: list[str], function_names: list[str]) -> dict[str, str]:
    """For each by-hand function that breaks the policy, what gives it away, in one phrase."""
    modules = [_parse(source) for source in cell_sources]
    bound, tainted = _bindings(modules)
    evidence: dict[str, str] = {}
    dynamic = next((found for module in modules if (found := _dynamic_in(module))), None)
    for name in function_names:
        if name not in bound:
            continue
        if dynamic:
            evidence[name] = f"the notebook uses {dynamic}, which can hide what a function calls"
            continue
        seen, queue = {name}, [name]
        while queue:
            current = queue.pop()
            for node in bound.get(current, []):
                found = _autograd_in(node, tainted)
                if found:
                    evidence[name] = found if current == name else f"`{current}`, which it calls, uses {found}"
                    queue = []
                    break
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Name) and inner.id in bound and inner.id not in seen:
                        seen.add(inner.id)
                        queue.append(inner.id)
    return evidence
