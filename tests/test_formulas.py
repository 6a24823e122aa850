"""Final-formula answers: what the LaTeX reader accepts, what the checker decides, and the
sentences a student reads. Every verdict here is computed; none is stored."""

from __future__ import annotations

import builtins
import os
import threading
import time

import pytest
import sympy

from autograder.formulas.answers import FORMULAS, FORMULAS_BY_NAME
from autograder.formulas.check import EMPTY, EQUIVALENT, MANUAL, WRONG, compare
from autograder.formulas.reader import ACCEPTED, NotationError, read_formula, show_formula_reading
from autograder.formulas.reading import answer_string
from autograder.formulas.worker import FormulaChecker

from .conftest import RELEASE

E, W, M, N = EQUIVALENT, WRONG, MANUAL, EMPTY


class EvaluationTrap:
    """Set `text` to a student's answer: any eval, exec, parse_expr or eval_expr of a text holding it is refused and
    kept in `sprung`. Python the grader or sympy generate for themselves goes through."""

    def __init__(self) -> None:
        self.text = ""
        self.sprung: list[str] = []

    def guard(self, original):
        def guarded(source, *args, **kwargs):
            shown = source.decode(errors="replace") if isinstance(source, bytes) else source
            if isinstance(shown, str) and self.text.strip() and self.text.strip() in shown:
                self.sprung.append(shown)
                raise AssertionError(f"evaluated: {shown!r}")
            return original(source, *args, **kwargs)

        return guarded


@pytest.fixture
def evaluation_trap(monkeypatch) -> EvaluationTrap:
    trap = EvaluationTrap()
    for owner, name in (
        (builtins, "eval"),
        (builtins, "exec"),
        (sympy.parsing.sympy_parser, "parse_expr"),
        (sympy.parsing.sympy_parser, "eval_expr"),
    ):
        monkeypatch.setattr(owner, name, trap.guard(getattr(owner, name)))
    return trap


