"""The notebook's cells read once, as data: where each name is defined, and what makes a name's value
something only the run could tell (a block, a magic, `exec`, a change in place, a failing line before it)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from autograder.judging.definitions import statements as st
from autograder.judging.python_source import MAX_IPYTHON_LINES, TooDeep, free_symbols, ipython_lines, parse_cell

BLOCKS = {
    ast.If: "an `if` block",
    ast.For: "a `for` loop",
    ast.While: "a `while` loop",
    ast.With: "a `with` block",
    ast.Try: "a `try` block",
    ast.Match: "a `match` block",
    ast.AsyncFor: "an `async for` loop",
    ast.AsyncWith: "an `async with` block",
}
INSIDE_BLOCK = "it is defined inside {block} on line {line} of cell {cell}, not at the top level of a cell"
IN_A_STATEMENT = "it is set by a statement that runs code (line {line} of cell {cell}), not by a definition"
IN_A_MAGIC = "it is defined inside a `%%{magic}` cell (cell {cell}), whose code IPython runs at run time"
SET_BY_GLOBAL = (
    "it is also set through `global {name}` in `{function}`, so which value counts is only known at run time"
)
CHANGED = "it is changed in place on line {line} of cell {cell}, which the grader does not replay"
MAYBE_WRITTEN = (
    "it is imported from `{module}` (line {line} of cell {cell}), which is not installed and which your "
    "notebook may write as a file; only installed modules are there when grading"
)
NEVER_RAN = "cell {cell} stops at line {line}, before the function is defined: `{module}` is not installed"
RAISES = "cell {cell} stops at line {line}, before the function is defined: it raises"
REJECTED = "cell {cell} stops at line {line}, before the function is defined: Python rejects it ({error})"
TOO_DEEP = "cell {cell} is nested more deeply than the grader can read, so what it defines is only known at run time"
TOO_MUCH_IPYTHON = (
    "cell {cell} brings the notebook past {limit} lines of IPython syntax (`%`, `!`, `?`), more than the grader "
    "transforms, so what it defines is only known at run time"
)
NOT_DEFINED_STATICALLY = (
    "it is not defined by a top-level `def`, `lambda` or assignment, and your notebook uses "
    "`{call}` on line {line} of cell {cell}"
)


@dataclass
class Binding:
    statement: ast.stmt
    lines: list[str]
    """the cell's source, split once (slicing it per statement keeps reading linear in the notebook's size)"""
    cell: int

    def text(self) -> str:
        return st.segment(self.lines, self.statement)

    def own_text(self) -> str:
        return st.own_text(self.lines, self.statement)


@dataclass
class Notebook:
    static: dict[str, list[Binding]] = field(default_factory=dict)
    star_imports: list[Binding] = field(default_factory=list)
    dynamic: dict[str, str] = field(default_factory=dict)
    """name → why its value is only known at run time"""
    changed: dict[str, str] = field(default_factory=dict)
    """name → where a cell changes it in place (only matters for a name bound to a value, not a module)"""
    never_ran: dict[str, str] = field(default_factory=dict)
    """name → why the statement that would define it never runs (its cell stops before it)"""
    dynamic_call: str | None = None
    """the first `exec`, `globals()`, `%run`… in a cell: names can appear from nowhere"""
    order: dict[int, int] = field(default_factory=dict)
    """id of a statement → its position in the notebook"""
    functions: list[str] = field(default_factory=list)
    writes_files: bool = False
    """whether any cell may write a file (then a module that is not installed may be one it wrote)"""


def read(program: list[tuple[int, str]]) -> Notebook:
    parsed, too_deep, ipython_left = [], None, MAX_IPYTHON_LINES
    for cell, source in program:
        try:
            ipython = ipython_lines(source)
            if (found := parse_cell(source, transform=ipython <= ipython_left)) is not None:
                parsed.append((cell, found))
                ipython_left -= ipython if found[1] is not source else 0
            elif ipython > ipython_left:  # not read, so what it defines is unknown: every function goes to a person
                too_deep = too_deep or TOO_MUCH_IPYTHON.format(cell=cell + 1, limit=MAX_IPYTHON_LINES)
        except TooDeep:
            too_deep = too_deep or TOO_DEEP.format(cell=cell + 1)
    writes = any(st.writes_files(module) for _, (module, _) in parsed)
    notebook = Notebook(writes_files=writes, dynamic_call=too_deep)
    for cell, (module, text) in parsed:
        lines, dead = text.split("\n"), None  # the kernel stops a cell at its first failing line: nothing after it ran
        for statement in module.body:
            notebook.order[id(statement)] = len(notebook.order)
            where = {"line": statement.lineno, "cell": cell + 1}
            if dead is None:
                dead = _stops_the_cell(statement, lines, notebook, writes, where)
            if dead is not None:
                for name in st.module_bindings(statement):
                    notebook.never_ran.setdefault(name, dead)
            elif st.is_star_import(statement):
                notebook.star_imports.append(Binding(statement, lines, cell))
            elif st.is_definition(statement) and not (st.is_import(statement) and st.missing_module(statement)):
                for name in st.bound_names(statement):
                    notebook.static.setdefault(name, []).append(Binding(statement, lines, cell))
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) or isinstance(
                    getattr(statement, "value", None), ast.Lambda
                ):
                    notebook.functions += st.bound_names(statement)
            elif not st.is_definition(statement):
                block = next((words for kind, words in BLOCKS.items() if isinstance(statement, kind)), None)
                reason = INSIDE_BLOCK.format(block=block, **where) if block else IN_A_STATEMENT.format(**where)
                for name in st.module_bindings(statement):
                    notebook.dynamic.setdefault(name, reason)
                for name in st.changed_in_place(statement):
                    notebook.changed.setdefault(name, CHANGED.format(**where))
            _note_run_time_names(statement, notebook, cell)
    return notebook


def _stops_the_cell(statement: ast.stmt, lines: list[str], notebook: Notebook, writes: bool, where: dict) -> str | None:
    """Why this statement certainly stops its cell (a `raise`; a statement that parses but that Python's compiler
    rejects; an import of a module that is not installed and that the notebook does not write), or None. A module
    the notebook may write goes to a person."""
    if isinstance(statement, ast.Raise):
        return RAISES.format(**where)
    if (error := _rejected(st.own_text(lines, statement))) is not None:
        return REJECTED.format(error=error, **where)
    if st.is_import(statement) and (module := st.missing_module(statement)):
        if not writes:
            return NEVER_RAN.format(module=module, **where)
        for name in st.bound_names(statement):
            notebook.dynamic.setdefault(name, MAYBE_WRITTEN.format(module=module, **where))
    return None


def _rejected(text: str) -> str | None:
    """Why Python refuses to compile a statement that parses (`nonlocal z` with no `z` to bind, a name both
    parameter and global...), or None. The kernel and the function's process compile statement by statement,
    so such a statement stops its cell there; read as a definition, its symtable would fail the grader."""
    try:
        free_symbols(text)
    except SyntaxError as error:
        return error.msg
    except RecursionError:
        return None  # too deep to read: said when the function is rebuilt
    return None


def _note_run_time_names(statement: ast.stmt, notebook: Notebook, cell: int) -> None:
    """`global`, `exec`, magics and the like: names whose value, or existence, only the run can tell."""
    for inner in ast.walk(statement):
        where = {"line": getattr(inner, "lineno", statement.lineno), "cell": cell + 1}
        if isinstance(inner, ast.Global):
            owner = next(
                (
                    n.name
                    for n in ast.walk(statement)
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner in ast.walk(n)
                ),
                "a function",
            )
            for name in inner.names:
                notebook.dynamic.setdefault(name, SET_BY_GLOBAL.format(name=name, function=owner))
        call = _run_time_call(inner)
        if call and notebook.dynamic_call is None:
            notebook.dynamic_call = NOT_DEFINED_STATICALLY.format(call=call, **where)
        magic = st.ipython_call(inner)
        if magic and magic[0] == "run_cell_magic" and st.literal(magic[1], 0) not in (None, "writefile"):
            try:
                body = parse_cell(st.literal(magic[1], 2) or "", transform=False)  # bounded: the cell had its share
            except TooDeep:
                body, notebook.dynamic_call = None, notebook.dynamic_call or TOO_DEEP.format(cell=cell + 1)
            for name in set().union(*(st.module_bindings(s) for s in body[0].body)) if body else ():
                notebook.dynamic.setdefault(name, IN_A_MAGIC.format(magic=st.literal(magic[1], 0), cell=cell + 1))


def _run_time_call(node: ast.AST) -> str | None:
    """`exec(...)`, `globals()`, `%run`, `get_ipython().push(...)`, `builtins.x = …`: ways a name can appear that no
    statement shows."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in st.DYNAMIC_CALLS:
        return node.func.id
    magic = st.ipython_call(node)
    if magic:
        name, args = magic
        if name == "run_line_magic" and st.literal(args, 0) not in st.HARMLESS_MAGICS:
            return f"%{st.literal(args, 0)}"
        if name == "run_cell_magic" and st.literal(args, 2) is None:
            return f"%%{st.literal(args, 0)}"
        if name in ("push", "run_cell", "ex", "ev", "run_code", "safe_execfile"):
            return f"get_ipython().{name}"
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)) and st.root_name(target) in st.RUNTIME_STATE:
                return f"{st.root_name(target)}.…"
    return None


def imports_a_written_module(binding: Binding, notebook: Notebook) -> str | None:
    """Why a definition cannot be rebuilt: an import inside it (a function body's) of a module that is
    not installed, in a notebook that may write it as a file."""
    if not notebook.writes_files:
        return None
    for node in ast.walk(binding.statement):
        if st.is_import(node) and (module := st.missing_module(node)):
            return MAYBE_WRITTEN.format(module=module, line=node.lineno, cell=binding.cell + 1)
    return None
