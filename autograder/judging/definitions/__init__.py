"""The graded functions, rebuilt from the notebook's source: what is called when grading.

The student's cells run once for their outputs, and that run proves nothing. The graded calls run
in a fresh process that executes only this: for one function, the top-level statements that define
it and every name it reaches (helpers, constants, imports of installed modules), in notebook order.
Nothing else from the cells runs there, so no cell can reach the calls.

A function whose definition cannot be read from top-level statements (defined inside `if`/`try`, by
`exec` or a cell magic, imported from a file the notebook may write, using a name some other code sets or
changes at run time) is not rebuilt; it goes to a person with the reason, never to 0 or to full marks.

    statements.py   one statement as data: what it binds, reads and changes, its text
    notebook.py     the cells read once: where each name is defined, and what only the run could tell
    reach.py        from one function to everything it reaches, or the reason it cannot be rebuilt
"""

from autograder.judging.definitions.reach import (
    MAX_CODE_CHARS,
    NOT_REBUILT,
    Missing,
    NeverRan,
    NotRebuilt,
    Rebuilt,
    Statement,
    defined_functions,
    read_definitions,
    rebuild_functions,
)

__all__ = [
    "MAX_CODE_CHARS",
    "NOT_REBUILT",
    "Missing",
    "NeverRan",
    "NotRebuilt",
    "Rebuilt",
    "Statement",
    "defined_functions",
    "read_definitions",
    "rebuild_functions",
]
