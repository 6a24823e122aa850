"""The final-formula answers: one `FormulaAnswer` each. Cells, checks and feedback all follow from these.

An answer is self-contained: it carries its variables and what its other symbols stand for, the public check cell
under it passes them to the shipped reader, and the checking process gets its definition with each request. So a
course defines its own answers in its `source/<assignment>/exercises.py` (`FORMULAS` there), with `variables=` and,
where a symbol stands for a formula, `stands_for=`. `FORMULAS` here is the package's derivatives homework; its entries
take their variables from the reader's ANSWERS table (reader/public.py), which also serves earlier releases' public
checks. After a change, `autograder sync-master` puts each answer cell after its derivation, with a public check
and a hidden one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import cast

import sympy
from sympy.printing.repr import ReprPrinter

from autograder.formulas.reader import ANSWERS, read_meaning
from autograder.nbgrader_cells import hidden_tests_id

x, z, y, yhat = sympy.symbols("x z y yhat")
SYMBOLS = {"x": x, "z": z, "y": y, "yhat": yhat}


class _PlainNames(ReprPrinter):
    """sympy.srepr, with every name printed as a plain str. sympy's LaTeX parser names its symbols with lark's Token
    (a str subclass), and sympy's caches can hand such a symbol back inside any equal expression built later (the
    reference's x among them), where srepr would print Symbol(Token('SYMBOL', 'x')), which nothing reads back."""

    def _print_str(self, expr):
        return repr(str(expr))


def portable_srepr(expression) -> str:
    """The expression as sympy.srepr writes it, names as plain strings: what the checking process rebuilds it from."""
    return _PlainNames().doprint(expression)


def logistic(argument):
    return 1 / (1 + sympy.exp(-argument))


def bce(prediction):
    return -(y * sympy.log(prediction) + (1 - y) * sympy.log(1 - prediction))


NO_VARIABLES = (
    "the formula answer {name!r} gives no variables and the reader's ANSWERS table has no row for it: "
    'pass variables=("x",) (the first is what a bare σ applies to) and stands_for={{"yhat": r"\\sigma(z)"}} '
    "for a symbol that stands for a formula."
)
BAD_VARIABLES = (
    "the formula answer {name!r} must give its variables as a non-empty tuple of symbol names such as "
    '("x",), not {value!r}.'
)
BAD_MEANING = (
    "the formula answer {name!r} must give stands_for as {{symbol name: LaTeX}} for symbols other than its "
    "variables, "
    'such as {{"yhat": r"\\sigma(z)"}}, not {value!r}.'
)
BAD_SAMPLES = (
    "the formula answer {name!r} must give samples as {{variable: (numbers, …)}} with a non-empty tuple of "
    "real numbers for each of its variables {variables}, not {value!r}."
)
BAD_REFERENCE = "the formula answer {name!r} must have a sympy expression as its reference, not {value!r}."
FOREIGN_SYMBOLS = (
    "the reference of the formula answer {name!r} uses {symbols}, which are not among its variables {variables} "
    "as plain sympy.Symbol(name), without assumptions."
)
NOT_PORTABLE = (
    "the reference of the formula answer {name!r} does not survive sympy.srepr, which carries it to the checking "
    "process, so build it from sympy's own functions (logistic(x) rather than σ)."
)
BAD_POINTS = "the formula answer {name!r} must be worth a number of points of 0 or more, not {value!r}."


