"""Read the statements a by-hand function is rebuilt from, and note every use of something the allowlist lacks.

The statements are exactly what its process will run (`definitions` chose them), so what is not read
here does not run there. Names are resolved as Python scopes them: a function's parameters and
assignments are its own values; a module is only what an allowed import bound; a name nothing binds
is a builtin, a name a star import brought, or a NameError when called.
"""

from __future__ import annotations

import ast
import builtins
import copy

from autograder.judging.by_hand import allowlist as allowed
from autograder.judging.by_hand.findings import Finding, attribute_names, machine_kind_of, shown
from autograder.judging.by_hand.scopes import (
    MIXED,
    VALUE,
    Kind,
    all_args,
    bindings,
    comprehension_names,
    constant,
    import_kinds,
    is_routine,
    module_path,
    star_names,
)
from autograder.judging.by_hand.steps import constant_value


class Reader(ast.NodeVisitor):
    """Walks the statements once, in their scopes, and collects findings."""

    def __init__(self, statements: list[ast.Module]):
        self.findings: list[Finding] = []
        self.stars = [
            node.module or ""
            for tree in statements
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            and any(a.name == "*" for a in node.names)
            and (node.module or "") in allowed.MODULES
        ]
        top, _ = bindings([node for tree in statements for node in tree.body])
        self.scopes: list[dict[str, Kind]] = [top]
        self.loaded = {
            n.id
            for tree in statements
            for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        self.cell = 0
        self.messages: set[int] = set()
        """ids of the strings that are only raised, printed or warned"""
        self.called: set[int] = set()
        """ids of the expressions that are called right where they are written"""
        self.types: set[int] = set()
        """ids of the names used as types: `isinstance`'s second argument, hints"""

    def machine_in(self, outer: ast.expr) -> str | None:
        """What machine differentiation a chain gives away: by its attributes, or by its root when that is not
        the student's own name (a local called `grad` says nothing; `autograd` from a star import does)."""
        parts, root = attribute_names(outer)
        if isinstance(root, ast.Name) and self.resolve(root.id)[0] not in ("value", "function"):
            parts.append(root.id)
        return machine_kind_of(*parts)

    def note(self, node: ast.AST, construct: str, machine: str | None = None) -> None:
        self.findings.append(
            Finding(construct, machine, getattr(node, "lineno", 0), getattr(node, "col_offset", 0), self.cell)
        )

    def resolve(self, name: str) -> Kind:
        """As Python looks a name up: the scopes, then what a star import bound, then the builtins."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        for module in reversed(self.stars):
            if name in star_names(module):
                return (
                    ("allowed", f"{module}.{name}") if name in allowed.MODULES[module] else ("star", f"{module}.{name}")
                )
        return ("builtin", name) if hasattr(builtins, name) else ("unknown", name)

    # ---- names and attributes ----
    def name_kind(self, node: ast.Name, outer: ast.expr) -> Kind | None:
        if node.id.startswith("__"):
            self.note(node, shown(node.id))
            return None
        kind = self.resolve(node.id)
        machine = self.machine_in(outer)
        if kind == MIXED:
            self.note(node, f"{shown(node.id)}, bound both to a module and to a value", machine)
            return None
        if kind[0] == "star":
            self.note(node, shown(kind[1]), machine_kind_of(node.id) or machine)
            return None
        if kind[0] == "builtin" and node.id not in allowed.BUILTINS and node.id not in allowed.CONSTANT_ONLY:
            self.note(node, shown(node.id), machine_kind_of(node.id) or machine)
            return None
        return kind

    def chain_kind(self, node: ast.expr, outer: ast.expr | None = None) -> Kind | None:
        """The kind of a name or attribute chain, noting what the allowlist lacks (then None). A finding shows
        the whole chain it is part of (`torch.ops.aten.sigmoid_backward`), and any of its names can say "machine"."""
        outer = outer or node
        if isinstance(node, ast.Name):
            return self.name_kind(node, outer)
        if not isinstance(node, ast.Attribute):
            self.visit(node)
            return VALUE
        base = self.chain_kind(node.value, outer)
        if base is None:
            return None
        machine = self.machine_in(outer)
        if node.attr.startswith("_"):
            self.note(node, shown(outer), machine)
            return None
        if base[0] == "module":
            full = f"{base[1]}.{node.attr}"
            if module_path(full):
                return ("module", full)
            if node.attr in allowed.MODULES.get(base[1], {}):
                return ("allowed", full)
            self.note(node, shown(outer), machine)
            return None
        if node.attr in allowed.TENSOR:
            return VALUE
        self.note(node, shown(outer), machine)
        return None

    def as_value(self, node: ast.expr, kind: Kind | None) -> None:
        """A module, or a function not called where it is written (passed on, stored), hides what gets called."""
        if kind is None:
            return
        if kind[0] == "module":
            self.note(node, f"the module {shown(kind[1])} as a value")
        elif id(node) not in self.called and (
            kind[0] == "function"
            or (kind[0] == "allowed" and is_routine(*kind[1].rsplit(".", 1)))
            or (kind[0] == "builtin" and kind[1] in allowed.BUILTINS and kind[1][0].islower())
        ):
            self.note(node, f"the function {shown(node)} passed on as a value")

    def visit_Name(self, node: ast.Name) -> None:
        kind = self.name_kind(node, node)
        if kind and kind[0] == "builtin" and node.id in allowed.CONSTANT_ONLY:
            if not (id(node) in self.types and node.id in ("float", "int")):
                self.note(node, shown(node.id))
        elif isinstance(node.ctx, ast.Load):
            self.as_value(node, kind)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        kind = self.chain_kind(node)
        if kind and not isinstance(node.ctx, ast.Load) and self.chain_root(node)[0] == "module":
            self.note(node, f"an assignment to {shown(node)}")
        elif isinstance(node.ctx, ast.Load):
            self.as_value(node, kind)

    def chain_root(self, node: ast.expr) -> Kind:
        while isinstance(node, ast.Attribute):
            node = node.value
        return self.resolve(node.id) if isinstance(node, ast.Name) else VALUE

    # ---- calls, operators, constants, strings ----
    def visit_Call(self, node: ast.Call) -> None:
        self.called.add(id(node.func))
        root = self.chain_root(node.func)
        if root == ("builtin", "isinstance") and len(node.args) == 2:
            self.types |= {id(n) for n in ast.walk(node.args[1])}
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "type"
            and any(
                isinstance(a, ast.Constant) and isinstance(a.value, str)
                for a in node.args + [k.value for k in node.keywords]
            )
        ):
            self.note(node, f"{shown(node)}, a type named by a string")  # "torch.ComplexDoubleTensor"
        if root in (("builtin", "print"), ("module", "warnings"), ("allowed", "warnings.warn")):
            self.messages |= {id(a) for a in node.args}
        for keyword in node.keywords:
            if keyword.arg == "requires_grad" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                self.note(keyword.value, "`requires_grad=`", "autograd")
            elif keyword.arg is None:
                self.note(keyword.value, f"keywords passed as `**{ast.unparse(keyword.value)[:40]}`")
        if isinstance(node.func, ast.Name) and node.func.id in allowed.CONSTANT_ONLY and root[0] == "builtin":
            if node.keywords or not all(constant(a) or _a_length(a) for a in node.args):
                self.note(node, f"{shown(node)} on a computed value", machine_kind_of(node.func.id))
        else:
            self.visit(node.func)
        for child in node.args + [k.value for k in node.keywords]:
            self.visit(child)

    def visit_BinOp(self, node: ast.BinOp, only_operator: bool = False) -> None:
        if (
            isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, (str, bytes))
        ):
            self.note(node, f"a formatted string, {shown(node)}")
        if isinstance(node.op, ast.Pow) and not (_whole_number(node.right) or self.positive_constant(node.left)):
            # (-1) ** 0.5 is a complex number: the one way to one that needs no complex literal
            self.note(node, f"a power with a fractional or computed exponent, {shown(node)}")
        if not only_operator:
            self.generic_visit(node)

    def positive_constant(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (int, float)) and node.value > 0
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            kind = self.resolve(node.value.id)
            return kind[0] == "module" and node.attr in ("e", "pi", "tau") and kind[1] in ("math", "torch")
        return False

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, complex):
            self.note(node, f"the complex number {shown(node)}", "complex-step differentiation")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        # text made from a computed value can be read back digit by digit (a complex number's imaginary part);
        # a message that is raised, printed or warned cannot be read back by code on the list
        if id(node) not in self.messages:
            for part in node.values:
                if isinstance(part, ast.FormattedValue) and not isinstance(part.value, ast.Constant):
                    self.note(part, f"a formatted string of {shown(part.value)}")
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        if isinstance(node.exc, ast.Call):
            self.messages |= {id(a) for a in node.exc.args}
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if node.msg is not None:
            self.messages.add(id(node.msg))
        self.generic_visit(node)

    # ---- statements and scopes ----
    def visit_Match(self, node: ast.Match) -> None:
        # a class pattern reads attributes by name (`case C(__reduce_ex__=r)`): a getattr the list cannot see
        self.note(node, "a `match` statement")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        target = copy.copy(node.target)
        target.ctx = ast.Load()
        self.visit_BinOp(
            ast.copy_location(ast.BinOp(left=target, op=node.op, right=node.value), node), only_operator=True
        )
        self.generic_visit(node)

    def visit_For(self, node: ast.For | ast.AsyncFor | ast.While) -> None:
        """A call whose input changes from one pass to the next evaluates one function at many points: a
        difference built in a loop. Honest formulas for these derivatives are written on the whole tensor."""
        parts = [node.target, *node.body] if not isinstance(node, ast.While) else [node.test, *node.body]
        changing = {
            n.id
            for part in parts
            for n in ast.walk(part)
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        }
        self.calls_on(parts, changing)
        self.generic_visit(node)

    visit_AsyncFor = visit_While = visit_For

    def calls_on(self, nodes: list[ast.AST], changing: set[str]) -> None:
        for call in (n for part in nodes for n in ast.walk(part) if isinstance(n, ast.Call)):
            if any(
                isinstance(n, ast.Name) and n.id in changing
                for a in call.args + [k.value for k in call.keywords]
                for n in ast.walk(a)
            ):
                self.note(call, f"a call inside a loop, {shown(call)}, whose input changes from one pass to the next")
                return

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.note(node, f"a class, `{node.name}`")  # its methods could redefine what any operator does
        self.generic_visit(node)  # and what they use may still give machine differentiation away

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        module = "." * getattr(node, "level", 0) + (getattr(node, "module", None) or "")
        for (bound, kind), alias in zip(import_kinds(node), node.names):
            if (alias.name == "*" and module in allowed.MODULES) or (alias.name != "*" and bound not in self.loaded):
                continue  # `import torch, numpy as np` for a function that never reads `np`: only torch is in its reach
            if kind is None:
                self.note(
                    node,
                    shown(
                        f"import {alias.name}" if isinstance(node, ast.Import) else f"from {module} import {alias.name}"
                    ),
                    machine_kind_of(module, alias.name),
                )

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        arguments = node.args
        outside = [*arguments.defaults, *(d for d in arguments.kw_defaults if d)]
        if not isinstance(node, ast.Lambda):
            self.called |= {id(d) for d in node.decorator_list}
            hints = [
                *(a.annotation for a in all_args(arguments) if a.annotation),
                *([node.returns] if node.returns else []),
            ]
            self.types |= {id(n) for hint in hints for n in ast.walk(hint)}
            outside += [*node.decorator_list, *hints]
        for child in outside:
            self.visit(child)
        body = node.body if isinstance(node.body, list) else [node.body]
        self.scopes.append(bindings([*all_args(arguments), *body])[0])
        for statement in body:
            self.visit(statement)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_comprehension_scope(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        self.scopes.append(comprehension_names(node))
        self.calls_on([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt], set(self.scopes[-1]))
        for index, generator in enumerate(node.generators):
            for child in ([] if index == 0 else [generator.iter]) + [generator.target, *generator.ifs]:
                self.visit(child)
        for child in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
            self.visit(child)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_comprehension_scope


def _a_length(node: ast.expr) -> bool:
    """`len(x)`, `x.shape[0]`, `x.size(0)`, `x.numel()`, `x.dim()`: a shape, not a value (`range(len(x))`)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "len"
    call = node.func if isinstance(node, ast.Call) else node
    return isinstance(call, ast.Attribute) and call.attr in ("shape", "size", "numel", "dim", "ndim")


def _whole_number(node: ast.expr) -> bool:
    """`2`, `-1`, `3.0`, `3 - 1`: a power with such an exponent is a product, never a complex number."""
    value = constant_value(node)
    return value is not None and value.is_integer()