# (answer, what the student wrote, expected outcome): equivalent forms, common mistakes, unreadable notation.
ANSWERS = [
    ("answer_f_prime", r"9x^2 - 4x + 5", E),
    ("answer_f_prime", r"9x^{2}-4x+5", E),
    ("answer_f_prime", r"x(9x - 4) + 5", E),  # factored
    ("answer_f_prime", r"f'(x) = 9x^2 - 4x + 5", E),  # with a left-hand side
    ("answer_f_prime", r"$9 \cdot x^2 - 4 \times x + 5$", E),
    ("answer_f_prime", r"5 - 4x + 9x^2", E),
    ("answer_f_prime", "9x²−4x+5", E),  # Unicode
    ("answer_f_prime", r"9x^2 + 4x + 5", W),  # sign
    ("answer_f_prime", r"9x^2 - 4x", W),  # the constant 5x → 5 dropped
    ("answer_f_prime", r"3x^3 - 2x^2 + 5x - 4", W),  # f, not f′
    ("answer_f_prime", r"9x^2 - 4x + 5 +", M),  # cannot be read
    ("answer_f_prime", r"9t^2 - 4t + 5", M),  # a symbol this answer does not define
    ("answer_f_prime", "", N),
    ("answer_sigmoid_prime", r"\sigma(x)(1-\sigma(x))", E),
    ("answer_sigmoid_prime", r"\sigma(x)\,\bigl(1 - \sigma(x)\bigr)", E),
    ("answer_sigmoid_prime", r"\sigma(x) - \sigma(x)^2", E),  # expanded
    ("answer_sigmoid_prime", r"\frac{e^{-x}}{(1+e^{-x})^2}", E),  # e-forms
    ("answer_sigmoid_prime", r"e^{-x}(1+e^{-x})^{-2}", E),
    ("answer_sigmoid_prime", r"\frac{e^{x}}{(1+e^{x})^{2}}", E),
    ("answer_sigmoid_prime", r"\exp(-x)/(1+\exp(-x))^2", E),
    ("answer_sigmoid_prime", r"\frac{1}{1+e^{-x}}\left(1-\frac{1}{1+e^{-x}}\right)", E),
    ("answer_sigmoid_prime", r"\operatorname{sigmoid}(x)(1-\operatorname{sigmoid}(x))", E),
    ("answer_sigmoid_prime", "σ(x)(1−σ(x))", E),
    ("answer_sigmoid_prime", r"\boxed{\sigma'(x) = \sigma(x)(1 - \sigma(x))}", E),
    ("answer_sigmoid_prime", r"e^x(1+e^x)^{-2}", E),  # a power, then a parenthesis
    ("answer_sigmoid_prime", r"\sigma(x)", W),  # σ′ = σ
    ("answer_sigmoid_prime", r"\sigma(x)(1+\sigma(x))", W),  # sign
    ("answer_sigmoid_prime", r"\frac{e^{-x}}{1+e^{-x}}", W),  # the square dropped
    ("answer_sigmoid_prime", r"\sigma(1-\sigma)", M),  # σ with and without its argument
    ("answer_sigmoid_prime", r"\sigma'(x)", M),
    ("answer_relu_prime", r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 & \text{if } x > 0, \\ 0 & \text{otherwise} \end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 & if x > 0 \\ 0 & else \end{cases}", E),  # if/else as the words of a case
    ("answer_relu_prime", r"\text{ReLU}'(x) = \begin{cases} 0 & x \leq 0 \\ 1 & x > 0 \end{cases}", E),
    ("answer_relu_prime", r"\mathbb{1}[x > 0]", E),
    ("answer_relu_prime", r"\begin{cases} 1 & x \geq 0 \\ 0 & x < 0 \end{cases}", W),  # ReLU′(0) = 1
    ("answer_relu_prime", r"\begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}", W),  # nothing at 0
    ("answer_relu_prime", r"\max(0, x)", W),  # ReLU itself
    ("answer_relu_prime", r"\begin{cases} 1 & x > 0 \\ 0 \end{cases}", M),  # a row without a condition
    ("answer_bce_wrt_prediction", r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}", E),
    ("answer_bce_wrt_prediction", r"-\frac{y}{\hat{y}} + \frac{1-y}{1-\hat{y}}", E),
    ("answer_bce_wrt_prediction", r"-\left(\frac{y}{\hat y} - \frac{1-y}{1-\hat y}\right)", E),
    ("answer_bce_wrt_prediction", r"\frac{y_{pred} - y}{y_{pred}(1 - y_{pred})}", E),  # ŷ spellings
    ("answer_bce_wrt_prediction", r"\frac{y_pred - y}{y_pred(1-y_pred)}", E),
    ("answer_bce_wrt_prediction", r"\frac{p - y}{p(1 - p)}", E),
    ("answer_bce_wrt_prediction", r"\frac{y}{\hat{y}} - \frac{1-y}{1-\hat{y}}", W),  # sign
    ("answer_bce_wrt_prediction", r"-\log(\hat{y}) + \log(1-\hat{y})", W),  # ∂L/∂y: the wrong variable
    ("answer_bce_wrt_prediction", r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})", M),  # a brace never closed
    ("answer_bce_wrt_prediction", r"-y \ln \hat{y} + 1", M),  # \ln of ŷ, or of ŷ + 1?
    ("answer_bce_wrt_logit", r"\sigma(z) - y", E),
    ("answer_bce_wrt_logit", r"\hat{y} - y", E),  # ŷ = σ(z)
    ("answer_bce_wrt_logit", r"\frac{\partial L}{\partial z} = \sigma(z) - y", E),
    ("answer_bce_wrt_logit", r"\frac{1}{1+e^{-z}} - y", E),
    ("answer_bce_wrt_logit", r"y - \sigma(z)", W),  # sign
    ("answer_bce_wrt_logit", r"\frac{\hat{y}-y}{\hat{y}(1-\hat{y})}", W),  # ∂L/∂ŷ: the wrong variable
    ("answer_bce_wrt_logit", r"\sigma(z)", W),  # y dropped
    ("answer_bce_wrt_logit", r"\sigma(x) - y", M),  # x is not this answer's variable
    # Spellings seen in real submissions (issue 13): hyperbolic forms, words and punctuation in cases, \cdot between
    # numbers, \exp\left(…\right), ŷ as y_hat, and Python written for LaTeX (refused with a sentence, never misread).
    ("answer_f_prime", r"3 \cdot 3x^2 - 2 \cdot 2x + 5", E),  # the power rule, step by step
    ("answer_f_prime", r"3 \cdot 3 \cdot x^2 - 2 \cdot 2 \cdot x + 5", E),
    ("answer_f_prime", r"3 \times 3x^{2} - 2 \times 2x + 5", E),
    ("answer_f_prime", r"9x^2 - 4x + 5.", E),  # a sentence's full stop
    ("answer_f_prime", r"9x^2 - 4x + 5 \quad", E),
    ("answer_f_prime", r"9*x^2 - 4*x + 5", E),
    ("answer_f_prime", r"\frac{d}{dx}f(x) = 9x^2 - 4x + 5", E),
    ("answer_f_prime", r"9 \cdot x \cdot x - 4 \cdot x + 5", E),
    ("answer_f_prime", r"9*x**2 - 4*x + 5", M),  # Python's power: a sentence
    ("answer_f_prime", r"3 \cdot 3x^2 - 2 \cdot 2x", W),
    ("answer_sigmoid_prime", r"\frac{1}{4}\operatorname{sech}^2\left(\frac{x}{2}\right)", E),
    ("answer_sigmoid_prime", r"\frac{1 - \tanh^2(x/2)}{4}", E),
    ("answer_sigmoid_prime", r"\frac{1}{4}\left(1 - \tanh^{2}\left(\frac{x}{2}\right)\right)", E),
    ("answer_sigmoid_prime", r"\frac{1}{4\cosh^2(x/2)}", E),
    ("answer_sigmoid_prime", r"\frac{1}{2 + 2\cosh(x)}", E),
    ("answer_sigmoid_prime", r"\frac{1}{2(1 + \cosh x)}", E),
    ("answer_sigmoid_prime", r"\frac{1}{4}\text{sech}^2(x/2)", E),
    ("answer_sigmoid_prime", r"\frac{\exp\left(-x\right)}{\left(1 + \exp\left(-x\right)\right)^2}", E),
    ("answer_sigmoid_prime", r"\exp\left(-x\right) \cdot \left(1 + \exp(-x)\right)^{-2}", E),
    ("answer_sigmoid_prime", r"\sigma(x) \cdot (1 - \sigma(x))", E),
    ("answer_sigmoid_prime", r"\sigma(x)\cdot\left(1-\sigma(x)\right)", E),
    ("answer_sigmoid_prime", r"\frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}.", E),
    ("answer_sigmoid_prime", r"\frac{1}{4}\tanh(x/2)", W),
    ("answer_sigmoid_prime", r"\frac{1}{\cosh^2(x)}", W),  # tanh′, not σ′
    ("answer_sigmoid_prime", r"sigmoid(x)*(1-sigmoid(x))", M),  # no backslash: a sentence
    ("answer_sigmoid_prime", r"exp(-x)/(1+exp(-x))^2", M),
    ("answer_sigmoid_prime", r"torch.sigmoid(x) * (1 - torch.sigmoid(x))", M),
    ("answer_sigmoid_prime", r"np.exp(-x) / (1 + np.exp(-x))**2", M),
    ("answer_relu_prime", r"\begin{cases} 1, & \text{if } x > 0, \\ 0, & \text{otherwise}. \end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{if } x \leq 0. \end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 & \text{for } x > 0; \\ 0 & \text{else.} \end{cases}", E),
    (
        "answer_relu_prime",
        r"\begin{cases} 0 & \text{if } x \le 0 \text{,} \\ 1 & \text{if } x > 0 \text{.} \end{cases}",
        E,
    ),
    ("answer_relu_prime", r"\begin{cases}1 &\text{ if } x>0\\0 &\text{ otherwise}\end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 & \textrm{if } x > 0 \\ 0 & \textrm{otherwise} \end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 & \text{if $x > 0$} \\ 0 & \text{otherwise} \end{cases}", E),
    ("answer_relu_prime", r"\begin{cases} 1 \text{ if } x > 0 \\ 0 \text{ otherwise} \end{cases}", E),  # no &
    ("answer_relu_prime", r"\begin{cases} 1 & \quad x > 0 \\ 0 & \quad x \leq 0 \end{cases}", E),
    ("answer_relu_prime", r"\mathbb{1}_{x > 0}", E),
    ("answer_relu_prime", r"\begin{cases} 1, & \text{if } x \geq 0, \\ 0, & \text{otherwise}. \end{cases}", W),
    (
        "answer_relu_prime",
        r"\begin{cases} 1 & \text{if } x > 0.5 \\ 0 & \text{otherwise} \end{cases}",
        W,
    ),  # 0.5 is a number, not a full stop
    ("answer_relu_prime", "1 if x > 0 else 0", M),  # Python's conditional: a sentence
    ("answer_relu_prime", r"(x > 0).float()", M),
    ("answer_relu_prime", r"1 \text{ if } x > 0 \text{ else } 0", M),
    ("answer_bce_wrt_prediction", r"\frac{y_hat - y}{y_hat(1 - y_hat)}", E),
    ("answer_bce_wrt_prediction", r"(y_hat - y)/(y_hat*(1-y_hat))", E),
    ("answer_bce_wrt_prediction", r"\frac{\hat{y}-y}{\hat{y}-\hat{y}^2}", E),
    ("answer_bce_wrt_prediction", r"\frac{\hat{y}-y}{\hat{y} \cdot (1-\hat{y})}", E),
    ("answer_bce_wrt_prediction", r"-\frac{y}{\hat{y}} + \frac{1 - y}{1 - \hat{y}}.", E),
    ("answer_bce_wrt_prediction", r"\frac{y_{hat} - y}{y_{hat}(1 - y_{hat})}", E),
    ("answer_bce_wrt_prediction", r"\frac{yhat - y}{yhat(1 - yhat)}", E),
    ("answer_bce_wrt_prediction", r"-y/y_hat + (1-y)/(1-y_hat)", E),
    ("answer_bce_wrt_prediction", r"\frac{\hat{y} - y}{\hat{y}^2}", W),
    ("answer_bce_wrt_logit", r"\hat{y}-y", E),
    ("answer_bce_wrt_logit", r"y_hat - y", E),
    ("answer_bce_wrt_logit", r"\frac{1}{1+\exp\left(-z\right)} - y", E),
    ("answer_bce_wrt_logit", r"\frac{e^z}{1+e^z} - y", E),
    ("answer_bce_wrt_logit", r"\frac{1}{2}\left(1+\tanh\frac{z}{2}\right) - y", E),
    ("answer_bce_wrt_logit", r"\frac{1 + \tanh(z/2)}{2} - y", E),
    ("answer_bce_wrt_logit", r"\frac{\partial L}{\partial z} = \hat{y} - y.", E),
    ("answer_bce_wrt_logit", r"\tanh(z) - y", W),
    ("answer_bce_wrt_logit", r"sigmoid(z) - y", M),
]


