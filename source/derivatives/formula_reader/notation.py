"""Read a final formula written in LaTeX: a notation pass (spelling.py), then sympy's own LaTeX parser (lark).

This package is also shipped next to the student's notebook as `formula_reader/` (`autograder sync-master`
copies it to source/derivatives/, and nbgrader's release copies that), so it needs only sympy, lark and
the standard library. Nothing here evaluates the text as Python: the pass rewrites LaTeX, and sympy's
lark grammar builds the expression.
"""

import re
from functools import lru_cache

from .spelling import HYPERBOLIC, PREDICTION, TEXT, respell, slip

try:
    import sympy
    from sympy.parsing.latex.lark import LarkLaTeXParser
    from sympy.parsing.latex.lark.transformer import TransformToSymPyExpr

    MISSING = ""
except ImportError as error:  # a student's machine without sympy ≥ 1.13 or lark: only the echo says so
    sympy, MISSING = None, f"{error}. Install them with: pip install 'sympy>=1.13' lark"

ACCEPTED = r"""Write one formula in LaTeX, the way you would inside $...$:
- powers and products: 9x^2 - 4x + 5, 9 \cdot x^{2}, 3 \cdot 3x^2, x(9x - 4) + 5
- fractions: \frac{a}{b} or a / b; e^{-x}, \exp(-x) or \mathrm{e}^{-x}; \log and \ln are the natural log
- the sigmoid: \sigma(x) or \operatorname{sigmoid}(x); a bare \sigma means σ of the answer's variable
- hyperbolic functions: \tanh(x/2), \cosh^2(x), \operatorname{sech}^2(x)
- piecewise: \begin{cases} 1 & \text{if } x > 0, \\ 0 & \text{otherwise}. \end{cases}, or \mathbb{1}[x > 0]
- the prediction ŷ: \hat{y}, y_{pred}, y_pred, y_hat or p (in ∂L/∂z, ŷ stands for σ(z))
- a left-hand side such as f'(x) = is ignored, and so are $ signs, \left, \right and \boxed
- LaTeX, not Python: x^{2} rather than x**2, \exp(x) rather than exp(x), cases rather than if/else"""
MAX_LENGTH = 300
TOO_LONG = "The answer is {length} characters long; a final formula fits in " + str(MAX_LENGTH) + "."
UNREADABLE = "sympy's LaTeX parser could not read it; it stopped near: {context}."
AMBIGUOUS = "It can be read two ways, {first} or {second}; add parentheses or \\cdot."
MIXED_SIGMA = "σ is written both with and without an argument; write \\sigma({variable}) every time."
NOT_A_FORMULA = "It is not a single formula ({what}); write only the final expression."
UNBALANCED = "A {opening} is never closed: {count} {opening} but {closed} {closing}."
APPLIED = "It reads {call} as a function applied to its argument; write a \\cdot for a product."
BAD_CASES = (
    "Each line of the cases must be 'value & condition', with a condition such as x > 0 or 'otherwise': {row!r}."
)

SLOT = r"\omega_{{{name}}}"  # stands in for σ(…), log(…), tanh(…) or exp(…) during parsing
OPERATOR_COMMANDS = (
    "cdot",
    "times",
    "div",
    "le",
    "ge",
    "leq",
    "geq",
    "neq",
    "ne",
    "lt",
    "gt",
    "to",
    "quad",
    "qquad",
    "end",
    "right",
)


class NotationError(ValueError):
    """The text cannot be read as one formula; the message says why, in a sentence for the student."""


