"""The master notebook's cells for the formula answers, made from the answers (the package's FORMULAS, or a
course's) by `autograder sync-master`.

After each derivation: the answer cell (`answer_f_prime = r"..."`), a public check that shows how the
string is read, and the hidden check. Near the top: the accepted notation, and a one-line locked cell that
imports the reader shipped next to the notebook (formula_reader/, a copy of reader/ that `sync_reader_files`
keeps), so the public checks need only sympy and lark on the student's machine. Each public check passes the
answer's variables and what its other symbols stand for, so the shipped reader needs no table of the answers.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from nbformat import NotebookNode

from autograder.formulas.answers import FORMULAS, FormulaAnswer
from autograder.formulas.reader import ACCEPTED
from autograder.nbgrader_cells import nbgrader_cell, nbgrader_of

NOTATION_ID, HELP_ID = "formula_notation", "formula_answers_help"
READER = Path(__file__).with_name("reader")
"""the one source of the reader; shipped next to the notebook as SHIPPED_READER"""
SHIPPED_READER = "formula_reader"
HELP = f"""### Formula answers
Each derivation ends with an answer cell where you give its final formula as a LaTeX string, such as
`answer_f_prime = r"..."`. The autograder reads the string (it never runs it), parses it with sympy's LaTeX
parser and compares it with the derivative: an equivalent formula earns the point, a wrong one earns 0 and
you are shown an input where it differs, and one it cannot read goes to your instructor. The public check
under each answer shows how your string is read (it needs `pip install sympy lark`). Your reasoning in the
derivation cell is still graded by hand.

```
{ACCEPTED}
```"""
NOTATION = (
    f"from {SHIPPED_READER} import show_formula_reading  "
    f"# the folder {SHIPPED_READER}/ next to this notebook reads your formula answers as the autograder does"
)
ANSWER = """# Your final formula for {derivative}, in LaTeX between the quotes (see "Formula answers" above).
### BEGIN SOLUTION
{name} = r"{solution}"
### END SOLUTION"""
ECHO = """# Public check of `{name}`: shows how the autograder reads your formula.
show_formula_reading(globals().get("{name}"), "{name}", {variables}, {meaning})"""
HIDDEN = """# Hidden check of `{name}` ({points}) runs here when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.hidden import check_formula_in_notebook
check_formula_in_notebook("{name}", globals())
### END HIDDEN TESTS"""


def points_in_words(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def _literal(text: str) -> str:
    """A string as Python source: r"..." where that spells it exactly (LaTeX reads best so), else repr."""
    raw = f'r"{text}"'
    try:
        return raw if ast.literal_eval(raw) == text else repr(text)
    except (SyntaxError, ValueError):
        return repr(text)


def echo_source(answer: FormulaAnswer) -> str:
    """The public check under the answer cell; it passes the answer's variables and what its other symbols stand for
    (`stands_for`, the reader's `meaning`) to the shipped reader."""
    names = cast("tuple[str, ...]", answer.variables)  # FormulaAnswer.__post_init__ fills in both
    stands_for = cast("dict[str, str]", answer.stands_for)
    variables = "(" + ", ".join(f'"{v}"' for v in names) + ("," if len(names) == 1 else "") + ")"
    meaning = "{" + ", ".join(f'"{symbol}": {_literal(latex)}' for symbol, latex in stands_for.items()) + "}"
    return ECHO.format(name=answer.name, variables=variables, meaning=meaning)


def wanted_cells(answer: FormulaAnswer) -> list[NotebookNode]:
    words = dict(name=answer.name, derivative=answer.derivative)
    return [
        nbgrader_cell("code", ANSWER.format(solution=answer.solution, **words), answer.name, solution=True),
        nbgrader_cell("code", echo_source(answer), answer.echo_id, grade=True),
        nbgrader_cell(
            "code",
            HIDDEN.format(points=points_in_words(answer.points), **words),
            answer.grade_id,
            grade=True,
            points=answer.points,
        ),
    ]


def shared_cells() -> list[NotebookNode]:
    return [nbgrader_cell("markdown", HELP, HELP_ID), nbgrader_cell("code", NOTATION, NOTATION_ID)]


def _index(nb: NotebookNode, grade_id: str) -> int | None:
    return next((i for i, c in enumerate(nb.cells) if nbgrader_of(c).get("grade_id") == grade_id), None)


def _put(nb: NotebookNode, wanted: NotebookNode, after: int, changes: list[str]) -> int:
    """Make the cell with wanted's id match it (an answer keeps the instructor's text); returns its index."""
    grade_id = wanted.metadata["nbgrader"]["grade_id"]
    index = _index(nb, grade_id)
    if index is None:
        nb.cells.insert(after + 1, wanted)
        changes.append(f"added {grade_id}")
        return after + 1
    cell = nb.cells[index]
    solution = wanted.metadata["nbgrader"]["solution"]
    if (not solution and cell.source != wanted.source) or cell.metadata["nbgrader"] != wanted.metadata["nbgrader"]:
        cell.source = cell.source if solution else wanted.source
        cell.metadata["nbgrader"] = wanted.metadata["nbgrader"]
        changes.append(f"updated {grade_id}")
    return index


def sync_formula_cells(
    nb: NotebookNode, answers: Sequence[FormulaAnswer] = FORMULAS, *, first_after: str = "setup"
) -> list[str]:
    """Make the formula cells match `answers` (the package's FORMULAS unless a course gives its own), in place.
    Returns what changed."""
    changes: list[str] = []
    anchor = _index(nb, first_after)
    if anchor is None:
        raise LookupError(
            f"the master notebook has no cell with grade id {first_after!r} to put the formula notation after"
        )
    for cell in shared_cells():
        anchor = _put(nb, cell, anchor, changes)
    for answer in answers:
        after = _index(nb, answer.derivation)
        if after is None:
            raise LookupError(f"the master notebook has no derivation cell {answer.derivation!r} for {answer.name}")
        for cell in wanted_cells(answer):
            after = _put(nb, cell, after, changes)
    return changes


def reader_files() -> dict[str, str]:
    """The reader's modules, by file name: what the shipped folder must hold, exactly."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(READER.glob("*.py"))}


def sync_reader_files(assignment: Path) -> list[str]:
    """Make <assignment>/formula_reader/ a copy of the grader's reader: same modules, same text, nothing else."""
    folder, wanted, changes = assignment / SHIPPED_READER, reader_files(), []
    folder.mkdir(exist_ok=True)
    for stale in sorted(set(p.name for p in folder.glob("*.py")) - set(wanted)):
        (folder / stale).unlink()
        changes.append(f"removed {SHIPPED_READER}/{stale}")
    for name, text in wanted.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changes.append(f"copied {SHIPPED_READER}/{name}")
    return changes
