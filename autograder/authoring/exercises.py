"""The exercises: one entry each. Hidden tests, scores, feedback and the master's cells all follow from these.

This module holds the entry type and the package's default homework (`EXERCISES`). A course adds or changes
exercises in its own `source/<assignment>/exercises.py` (see `homework.py`), never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

import torch

from autograder.authoring import references as ref
from autograder.authoring.inputs import Case, Edge, Sampler, build_cases, interval, labels, plot_case
from autograder.nbgrader_cells import hidden_tests_id

if TYPE_CHECKING:
    from autograder.formulas.answers import FormulaAnswer


class OutputDtype(StrEnum):
    """The dtype an exercise's result must have (a string as well: a course's exercises.py may still write it so)."""

    INPUT = "input"
    ANY_FLOAT = "any float"


@dataclass(frozen=True)
class Tolerance:
    """|got − expected| ≤ atol + rtol·|expected|, as in torch.isclose."""

    rtol: float
    atol: float

    def describe(self) -> str:
        return f"{self.atol:g} + {self.rtol:g}·|expected|"

    def scaled(self, scale: float) -> Tolerance:
        """The absolute part scaled to outputs of size `scale`, never loosened: 1e-5 is loose for σ′, which never
        exceeds 0.25."""
        return Tolerance(self.rtol, float(f"{self.atol * min(1.0, scale):.2g}"))  # as `describe` shows it


TAIL = 0.05
"""typical values avoid the tail, where |output| is below this share of the output's scale yet not exactly 0:
there σ′ and σ, or −y/ŷ and its mistakes, agree within any absolute tolerance"""


# float32 answers are compared at float32 precision; float64 answers tightly enough that
# finite differences fail (their error is ≥ ~1e-11) while any analytic formula passes.
PRECISE = {torch.float32: Tolerance(rtol=1e-5, atol=1e-5), torch.float64: Tolerance(rtol=1e-12, atol=1e-12)}
# BCE: the seed guards log and division with eps = 1e-8; at y_pred ≥ 1e-4 that is a relative
# error ≤ 1e-4, so 1e-3 accepts eps up to 1e-7.
WITH_EPS = {torch.float32: Tolerance(rtol=1e-3, atol=1e-5), torch.float64: Tolerance(rtol=1e-3, atol=1e-8)}

NEAR_0_AND_1 = Edge(
    "y_pred near 0 and 1 (1e-4 away)",
    ([1e-4, 1e-4, 1 - 1e-4, 1 - 1e-4], [0.0, 1.0, 0.0, 1.0]),
    hint="Check the formula where y_pred is close to 0 or 1; a small eps may guard log and division.",
)


@dataclass(frozen=True)
class Exercise:
    name: str
    """the student's function, as the notebook names it"""
    parameters: tuple[str, ...]
    reference: ref.Reference
    """computes the expected output from the same inputs (float64, torch or torch.autograd)"""
    samplers: tuple[Sampler, ...]
    """where typical values of each parameter come from"""
    points: float
    edges: tuple[Edge, ...] = ()
    tolerances: dict[torch.dtype, Tolerance] = field(default_factory=lambda: PRECISE)
    output_dtype: OutputDtype = OutputDtype.INPUT
    """the dtype a result must have: the input's, or any floating dtype (ReLU′ as (x > 0).float())"""
    by_hand: bool = False
    """a derivative to work out by hand: only the allowlist in `by_hand/allowlist.py` may be in its reach"""
    title: str = ""
    """the heading of the section `autograder sync-master` writes for it (default: the signature)"""
    task: str = ""
    """what the student is asked, in Markdown, above the implementation"""
    solution: str = ""
    """the instructor's body of the function (indented or not): sync-master puts it between BEGIN and END SOLUTION"""
    derivation: str = ""
    """the worked derivation, in Markdown: sync-master writes a hand-graded answer cell with it as the solution"""
    derivation_points: float = 2
    primal: str = ""
    """what this derivative differentiates, as an expression in the notebook's functions and this one's parameters
    (`sigmoid(x)`): the audit's finite-difference and autograd mutants differentiate it"""
    elementwise: bool = True
    """False for a function along the last dimension (softmax): its typical values are drawn without the tail filter,
    which judges elements one at a time"""
    formula: FormulaAnswer | None = None
    """its final-formula answer, if the derivation ends with one (`formulas/answers.py`); its cells follow the
    derivation"""

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(self.parameters)})"

    @property
    def grade_id(self) -> str:
        """The nbgrader id of the hidden-test cell for this exercise."""
        return hidden_tests_id(self.name)

    @cached_property
    def output_scale(self) -> float:
        """The size of a typical output: the 75th percentile of |output| over the plot's grid of typical inputs."""
        outputs = self.reference(*self.plot_case.args).abs().reshape(-1)
        return float(torch.quantile(outputs[torch.isfinite(outputs)], 0.75))

    def tolerance(self, dtype: torch.dtype) -> Tolerance:
        return self.tolerances[dtype].scaled(self.output_scale)

    def away_from_the_tail(self, args: tuple[torch.Tensor, ...]) -> torch.Tensor:
        size = self.reference(*args).abs()
        return (size == 0) | (size >= TAIL * self.output_scale)

    @cached_property
    def cases(self) -> tuple[Case, ...]:
        return build_cases(
            self.name, self.samplers, self.edges, keep=self.away_from_the_tail if self.elementwise else None
        )

    @cached_property
    def plot_case(self) -> Case:
        return plot_case(self.samplers)

    @cached_property
    def encoded_cases(self) -> tuple[tuple[dict, ...], ...]:
        """The inputs as plain data, the plot grid last: what a function's process is called on."""
        from autograder.sandbox.observe import TensorData
        from autograder.sandbox.protocol import encode_tensor

        return tuple(
            tuple(encode_tensor(TensorData.of(arg)) for arg in case.args) for case in self.cases + (self.plot_case,)
        )


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "f",
        ("x",),
        ref.value_of(ref.cubic),
        (interval(-3, 3),),
        points=1,
        edges=(Edge("x = 0 and |x| = 100", ([0.0, -100.0, 100.0],)),),
    ),
    Exercise(
        "f_prime",
        ("x",),
        ref.derivative_of(ref.cubic),
        (interval(-3, 3),),
        points=2,
        by_hand=True,
        primal="f(x)",
        edges=(
            Edge(
                "x = 0 and |x| = 100",
                ([0.0, -100.0, 100.0],),
                hint="Differentiate every term of f, the constant 5x → 5 included.",
            ),
            Edge("x = 2/9, where f′ is smallest", ([2 / 9],)),
        ),
    ),
    Exercise(
        "sigmoid",
        ("x",),
        ref.value_of(torch.sigmoid),
        (interval(-8, 8),),
        points=1,
        edges=(
            Edge(
                "|x| up to 1000",
                ([-1000.0, -50.0, 0.0, 50.0, 1000.0],),
                hint="For large |x|, exp can overflow; the result must still be 0 or 1.",
            ),
        ),
    ),
    Exercise(
        "sigmoid_derivative",
        ("x",),
        ref.derivative_of(torch.sigmoid),
        (interval(-8, 8),),
        points=3,
        by_hand=True,
        primal="sigmoid(x)",
        edges=(
            Edge("x = 0", ([0.0],)),
            Edge(
                "|x| up to 1000",
                ([-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0],),
                hint="exp(−x) overflows for x = −1000; write σ′ through σ, as σ(x)(1 − σ(x)).",
            ),
        ),
    ),
    Exercise(
        "relu",
        ("x",),
        ref.value_of(torch.relu),
        (interval(-5, 5),),
        points=1,
        edges=(Edge("x = 0 and ±1e-7", ([-1e-7, 0.0, 1e-7],)), Edge("|x| = 1000", ([-1000.0, 1000.0],))),
    ),
    Exercise(
        "relu_derivative",
        ("x",),
        ref.derivative_of(torch.relu),
        (interval(-5, 5),),
        points=2,
        by_hand=True,
        primal="relu(x)",
        edges=(
            Edge(
                "x = 0", ([0.0],), hint="Use PyTorch's convention ReLU′(0) = 0: the derivative is 1 only where x > 0."
            ),
            Edge(
                "x = ±1e-7, next to the kink",
                ([-1e-7, 1e-7],),
                hint="ReLU′ is exactly 0 or 1; a numerical derivative is not.",
            ),
            Edge("|x| = 1000", ([-1000.0, 1000.0],)),
        ),
        output_dtype=OutputDtype.ANY_FLOAT,
    ),
    Exercise(
        "binary_cross_entropy",
        ("y_pred", "y"),
        ref.value_of(ref.bce),
        (interval(0.01, 0.99), labels()),
        points=2,
        edges=(NEAR_0_AND_1,),
        tolerances=WITH_EPS,
    ),
    Exercise(
        "bce_derivative",
        ("y_pred", "y"),
        ref.derivative_of(ref.bce),
        (interval(0.01, 0.99), labels()),
        points=3,
        by_hand=True,
        primal="binary_cross_entropy(y_pred, y)",
        edges=(NEAR_0_AND_1, Edge("y_pred = 0.5", ([0.5, 0.5], [0.0, 1.0]))),
        tolerances=WITH_EPS,
    ),
    Exercise(
        "bce_logit_derivative",
        ("z", "y"),
        ref.derivative_of(ref.bce_with_logits),
        (interval(-6, 6), labels()),
        points=2,
        by_hand=True,
        primal="binary_cross_entropy(sigmoid(z), y)",
        edges=(
            Edge(
                "|z| up to 1000",
                ([-1000.0, -1000.0, 0.0, 0.0, 1000.0, 1000.0], [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]),
                hint="∂L/∂z = σ(z) − y; compute σ(z) so that it cannot overflow.",
            ),
        ),
    ),
)

EXERCISES_BY_NAME: dict[str, Exercise] = {exercise.name: exercise for exercise in EXERCISES}
