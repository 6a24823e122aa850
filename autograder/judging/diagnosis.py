"""What a function's failures have in common, as values: the notebook cell that stopped before defining it,
the kind of mistake its wrong numbers show (sign flipped, a constant factor, only at the edges, overflow, nan),
and the one sentence each repeated failure collapses to. The feedback record stores these; the page,
results.json, results.csv and the class report render them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container
from dataclasses import dataclass
from typing import cast

from autograder import messages as msg
from autograder.judging.checks import CaseResult, describe_inputs
from autograder.judging.scoring import ExerciseResult

MAX_CODE = 80
"""how much of the failing line a sentence quotes"""
SYNTAX_LINE = re.compile(r" \(<ipython-input-[^>]*>, line (\d+)\)$")
TRACE_LINE = re.compile(r"^  line (\d+): ")
NOT_DEFINED = re.compile(r"^NameError: name '(\w+)' is not defined")
FOLLOW_ON = ("missing", "stopped", "raised")
"""checks a cell that stopped early explains: the function (or a name it uses) never came to be"""
SAME = 1e-3
"""relative closeness for "the same size" and "the same factor" (the loosest tolerance of any exercise)"""


@dataclass(frozen=True)
class CellFailure:
    """A student's cell that stopped with an error, as its outputs say (1-based cell number, as in other sentences)."""

    cell: int
    error: str
    line: int | None
    code: str
    source: str

    @property
    def whole_cell(self) -> bool:
        """A cell that could not be compiled ran no line at all; any other error stops it at its line."""
        return self.error.startswith(("SyntaxError", "IndentationError", "TabError"))

    def sentence(self) -> str:
        if self.line is None:
            return msg.CELL_FAILED_NO_LINE.format(cell=self.cell, error=self.error)
        template = msg.CELL_NOT_COMPILED if self.whole_cell else msg.CELL_FAILED
        return template.format(cell=self.cell, line=self.line, code=self.code, error=self.error)

    def as_data(self) -> dict:
        return {
            "cell": self.cell,
            "error": self.error,
            "line": self.line,
            "code": self.code,
            "sentence": self.sentence(),
        }

    def defines(self, name: str) -> bool:
        """Whether a line that did not run binds `name` at the top level: every line of a cell that could not be
        compiled, else the failing line and those after it. Line by line, so a hostile cell costs linear time."""
        first = 1 if self.whole_cell or self.line is None else self.line
        binds = re.compile(rf"(?:async\s+)?def\s+{re.escape(name)}\b|{re.escape(name)}\s*(?::[^=]*)?=(?!=)")
        for number, line in enumerate(self.source.split("\n"), start=1):
            if number < first or line[:1] in (" ", "\t"):  # an indented line binds nothing at the top level
                continue
            if binds.match(line) or (
                line.startswith(("import ", "from ")) and re.search(rf"\b{re.escape(name)}\b", line)
            ):
                return True
        return False


def failed_cells(cells, ran: Container[int]) -> list[CellFailure]:
    """Each cell that ran in the sandbox (index in `ran`) and whose outputs hold an error, in notebook order. Other
    cells' outputs are as submitted, and a submitted output is anything the student wrote."""
    found = []
    for index, cell in ((i, c) for i, c in enumerate(cells) if i in ran):
        for output in (o for o in cell.get("outputs", []) if o.get("output_type") == "error"):
            evalue, lines = str(output.get("evalue", "")), cell.get("source", "").split("\n")
            line = None
            if (syntax := SYNTAX_LINE.search(evalue)) is not None:
                evalue, line = evalue[: syntax.start()], int(syntax.group(1))
            else:
                line = next(
                    (int(m.group(1)) for entry in output.get("traceback", []) if (m := TRACE_LINE.match(str(entry)))),
                    None,
                )
            code = lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else ""
            error = f"{output.get('ename', 'Error')}: {evalue}".strip().rstrip(":")
            found.append(
                CellFailure(
                    index + 1,
                    error,
                    line if code else None,
                    code[: MAX_CODE - 1] + "…" if len(code) > MAX_CODE else code,
                    cell.get("source", ""),
                )
            )
    return found


