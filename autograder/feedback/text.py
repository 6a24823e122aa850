"""Render results as text for students. Separate from the checks, which only return values."""

from __future__ import annotations

from autograder import messages as msg
from autograder.judging.diagnosis import CellFailure, caused_sentence, diagnose, repeated, summary
from autograder.judging.scoring import ExerciseResult


def summary_line(result: ExerciseResult, cause: tuple[CellFailure, str] | None = None) -> str:
    values = dict(
        name=result.exercise.name, points=result.points, max_points=result.max_points, total=len(result.cases)
    )
    if result.passed:
        return msg.SUMMARY_PASSED.format(**values)
    if result.manual:
        return msg.MANUAL.format(name=result.exercise.name, max_points=result.max_points, reason=result.manual)
    if result.violation:
        return msg.SUMMARY_VIOLATION.format(
            name=result.exercise.name, max_points=result.max_points, violation=result.violation
        )
    if cause:
        return msg.SUMMARY_CAUSED.format(
            name=result.exercise.name, max_points=result.max_points, cause=caused_sentence(result, *cause)
        )
    return msg.SUMMARY_FAILED.format(failed=len(result.failures), first=result.failures[0].message, **values)


def feedback_text(result: ExerciseResult, cause: tuple[CellFailure, str] | None = None) -> str:
    """The summary, then one line per distinct outcome (a failure repeated on many inputs once, with its count),
    then the hint."""
    lines = [summary_line(result, cause)]
    if cause or result.manual or (result.failures and result.failures[0].check == "missing"):
        return lines[0]
    rows: dict[int | str, list[str]] = {}  # passed checks one line each; a failure repeated on many inputs, one line
    for index, case_result in enumerate(result.cases):
        rows.setdefault(index if case_result.passed else summary(result, case_result), []).append(case_result.case.name)
    for sentence, names in rows.items():
        if isinstance(sentence, int):
            lines.append(msg.CASE_LINE.format(mark="✓", case=names[0], detail=""))
        else:
            told = repeated(sentence, len(names), len(result.cases))
            lines.append(msg.CASE_LINE.format(mark="x", case="; ".join(names), detail=f": {told}"))
    if hint := diagnose(result)[1]:
        lines.append(msg.HINT.format(hint=hint))
    return "\n".join(lines)
