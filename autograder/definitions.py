"""The graded functions, rebuilt from the notebook's source: what is called when grading.

The student's cells run once for their outputs, and that run proves nothing. The graded calls run
in a fresh process that executes only this: for one function, the top-level statements that define
it and every name it reaches (helpers, constants, imports of installed modules), in notebook order.
Nothing else from the cells runs there, so no cell can reach the calls.

A function whose definition cannot be read from top-level statements (defined inside `if`/`try`, by
`exec`, imported from a file the notebook wrote, using a name some other code sets at run time) is not
rebuilt; it goes to a person with the reason, never to 0 or to full marks.
"""
from __future__ import annotations

import ast
import builtins
import importlib.metadata
import sys
from dataclasses import dataclass, field
from functools import cache

from .python_source import free_symbols, parse_cell

BLOCKS = {ast.If: "an `if` block", ast.For: "a `for` loop", ast.While: "a `while` loop", ast.With: "a `with` block",
          ast.Try: "a `try` block", ast.Match: "a `match` block", ast.AsyncFor: "an `async for` loop", ast.AsyncWith: "an `async with` block"}
DYNAMIC_CALLS = {"exec", "eval", "globals", "vars", "locals", "setattr", "delattr", "__import__", "compile"}
DYNAMIC_MAGICS = {"run", "load", "store", "macro", "aimport", "autoreload", "load_ext"}
GRADER_PACKAGES = {"autograder"}

INSIDE_BLOCK = "it is defined inside {block} on line {line} of cell {cell}, not at the top level of a cell"
NOT_DEFINED_STATICALLY = "it is not defined by a top-level `def`, `lambda` or assignment, and your notebook uses `{call}` on line {line} of cell {cell}"
SET_BY_GLOBAL = "it is also set through `global {name}` in `{function}`, so which value counts is only known at run time"
WRITTEN_MODULE = ("it is imported from `{module}` (line {line} of cell {cell}), a file your notebook writes; "
                  "only installed modules are there when grading")
NEVER_RAN = "cell {cell} stops at line {line}, before the function is defined: `{module}` is not installed"
THROUGH = "`{name}`, which it uses: {reason}"
NOT_REBUILT = "`{signature}` could not be rebuilt from your notebook's source for grading: {reason}."


@dataclass(frozen=True)
class Statement:
    cell: int
    line: int
    source: str


@dataclass(frozen=True)
class Rebuilt:
    """What runs in the function's own process: these statements, in order."""
    name: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class NotRebuilt:
    name: str
    reason: str


@dataclass(frozen=True)
class Missing:
    name: str


@dataclass(frozen=True)
class NeverRan:
    """Defined only after a line that stops its cell, as a kernel would have stopped it."""
    name: str
    reason: str


@dataclass
class _Binding:
    statement: ast.stmt
    text: str
    cell: int


@dataclass
class _Notebook:
    written: set[str]
    """every string literal in the notebook (to tell a module it writes from one that is not installed)"""
    static: dict[str, list[_Binding]] = field(default_factory=dict)
    dynamic: dict[str, str] = field(default_factory=dict)
    """name → why its value is only known at run time"""
    never_ran: dict[str, str] = field(default_factory=dict)
    """name → why the statement that would define it never runs (its cell fails before it)"""
    dynamic_call: str | None = None
    """the first `exec`, `globals()`… in a cell: names can appear from nowhere"""
    order: dict[int, int] = field(default_factory=dict)
    """id of a statement → its position in the notebook"""
    functions: tuple[str, ...] = ()


@cache
def installed_modules() -> frozenset[str]:
    """Top-level names that import from the standard library or an installed distribution."""
    names = set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions())
    return frozenset(names - GRADER_PACKAGES)


