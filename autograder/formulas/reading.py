"""Take a formula answer out of its cell as data: the string literal assigned to it, read from the
source with `ast`. Nothing runs, so nothing the student's code did at run time can change it."""

from __future__ import annotations

import ast

from autograder import messages as msg
from autograder.judging.python_source import parse


def answer_string(source: str, name: str) -> tuple[str | None, str]:
    """The string last assigned to `name` at the top level of the cell; "" when nothing is assigned to
    it; (None, why not) when what is assigned is not a plain string literal."""
    try:
        module = parse(source)
    except SyntaxError as error:
        return None, msg.CELL_NOT_PYTHON.format(name=name, error=f"line {error.lineno}: {error.msg}")
    found: ast.expr | None = None
    assigned = False
    for statement in module.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in statement.targets
        ):
            found, assigned = statement.value, True
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == name
        ):
            found, assigned = statement.value, True
        elif (
            isinstance(statement, ast.AugAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == name
        ):
            found = None  # `+=` builds a new string at run time
    if isinstance(found, ast.Constant) and isinstance(found.value, str):
        return found.value, ""
    if not assigned:
        return "", ""  # no answer at all (the cell was emptied or deleted): scored as an empty one
    return None, msg.NOT_LITERAL.format(name=name)
