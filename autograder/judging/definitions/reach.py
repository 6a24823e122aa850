"""From one graded function to every statement it reaches, in notebook order, or the reason it cannot be rebuilt."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from autograder.judging.definitions import notebook as nb
from autograder.judging.definitions import statements as st

THROUGH = "`{name}`, which it uses: {reason}"
REBOUND_MODULE = "`{name}` is both imported and assigned, so what it refers to is only known at run time"
IPYTHON_SETS = "it is `{name}`, which IPython sets at run time"
NOT_REBUILT = "`{signature}` could not be rebuilt from your notebook's source for grading: {reason}."
TOO_MUCH_CODE = "the notebook's code cells hold {size:,} characters, more than the {limit:,} the grader reads"
TOO_DEEP = "its code is nested more deeply than the grader reads"
MAX_CODE_CHARS = 256_000
"""an honest notebook holds a few thousand; past this, reading it could stall other students' grading"""
TOO_MUCH_TO_REPLAY = (
    "it reaches {count:,} statements, which take {size:,} characters to replay at their lines, "
    "more than the {limit:,} the grader replays"
)
MAX_REPLAY_CHARS = 4 * MAX_CODE_CHARS
"""each replayed statement is padded to its line in its cell: thousands of statements from one long cell
(`a = 1` 40,000 times) would otherwise make hundreds of megabytes"""


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


Found = Rebuilt | NotRebuilt | Missing | NeverRan


def read_definitions(program: list[tuple[int, str]], names: list[str]) -> tuple[dict[str, Found], tuple[str, ...]]:
    """Read the cells once: for each graded name, the statements that rebuild it, or why it cannot be, or
    that it is missing; and every function the notebook defines at the top level (for "did you rename it?")."""
    size = sum(len(source) for _, source in program)
    if size > MAX_CODE_CHARS:
        return {name: NotRebuilt(name, TOO_MUCH_CODE.format(size=size, limit=MAX_CODE_CHARS)) for name in names}, ()
    notebook = nb.read(program)
    return {name: _rebuild_or_say_why(notebook, name) for name in names}, tuple(dict.fromkeys(notebook.functions))


def _rebuild_or_say_why(notebook: nb.Notebook, name: str) -> Found:
    try:
        return _rebuild(notebook, name)
    except RecursionError:  # symtable compiles each statement it reads; honest code is nowhere near this deep
        return NotRebuilt(name, TOO_DEEP)


def rebuild_functions(program: list[tuple[int, str]], names: list[str]) -> dict[str, Found]:
    return read_definitions(program, names)[0]


def defined_functions(program: list[tuple[int, str]]) -> tuple[str, ...]:
    return read_definitions(program, [])[1]


def _why_not(notebook: nb.Notebook, name: str) -> str | None:
    """Why a name the function reaches makes it impossible to rebuild, if it does."""
    if name in notebook.dynamic:
        return notebook.dynamic[name]
    bindings = notebook.static.get(name, [])
    imported = {st.is_import(b.statement) for b in bindings}
    if imported == {True, False}:
        return REBOUND_MODULE.format(name=name)
    if name in notebook.changed and imported == {False}:
        return notebook.changed[name]
    if not bindings and st.IPYTHON_NAME.match(name):
        return IPYTHON_SETS.format(name=name)
    return None


def _rebuild(notebook: nb.Notebook, name: str) -> Found:
    if name not in notebook.static:
        if (reason := _why_not(notebook, name)) is not None:
            return NotRebuilt(name, reason)
        if name in notebook.never_ran:
            return NeverRan(name, notebook.never_ran[name])
        return NotRebuilt(name, notebook.dynamic_call) if notebook.dynamic_call else Missing(name)
    wanted: list[nb.Binding] = []
    seen, queue, stars = {name}, [name], False
    while queue:
        current = queue.pop(0)
        if (reason := _why_not(notebook, current)) is not None:
            return NotRebuilt(name, reason if current == name else THROUGH.format(name=current, reason=reason))
        if current not in notebook.static:
            if hasattr(builtins, current) or current in notebook.never_ran:
                continue  # a builtin; or a name whose cell stopped first: NameError when called, as in a kernel
            if notebook.star_imports and not stars:
                stars = True  # `from torch.nn.functional import *` may define it: replay the star imports
                wanted += notebook.star_imports
                continue
            if notebook.dynamic_call and not notebook.star_imports:
                return NotRebuilt(name, THROUGH.format(name=current, reason=notebook.dynamic_call))
            continue  # a name nothing defines: NameError when called, as in a kernel
        for binding in notebook.static[current]:
            if (reason := nb.imports_a_written_module(binding, notebook)) is not None:
                return NotRebuilt(name, reason if current == name else THROUGH.format(name=current, reason=reason))
            wanted.append(binding)
            for free in sorted(st.free_names(binding.own_text())):
                if free not in seen:
                    seen.add(free)
                    queue.append(free)
    unique = {id(b.statement): b for b in wanted}
    ordered = sorted(unique.values(), key=lambda b: notebook.order[id(b.statement)])
    size = sum(st.padding(b.statement) + len(b.own_text()) for b in ordered)
    if size > MAX_REPLAY_CHARS:
        return NotRebuilt(name, TOO_MUCH_TO_REPLAY.format(count=len(ordered), size=size, limit=MAX_REPLAY_CHARS))
    return Rebuilt(name, tuple(Statement(b.cell, b.statement.lineno, b.text()) for b in ordered))