def _bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in statement.names if alias.name != "*"]
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _simple(statement: ast.stmt) -> bool:
    """A top-level statement that only defines names: it is rebuilt as written."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.AugAssign)):
        return True
    if isinstance(statement, ast.AnnAssign):
        return statement.value is not None and isinstance(statement.target, ast.Name)
    if isinstance(statement, ast.Assign):
        return all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Store)) for t in statement.targets for n in ast.walk(t))
    return False


def _segment(source: str, statement: ast.stmt) -> str:
    """The statement's own text, padded so that line numbers stay those of its cell."""
    first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
    if first != statement.lineno or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        text = "\n".join(source.split("\n")[first - 1 : statement.end_lineno])
    else:
        text = ast.get_source_segment(source, statement) or ""
    return "\n" * (first - 1) + text + "\n"


def _read(program: list[tuple[int, str]]) -> _Notebook:
    parsed = [(cell, found) for cell, source in program if (found := parse_cell(source)) is not None]
    written = {n.value for _, (module, _) in parsed for n in ast.walk(module) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    notebook = _Notebook(written)
    functions: list[str] = []
    for cell, (module, text) in parsed:
        dead: str | None = None  # the kernel stops a cell at its first failing line: nothing after it ran
        for statement in module.body:
            notebook.order[id(statement)] = len(notebook.order)
            if dead is None and isinstance(statement, (ast.Import, ast.ImportFrom)):
                missing = _first_missing_module(statement)
                if missing and _notebook_writes(missing, written):
                    for name in _bound_names(statement):
                        notebook.dynamic.setdefault(name, WRITTEN_MODULE.format(module=missing, line=statement.lineno, cell=cell + 1))
                    continue
                if missing:
                    dead = NEVER_RAN.format(cell=cell + 1, line=statement.lineno, module=missing)
            if dead is not None:
                for inner in ast.walk(statement):
                    for name in _stored(inner):
                        notebook.never_ran.setdefault(name, dead)
            elif _simple(statement):
                for name in _bound_names(statement):
                    notebook.static.setdefault(name, []).append(_Binding(statement, text, cell))
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) or (
                        isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Lambda)):
                    functions += _bound_names(statement)
            else:
                block = next((words for kind, words in BLOCKS.items() if isinstance(statement, kind)), "a statement that runs code")
                for name in _module_bindings(_segment(text, statement)):
                    notebook.dynamic.setdefault(name, INSIDE_BLOCK.format(block=block, line=statement.lineno, cell=cell + 1))
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Global):
                    owner = _enclosing_function(statement, inner)
                    for name in inner.names:
                        notebook.dynamic.setdefault(name, SET_BY_GLOBAL.format(name=name, function=owner))
                call = _dynamic_call(inner)
                if notebook.dynamic_call is None and call:
                    notebook.dynamic_call = NOT_DEFINED_STATICALLY.format(call=call, line=inner.lineno, cell=cell + 1)
    notebook.functions = tuple(dict.fromkeys(functions))
    return notebook


def _dynamic_call(node: ast.AST) -> str | None:
    """`exec(...)`, `globals()`, `get_ipython().push(...)`, `%run`…: ways a name can appear that no source shows."""
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CALLS:
        return node.func.id
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "get_ipython":
        magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if node.func.attr in ("push", "run_cell", "ex", "ev") or magic in DYNAMIC_MAGICS:
            return f"%{magic}" if magic in DYNAMIC_MAGICS else f"get_ipython().{node.func.attr}"
    return None


def _first_missing_module(statement: ast.stmt) -> str | None:
    modules = [a.name for a in statement.names] if isinstance(statement, ast.Import) else ["." * statement.level + (statement.module or "")]
    return next((m for m in modules if m.startswith(".") or m.split(".")[0] not in installed_modules()), None)


def _notebook_writes(module: str, strings: set[str]) -> bool:
    """Whether some string in the notebook names the module's file, as `open("helper.py", "w")` would."""
    stem = module.lstrip(".").split(".")[0]
    return bool(stem) and any(stem + ".py" in text or f"/{stem}/" in text or text == stem for text in strings)


