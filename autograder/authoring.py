"""Everything an exercise entry is written with, in one import: `from autograder.authoring import *`.

A course's `source/<assignment>/exercises.py` starts from the package's homework (`DERIVATIVES`,
`DERIVATIVES_FORMULAS`) and adds entries; see the README's "Adding an exercise".
"""

from .equivalent_mutants import EQUIVALENT as DERIVATIVES_EQUIVALENT_MUTANTS
from .exercises import EXERCISES as DERIVATIVES
from .exercises import NEAR_0_AND_1, PRECISE, WITH_EPS, Exercise, Tolerance
from .formulas.answers import FORMULAS as DERIVATIVES_FORMULAS
from .formulas.answers import SYMBOLS, FormulaAnswer, logistic
from .inputs import Edge, interval, labels
from .references import (
    bce,
    bce_with_logits,
    cubic,
    derivative_of,
    diagonal_of_jacobian,
    jacobian_vector_product,
    value_of,
)

__all__ = [
    "DERIVATIVES",
    "DERIVATIVES_EQUIVALENT_MUTANTS",
    "DERIVATIVES_FORMULAS",
    "NEAR_0_AND_1",
    "PRECISE",
    "WITH_EPS",
    "Exercise",
    "Tolerance",
    "SYMBOLS",
    "FormulaAnswer",
    "logistic",
    "Edge",
    "interval",
    "labels",
    "bce",
    "bce_with_logits",
    "cubic",
    "derivative_of",
    "diagonal_of_jacobian",
    "jacobian_vector_product",
    "value_of",
]
