"""Render results as text for students. Separate from the checks, which only return values."""
from __future__ import annotations

from . import messages as msg
from .scoring import ExerciseResult


def summary_line(result: ExerciseResult) -> str:
    values = dict(name=result.exercise.name, points=result.points, max_points=result.max_points, total=len(result.cases))
    if result.passed:
        return msg.SUMMARY_PASSED.format(**values)
    if result.manual:
        return msg.MANUAL.format(name=result.exercise.name, max_points=result.max_points, reason=result.manual)
    if result.violation:
        return msg.SUMMARY_VIOLATION.format(name=result.exercise.name, max_points=result.max_points, violation=result.violation)
    return msg.SUMMARY_FAILED.format(failed=len(result.failures), first=result.failures[0].message, **values)


def feedback_text(result: ExerciseResult) -> str:
    lines = [summary_line(result)]
    if result.manual or (result.failures and result.failures[0].check == "missing"):
        return lines[0]
    shown_hints = set()
    for case_result in result.cases:
        detail = "" if case_result.passed else f": {case_result.message}"
        lines.append(msg.CASE_LINE.format(mark="x" if not case_result.passed else "✓", case=case_result.case.name, detail=detail))
        hint = case_result.case.hint
        if not case_result.passed and hint and hint not in shown_hints:
            shown_hints.add(hint)
            lines.append(msg.HINT.format(hint=hint))
    return "\n".join(lines)
