"""Mutants of the shipped homework that `autograder audit` may let keep their points: each keyed by exercise and
mutant id, with the reason. Data about the package's homework, beside it (a course lists its own as
EQUIVALENT_MUTANTS in its exercises.py).

A mutant listed here may keep its points without being a survivor. The audit reports an entry that is no longer
generated (the solution changed) or that the hidden tests now catch, so the list cannot go stale quietly.

All of them are about BCE's eps. The task says a small eps *may* guard log and division, so a solution with
no eps, or a slightly different one, is right: the tests never give y_pred exactly 0 or 1 (there torch's reference
clamps log at −100, which no formula is asked to copy), and on the tested y_pred, 1e-4 to 1 − 1e-4, a shift of
the argument by 1e-8 either way is a relative change ≤ 1e-4, inside the 1e-3 tolerance (`exercises.WITH_EPS`).
The eps made 1000 times larger (1e-5) is not listed: it is a mistake, and the "near 0 and 1" edge case catches it.
"""

from __future__ import annotations

_BCE_EPS = {
    "constant: eps = 1e-08 → eps = 2e-08": "eps doubled to 2e-8 is still far inside the tolerance, which accepts any "
    "eps up to 1e-7 by design.",
    "constant: eps = 1e-08 → eps = -1e-08": "a shift of −1e-8 is as harmless as +1e-8 on y_pred in [1e-4, 1 − 1e-4], "
    "the only values tested.",
    "constant: eps = 1e-08 → eps = 0.0": "eps is optional: with eps = 0 the formula is exact on every tested y_pred, "
    "none of which is 0 or 1.",
    "unstable form: y_pred + eps → y_pred": "eps is optional: the unguarded y_pred is exact on every tested y_pred, "
    "none of which is 0.",
    "operator: y_pred + eps → y_pred - eps": "y_pred − 1e-8 differs from y_pred + 1e-8 by a relative 2e-4 at most on "
    "the tested y_pred ≥ 1e-4: inside the tolerance.",
    "unstable form: 1 - y_pred + eps → 1 - y_pred": "eps is optional: the unguarded 1 − y_pred is exact on every "
    "tested y_pred, none of which is 1.",
    "operator: 1 - y_pred + eps → 1 - y_pred - eps": "1 − y_pred − 1e-8 differs from 1 − y_pred + 1e-8 by a relative "
    "2e-4 at most on the tested y_pred ≤ 1 − 1e-4.",
}

EQUIVALENT: dict[tuple[str, str], str] = {
    (exercise, mutant_id): reason
    for exercise in ("binary_cross_entropy", "bce_derivative")
    for mutant_id, reason in _BCE_EPS.items()
}
"""(exercise, mutant id) → why that mutant is right, not a mistake the hidden tests miss"""