def _stored(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    return []


def _enclosing_function(top: ast.stmt, target: ast.AST) -> str:
    """The innermost function around `target`: the last one found, since ast.walk goes outside in."""
    owners = [node.name for node in ast.walk(top)
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(inner is target for inner in ast.walk(node))]
    return owners[-1] if owners else "a function"


def _module_bindings(text: str) -> set[str]:
    """Names a statement binds at the notebook's top level (not a comprehension's or a function's own)."""
    table = free_symbols(text)
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}


def _free_names(text: str) -> set[str]:
    """Names a statement reads from the notebook's top level, scoped exactly by Python's own symtable."""
    found: set[str] = set()
    tables = [free_symbols(text)]
    while tables:
        table = tables.pop()
        module = table.get_type() == "module"
        found |= {s.get_name() for s in table.get_symbols() if s.is_referenced() and (module or s.is_global())}
        tables += table.get_children()
    return found


def _imports_written(statement: ast.stmt, cell: int, written: set[str]) -> str | None:
    """Why the statement cannot be rebuilt: it imports a module the notebook writes (as a file) itself."""
    for node in ast.walk(statement):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            missing = _first_missing_module(node)
            if missing and _notebook_writes(missing, written):
                return WRITTEN_MODULE.format(module=missing, line=node.lineno, cell=cell + 1)
    return None


def read_definitions(program: list[tuple[int, str]], names: list[str]) -> tuple[dict[str, Rebuilt | NotRebuilt | Missing | NeverRan], tuple[str, ...]]:
    """Read the cells once: for each graded name, the statements that rebuild it, or why it cannot be, or
    that it is missing; and every function the notebook defines at the top level (for "did you rename it?")."""
    notebook = _read(program)
    return {name: _rebuild(notebook, name) for name in names}, notebook.functions


def rebuild_functions(program: list[tuple[int, str]], names: list[str]) -> dict[str, Rebuilt | NotRebuilt | Missing | NeverRan]:
    return read_definitions(program, names)[0]


def defined_functions(program: list[tuple[int, str]]) -> tuple[str, ...]:
    return read_definitions(program, [])[1]


def _rebuild(notebook: _Notebook, name: str) -> Rebuilt | NotRebuilt | Missing | NeverRan:
    if name not in notebook.static:
        if name in notebook.dynamic:
            return NotRebuilt(name, notebook.dynamic[name])
        if name in notebook.never_ran:
            return NeverRan(name, notebook.never_ran[name])
        return NotRebuilt(name, notebook.dynamic_call) if notebook.dynamic_call else Missing(name)
    wanted: list[_Binding] = []
    seen, queue = {name}, [name]
    while queue:
        current = queue.pop(0)
        if current in notebook.dynamic:
            reason = notebook.dynamic[current]
            return NotRebuilt(name, reason if current == name else THROUGH.format(name=current, reason=reason))
        if current not in notebook.static:
            if notebook.dynamic_call and not hasattr(builtins, current) and current not in notebook.never_ran:
                return NotRebuilt(name, THROUGH.format(name=current, reason=notebook.dynamic_call))
            continue  # a builtin, or a name nothing defines: NameError when called, as in a kernel
        for binding in notebook.static[current]:
            problem = _imports_written(binding.statement, binding.cell, notebook.written)
            if problem:
                return NotRebuilt(name, problem if current == name else THROUGH.format(name=current, reason=problem))
            wanted.append(binding)
            for free in sorted(_free_names(_segment(binding.text, binding.statement))):
                if free not in seen:
                    seen.add(free)
                    queue.append(free)
    unique = {id(b.statement): b for b in wanted}
    ordered = sorted(unique.values(), key=lambda b: notebook.order[id(b.statement)])
    return Rebuilt(name, tuple(Statement(b.cell, b.statement.lineno, _segment(b.text, b.statement)) for b in ordered))
