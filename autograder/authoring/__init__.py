"""Everything an exercise entry is written with, in one import: `from autograder.authoring import *`.

A course's `source/<assignment>/exercises.py` starts from the package's homework (`DERIVATIVES`,
`DERIVATIVES_FORMULAS`) and adds entries; see the README's "Adding an exercise". Names load on first use (a star
import asks for each), so importing one module of this folder does not import them all.

    exercises.py           the entry type and the package's homework, one entry per exercise
    references.py          what the grader trusts: torch's own functions and torch.autograd, in float64
    inputs.py              the standard matrix of inputs every exercise gets, plus its edge cases
    homework.py            a course's entries, from its source/<assignment>/exercises.py
    equivalent_mutants.py  mutants of the shipped homework the audit may let keep their points
    master.py              the master notebook kept in step with the entries; exercise_cells.py: a new one's cells
    synthetic.py           submissions built from the release as a student would
    course_init.py         `autograder init`: a course folder of the instructor's own
"""

from autograder import lazy_exports

_HOMES = {
    "DERIVATIVES": ("authoring.exercises", "EXERCISES"),
    "DERIVATIVES_EQUIVALENT_MUTANTS": ("authoring.equivalent_mutants", "EQUIVALENT"),
    "DERIVATIVES_FORMULAS": ("formulas.answers", "FORMULAS"),
    "NEAR_0_AND_1": ("authoring.exercises", "NEAR_0_AND_1"),
    "PRECISE": ("authoring.exercises", "PRECISE"),
    "WITH_EPS": ("authoring.exercises", "WITH_EPS"),
    "Exercise": ("authoring.exercises", "Exercise"),
    "Tolerance": ("authoring.exercises", "Tolerance"),
    "OutputDtype": ("authoring.exercises", "OutputDtype"),
    "SYMBOLS": ("formulas.answers", "SYMBOLS"),
    "FormulaAnswer": ("formulas.answers", "FormulaAnswer"),
    "logistic": ("formulas.answers", "logistic"),
    "Edge": ("authoring.inputs", "Edge"),
    "interval": ("authoring.inputs", "interval"),
    "labels": ("authoring.inputs", "labels"),
    "bce": ("authoring.references", "bce"),
    "bce_with_logits": ("authoring.references", "bce_with_logits"),
    "cubic": ("authoring.references", "cubic"),
    "derivative_of": ("authoring.references", "derivative_of"),
    "diagonal_of_jacobian": ("authoring.references", "diagonal_of_jacobian"),
    "jacobian_vector_product": ("authoring.references", "jacobian_vector_product"),
    "value_of": ("authoring.references", "value_of"),
}
__all__ = list(_HOMES)
__getattr__ = lazy_exports(__name__, _HOMES)