def test_the_answers_cover_every_formula_and_every_outcome():
    assert {name for name, _, _ in ANSWERS} == {a.name for a in FORMULAS}
    assert {outcome for _, _, outcome in ANSWERS} == {E, W, M, N}


@pytest.mark.slow
@pytest.mark.parametrize("name, text, outcome", ANSWERS, ids=[f"{n}:{t}" for n, t, _ in ANSWERS])
def test_each_answer_gets_its_outcome_and_points(name, text, outcome, evaluation_trap):
    evaluation_trap.text = text  # sympify, parse_expr, eval and exec run Python: none may see the student's text
    verdict = compare(FORMULAS_BY_NAME[name], text)
    assert evaluation_trap.sprung == []
    assert verdict.outcome == outcome, verdict.message
    assert verdict.points == (FORMULAS_BY_NAME[name].points if outcome == E else 0)
    assert verdict.needs_manual_grade == (outcome == M)


@pytest.mark.slow
@pytest.mark.parametrize("answer", FORMULAS, ids=[a.name for a in FORMULAS])
def test_the_instructors_solution_is_equivalent_to_sympys_derivative(answer):
    assert compare(answer, answer.solution).outcome == EQUIVALENT


def test_the_relu_reference_follows_pytorch_at_zero():
    import torch

    x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    torch.relu(x).sum().backward()
    reference = FORMULAS_BY_NAME["answer_relu_prime"].reference
    assert [float(reference.subs("x", v)) for v in (-1, 0, 1)] == x.grad.tolist()


