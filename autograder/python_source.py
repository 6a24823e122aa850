"""Parsing a student's cell as data, once at a time.

CPython 3.11's AST machinery keeps per-interpreter state that concurrent threads corrupt
(python/cpython#106905: "AST constructor recursion depth mismatch"), and the batch grader runs
submissions in threads. Our parses are not the only ones: libraries parse while they import or work
(lark's grammar loader through `ast.literal_eval`, `inspect.signature`, torch's `_overload`), on any
thread. So importing this module puts every `ast.parse`, and every `compile` that builds or reads an
AST (`ast.PyCF_ONLY_AST`, or an AST given as the source), in the process behind one lock.
"""
from __future__ import annotations

import ast
import builtins
import symtable
import threading

from IPython.core.inputtransformer2 import TransformerManager

_ONE_AT_A_TIME = threading.RLock()
NESTED_TOO_DEEPLY = "nested more deeply than the grader reads"
_unlocked_parse = ast.parse


def _parse_one_at_a_time(*args, **kwargs):
    with _ONE_AT_A_TIME:
        return _unlocked_parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time  # ast.literal_eval, inspect and torch call it through the module
_unlocked_compile = builtins.compile


def _compile_one_at_a_time(source, *args, **kwargs):
    flags = args[2] if len(args) > 2 else kwargs.get("flags", 0)
    if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
        with _ONE_AT_A_TIME:
            return _unlocked_compile(source, *args, **kwargs)
    return _unlocked_compile(source, *args, **kwargs)  # source to bytecode never builds Python AST objects


if getattr(builtins.compile, "__name__", "") != _compile_one_at_a_time.__name__:  # once, even if reloaded
    builtins.compile = _compile_one_at_a_time


def parse(source: str) -> ast.Module:
    """`ast.parse`, serialised across threads; raises SyntaxError as it does, and for code nested too deeply to build."""
    with _ONE_AT_A_TIME:
        try:
            return ast.parse(source)
        except ValueError as error:  # a null byte, in Python 3.11
            raise SyntaxError(str(error)) from None
        except RecursionError:
            raise SyntaxError(NESTED_TOO_DEEPLY, ("<cell>", 1, 1, None)) from None


class TooDeep(Exception):
    """Python code nested more deeply than `ast` can build (the kernel's compiler may still run it)."""


def parse_cell(source: str) -> tuple[ast.Module, str] | None:
    """A notebook cell as a module, with the text it was parsed from: IPython syntax (magics, `!`)
    is transformed as the kernel would, without running anything. None if it is not Python; TooDeep if it is
    nested more deeply than `ast` can build."""
    with _ONE_AT_A_TIME:
        try:
            return ast.parse(source), source
        except (SyntaxError, ValueError):  # ValueError: a null byte; UnicodeEncodeError: a lone surrogate
            pass
        except RecursionError:
            raise TooDeep from None
        try:
            transformed = TransformerManager().transform_cell(source)
            return ast.parse(transformed), transformed
        except (SyntaxError, ValueError):
            return None
        except RecursionError:
            raise TooDeep from None


def free_symbols(source: str) -> symtable.SymbolTable:
    """`symtable.symtable` (it compiles, so it shares the same lock)."""
    with _ONE_AT_A_TIME:
        return symtable.symtable(source, "<cell>", "exec")
