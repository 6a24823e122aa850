"""One top-level statement of a notebook cell, as data: what it binds, reads, changes, and its text."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from functools import cache
from typing import TypeGuard, cast

from autograder.judging.python_source import free_symbols

GRADER_PACKAGES = {"autograder"}
DYNAMIC_CALLS = {"exec", "eval", "globals", "vars", "locals", "setattr", "delattr", "__import__", "compile"}
HARMLESS_MAGICS = {
    "matplotlib",
    "config",
    "pip",
    "conda",
    "who",
    "whos",
    "pwd",
    "env",
    "precision",
    "pprint",
    "xmode",
    "lsmagic",
}
"""line magics that cannot define or change a name in the notebook"""
RUNTIME_STATE = {"builtins", "__builtins__", "sys", "__main__"}
"""modules whose attributes, when a cell sets them, can make a name appear that no statement defines"""
IPYTHON_NAME = re.compile(r"^(_+|_i*\d+|_i{1,3}|_oh|_ih|_dh|In|Out|_exit_code)$")
"""names the IPython kernel itself sets: `_` (the last result), `Out`, `_3`…"""
FILE_WRITERS = {
    "shutil": None,
    "os": {"rename", "replace", "symlink", "link", "system", "popen"},
    "subprocess": None,
    "urllib": None,
}
"""modules whose calls may write a file (None: any of their calls)"""
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@cache
def installed_modules() -> frozenset[str]:
    """Top-level names that import from the standard library or an installed distribution."""
    names = set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions())
    return frozenset(names - GRADER_PACKAGES)


def missing_module(statement: ast.Import | ast.ImportFrom) -> str | None:
    """The first module the import names that is not installed (a relative import never is)."""
    modules = (
        [a.name for a in statement.names]
        if isinstance(statement, ast.Import)
        else ["." * statement.level + (statement.module or "")]
    )
    return next((m for m in modules if m.startswith(".") or m.split(".")[0] not in installed_modules()), None)


def is_star_import(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names)


def bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in statement.names if alias.name != "*"]
    targets = (
        statement.targets
        if isinstance(statement, ast.Assign)
        else [statement.target]
        if isinstance(statement, (ast.AnnAssign, ast.AugAssign))
        else []
    )
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def is_definition(statement: ast.stmt) -> bool:
    """A top-level statement that only binds names (to a def, a class, a module, a value): rebuilt as written."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
        return True
    if isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        return isinstance(statement.target, ast.Name) and (statement.value is not None)
    if isinstance(statement, ast.Assign):
        return all(
            isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Store, ast.Starred))
            for t in statement.targets
            for n in ast.walk(t)
        )
    return False


def is_import(statement: ast.AST) -> TypeGuard[ast.Import | ast.ImportFrom]:
    return isinstance(statement, (ast.Import, ast.ImportFrom))


def segment(lines: list[str], statement: ast.stmt) -> str:
    """The statement's own text, padded so that line numbers stay those of its cell."""
    return "\n" * padding(statement) + own_text(lines, statement)


def padding(statement: ast.stmt) -> int:
    """The lines before the statement in its cell."""
    return _first_line(statement) - 1


def own_text(lines: list[str], statement: ast.stmt) -> str:
    """The statement's own text, unpadded: what its names and its compiling depend on. (Padding each statement
    of a cell of many thousands would make reading them quadratic in its length.)"""
    first = _first_line(statement)
    if first != statement.lineno or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        text = "\n".join(lines[first - 1 : statement.end_lineno])
    elif statement.lineno == statement.end_lineno:  # it may share its line with others (`a = 1; b = 2`)
        text = lines[first - 1].encode()[statement.col_offset : statement.end_col_offset].decode()
    else:
        text = "\n".join(
            [
                lines[first - 1].encode()[statement.col_offset :].decode(),
                # a parsed statement has its end_lineno
                *lines[first : cast(int, statement.end_lineno) - 1],
                lines[cast(int, statement.end_lineno) - 1].encode()[: statement.end_col_offset].decode(),
            ]
        )
    return text + "\n"