@dataclass(frozen=True)
class FormulaAnswer:
    name: str
    """the notebook variable that holds the LaTeX string, and the grade id of its cell"""
    derivative: str
    """what the formula is, as the student reads it"""
    reference: sympy.Expr
    """the expected formula, from sympy.diff where a convention does not decide it"""
    samples: dict[str, tuple[float, ...]]
    """where to compare numerically, simplest values first: the first differing one is what the student sees"""
    derivation: str
    """grade id of the written derivation this answer closes"""
    solution: str
    """the instructor's answer, for the master notebook"""
    points: float = 1
    variables: tuple[str, ...] | None = None
    """the symbols the answer is written in, the first being what a bare σ applies to; without them, the reader's
    ANSWERS table's row for `name` (an answer of the package's own)"""
    stands_for: dict[str, str] | None = None
    r"""what other symbols stand for, in LaTeX read by the same reader ({"yhat": r"\sigma(z)"} in ∂L/∂z); {} when
    variables are given without it, else the ANSWERS table's (which calls it the answer's meaning)"""

    def __post_init__(self):
        variables, meaning = self.variables, self.stands_for
        if variables is None:
            if self.name not in ANSWERS:
                raise ValueError(NO_VARIABLES.format(name=self.name))
            variables, table_meaning = ANSWERS[self.name]
            meaning = table_meaning if meaning is None else meaning
        if (
            isinstance(variables, str)
            or not isinstance(variables, (tuple, list))
            or not variables
            or not all(isinstance(v, str) and v.isidentifier() for v in variables)
            or len(set(variables)) < len(variables)
        ):
            raise ValueError(BAD_VARIABLES.format(name=self.name, value=variables))
        variables, meaning = tuple(variables), {} if meaning is None else meaning
        if not isinstance(meaning, dict) or not all(
            isinstance(k, str) and k.isidentifier() and k not in variables and isinstance(v, str) and v.strip()
            for k, v in meaning.items()
        ):
            raise ValueError(BAD_MEANING.format(name=self.name, value=meaning))
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "stands_for", dict(meaning))
        object.__setattr__(self, "samples", self._checked_samples())
        if isinstance(self.points, bool) or not isinstance(self.points, (int, float)) or not self.points >= 0:
            raise ValueError(BAD_POINTS.format(name=self.name, value=self.points))
        self._check_reference()

    def _checked_samples(self) -> dict[str, tuple]:
        samples = self.samples
        if (
            not isinstance(samples, dict)
            or set(samples) != set(cast("tuple[str, ...]", self.variables))  # set by __post_init__ before this
            or not all(
                isinstance(values, (tuple, list)) and values and all(_real(v) for v in values)
                for values in samples.values()
            )
        ):
            raise ValueError(BAD_SAMPLES.format(name=self.name, variables=self.variables, value=samples))
        return {name: tuple(values) for name, values in samples.items()}

    def _check_reference(self) -> None:
        reference = self.reference
        if isinstance(reference, (int, float)) and not isinstance(reference, bool):
            reference = sympy.sympify(reference)  # a constant derivative
            object.__setattr__(self, "reference", reference)
        if not isinstance(reference, sympy.Expr):
            raise ValueError(BAD_REFERENCE.format(name=self.name, value=reference))
        foreign = sorted(
            str(s)
            for s in reference.free_symbols
            if str(s) not in cast("tuple[str, ...]", self.variables) or s != sympy.Symbol(str(s))
        )
        if foreign:
            raise ValueError(
                FOREIGN_SYMBOLS.format(name=self.name, symbols=", ".join(foreign), variables=self.variables)
            )
        written = portable_srepr(reference)
        try:
            # what the checking process rebuilds (the grader's own text)
            portable = portable_srepr(sympy.sympify(written)) == written
        except (SyntaxError, TypeError, ValueError, NameError, AttributeError, sympy.SympifyError):
            portable = False
        if not portable:
            raise ValueError(NOT_PORTABLE.format(name=self.name))

    @cached_property
    def meaning(self) -> dict:
        """{sympy symbol: the formula it stands for}: `stands_for` read by the reader (in ∂L/∂z, ŷ is σ(z))"""
        # __post_init__ has filled both in
        return read_meaning(self.variables, cast("dict[str, str]", self.stands_for))

    @cached_property
    def definition(self) -> dict:
        """What the checking process needs to judge an answer, as JSON data (the reference as sympy.srepr)."""
        return {
            "name": self.name,
            "derivative": self.derivative,
            "reference": portable_srepr(self.reference),
            "samples": {name: list(values) for name, values in self.samples.items()},
            "points": self.points,
            "variables": list(cast("tuple[str, ...]", self.variables)),  # both filled in by __post_init__
            "stands_for": dict(cast("dict[str, str]", self.stands_for)),
        }

    @cached_property
    def key(self) -> str:
        """The definition as one string: equal for answers judged alike, whatever their names elsewhere."""
        return json.dumps(self.definition, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_definition(cls, definition: dict) -> FormulaAnswer:
        """The answer again from its `definition` (in the checking process; the reference is the grader's own srepr)."""
        return cls(
            definition["name"],
            definition["derivative"],
            sympy.sympify(definition["reference"]),
            {name: tuple(values) for name, values in definition["samples"].items()},
            "",
            "",
            definition["points"],
            tuple(definition["variables"]),
            dict(definition["stands_for"]),
        )

    @property
    def grade_id(self) -> str:
        return hidden_tests_id(self.name)

    @property
    def echo_id(self) -> str:
        return f"public_tests_{self.name}"

    @property
    def stub(self) -> str:
        return f'{self.name} = r""'

    @cached_property
    def sample_points(self) -> tuple[dict, ...]:
        names = tuple(self.samples)
        return tuple(dict(zip(names, values)) for values in product(*(self.samples[n] for n in names)))


def _real(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


FORMULAS: tuple[FormulaAnswer, ...] = (
    FormulaAnswer(
        "answer_f_prime",
        "f′(x)",
        sympy.diff(3 * x**3 - 2 * x**2 + 5 * x - 4, x),
        {"x": (1, -1, 2, 0.5, 0, -2.5, 3, 10)},
        "derivation_f_prime",
        r"9x^2 - 4x + 5",
    ),
    FormulaAnswer(
        "answer_sigmoid_prime",
        "σ′(x)",
        sympy.diff(logistic(x), x),
        {"x": (1, -1, 0, 2, 0.5, -3, 5, -8)},
        "derivation_sigmoid_prime",
        r"\sigma(x)\,(1 - \sigma(x))",
    ),
    FormulaAnswer(
        # sympy.diff(Max(0, x)) is Heaviside(x), ½ at 0; PyTorch's convention is 0 there.
        "answer_relu_prime",
        "ReLU′(x)",
        sympy.Piecewise((1, x > 0), (0, True)),
        {"x": (1, -1, 2.5, -0.5, 0, 1e-3, -1e-3)},
        "derivation_relu_prime",
        r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
    ),
    FormulaAnswer(
        "answer_bce_wrt_prediction",
        "∂L/∂ŷ",
        sympy.diff(bce(yhat), yhat),
        {"yhat": (0.5, 0.25, 0.8, 0.1, 0.95), "y": (1, 0)},
        "derivation_bce_wrt_prediction",
        r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}",
    ),
    FormulaAnswer(
        "answer_bce_wrt_logit",
        "∂L/∂z",
        sympy.diff(bce(logistic(z)), z),
        {"z": (1, -1, 0, 2, -3, 5), "y": (1, 0)},
        "derivation_bce_wrt_logit",
        r"\sigma(z) - y",
    ),
)

FORMULAS_BY_NAME: dict[str, FormulaAnswer] = {answer.name: answer for answer in FORMULAS}
