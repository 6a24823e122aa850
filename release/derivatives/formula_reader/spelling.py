"""The notation pass: the many ways students spell a formula, rewritten to what sympy's LaTeX grammar reads,
and the slips (Python written where LaTeX was meant) refused with a sentence saying how to write them.

Plain text in, plain text out: the standard library only.
"""

import re

PREDICTION = r"\upsilon"  # stands in for ŷ during parsing: a one-letter symbol students do not use here
UNICODE = {
    "−": "-",
    "·": r"\cdot ",
    "⋅": r"\cdot ",
    "×": r"\times ",
    "σ": r"\sigma ",
    "ŷ": PREDICTION + " ",
    "²": "^{2}",
    "³": "^{3}",
    "≤": r"\le ",
    "≥": r"\ge ",
    "\u00a0": " ",
}
DROPPED = r"\\(?:displaystyle|boxed|left|right|[bB]igg?[lr]?)(?![a-zA-Z])|\$|\\[\[\]()]"
TEXT = r"\\(?:text|textrm|textit|textnormal|mbox|mathrm|operatorname)"
SIGMOID_NAMES = TEXT + r"\{(?:sigmoid|sigma|σ)\}"
E_NAMES = r"\\(?:mathrm|text|operatorname|mathit)\{e\}"
HYPERBOLIC = ("sinh", "cosh", "tanh", "sech", "csch", "coth")
HYPERBOLIC_NAMES = TEXT + r"\{(" + "|".join(HYPERBOLIC) + r")\}"
PREDICTION_NAMES = (
    r"\\(?:hat|widehat)\s*\{\s*y\s*\}(?:_\{?pred\}?)?|\\hat\s+y|\\(?:text|texttt|mathrm)\{y\\?_(?:pred|hat)\}"
    r"|y_\{\\(?:text|mathrm)\{(?:pred|hat)\}\}|y_\{(?:pred|hat)\}|y\\?_(?:pred|hat)(?![a-zA-Z])|\\hat\s*\{\s*p\s*\}|\\hat\s+p"
    r"|(?<![\\a-zA-Z])(?:yhat|p)(?![a-zA-Z])"
)
NUMBER_AFTER_PRODUCT = r"(\\(?:cdot|times)\s*)(\d+(?:\.\d+)?)\s*(?=[a-zA-Z(]|\\(?!cdot|times))"

# Python written for LaTeX: each gets a sentence saying how to write it, never a letter-by-letter reading.
SLIP_POWER = "`**` is Python's power; in LaTeX a power is written x^{2}."
SLIP_IF_ELSE = (
    r"`… if … else …` is Python; in LaTeX write cases, such as "
    r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}."
)
SLIP_CODE = "`{code}` is Python code; write the formula itself in LaTeX, such as {latex}."
SLIP_NAME = "`{name}(` without a backslash is read letter by letter, as {letters}(…); write {latex}(…)."
SLIP_LOGIC = (
    "`{word}` is Python; in LaTeX a condition goes in cases, such as \\begin{{cases}} 1 & x > 0 \\\\ 0 & "
    "\\text{{otherwise}} \\end{{cases}}."
)
BARE_NAMES = {
    "sigmoid": r"\sigma",
    "sigma": r"\sigma",
    "exp": r"\exp",
    "log": r"\log",
    "ln": r"\ln",
    "sqrt": r"\sqrt",
    "max": r"\max",
    "relu": r"\max(0, x) or cases",
    **{name: "\\" + name for name in HYPERBOLIC},
}
CODE_LATEX = {
    "sigmoid": r"\sigma(x)",
    "exp": r"\exp(-x)",
    "log": r"\log(x)",
    "relu": r"\max(0, x)",
    "where": "cases",
    "tanh": r"\tanh(x)",
}


def slip(text: str) -> str:
    """The sentence for Python written where LaTeX was meant, or "" when there is none."""
    bare = re.sub(TEXT + r"\{[^{}]*\}", " ", text)  # words inside \text are prose
    if "**" in bare:
        return SLIP_POWER
    code = re.search(r"(?<![\\a-zA-Z])(?:np|numpy|torch|math|F|nn)\.([a-zA-Z_]+)(?:\.[a-zA-Z_]+)*", bare)
    method = re.search(r"\)\s*\.\s*([a-zA-Z_]+)\s*\(", bare)
    if code or method:
        found = code or method
        shown = found.group(0).strip() if code else f".{method.group(1)}()"
        return SLIP_CODE.format(code=shown, latex=CODE_LATEX.get(found.group(1).lower(), "cases"))
    in_cases = "\\begin{cases}" in text  # there `if` and `else` are the words of a case, not Python
    if (
        not in_cases
        and re.search(r"(?<![\\a-zA-Z])if(?![a-zA-Z])", bare)
        and re.search(r"(?<![\\a-zA-Z])else(?![a-zA-Z])", bare)
    ):
        return SLIP_IF_ELSE
    logic = re.search(r"(?<![\\a-zA-Z])(and|or|not)(?![a-zA-Z])|==|!=", bare)
    if logic and not in_cases:
        return SLIP_LOGIC.format(word=logic.group(0))
    name = re.search(r"(?<![\\a-zA-Z{])(" + "|".join(sorted(BARE_NAMES, key=len, reverse=True)) + r")\s*\(", bare)
    if name:
        word = name.group(1)
        return SLIP_NAME.format(name=word, letters="·".join(word), latex=BARE_NAMES[word])
    return ""


def respell(text: str) -> str:
    """One spelling for each thing: σ, e, ŷ, the hyperbolic functions, <, >, and explicit products of numbers."""
    for old, new in UNICODE.items():
        text = text.replace(old, new)
    text = re.sub(DROPPED, " ", text).strip()
    text = re.sub(r"(?:\s|[.,;]|\\[,;:! ]|\\q?quad)+$", "", text)  # the full stop that ends a sentence
    text = re.sub(SIGMOID_NAMES, lambda _: r"\sigma ", text)
    text = re.sub(HYPERBOLIC_NAMES, lambda m: "\\" + m.group(1) + " ", text)
    text = re.sub(E_NAMES, "e", text)
    text = re.sub(PREDICTION_NAMES, lambda _: f" {PREDICTION} ", text)
    text = re.sub(r"\\gt(?![a-zA-Z])", ">", re.sub(r"\\lt(?![a-zA-Z])", "<", text))
    return re.sub(NUMBER_AFTER_PRODUCT, lambda m: f"{m.group(1)}{m.group(2)} \\cdot ", text)