@pytest.mark.slow
def test_a_wrong_answer_is_shown_as_read_with_one_input_where_it_differs():
    verdict = compare(FORMULAS_BY_NAME["answer_relu_prime"], r"\begin{cases} 1 & x \geq 0 \\ 0 & x < 0 \end{cases}")
    assert verdict.message == (
        "answer_relu_prime: 0 / 1 points. Your ReLU′(x) = 1 if x >= 0; 0 otherwise is not the expected "
        "formula: at x = 0 it gives 1, expected 0."
    )
    assert (verdict.differs_at, verdict.got, verdict.expected) == ("x = 0", "1", "0")
    # the differing input is real: recomputed here with sympy from the formula as read
    reread = read_formula(verdict.answer)
    assert reread.subs("x", 0) == 1 and FORMULAS_BY_NAME["answer_relu_prime"].reference.subs("x", 0) == 0


PINNED = [
    (
        "answer_f_prime",
        r"x(9x - 4) + 5",
        "answer_f_prime: 1 / 1 points. Your f′(x) = x·(9·x - 4) + 5 is equivalent to the expected formula (sympy "
        "simplifies the difference to 0).",
    ),
    (
        "answer_sigmoid_prime",
        r"\sigma(x)",
        "answer_sigmoid_prime: 0 / 1 points. Your σ′(x) = σ(x) is not the expected formula: at x = 1 it gives "
        "0.731059, expected 0.196612.",
    ),
    (
        "answer_bce_wrt_logit",
        r"\frac{\hat{y}-y}{\hat{y}(1-\hat{y})}",
        "answer_bce_wrt_logit: 0 / 1 points. Your ∂L/∂z = (-y + ŷ)/(ŷ·(1 - ŷ)) is not the expected formula: at z = 1, "
        "y = 1 it gives -1.36788, expected -0.268941.",
    ),
    (
        "answer_bce_wrt_prediction",
        r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})",
        'answer_bce_wrt_prediction: needs manual grading (worth 1). `answer_bce_wrt_prediction` = r"\\frac{\\hat{y} - '
        'y}{\\hat{y}(1 - \\hat{y})" '
        "cannot be read. A { is never closed: 5 { but 4 }. Your instructor will read it.",
    ),
    (
        "answer_sigmoid_prime",
        r"\sigma(1-\sigma)",
        'answer_sigmoid_prime: needs manual grading (worth 1). `answer_sigmoid_prime` = r"\\sigma(1-\\sigma)" cannot '
        "be read. "
        "σ is written both with and without an argument; write \\sigma(x) every time. Your instructor will read it.",
    ),
    (
        "answer_f_prime",
        r"9x^2 - 4x + 5 +",
        'answer_f_prime: needs manual grading (worth 1). `answer_f_prime` = r"9x^2 - 4x + 5 +" cannot be read. '
        "sympy's LaTeX parser could not read it; it stopped near: 9x^2 - 4x + 5 +. Your instructor will read it.",
    ),
    (
        "answer_f_prime",
        r"9t^2 - 4t + 5",
        "answer_f_prime: needs manual grading (worth 1). `answer_f_prime` uses t, which this answer does not define; "
        "write it with x. Your instructor will read it.",
    ),
    (
        "answer_f_prime",
        "",
        "answer_f_prime: 0 / 1 points. No formula was given: answer_f_prime is empty or not set in its cell.",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, text, message", PINNED, ids=[m.split(".")[1][:40] for _, _, m in PINNED])
def test_student_facing_verdicts_are_pinned(name, text, message):
    assert compare(FORMULAS_BY_NAME[name], text).message == message


@pytest.mark.slow
def test_the_checker_never_evaluates_anything_once_warm(monkeypatch):
    """sympify, parse_expr, eval and exec run Python; once the parser is built, none may be called at all on the way
    to a verdict, on any answer, whatever form of the student's text it would be given (the trap above looks for
    the text as written)."""
    for name, text, _ in ANSWERS:  # first unguarded: the parser is built, sympy's lazy imports and generated code made
        compare(FORMULAS_BY_NAME[name], text)

    def refuse(*args, **kwargs):
        raise AssertionError(f"evaluated: {args[:1]}")

    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "eval_expr", refuse)
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    payload = "__import__('os').system('echo 4242')"
    with pytest.raises(AssertionError, match="evaluated"):
        sympy.sympify(payload)  # the guard works: this is how sympify would run it
    verdicts = [compare(FORMULAS_BY_NAME[name], text) for name, text, _ in ANSWERS]
    verdicts.append(compare(FORMULAS_BY_NAME["answer_f_prime"], payload))
    assert [v.outcome for v in verdicts] == [outcome for _, _, outcome in ANSWERS] + [MANUAL]


