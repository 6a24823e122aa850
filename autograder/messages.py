"""Every sentence a student can read about an autograded function. Tests pin each one.

One pattern: what was called, on which input, what came back, what was expected.
"""

from __future__ import annotations

MISSING = (
    "`{signature}` is not defined; keep the function's name and signature as the assignment gives them.{did_you_mean}"
)
DID_YOU_MEAN = " Did you rename it? Your notebook defines: {names}."
RAISED = "`{signature}` raised {error} for {inputs}."
NOT_TENSOR = "`{signature}` returned a {type_name}, not a torch.Tensor, for {inputs}."
WRONG_SHAPE = "`{signature}` returned shape {got}, expected {expected} (the shape of the input), for {inputs}."
WRONG_DTYPE = "`{signature}` returned dtype {got}, expected {expected}, for {inputs}."
NOT_FINITE = "`{signature}` returned {got} at {point}, expected {expected}."
WRONG_VALUE = (
    "`{signature}` is wrong at {point}: got {got}, expected {expected} ({count} of {total} values are off "
    "by more than {tolerance})."
)
NOT_CALLED = "`{signature}` could not be called: {reason}."
BY_MACHINE = (
    "`{signature}` uses {kind} ({evidence}); this exercise asks for the derivative worked out by hand, so it "
    "earns 0 points."
)
NOT_VERIFIABLE = (
    "`{signature}` uses {where}, which is not on the grader's list for a derivative worked out by hand (arithmetic, "
    "torch's pointwise functions such as torch.exp, torch.where and torch.clamp, math constants, your "
    "own functions), so the grader cannot tell how it gets its answer."
)
CALLED_WHEN_GRADED = "when graded it used {entry_points}"
COMPLEX_WHEN_GRADED = "it computed with complex numbers when graded"
MODIFIED_INPUT = (
    "`{signature}` changed its argument `{argument}` in place; compute a new tensor and leave the input as it was."
)

EXPECTED_DTYPE_INPUT = "{dtype} (the dtype of the input)"
EXPECTED_DTYPE_FLOAT = "a floating-point dtype"

SUMMARY_PASSED = "{name}: {points:g} / {max_points:g} points. All {total} checks passed."
SUMMARY_FAILED = "{name}: {points:g} / {max_points:g} points. {failed} of {total} checks failed; first: {first}"
SUMMARY_VIOLATION = "{name}: 0 / {max_points:g} points. {violation}"
MANUAL = "{name}: needs manual grading (worth {max_points:g}). {reason} Your instructor will read it."
CASE_LINE = "  [{mark}] {case}{detail}"
HINT = "        Hint: {hint}"

# Final-formula answers (autograder/formulas): what was read, and how it compares.
FORMULA_EQUIVALENT = (
    "{name}: {points:g} / {max_points:g} points. Your {derivative} = {read_as} is equivalent to the "
    "expected formula ({method})."
)
FORMULA_WRONG = (
    "{name}: 0 / {max_points:g} points. Your {derivative} = {read_as} is not the expected formula: "
    "at {point} it gives {got}, expected {expected}."
)
FORMULA_MANUAL = MANUAL
FORMULA_EMPTY = "{name}: 0 / {max_points:g} points. No formula was given: {name} is empty or not set in its cell."
METHOD_SYMBOLIC = "sympy simplifies the difference to 0"
METHOD_NUMERIC = "sympy could not simplify the difference, but the two agree at all {count} test points"
NOT_LITERAL = '{name} is not set to a plain string in its cell, so it was not read; write {name} = r"..." there.'
CELL_NOT_PYTHON = "The cell of {name} is not valid Python, so it was not read ({error})."
CHECK_TIMED_OUT = 'r"{answer}" took longer than {seconds:g} s to check.'
CHECK_FAILED = 'r"{answer}" could not be checked ({error}).'

# The cause first (autograder/judging/diagnosis.py): a cell that stopped, and the functions it left undefined.
CELL_FAILED = "Cell {cell} stopped at line {line} (`{code}`) with {error}; nothing after that line in the cell ran."
CELL_NOT_COMPILED = "Cell {cell} could not run: line {line} (`{code}`) has {error}; no line of the cell ran."
CELL_FAILED_NO_LINE = "Cell {cell} stopped with {error}; nothing after the failing line in the cell ran."
CAUSED_MISSING = (
    "`{signature}` is not defined because cell {cell} stopped first ({error}); fix that cell and it will be graded."
)
CAUSED_USES = (
    "`{signature}` uses `{name}`, which is not defined because cell {cell} stopped first ({error}); "
    "fix that cell and it will be graded."
)
SUMMARY_CAUSED = "{name}: 0 / {max_points:g} points. {cause}"
REPEATED = "{sentence} (on {count} of {total} checks)."
# Hints chosen by the kind of failure, not by which check failed.
HINT_SIGN = "Every failing result has the expected size but the opposite sign: check the signs in your derivation."
HINT_FACTOR = (
    "Every failing result is {factor} times the expected one: look for a constant factor that is missing or extra."
)
HINT_OVERFLOW = (
    "Your code returns {got} at {point}: a step overflows there; rearrange the formula so that no "
    "intermediate value grows that large."
)
HINT_NAN = "Your code returns nan at {point}: look for 0/0, inf − inf or 0·inf in an intermediate step."
HINT_EDGE = (
    "Your code is right on typical inputs and wrong only at the edge cases ({names}): check what each step "
    "computes there."
)
FORMULA_HEADING = "Your final formula for {derivative}"
UNDEFINED = "undefined"