def _undefined_name(result: ExerciseResult, failure: CaseResult, absent: bool) -> str | None:
    if failure.check in ("missing", "stopped"):  # a defined function is "stopped" when its process timed out
        return result.exercise.name if absent else None
    prefix = f"`{result.exercise.signature}` raised "
    match = NOT_DEFINED.match(failure.message.removeprefix(prefix)) if failure.message.startswith(prefix) else None
    return match.group(1) if match else None


def cause_of(result: ExerciseResult, failures: list[CellFailure], absent: bool) -> tuple[CellFailure, str] | None:
    """The stopped cell behind every failure of this function, and the name it never defined; None if some
    failure has another cause (then each is told as it is). `absent`: the function itself was never defined."""
    if result.manual or result.violation or not result.failures or not failures:
        return None
    names = {_undefined_name(result, f, absent) if f.check in FOLLOW_ON else None for f in result.failures}
    if len(names) != 1 or None in names:
        return None
    name = cast(str, names.pop())  # None was ruled out above
    cell = next((c for c in failures if c.defines(name)), None)
    return (cell, name) if cell is not None else None


def caused_sentence(result: ExerciseResult, cell: CellFailure, name: str) -> str:
    if name == result.exercise.name:
        return msg.CAUSED_MISSING.format(signature=result.exercise.signature, cell=cell.cell, error=cell.error)
    return msg.CAUSED_USES.format(signature=result.exercise.signature, name=name, cell=cell.cell, error=cell.error)


def summary(result: ExerciseResult, failure: CaseResult) -> str:
    """The failure's sentence without the inputs it was called on, so that the same failure on many inputs reads the
    same."""
    inputs = describe_inputs(result.exercise, failure.case.args)
    for suffix in (f", for {inputs}.", f" for {inputs}."):
        if failure.message.endswith(suffix):
            return failure.message.removesuffix(suffix) + "."
    return failure.message


def repeated(sentence: str, count: int, total: int) -> str:
    """A failure seen on `count` checks, told once with its count."""
    return (
        sentence if count == 1 else msg.REPEATED.format(sentence=sentence.removesuffix("."), count=count, total=total)
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= SAME * max(abs(a), abs(b)) + 1e-12


def diagnose(result: ExerciseResult) -> tuple[str, str]:
    """(kind, hint): what the failing checks have in common, and the hint that fits it. Edge hints only fit a
    function right on typical inputs; a sign or factor error is named as such wherever it shows."""
    failed = result.failures
    if not failed or result.manual or result.violation:
        return "", ""
    if any(f.check not in ("value", "finite") for f in failed):
        return "error", ""
    typical_failed = any(f.case.group == "typical" for f in failed)
    ranges = [f.off_ratios for f in failed if f.check == "value"]
    if typical_failed and len(ranges) == len(failed) and all(r is not None for r in ranges):
        known = cast("list[tuple[float, float]]", ranges)  # none is None, as just checked
        low, high = min(r[0] for r in known), max(r[1] for r in known)  # got/expected over every wrong element
        if _close(low, -1.0) and _close(high, -1.0):
            return "sign", msg.HINT_SIGN
        factor = (low + high) / 2
        if _close(low, high) and math.isfinite(factor) and abs(factor) > SAME and not _close(factor, 1.0):
            return "factor", msg.HINT_FACTOR.format(factor=f"{factor:.4g}")
    if not typical_failed and (hint := next((f.case.hint for f in failed if f.case.hint), "")):
        return "edge", hint
    for f in failed:
        if f.check == "finite" and f.got is not None and math.isinf(f.got):
            return "overflow", msg.HINT_OVERFLOW.format(got=f"{f.got:g}", point=f.point)
    for f in failed:
        if f.check == "finite":
            return "nan", msg.HINT_NAN.format(point=f.point)
    if not typical_failed:
        return "edge", msg.HINT_EDGE.format(
            names="; ".join(dict.fromkeys(f.case.name.rsplit(", ", 1)[0] for f in failed))
        )
    return "value", ""
