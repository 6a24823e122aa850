"""What each answer may use, and the public check: the student's notebook and the grader read both from here.

An answer's variables (the first is what a bare σ applies to) and what its other symbols stand for (in ∂L/∂z,
ŷ is σ(z)) come with it: the grader's `FormulaAnswer` carries them, and the public check cell under each answer
passes them to `show_formula_reading`. ANSWERS is the table of the package's own answers, for an answer that
does not carry them and for a notebook of an earlier release, whose public check passes only the name.
`show_formula_reading` is the public check under each answer cell; the grader's check.py asks `undefined` the
same question, so a string the public check passes is never refused for its symbols.
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
"""answer name → (its variables, the first being what a bare σ applies to; {other symbol: what it stands for, in
LaTeX})"""

NEEDS_SYMPY = "The public check of `{name}` needs sympy and lark: {missing}"
NOT_DEFINED = '`{name}` is not defined yet: run its cell, with your formula between the quotes of {name} = r"...".'
NOT_A_STRING = '`{name}` must be a string, like r"9x^2 - 4x + 5", but it is a {type_name}.'
EMPTY = "`{name}` is empty: write your final formula between the quotes."
CANNOT_READ = '`{name}` = r"{answer}" cannot be read. {reason}'
READ_AS = "`{name}` is read as: {formula}"
UNKNOWN = "`{name}` uses {unknown}, which this answer does not define; write it with {variables}."
NO_VARIABLES = (
    "The public check of `{name}` does not say which variables the answer uses, and this formula_reader/ "
    "does not know the answer; use the formula_reader/ folder that came with the notebook."
)


def symbols_of(name: str, variables=None, meaning=None) -> tuple:
    """(variables, {symbol: LaTeX}) as given; what is not given comes from ANSWERS (KeyError if the name is not
    there)."""
    if variables is None:
        variables, table_meaning = ANSWERS[name]
        meaning = table_meaning if meaning is None else meaning
    return tuple(variables), dict(meaning or {})


def variables_of(name: str) -> tuple:
    """The variables of one of the package's answers, from ANSWERS."""
    return ANSWERS[name][0]


def meaning_of(name: str) -> dict:
    """{symbol: the formula it stands for} in one of the package's answers, from ANSWERS."""
    variables, meaning = ANSWERS[name]
    return read_meaning(variables, meaning)


def read_meaning(variables, meaning: dict) -> dict:
    """{symbol: the formula it stands for}, each formula read by this same reader (a bare σ applies to the first
    variable)."""
    return dict(_read_meaning(tuple(variables), tuple(sorted(meaning.items()))))


@lru_cache(maxsize=256)
def _read_meaning(variables: tuple, meaning: tuple) -> tuple:
    return tuple((sympy.Symbol(symbol), read_formula(latex, variables[0])) for symbol, latex in meaning)


def unknown_symbols(formula, variables) -> list[str]:
    return sorted(SHOWN_NAMES.get(str(s), str(s)) for s in formula.free_symbols if str(s) not in variables)


def undefined(formula, name: str, variables=None, meaning=None) -> str:
    """The sentence for a symbol this answer neither has as a variable nor gives a meaning, or "".

    `variables` and `meaning` are the answer's own; without them, the ANSWERS table's for `name`."""
    variables, meaning = symbols_of(name, variables, meaning)
    unknown = unknown_symbols(formula, variables + tuple(meaning))
    if not unknown:
        return ""
    return UNKNOWN.format(
        name=name, unknown=", ".join(unknown), variables=", ".join(SHOWN_NAMES.get(v, v) for v in variables)
    )


def show_formula_reading(answer, name: str, variables=None, meaning=None) -> None:
    """The public check of a formula answer: print how it is read, or fail saying why it cannot be.

    `variables` (a tuple of names, the first being what a bare σ applies to) and `meaning` ({symbol: LaTeX}) are the
    answer's own, written into the check cell; an earlier release's cell passes only the name (then ANSWERS says)."""
    if sympy is None:
        raise AssertionError(NEEDS_SYMPY.format(name=name, missing=MISSING))
    try:
        variables, meaning = symbols_of(name, variables, meaning)
    except KeyError:
        variables = ()
    if not variables:
        raise AssertionError(NO_VARIABLES.format(name=name))
    if answer is None:
        raise AssertionError(NOT_DEFINED.format(name=name))
    if not isinstance(answer, str):
        raise AssertionError(NOT_A_STRING.format(name=name, type_name=type(answer).__name__))
    if not answer.strip():
        raise AssertionError(EMPTY.format(name=name))
    try:
        formula = read_formula(answer, variables[0])
    except NotationError as error:
        raise AssertionError(CANNOT_READ.format(name=name, answer=answer, reason=error) + "\n\n" + ACCEPTED) from None
    print(READ_AS.format(name=name, formula=plain(formula)))
    try:
        from IPython.display import Math, display

        display(Math(sympy.latex(formula)))
    except ImportError:
        pass
    sentence = undefined(formula, name, variables, meaning)
    if sentence:
        raise AssertionError(sentence)
