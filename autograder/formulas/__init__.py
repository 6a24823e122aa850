"""Final formulas of the written derivations: read from the notebook as data, parsed as LaTeX, checked
against sympy's derivative, in a helper process that runs no student code and has a time limit."""
