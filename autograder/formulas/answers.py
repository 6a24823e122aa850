"""The final-formula answers: one entry each. Cells, checks and feedback all follow from these.

To add one (tanh′, say) add a `FormulaAnswer` to `FORMULAS` and its variables to the reader's `ANSWERS` table
(reader/public.py: the student's public check reads the same table), then run `autograder sync-master`:
it puts the answer cell after the derivation, with a public check and a hidden one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product

import sympy

from .reader import meaning_of, variables_of

x, z, y, yhat = sympy.symbols("x z y yhat")
SYMBOLS = {"x": x, "z": z, "y": y, "yhat": yhat}


def logistic(argument):
    return 1 / (1 + sympy.exp(-argument))


def bce(prediction):
    return -(y * sympy.log(prediction) + (1 - y) * sympy.log(1 - prediction))


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

    @property
    def variables(self) -> tuple[str, ...]:
        """its variables, among x, z, y and yhat (ŷ); a bare σ applies to the first (the reader's ANSWERS table)"""
        return variables_of(self.name)

    @property
    def meaning(self) -> dict:
        """what other symbols stand for in this answer (in ∂L/∂z, ŷ is σ(z)); the reader's ANSWERS table"""
        return meaning_of(self.name)

    @property
    def grade_id(self) -> str:
        return f"hidden_tests_{self.name}"

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


FORMULAS: tuple[FormulaAnswer, ...] = (
    FormulaAnswer(
        "answer_f_prime", "f′(x)", sympy.diff(3 * x**3 - 2 * x**2 + 5 * x - 4, x),
        {"x": (1, -1, 2, 0.5, 0, -2.5, 3, 10)}, "derivation_f_prime", r"9x^2 - 4x + 5",
    ),
    FormulaAnswer(
        "answer_sigmoid_prime", "σ′(x)", sympy.diff(logistic(x), x),
        {"x": (1, -1, 0, 2, 0.5, -3, 5, -8)}, "derivation_sigmoid_prime", r"\sigma(x)\,(1 - \sigma(x))",
    ),
    FormulaAnswer(
        # sympy.diff(Max(0, x)) is Heaviside(x), ½ at 0; PyTorch's convention is 0 there.
        "answer_relu_prime", "ReLU′(x)", sympy.Piecewise((1, x > 0), (0, True)),
        {"x": (1, -1, 2.5, -0.5, 0, 1e-3, -1e-3)}, "derivation_relu_prime",
        r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
    ),
    FormulaAnswer(
        "answer_bce_wrt_prediction", "∂L/∂ŷ", sympy.diff(bce(yhat), yhat),
        {"yhat": (0.5, 0.25, 0.8, 0.1, 0.95), "y": (1, 0)}, "derivation_bce_wrt_prediction",
        r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}",
    ),
    FormulaAnswer(
        "answer_bce_wrt_logit", "∂L/∂z", sympy.diff(bce(logistic(z)), z),
        {"z": (1, -1, 0, 2, -3, 5), "y": (1, 0)}, "derivation_bce_wrt_logit", r"\sigma(z) - y",
    ),
)

FORMULAS_BY_NAME: dict[str, FormulaAnswer] = {answer.name: answer for answer in FORMULAS}

