"""The exercises of this assignment, one entry each; `autograder sync-master` writes the master's cells from them.

This file stays with the instructor: nbgrader_config.py keeps it out of the release (`CourseDirectory.ignore`),
since an entry holds its solution. To add an exercise, append an `Exercise` (and, if you like, a `FormulaAnswer`)
and run `autograder sync-master`, then `autograder audit` and `autograder release`: see the README's
"Adding an exercise".
"""

from autograder.authoring import *  # noqa: F403  (the entry types, samplers and references)

EXERCISES = DERIVATIVES  # noqa: F405  (the package's derivatives homework: f, σ, ReLU, BCE and their derivatives)
FORMULAS = DERIVATIVES_FORMULAS  # noqa: F405
# Mutants `autograder audit` may let keep their points, each with why it is right (all about BCE's optional eps).
EQUIVALENT_MUTANTS = DERIVATIVES_EQUIVALENT_MUTANTS  # noqa: F405
