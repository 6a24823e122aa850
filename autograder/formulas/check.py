"""Compare a formula answer with its reference. Results are values; the wording is in messages.py.

Numeric spot checks first, simplest inputs first, so a wrong answer is shown where it differs;
then sympy's simplify confirms equivalence; where it cannot, agreement at every point decides.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import cast

import sympy
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

from autograder import messages as msg
from autograder.formulas.answers import FormulaAnswer, logistic
from autograder.formulas.reader import (
    CANNOT_READ,
    SHOWN_NAMES,
    NotationError,
    plain,
    read_formula,
    sigmoid_class,
    undefined,
)

EQUIVALENT, WRONG, MANUAL, EMPTY = "equivalent", "wrong", "needs manual grading", "no answer"
DIGITS = 30
RELATIVE = 1e-9


@dataclass(frozen=True)
class FormulaVerdict:
    name: str
    outcome: str
    points: float
    max_points: float
    message: str
    answer: str = ""
    read_as: str = ""
    """the formula as sympy read it, in LaTeX"""
    differs_at: str = ""
    got: str = ""
    expected: str = ""

    @property
    def needs_manual_grade(self) -> bool:
        return self.outcome == MANUAL

    def as_dict(self) -> dict:
        return asdict(self)


def manual(answer: FormulaAnswer, text: str, reason: str) -> FormulaVerdict:
    return FormulaVerdict(
        answer.name,
        MANUAL,
        0.0,
        float(answer.points),
        msg.FORMULA_MANUAL.format(name=answer.name, max_points=answer.points, reason=reason),
        text,
    )


def _value(expression, point: dict) -> float | None:
    """The real value at `point` with 30 digits, or None where the formula is undefined there."""
    try:
        value = expression.xreplace({sympy.Symbol(n): sympy.Float(v, DIGITS) for n, v in point.items()}).evalf(DIGITS)
        number = complex(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    if abs(number.imag) > 1e-20 or not math.isfinite(number.real):
        return None
    return number.real


def _shown(point: dict) -> str:
    return ", ".join(f"{SHOWN_NAMES.get(n, n)} = {v:g}" for n, v in point.items())


def _number(value: float | None) -> str:
    return msg.UNDEFINED if value is None else f"{value:.6g}"


def _exp_form(expression):
    """Hyperbolic functions written with exp, on both sides: simplify proves tanh′ = sech² = 1 − tanh² in that form."""
    return expression.replace(lambda e: isinstance(e, HyperbolicFunction), lambda e: e.rewrite(sympy.exp))


def compare(answer: FormulaAnswer, text: str) -> FormulaVerdict:
    """The verdict on the LaTeX string `text` (already read from the notebook as data)."""
    max_points = float(answer.points)
    if not text.strip():
        return FormulaVerdict(
            answer.name, EMPTY, 0.0, max_points, msg.FORMULA_EMPTY.format(name=answer.name, max_points=max_points), text
        )
    try:
        formula = read_formula(text, cast("tuple[str, ...]", answer.variables)[0])  # filled in by __post_init__
    except NotationError as error:
        return manual(answer, text, CANNOT_READ.format(name=answer.name, answer=text, reason=error))
    # the public check asks the same, of the same
    sentence = undefined(formula, answer.name, answer.variables, answer.stands_for)
    if sentence:
        return manual(answer, text, sentence)
    sigma = sigmoid_class()
    student = _exp_form(
        formula.xreplace(answer.meaning).replace(lambda e: isinstance(e, sigma), lambda e: logistic(e.args[0]))
    )
    read_as, words = sympy.latex(formula), dict(name=answer.name, derivative=answer.derivative, read_as=plain(formula))
    for point in answer.sample_points:
        expected = _value(answer.reference, point)
        got = _value(student, point)
        if expected is not None and (got is None or abs(got - expected) > RELATIVE * (1 + abs(expected))):
            message = msg.FORMULA_WRONG.format(
                max_points=max_points, point=_shown(point), got=_number(got), expected=_number(expected), **words
            )
            return FormulaVerdict(
                answer.name,
                WRONG,
                0.0,
                max_points,
                message,
                text,
                read_as,
                _shown(point),
                _number(got),
                _number(expected),
            )
    try:
        symbolic = sympy.simplify(student - _exp_form(answer.reference)) == 0
    except (TypeError, ValueError, RecursionError, NotImplementedError):
        symbolic = False
    method = msg.METHOD_SYMBOLIC if symbolic else msg.METHOD_NUMERIC.format(count=len(answer.sample_points))
    message = msg.FORMULA_EQUIVALENT.format(points=max_points, max_points=max_points, method=method, **words)
    return FormulaVerdict(answer.name, EQUIVALENT, max_points, max_points, message, text, read_as)