def _group(text: str, start: int, opening: str, closing: str) -> int:
    """Index just past the group that opens at text[start]."""
    depth = 0
    for index in range(start, len(text)):
        depth += {opening: 1, closing: -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    raise NotationError(f"An opening {opening} at character {start + 1} is never closed.")


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _right_hand_side(text: str) -> str:
    """Drop a left-hand side such as f'(x) = or \\frac{\\partial L}{\\partial z} = ."""
    depth, cut = 0, 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "=" and depth == 0:
            cut = index + 1
    return text[cut:]


def _implicit_products(text: str) -> str:
    """An explicit \\cdot after a closed group, where the grammar has no implicit product."""
    text = re.sub(r"(\^\s*[A-Za-z0-9])\s*\(", lambda m: m.group(1) + r" \cdot (", text)  # x^2(1 - x)
    out, index = [], 0
    while index < len(text):
        out.append(text[index])
        if text[index] in ")}":
            after = _skip_space(text, index + 1)
            rest = text[after:]
            command = re.match(r"\\([a-zA-Z]+)", rest)
            closes_operand = text[index] == ")" or not rest.startswith(("{", "^", "_", "["))
            opens_operand = (
                rest[:1].isalnum()
                or rest.startswith("(")
                or bool(command and command.group(1) not in OPERATOR_COMMANDS)
            )
            if closes_operand and opens_operand and text[index : after + 1] != ")(":
                out.append(r" \cdot ")
        index += 1
    return "".join(out)


@lru_cache(maxsize=1)
def sigmoid_class():
    """σ as a sympy function: it prints as σ and rewrites to exp."""

    class sigma(sympy.Function):  # noqa: N801  (the name is what LaTeX prints)
        def _eval_rewrite_as_exp(self, argument, **kwargs):
            return 1 / (1 + sympy.exp(-argument))

    return sigma


@lru_cache(maxsize=1)
def _parser():
    """sympy's lark parser with one change: ambiguous readings are settled or refused (built once, ~0.3 s)."""

    class Transformer(TransformToSymPyExpr):
        def _ambig(self, readings):
            """Keep the readings that apply no unknown function (x(9x − 4) is a product); one must remain."""
            formulas = [r for r in readings if isinstance(r, sympy.Basic)]
            products = [r for r in formulas if not r.atoms(sympy.core.function.AppliedUndef)] or formulas
            distinct = list(dict.fromkeys(products))
            if len(distinct) > 1:
                raise NotationError(AMBIGUOUS.format(first=plain(distinct[0]), second=plain(distinct[1])))
            if not distinct:
                raise NotationError(NOT_A_FORMULA.format(what="it parses to no expression"))
            return distinct[0]

    return LarkLaTeXParser(transformer=Transformer)


def _parse(text: str):
    import lark

    try:
        return _parser().doparse(text)
    except lark.exceptions.UnexpectedInput as error:
        column = getattr(error, "column", 0)
        column = column if column and column > 0 else len(text)
        raise NotationError(
            UNREADABLE.format(context=_as_written(text[max(0, column - 20) : column + 20]) or "the end")
        ) from None
    except (lark.exceptions.LarkError, TypeError, ValueError, AttributeError, IndexError) as error:
        if isinstance(error, NotationError):
            raise
        cause = getattr(error, "orig_exc", error)
        if isinstance(cause, NotationError):
            raise cause from None
        raise NotationError(UNREADABLE.format(context=_as_written(text))) from None


def _as_written(snippet: str) -> str:
    """A stretch of rewritten text shown with the student's notation, not the stand-ins."""
    snippet = re.sub(r"\\?omega_\{?[a-z]*\}?", "f(…)", snippet).replace(PREDICTION, "ŷ").replace(r"\cdot", "·")
    return re.sub(r"\s+", " ", snippet).strip()


def _argument(text: str, start: int, variable: str, slots: dict):
    """The argument of a function named just before text[start]: (…), {…}, \\frac{…}{…} or one letter; with its end."""
    if start < len(text) and text[start] in "({":
        end = _group(text, start, text[start], ")" if text[start] == "(" else "}")
        return _expression(text[start + 1 : end - 1], variable, slots), end
    fraction = re.match(r"\\frac\s*(?=\{)", text[start:])
    if fraction:
        numerator_end = _group(text, start + fraction.end(), "{", "}")
        after = _skip_space(text, numerator_end)
        end = _group(text, after, "{", "}")
        return _expression(text[start:end], variable, slots), end
    letter = re.match(r"[a-zA-Z](?![a-zA-Z])", text[start:])
    if letter:
        return _expression(letter.group(0), variable, slots), start + 1
    raise NotationError(UNREADABLE.format(context=_as_written(text[max(0, start - 20) : start + 20]) or "the end"))


def _expression(text: str, variable: str, slots: dict):
    """One formula without cases. σ(…), log(…), exp(…) and the hyperbolic functions become slot symbols first,
    parsed on their own: lark would let a function take everything after it, and x(…) is then a product."""
    if re.search(r"\\sigma(?![a-zA-Z])(?!\s*\()", text) and re.search(r"\\sigma(?![a-zA-Z])\s*\(", text):
        raise NotationError(MIXED_SIGMA.format(variable=variable))
    hyperbolic = "|".join(HYPERBOLIC)
    pattern = (
        r"\\(?:(sigma)(?![a-zA-Z])\s*|(log|ln|exp)(?![a-zA-Z])\s*(?=[({])"
        rf"|({hyperbolic})(?![a-zA-Z])\s*(?:\^\s*(\{{[^{{}}]*\}}|\d)\s*)?)"
    )
    while match := re.search(pattern, text):
        name = "abcdefghijklmnopqrstuvwxyz"[len(slots) % 26] * (1 + len(slots) // 26)
        function, power = match.group(1) or match.group(2) or match.group(3), match.group(4)
        if match.group(1) and not (match.end() < len(text) and text[match.end()] in "({"):
            end, slots[name] = match.end(), (function, sympy.Symbol(variable))  # a bare σ
        else:
            argument, end = _argument(text, match.end(), variable, slots)
            slots[name] = (function, argument)
        text = f"{text[: match.start()]} {SLOT.format(name=name)}{'^' + power if power else ''} {text[end:]}"
    if not text.strip():
        raise NotationError(NOT_A_FORMULA.format(what="nothing is written"))
    result = _parse(_implicit_products(text))
    if not isinstance(result, sympy.Expr):
        raise NotationError(NOT_A_FORMULA.format(what=f"it reads as {result}"))
    applied = result.atoms(sympy.core.function.AppliedUndef)
    if applied:
        raise NotationError(APPLIED.format(call=plain(sorted(applied, key=str)[0])))
    return result


WORDS = r"(?<![a-zA-Z\\])(?:if|for|when|where|and)(?![a-zA-Z])|[,;:]|\.(?!\d)|\\(?:q?quad|[,;:! ])|~"
SPLIT = TEXT + r"\{\s*(?=(?:if|for|when|otherwise|else)(?![a-zA-Z]))"


def _condition(text: str, variable: str, slots: dict):
    words = re.sub(TEXT + r"\{([^}]*)\}", r" \1 ", text)
    words = re.sub(WORDS, " ", words).strip()
    if words in ("", "otherwise", "else", "elsewhere", "else where"):
        return sympy.true
    result = _parse(_implicit_products(words))
    if not isinstance(result, sympy.core.relational.Relational):
        raise NotationError(BAD_CASES.format(row=text.strip()))
    return result


def _piecewise(body: str, variable: str, slots: dict):
    """Each row is 'value & condition'; without an &, the condition starts at a word such as \\text{if }."""
    pieces = []
    for row in filter(str.strip, re.split(r"\\\\", body)):
        words = re.search(SPLIT, row)
        if "&" not in row and not words:
            raise NotationError(BAD_CASES.format(row=row.strip()))
        value, condition = row.split("&", 1) if "&" in row else (row[: words.start()], row[words.start() :])
        value = re.sub(r"(?:[,;.]|\\[,;:! ]|\\q?quad)+\s*$", "", value.strip())
        pieces.append((_expression(value, variable, slots), _condition(condition, variable, slots)))
    return sympy.Piecewise(*pieces)


def _check_balance(text: str) -> None:
    plain = text.replace(r"\{", "").replace(r"\}", "")
    for opening, closing in (("{", "}"), ("(", ")")):
        if plain.count(opening) > plain.count(closing):
            raise NotationError(
                UNBALANCED.format(
                    opening=opening, closing=closing, count=plain.count(opening), closed=plain.count(closing)
                )
            )


def _normalize(text: str) -> str:
    _check_balance(text)
    if sentence := slip(text):
        raise NotationError(sentence)
    text = respell(text)
    while text.startswith("{") and _group(text, 0, "{", "}") == len(text):  # what \\boxed{...} leaves
        text = text[1:-1].strip()
    return text


def read_formula(text: str, variable: str = "x"):
    """The formula in `text` as a sympy expression over x, z, y and ŷ (named yhat), with σ as a function.

    `variable` is what a bare \\sigma is applied to. Raises NotationError with a student-facing sentence.
    """
    if sympy is None:
        raise NotationError(MISSING)
    if len(text) > MAX_LENGTH:
        raise NotationError(TOO_LONG.format(length=len(text)))
    text, slots = _normalize(text), {}
    cases = re.search(r"\\begin\{cases\}(.*)\\end\{cases\}", text, re.S)
    indicator = re.fullmatch(
        r"\s*(?:\\math(?:bb|bf)\{1\}|1)\s*(?:_\{(.*)\}|\[(.*)\]|\\\{(.*)\\\})\s*", _right_hand_side(text), re.S
    )
    if cases:
        if _right_hand_side(text[: cases.start()]).strip() or text[cases.end() :].strip(" .,"):
            raise NotationError(NOT_A_FORMULA.format(what="cases with more around them"))
        result = _piecewise(cases.group(1), variable, slots)
    elif indicator:
        condition = next(group for group in indicator.groups() if group is not None)
        result = sympy.Piecewise((1, _condition(condition, variable, slots)), (0, True))
    else:
        result = _expression(_right_hand_side(text), variable, slots)
    return _substitute(result, slots)


def _substitute(result, slots: dict):
    """Slots become σ(…), log(…), exp(…) or tanh(…) and its kin; e becomes Euler's number; the ŷ stand-in becomes
    yhat."""
    names = {"e": sympy.E, PREDICTION.strip("\\"): sympy.Symbol("yhat")}
    functions = {
        "sigma": sigmoid_class(),
        "log": sympy.log,
        "ln": sympy.log,
        "exp": sympy.exp,
        **{name: getattr(sympy, name) for name in HYPERBOLIC},
    }
    names.update({f"omega_{{{name}}}": functions[function](argument) for name, (function, argument) in slots.items()})
    for _ in range(len(slots) + 1):  # a σ inside a σ needs one more pass
        result = result.xreplace({s: names.get(str(s.name), sympy.Symbol(str(s.name))) for s in result.free_symbols})
    return result


SHOWN_NAMES = {"yhat": "ŷ"}


def plain(formula) -> str:
    """One line, in the student's symbols: σ, ŷ, ^."""
    if isinstance(formula, sympy.Piecewise):
        return "; ".join(
            f"{plain(value)} if {plain(condition)}" if condition is not sympy.true else f"{plain(value)} otherwise"
            for value, condition in formula.args
        )
    text = sympy.sstr(formula).replace("**", "^").replace("*", "·").replace("sigma", "σ").replace("exp(", "e^(")
    for name, shown in SHOWN_NAMES.items():
        text = text.replace(name, shown)
    return text