def test_the_trap_catches_sympify_and_the_checker_never_springs_it(evaluation_trap):
    payload = "__import__('os').system('echo 4242')"
    evaluation_trap.text = payload
    with pytest.raises(AssertionError, match="evaluated"):
        sympy.sympify(payload)  # the trap works: this is how sympify would run it
    evaluation_trap.sprung.clear()
    assert compare(FORMULAS_BY_NAME["answer_f_prime"], payload).outcome == MANUAL
    assert evaluation_trap.sprung == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ('answer_f_prime = r"9x^2"', ("9x^2", "")),
        ('# comment\nanswer_f_prime: str = "9x^2"', ("9x^2", "")),
        ('answer_f_prime = "0"\nanswer_f_prime = r"9x^2"', ("9x^2", "")),
        ('answer_f_prime = r"9x^" r"2"', ("9x^2", "")),  # implicit concatenation is still one literal
        (
            'answer_f_prime = f"{9}x^2"',
            (
                None,
                "answer_f_prime is not set to a plain string in its cell, so it was not "
                'read; write answer_f_prime = r"..." there.',
            ),
        ),
        (
            'answer_f_prime = "9x" + "^2"',
            (
                None,
                "answer_f_prime is not set to a plain string in its cell, so it was not "
                'read; write answer_f_prime = r"..." there.',
            ),
        ),
        (
            'answer_f_prime = "9x"\nanswer_f_prime += "^2"',
            (
                None,
                "answer_f_prime is not set to a plain string in its "
                'cell, so it was not read; write answer_f_prime = r"..." there.',
            ),
        ),
        (
            'answer_f_prime = r"9x^2',
            (
                None,
                "The cell of answer_f_prime is not valid Python, so it was not read (line 1: "
                "unterminated string literal (detected at line 1)).",
            ),
        ),
        ("# This answer cell was missing from the submission.", ("", "")),
        (
            'answer_f_prime = r"9x^2"' + ' + "x"' * 5000,
            (
                None,
                "The cell of answer_f_prime is not valid Python, so it was not read (line 1: nested more deeply than "
                "the grader reads).",
            ),
        ),
    ],
)
def test_the_answer_is_read_from_the_cells_source_as_a_literal(source, expected):
    assert answer_string(source, "answer_f_prime") == expected


