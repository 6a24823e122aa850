"""What a student is told about each function, as data: built when grading, stored in the
autograded notebook, and rendered later as HTML, Gradescope JSON or a class report.

A record holds the verdicts, the sentences, the numbers behind each failure and the curves for the
plot; never a hidden test's source, a reference implementation or a tolerance rule beyond its value.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

import torch

from autograder import messages as msg
from autograder.authoring.exercises import Exercise, OutputDtype
from autograder.authoring.inputs import plot_series
from autograder.formulas.answers import FORMULAS_BY_NAME, FormulaAnswer
from autograder.formulas.check import FormulaVerdict
from autograder.judging.diagnosis import CellFailure, caused_sentence, diagnose, summary
from autograder.judging.scoring import ExerciseResult
from autograder.sandbox.observe import Observation


class CaseRecord(TypedDict, total=False):
    """One call of a function (or a formula's one check), as the student's page, results.json and the class report
    read it."""

    name: str
    group: str
    passed: bool
    check: str
    message: str
    summary: str
    point: str
    """where it differs, as the student reads it (`x = 0`); "" when nothing does"""
    x: float | None
    got: float | None
    got_text: str
    expected: float | None
    max_abs_error: float | None
    max_rel_error: float | None
    tolerance: str
    hint: str
    trace: str


class FeedbackRecord(TypedDict, total=False):
    """What a student is told about one function or formula answer, stored in the graded notebook under MIME and
    read back by every renderer. total=False: records stored by earlier versions may lack the newer keys."""

    kind: str
    """"function" or "formula\""""
    name: str
    signature: str
    heading: str
    points: float
    max_points: float
    violation: str
    checked: str
    cases: list[CaseRecord]
    plot: Any
    """the curves: {"parameter", "series": [{"label", "x", "reference", "student"}]}, or None"""
    needs_manual_grade: bool
    manual_reason: str
    failure_kind: str
    hint: str
    cause: Any
    """the cell that stopped before defining the function: {"cell", "line", "error", "name", "because"…}, or None"""
    answer: str
    read_as: str
    outcome: str
    derivative: str
    read_as_text: str


MIME = "application/vnd.derivatives-autograder.feedback+json"
"""the key records are stored under in the graded notebook: changing it would lose every stored record"""
CHECKED = (
    "`{signature}` was called on {count} inputs: typical values in float32 and float64, a 0-d tensor, "
    "a 2-d batch, 64 seeded random values{edges}. Each call must return a torch.Tensor of the input's shape "
    "and {dtype}, with finite values that match {reference} to within the tolerance, and must leave its "
    "input unchanged."
)
REFERENCE_DERIVATIVE, REFERENCE_VALUE = "torch.autograd", "torch's own values (in float64)"
EDGES = ", and these edge cases: {names}"
DTYPE_SAME, DTYPE_FLOAT = "dtype", "a floating-point dtype"
BY_HAND = " It must be worked out by hand: autograd inside it earns 0."


def _number(value) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def checked_in_words(exercise: Exercise) -> str:
    names = sorted({edge.name for edge in exercise.edges})
    text = CHECKED.format(
        signature=exercise.signature,
        count=len(exercise.cases),
        edges=EDGES.format(names="; ".join(names)) if names else "",
        dtype=DTYPE_FLOAT if exercise.output_dtype == OutputDtype.ANY_FLOAT else DTYPE_SAME,
        reference=REFERENCE_DERIVATIVE if exercise.reference.__name__.startswith("d_") else REFERENCE_VALUE,
    )
    return text + (BY_HAND if exercise.by_hand else "")


def heading(details: FeedbackRecord) -> str:
    """What the student calls it: `sigmoid_derivative(x)`, "Your final formula for σ′(x)" (records stored before
    headings were stored have none)."""
    if details.get("heading"):
        return details["heading"]
    if details.get("kind") == "formula":
        return (
            msg.FORMULA_HEADING.format(derivative=FORMULAS_BY_NAME[details["name"]].derivative)
            if details["name"] in FORMULAS_BY_NAME
            else details["name"]
        )
    return details.get("signature") or details["name"]


def _curves(exercise: Exercise, seen: Observation | None) -> dict:
    """The reference and (if it could be computed) the student's function over the plot grid."""
    args = exercise.plot_case.args
    reference = exercise.reference(*args)
    student = None
    if (
        seen is not None
        and seen.kind == "tensor"
        and seen.output is not None
        and tuple(seen.output.shape) == tuple(reference.shape)
    ):
        student = seen.output.to_tensor().to(torch.float64)
    series = plot_series(exercise.samplers)
    size = len(args[0]) // len(series)
    halves = [slice(i * size, (i + 1) * size) for i in range(len(series))]
    labels = [""] if series == (None,) else [f"{exercise.parameters[1]} = {label:g}" for label in series]
    return {
        "parameter": exercise.parameters[0],
        "series": [
            {
                "label": label,
                "x": args[0][part].tolist(),
                "reference": [_number(v) for v in reference[part].tolist()],
                "student": [_number(v) for v in student[part].tolist()] if student is not None else None,
            }
            for label, part in zip(labels, halves)
        ],
    }


def record(
    result: ExerciseResult,
    plot: Observation | None,
    traces: dict[int, str] | None = None,
    cause: tuple[CellFailure, str] | None = None,
) -> FeedbackRecord:
    """`cause`: the cell that stopped before defining the function (or a name it uses), from `diagnosis.cause_of`."""
    exercise = result.exercise
    kind, hint = ("cell", "") if cause else diagnose(result)
    cases: list[CaseRecord] = []
    for index, verdict in enumerate(result.cases):
        x = None
        if verdict.failing_index is not None:
            x = _number(
                verdict.case.args[0].to(torch.float64).reshape(verdict.case.args[0].shape)[verdict.failing_index].item()
            )
        cases.append(
            {
                "name": verdict.case.name,
                "group": verdict.case.group,
                "passed": verdict.passed,
                "check": verdict.check,
                "message": verdict.message,
                "summary": summary(result, verdict) if not verdict.passed else "",
                "point": verdict.point,
                "x": x,
                "got": _number(verdict.got),
                "got_text": "" if verdict.got is None else f"{verdict.got:.6g}",
                "expected": _number(verdict.expected),
                "max_abs_error": _number(verdict.max_abs_error),
                "max_rel_error": _number(verdict.max_rel_error),
                "tolerance": verdict.tolerance,
                "hint": hint if verdict.case.hint == hint and hint and not verdict.passed else "",
                "trace": (traces or {}).get(index, ""),
            }
        )
    return {
        "name": exercise.name,
        "signature": exercise.signature,
        "heading": exercise.signature,
        "points": result.points,
        "max_points": result.max_points,
        "violation": result.violation,
        "checked": checked_in_words(exercise),
        "cases": cases,
        "plot": _curves(exercise, plot),
        "needs_manual_grade": bool(result.manual),
        "manual_reason": result.manual,
        "kind": "function",
        "failure_kind": kind,
        "hint": hint,
        "cause": dict(cause[0].as_data(), name=cause[1], because=caused_sentence(result, *cause)) if cause else None,
    }


FORMULA_CHECKED = (
    "`{name}` is your final formula for {derivative}, read with sympy's LaTeX parser and compared with the "
    "derivative sympy computes: symbolically, and at {count} test points. The reasoning above it is graded by hand."
)


def _readable(verdict: FormulaVerdict, derivative: str) -> str:
    """The formula as plain text (σ(x)·(1 − σ(x))), as the verdict's sentence tells it; `read_as` may be LaTeX."""
    before, _, after = msg.FORMULA_WRONG.partition("{read_as}")
    prefix = before.format(name=verdict.name, max_points=verdict.max_points, derivative=derivative)
    end = after.split("{", 1)[0]
    if verdict.message.startswith(prefix) and end in verdict.message[len(prefix) :]:
        return verdict.message[len(prefix) :].rsplit(end, 1)[0]
    return verdict.read_as if "\\" not in verdict.read_as else ""


def formula_record(verdict: FormulaVerdict, answer: FormulaAnswer) -> FeedbackRecord:
    """A formula answer in the same shape as a function's record: one check, no plot."""
    case: CaseRecord = {
        "name": "final formula",
        "group": "typical",
        "passed": verdict.outcome == "equivalent",
        "check": "formula",
        "message": verdict.message,
        "point": verdict.differs_at,
        "x": None,
        "got": None,
        "got_text": verdict.got,
        "expected": None,
        "max_abs_error": None,
        "max_rel_error": None,
        "tolerance": "",
        "hint": "",
        "trace": "",
        "summary": "" if verdict.outcome == "equivalent" else verdict.message,
    }
    return {
        "kind": "formula",
        "name": verdict.name,
        "signature": f"{verdict.name} ({answer.derivative})",
        "heading": msg.FORMULA_HEADING.format(derivative=answer.derivative),
        "points": verdict.points,
        "max_points": verdict.max_points,
        "violation": "",
        "cases": [case],
        "plot": None,
        "checked": FORMULA_CHECKED.format(
            name=verdict.name, derivative=answer.derivative, count=len(answer.sample_points)
        ),
        "answer": verdict.answer,
        "read_as": verdict.read_as,
        "outcome": verdict.outcome,
        "needs_manual_grade": verdict.needs_manual_grade,
        "derivative": answer.derivative,
        "read_as_text": _readable(verdict, answer.derivative),
        "hint": "",
        "cause": None,
    }


GRADER_FAULT_NOTICE = "The grader failed on your submission; your instructor has been told."
NOT_GRADED = "This submission could not be graded: {reason}"
PAGE_FAILED = "Your feedback could not be drawn; your score above stands, and your instructor has been told."


def outcome_rows(cases: list[CaseRecord]) -> list[tuple[bool, list[str], str]]:
    """A record's cases, one row per distinct outcome: every passed check in one row, a failure repeated on many
    inputs in one row; (passed, the checks' names, the failure's sentence)."""
    rows: dict[tuple[bool, str], list[str]] = {}
    for case in cases:
        rows.setdefault((case["passed"], "" if case["passed"] else case.get("summary") or case["message"]), []).append(
            case["name"]
        )
    return [(passed, names, sentence) for (passed, sentence), names in rows.items()]