def _first_line(statement: ast.stmt) -> int:
    return min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])


def stored(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def module_bindings(statement: ast.stmt) -> set[str]:
    """Names a statement binds at the notebook's top level: not those local to a function, class or
    comprehension inside it (a walrus in a comprehension still binds outside, as Python does)."""
    found: set[str] = set()
    pending: list[tuple[ast.AST, bool]] = [(statement, False)]
    while pending:
        node, in_comprehension = pending.pop()
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
        if not in_comprehension:
            found.update(stored(node))
        if isinstance(node, SCOPES):
            continue  # its body is its own scope; its decorators and defaults are read, not bound
        pending += [
            (child, in_comprehension or isinstance(node, COMPREHENSIONS)) for child in ast.iter_child_nodes(node)
        ]
    return found


def free_names(text: str) -> set[str]:
    """Names a statement reads from the notebook's top level, scoped exactly by Python's own symtable."""
    found: set[str] = set()
    tables = [free_symbols(text)]
    while tables:
        table = tables.pop()
        module = table.get_type() == "module"
        found |= {s.get_name() for s in table.get_symbols() if s.is_referenced() and (module or s.is_global())}
        tables += table.get_children()
    return found


def root_name(node: ast.AST) -> str | None:
    """`params` for `params["k"]`, `params.a.b`, `params.update(...)`."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def changed_in_place(statement: ast.stmt) -> list[str]:
    """Names a top-level statement changes without rebinding: `x.a = …`, `x[k] = …`, `del x[k]`, `x.append(…)`."""
    targets: list[ast.AST] = []
    if isinstance(statement, ast.Assign):
        targets = [n for t in statement.targets for n in ast.walk(t) if isinstance(n, (ast.Attribute, ast.Subscript))]
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and isinstance(
        statement.target, (ast.Attribute, ast.Subscript)
    ):
        targets = [statement.target]
    elif isinstance(statement, ast.Delete):
        targets = [t for t in statement.targets if isinstance(t, (ast.Attribute, ast.Subscript))]
    elif (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
    ):
        targets = [statement.value.func.value]
    return [name for name in map(root_name, targets) if name]


def ipython_call(node: ast.AST) -> tuple[str, list[ast.expr]] | None:
    """("run_cell_magic", args) for `get_ipython().run_cell_magic(...)`: how IPython writes magics and `!`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and getattr(node.func.value.func, "id", "") == "get_ipython"
    ):
        return node.func.attr, node.args
    return None


def literal(args: list[ast.expr], index: int) -> str | None:
    return (
        args[index].value
        if len(args) > index and isinstance(args[index], ast.Constant) and isinstance(args[index].value, str)
        else None
    )


def writes_files(module: ast.Module) -> bool:
    """Whether a cell may write a file: `open(…, "w")`, `Path.write_text`, `shutil.copy`, `%%writefile`, `!…`."""
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        call = ipython_call(node)
        if call and (call[0] in ("system", "getoutput") or literal(call[1], 0) == "writefile"):
            return True
        name = (
            node.func.id
            if isinstance(node.func, ast.Name)
            else node.func.attr
            if isinstance(node.func, ast.Attribute)
            else ""
        )
        if name == "open":
            mode = next(
                (k.value for k in node.keywords if k.arg == "mode"), node.args[1] if len(node.args) > 1 else None
            )
            if mode is not None and not (
                isinstance(mode, ast.Constant) and isinstance(mode.value, str) and not set(mode.value) & set("wax+")
            ):
                return True
        elif name in ("write_text", "write_bytes"):
            return True
        elif isinstance(node.func, ast.Attribute) and root_name(node.func) in FILE_WRITERS:
            calls = FILE_WRITERS[cast(str, root_name(node.func))]  # in FILE_WRITERS: a name
            if calls is None or name in calls:
                return True
    return False
