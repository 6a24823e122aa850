"""Parsing a student's cell as data, once at a time.

CPython 3.11's AST machinery keeps per-interpreter state that concurrent threads corrupt
(python/cpython#106905: "AST constructor recursion depth mismatch"), and the batch grader runs
submissions in threads. Our parses are not the only ones: libraries parse while they import or work
(lark's grammar loader through `ast.literal_eval`, `inspect.signature`, torch's `_overload`), on any
thread. So importing this module puts every `ast.parse`, and every `compile` that builds or reads an
AST (`ast.PyCF_ONLY_AST`, or an AST given as the source), in the process behind one lock.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import symtable
import sys
import threading
from functools import reduce
from operator import or_
from typing import Any, cast

from IPython.core.inputtransformer2 import TransformerManager

_ONE_AT_A_TIME = threading.RLock()
PARSE_LOCK = _ONE_AT_A_TIME
"""held by whatever compiles code of its own while other threads may parse (a course's exercises.py)"""
NESTED_TOO_DEEPLY = "nested more deeply than the grader reads"
_unlocked_parse = getattr(ast.parse, "__wrapped__", ast.parse)  # the real one, even if this module is reloaded
_unlocked_compile = getattr(builtins.compile, "__wrapped__", builtins.compile)
_FUTURE_FLAGS = reduce(or_, (getattr(__future__, name).compiler_flag for name in __future__.all_feature_names))
MAX_IPYTHON_LINES = 200
"""lines of IPython syntax (`%`, `!`, `?`) transformed per notebook: each round of IPython's transform re-reads the
whole cell, so the cost grows with the square of their number (300 in one cell: 6 s), and past 500 IPython
itself gives up"""


def _parse_one_at_a_time(*args, **kwargs):
    with _ONE_AT_A_TIME:
        return _unlocked_parse(*args, **kwargs)


def _compile_one_at_a_time(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **kwargs):
    if not dont_inherit:  # the caller's `from __future__` imports, as compile() would have inherited them from it
        flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
    if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
        with _ONE_AT_A_TIME:
            return _unlocked_compile(source, filename, mode, flags, True, optimize, **kwargs)
    return _unlocked_compile(source, filename, mode, flags, True, optimize, **kwargs)  # no Python AST objects built


cast(Any, _parse_one_at_a_time).__wrapped__ = _unlocked_parse  # functools' mark of the wrapped original
cast(Any, _compile_one_at_a_time).__wrapped__ = _unlocked_compile
ast.parse = _parse_one_at_a_time  # ast.literal_eval, inspect and torch call it through the module
builtins.compile = _compile_one_at_a_time


def parse(source: str) -> ast.Module:
    """`ast.parse`, serialised across threads; raises SyntaxError as it does, and for code nested too deeply to
    build."""
    with _ONE_AT_A_TIME:
        try:
            return ast.parse(source)
        except ValueError as error:  # a null byte, in Python 3.11
            raise SyntaxError(str(error)) from None
        except RecursionError:
            raise SyntaxError(NESTED_TOO_DEEPLY, ("<cell>", 1, 1, None)) from None


class TooDeep(Exception):
    """Python code nested more deeply than `ast` can build (the kernel's compiler may still run it)."""


def ipython_lines(source: str) -> int:
    return sum(line.lstrip().startswith(("%", "!")) or line.rstrip().endswith("?") for line in source.splitlines())


def parse_cell(source: str, transform: bool = True) -> tuple[ast.Module, str] | None:
    """A notebook cell as a module, with the text it was parsed from: IPython syntax (magics, `!`)
    is transformed as the kernel would (unless `transform` is False), without running anything. None if it is not
    Python; TooDeep if it is nested more deeply than `ast` can build."""
    with _ONE_AT_A_TIME:
        try:
            return ast.parse(source), source
        except (SyntaxError, ValueError):  # ValueError: a null byte; UnicodeEncodeError: a lone surrogate
            pass
        except RecursionError:
            raise TooDeep from None
    if not transform or ipython_lines(source) > MAX_IPYTHON_LINES:
        return None  # past the notebook's share of IPython syntax: read as not Python (the functions go to a person)
    try:
        transformed = TransformerManager().transform_cell(source)  # tokens only: outside the lock
    except Exception:  # IPython's RuntimeError after 500 rounds, or a tokenizer error: not a cell IPython runs
        return None
    with _ONE_AT_A_TIME:
        try:
            return ast.parse(transformed), transformed
        except (SyntaxError, ValueError):
            return None
        except RecursionError:
            raise TooDeep from None


def free_symbols(source: str) -> symtable.SymbolTable:
    """`symtable.symtable` (it compiles, so it shares the same lock)."""
    with _ONE_AT_A_TIME:
        return symtable.symtable(source, "<cell>", "exec")