@pytest.mark.slow
def test_a_formula_that_hangs_sympy_costs_one_manual_grade_and_the_checker_recovers():
    checker = FormulaChecker(seconds=3)
    try:
        hostile = checker.check(FORMULAS_BY_NAME["answer_f_prime"], r"10^{10^{10}}")
        assert hostile.outcome == MANUAL
        assert hostile.message == (
            'answer_f_prime: needs manual grading (worth 1). r"10^{10^{10}}" took longer than '
            "3 s to check. Your instructor will read it."
        )
        assert checker.check(FORMULAS_BY_NAME["answer_f_prime"], r"9x^2 - 4x + 5").outcome == EQUIVALENT
        too_long = checker.check(FORMULAS_BY_NAME["answer_f_prime"], "x+" * 200 + "x")
        assert (
            too_long.outcome == MANUAL
            and "The answer is 401 characters long; a final formula fits in 300." in too_long.message
        )
    finally:
        checker.close()


@pytest.mark.slow
def test_a_checker_killed_from_outside_is_started_again():
    checker = FormulaChecker(seconds=10)
    try:
        assert checker.check(FORMULAS_BY_NAME["answer_f_prime"], r"9x^2 - 4x + 5").outcome == EQUIVALENT
        (helper,) = checker._idle
        helper.kill()  # as a Ctrl-C or the OOM killer would
        helper.wait()
        assert checker.check(FORMULAS_BY_NAME["answer_sigmoid_prime"], r"\sigma(x)").outcome == WRONG
    finally:
        checker.close()


@pytest.mark.slow
def test_a_check_slowed_down_by_the_machines_load_is_not_a_time_out():
    """The limit is the helper's own CPU time: a helper kept off the CPU (as on a loaded CI runner) for longer
    than the limit still gives its verdict, and it is kept for everyone."""
    import signal

    seconds = 2
    checker = FormulaChecker(seconds=seconds, size=1)
    try:
        assert checker.check(FORMULAS_BY_NAME["answer_f_prime"], "x").outcome == WRONG  # a warm helper
        (helper,) = checker._idle
        thread, result = _check_in_a_thread(checker, r"9x^2 - 4x + 5")
        os.kill(helper.pid, signal.SIGSTOP)
        time.sleep(2 * seconds)
        os.kill(helper.pid, signal.SIGCONT)
        thread.join(60)
        assert result["verdict"].outcome == EQUIVALENT and result["verdict"].points == 1.0
        assert checker._cache[(FORMULAS_BY_NAME["answer_f_prime"].key, r"9x^2 - 4x + 5")] == result["verdict"]
    finally:
        checker.close()


def test_a_helper_that_never_says_it_is_ready_is_stopped_and_is_the_graders_fault(monkeypatch):
    from autograder.formulas import worker

    started: list = []
    real_popen = worker.subprocess.Popen
    monkeypatch.setattr(worker.subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k)) or started[-1])
    monkeypatch.setattr(worker, "START_CPU_SECONDS", 0.0)  # its first poll already finds the start too slow
    checker = FormulaChecker(seconds=2, size=1)
    try:
        with pytest.raises(worker.HelperDidNotStart):
            checker.check(FORMULAS_BY_NAME["answer_f_prime"], "x")
        assert started and started[0].poll() is not None  # stopped, so its late "ready" is never read as a verdict
        assert not checker._helpers and checker._starting == 0
    finally:
        checker.close()


