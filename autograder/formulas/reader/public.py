"""What each answer may use, and the public check: the student's notebook and the grader read both from here.

ANSWERS is the one table of each answer's variables and of what its other symbols stand for (in ∂L/∂z,
ŷ is σ(z)). `show_formula_reading` is the public check under each answer cell; the grader's check.py asks
`undefined` the same question, so a string the public check passes is never refused for its symbols.
"""
from functools import lru_cache

from .notation import ACCEPTED, MISSING, SHOWN_NAMES, NotationError, plain, read_formula, sympy

ANSWERS = {
    "answer_f_prime": (("x",), {}),
    "answer_sigmoid_prime": (("x",), {}),
    "answer_relu_prime": (("x",), {}),
    "answer_bce_wrt_prediction": (("yhat", "y"), {}),
    "answer_bce_wrt_logit": (("z", "y"), {"yhat": r"\sigma(z)"}),
}
"""answer name → (its variables, the first being what a bare σ applies to; {other symbol: what it stands for, in LaTeX})"""

NEEDS_SYMPY = "The public check of `{name}` needs sympy and lark: {missing}"
NOT_DEFINED = "`{name}` is not defined yet: run its cell, with your formula between the quotes of {name} = r\"...\"."
NOT_A_STRING = "`{name}` must be a string, like r\"9x^2 - 4x + 5\", but it is a {type_name}."
EMPTY = "`{name}` is empty: write your final formula between the quotes."
CANNOT_READ = '`{name}` = r"{answer}" cannot be read. {reason}'
READ_AS = "`{name}` is read as: {formula}"
UNKNOWN = "`{name}` uses {unknown}, which this answer does not define; write it with {variables}."


def variables_of(name: str) -> tuple:
    return ANSWERS[name][0]


@lru_cache(maxsize=None)
def meaning_of(name: str) -> dict:
    """{symbol: the formula it stands for} in this answer, read by this same reader."""
    variables, meaning = ANSWERS[name]
    return {sympy.Symbol(symbol): read_formula(latex, variables[0]) for symbol, latex in meaning.items()}


def unknown_symbols(formula, variables) -> list[str]:
    return sorted(SHOWN_NAMES.get(str(s), str(s)) for s in formula.free_symbols if str(s) not in variables)


def undefined(formula, name: str) -> str:
    """The sentence for a symbol this answer neither has as a variable nor gives a meaning, or ""."""
    variables, meaning = ANSWERS[name]
    unknown = unknown_symbols(formula, variables + tuple(meaning))
    if not unknown:
        return ""
    return UNKNOWN.format(name=name, unknown=", ".join(unknown), variables=", ".join(SHOWN_NAMES.get(v, v) for v in variables))


def show_formula_reading(answer, name: str) -> None:
    """The public check of a formula answer: print how it is read, or fail saying why it cannot be."""
    if sympy is None:
        raise AssertionError(NEEDS_SYMPY.format(name=name, missing=MISSING))
    if answer is None:
        raise AssertionError(NOT_DEFINED.format(name=name))
    if not isinstance(answer, str):
        raise AssertionError(NOT_A_STRING.format(name=name, type_name=type(answer).__name__))
    if not answer.strip():
        raise AssertionError(EMPTY.format(name=name))
    try:
        formula = read_formula(answer, variables_of(name)[0])
    except NotationError as error:
        raise AssertionError(CANNOT_READ.format(name=name, answer=answer, reason=error) + "\n\n" + ACCEPTED) from None
    print(READ_AS.format(name=name, formula=plain(formula)))
    try:
        from IPython.display import Math, display
        display(Math(sympy.latex(formula)))
    except ImportError:
        pass
    sentence = undefined(formula, name)
    if sentence:
        raise AssertionError(sentence)
