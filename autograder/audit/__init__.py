"""`autograder audit`: do the hidden tests catch wrong answers?

Mutants of the instructor's own solutions (operators swapped, terms dropped, constants changed, comparisons
loosened, careless numerics, the input changed in place, derivatives taken by machine, the library of wrong
formulas) go through the same trusted path as a submission: rebuilt from source, run in a sandbox, judged.
A mutant that still earns ≥ 90 % of the points, and is not a documented equivalent, is a survivor: a weakness
of the hidden tests. The formula answers' LaTeX solutions are perturbed likewise, and each must be judged wrong.

    mutants.py          the mutant type and the expression-level operators (AST)
    rewrites.py         whole-function mutants: in place, finite differences, autograd, the wrong-formula library
    solutions.py        the solutions in the master, and a mutant rebuilt in their place
    formula_mutants.py  perturbations of the formula answers and their verdicts
    run.py              `run_audit`: everything through the sandboxes, in parallel
    results.py          the report as values; table.py: `render_audit`
"""

from autograder.audit.formula_mutants import FormulaOutcome, FormulaPerturbation, FormulaResult
from autograder.audit.mutants import Kind, Mutant
from autograder.audit.results import AuditReport, Catch, CaughtBy, EdgeUse, MutantResult, SolutionCheck, StaleEquivalent
from autograder.audit.run import run_audit
from autograder.audit.table import render_audit

__all__ = [
    "AuditReport",
    "Catch",
    "CaughtBy",
    "EdgeUse",
    "FormulaOutcome",
    "FormulaPerturbation",
    "FormulaResult",
    "Kind",
    "Mutant",
    "MutantResult",
    "SolutionCheck",
    "StaleEquivalent",
    "render_audit",
    "run_audit",
]
