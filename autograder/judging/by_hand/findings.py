"""A finding as data, and how its construct is shown: as the student wrote it, in one line."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from autograder.judging.by_hand import allowlist as allowed

MAX_SHOWN = 60


@dataclass(frozen=True)
class Finding:
    construct: str
    """what was used, as the student wrote it: "`torch.ops.aten.sigmoid_backward`\""""
    machine: str | None
    """the kind of machine differentiation it is ("autograd", "complex-step differentiation"…), None if it is only
    not verifiable"""
    line: int
    column: int
    cell: int = 0


def shown(node: ast.AST | str) -> str:
    try:
        text = node if isinstance(node, str) else ast.unparse(node)
    except ValueError:  # an integer literal of more digits than Python converts to text
        text = "…"
    text = " ".join(text.split())
    return "`" + (text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…") + "`"


def machine_kind_of(*names: str) -> str | None:
    """The first kind of machine differentiation any part of a dotted name gives away."""
    return next((kind for name in names for part in name.split(".") if (kind := allowed.machine_kind(part))), None)


def attribute_names(node: ast.expr) -> tuple[list[str], ast.expr]:
    """`torch.ops.aten.sigmoid_backward` → its attribute names, through calls and subscripts (`x.detach().grad`),
    and its root."""
    parts = []
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
        node = node.func if isinstance(node, ast.Call) else node.value
    return parts, node