@pytest.mark.slow
def test_the_public_check_echoes_the_reading_and_fails_with_a_reason(capsys):
    show_formula_reading(r"x(9x - 4) + 5", "answer_f_prime")
    assert capsys.readouterr().out.splitlines()[0] == "`answer_f_prime` is read as: x·(9·x - 4) + 5"
    cases = [
        (
            None,
            "`answer_f_prime` is not defined yet: run its cell, with your formula between the quotes of "
            'answer_f_prime = r"...".',
        ),
        (9, '`answer_f_prime` must be a string, like r"9x^2 - 4x + 5", but it is a int.'),
        ("  ", "`answer_f_prime` is empty: write your final formula between the quotes."),
        ("9t^2", "`answer_f_prime` uses t, which this answer does not define; write it with x."),
        (
            "9x^2 +",
            '`answer_f_prime` = r"9x^2 +" cannot be read. sympy\'s LaTeX parser could not read it; it stopped '
            "near: 9x^2 +.\n\n" + ACCEPTED,
        ),
    ]
    for answer, message in cases:
        with pytest.raises(AssertionError) as raised:
            show_formula_reading(answer, "answer_f_prime")
        assert str(raised.value) == message


def shipped_reader(folder=RELEASE.parent):
    """The formula_reader/ folder next to a notebook, imported as the student's kernel imports it, under a name of
    its own."""
    import importlib.util
    import sys

    name = f"shipped_reader_{abs(hash(str(folder)))}_{len(sys.modules)}"
    spec = importlib.util.spec_from_file_location(
        name, folder / "formula_reader" / "__init__.py", submodule_search_locations=[str(folder / "formula_reader")]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_shipped_reader_without_sympy_still_imports_and_its_check_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sympy", None)  # a student's machine without sympy
    reader = shipped_reader()  # the notebook's import cell must not fail
    with pytest.raises(AssertionError) as raised:
        reader.show_formula_reading(r"9x^2", "answer_f_prime")
    assert str(raised.value) == (
        "The public check of `answer_f_prime` needs sympy and lark: import of sympy halted; None in "
        "sys.modules. Install them with: pip install 'sympy>=1.13' lark"
    )


@pytest.fixture(scope="module")
def student_reader():
    return shipped_reader()


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["with the answer's symbols", "of an earlier release"])
@pytest.mark.parametrize("name, text, outcome", ANSWERS, ids=[f"{n}:{t}" for n, t, _ in ANSWERS])
def test_the_public_check_in_the_release_and_the_grader_agree_on_every_answer(
    student_reader, name, text, outcome, cell, capsys
):
    """What the student's public check accepts, the grader reads (equivalent or wrong); what it refuses goes to a
    person or
    scores an empty 0. The public check is the shipped copy, imported from release/derivatives as the notebook imports
    it,
    called as the public check cell calls it: with the answer's variables and meaning, or (an earlier release) the name
    only."""
    answer = FORMULAS_BY_NAME[name]
    symbols = (answer.variables, answer.stands_for) if cell == "with the answer's symbols" else ()
    try:
        student_reader.show_formula_reading(text, name, *symbols)
        public = "read"
    except AssertionError as failure:
        public = f"refused: {failure}"
    # the grader's outcome for the same row: test_each_answer_gets_…
    assert (public == "read") == (outcome in (E, W)), public


SLIPS = [
    (
        "answer_relu_prime",
        "1 if x > 0 else 0",
        r"`… if … else …` is Python; in LaTeX write cases, such as \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} "
        r"\end{cases}.",
    ),
    ("answer_f_prime", "9*x**2 - 4*x + 5", "`**` is Python's power; in LaTeX a power is written x^{2}."),
    (
        "answer_sigmoid_prime",
        "exp(-x)/(1+exp(-x))^2",
        r"`exp(` without a backslash is read letter by letter, as e·x·p(…); write \exp(…).",
    ),
    (
        "answer_sigmoid_prime",
        "sigmoid(x)*(1-sigmoid(x))",
        r"`sigmoid(` without a backslash is read letter by letter, as s·i·g·m·o·i·d(…); write \sigma(…).",
    ),
    (
        "answer_sigmoid_prime",
        "torch.sigmoid(x) * (1 - torch.sigmoid(x))",
        r"`torch.sigmoid` is Python code; write the formula itself in LaTeX, such as \sigma(x).",
    ),
    (
        "answer_relu_prime",
        "(x > 0).float()",
        "`.float()` is Python code; write the formula itself in LaTeX, such as cases.",
    ),
    (
        "answer_relu_prime",
        "x > 0 and 1",
        r"`and` is Python; in LaTeX a condition goes in cases, such as \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} "
        r"\end{cases}.",
    ),
]


@pytest.mark.parametrize("name, text, sentence", SLIPS, ids=[t for _, t, _ in SLIPS])
def test_python_written_for_latex_gets_a_sentence_saying_how_to_write_it(name, text, sentence):
    """Never a letter-by-letter reading such as f·i·x > 0: the student is told what to write instead."""
    with pytest.raises(NotationError) as raised:
        read_formula(text)
    assert str(raised.value) == sentence
    assert compare(FORMULAS_BY_NAME[name], text).message == (
        f'{name}: needs manual grading (worth 1). `{name}` = r"{text}" cannot be read. {raised.value} Your instructor '
        f"will read it."
    )


def test_an_ambiguous_reading_is_refused_with_both_readings():
    with pytest.raises(NotationError) as raised:
        read_formula(r"\ln x + 1")
    assert str(raised.value) == "It can be read two ways, log(x + 1) or log(x) + 1; add parentheses or \\cdot."


@pytest.mark.slow
def test_unreadable_notation_raises_a_sentence_not_a_parser_trace():
    for text in (r"\sigma'(x)", r"\int x dx +", "x > 0", r"\begin{cases} 1 & x \in (0, \infty) \end{cases}"):
        with pytest.raises(NotationError) as raised:
            read_formula(text)
        assert "\n" not in str(raised.value) and "Traceback" not in str(raised.value)


def _check_in_a_thread(checker: FormulaChecker, text: str) -> tuple[threading.Thread, dict]:
    """Check `text` as answer_f_prime in a thread of its own; the dict gets its verdict and when it came."""
    result: dict = {}

    def run():
        result["verdict"] = checker.check(FORMULAS_BY_NAME["answer_f_prime"], text)
        result["done"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


@pytest.mark.slow
def test_one_students_hanging_formula_does_not_stall_anothers_check():
    seconds = 8
    checker = FormulaChecker(seconds=seconds, size=2)
    try:
        warming = [
            _check_in_a_thread(checker, text) for text in (r"x(9x - 4) + 5", r"5 - 4x + 9x^2")
        ]  # two helpers start at once
        for thread, result in warming:
            thread.join(60)
            assert result["verdict"].outcome == EQUIVALENT
        hostile, hung = _check_in_a_thread(checker, r"10^{10^{10}}")  # holds one helper for the whole time limit
        time.sleep(1)
        started = time.monotonic()
        verdict = checker.check(FORMULAS_BY_NAME["answer_f_prime"], r"9x^2 - 4x + 5")
        elapsed = time.monotonic() - started
        assert verdict.outcome == EQUIVALENT and verdict.points == 1.0
        assert elapsed < seconds / 2, f"a correct answer waited {elapsed:.1f} s behind another student's hanging one"
        assert hostile.is_alive()
        hostile.join(seconds + 30)
        assert hung["verdict"].outcome == MANUAL and f"took longer than {seconds} s" in hung["verdict"].message
    finally:
        checker.close()


@pytest.mark.slow
def test_the_pool_never_holds_more_helpers_than_its_size():
    seconds = 3
    checker = FormulaChecker(seconds=seconds, size=2)
    try:
        started = time.monotonic()
        runs = [_check_in_a_thread(checker, text) for text in (r"10^{10^{10}}", r"10^{10^{11}}", r"9^{9^{9}}")]
        most = 0
        while any(thread.is_alive() for thread, _ in runs):
            most = max(most, len(checker._helpers) + checker._starting)
            time.sleep(0.02)
        assert most == 2
        finished = sorted(result["done"] - started for _, result in runs)
        assert finished[2] >= 2 * seconds  # the third waited for a helper to be free
        assert all(
            result["verdict"].outcome == MANUAL and f"took longer than {seconds} s" in result["verdict"].message
            for _, result in runs
        )
    finally:
        checker.close()


def test_a_time_out_is_not_kept_for_the_next_student_with_the_same_answer(monkeypatch):
    """A time-out may be the machine's load, not the answer: the same text from the next student is checked again.
    A verdict of the answer's own (equivalent, wrong, unreadable) is kept for everyone."""
    from autograder.formulas import worker
    from autograder.formulas.answers import FORMULAS_BY_NAME

    checker, asked = worker.FormulaChecker(seconds=5, size=1), []
    replies = iter(
        [
            (worker.manual(FORMULAS_BY_NAME["answer_f_prime"], "x", "timed out"), False),
            (worker.manual(FORMULAS_BY_NAME["answer_f_prime"], "x", "unreadable"), True),
        ]
    )

    def ask(answer, text, attempts=2):
        asked.append(text)
        return next(replies)

    monkeypatch.setattr(checker, "_ask", ask)
    for _ in range(3):
        checker.check(FORMULAS_BY_NAME["answer_f_prime"], "x")
    assert asked == ["x", "x"]
