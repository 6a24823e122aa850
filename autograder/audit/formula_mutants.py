"""Perturbations of the formula answers' LaTeX solutions: each must be judged wrong by the formula check.

Text-level mistakes a student makes in LaTeX: a number (coefficient, exponent, bound) changed, a sign flipped, a term
dropped,
σ written where 1 − σ belongs, a strict inequality made loose, ŷ and y swapped. A perturbation the check calls
equivalent is looked at again, independently (sympy's simplify, then agreement at many more points than the
check's own samples): if it really is equivalent it is reported as such; if it is not, the check let a wrong
formula through, and that is a survivor. One the reader cannot read is reported as unreadable.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import cast

import sympy

from autograder.formulas.answers import FormulaAnswer, logistic
from autograder.formulas.check import EQUIVALENT, WRONG, _value, compare
from autograder.formulas.reader import NotationError, read_formula, sigmoid_class

NUMBER = re.compile(r"(?<![\\a-zA-Z])\d+(?:\.\d+)?")
SIGN = re.compile(r"[+-]")
RELATION = re.compile(r"\\(?:ge|le)q?(?![a-zA-Z])|[<>]")
LOOSER = {">": r"\ge", "<": r"\le", r"\ge": ">", r"\le": "<", r"\geq": ">", r"\leq": "<"}
SIGMA = re.compile(r"\\sigma\s*\(")
HAT_Y, LONE_Y = r"\hat{y}", re.compile(r"(?<![\\a-zA-Z{])y(?![a-zA-Z])")
OPENING, CLOSING = "({", ")}"
EXTRA_POINTS = 40


class FormulaOutcome(Enum):
    CAUGHT = "judged wrong"
    EQUIVALENT = "equivalent (not a mistake)"
    UNREADABLE = "unreadable"
    SURVIVED = "judged equivalent, but is not"


@dataclass(frozen=True)
class FormulaPerturbation:
    answer: str
    id: str
    text: str
    original: str


@dataclass(frozen=True)
class FormulaResult:
    perturbation: FormulaPerturbation
    outcome: FormulaOutcome
    detail: str
    """where the check showed it wrong, why it could not be read, or how it was found equivalent"""

    @property
    def survivor(self) -> bool:
        return self.outcome is FormulaOutcome.SURVIVED


def perturbations(answer: FormulaAnswer) -> list[FormulaPerturbation]:
    """Every perturbation of the answer's solution, in a fixed order, without repeats or the solution itself."""
    text, seen, found = answer.solution, {answer.solution}, []
    for kind, new in _perturbed(text):
        new = new.strip()
        if new not in seen:
            seen.add(new)
            found.append(FormulaPerturbation(answer.name, f"{kind}: {new}", new, text))
    return found


def _perturbed(text: str) -> Iterator[tuple[str, str]]:
    for match in NUMBER.finditer(text):
        number = match.group()
        changed = str(int(number) + 1) if number.isdigit() else f"{float(number) * 2:g}"
        yield "number", text[: match.start()] + changed + text[match.end() :]
    for match in SIGN.finditer(text):
        yield "sign", text[: match.start()] + ("-" if match.group() == "+" else "+") + text[match.end() :]
    yield from (("dropped term", dropped) for dropped in _dropped_terms(text))
    for match in SIGMA.finditer(text):
        end = _closing(text, match.end() - 1)
        yield "σ for 1 − σ", text[: match.start()] + "(1 - " + text[match.start() : end + 1] + ")" + text[end + 1 :]
    for match in RELATION.finditer(text):
        yield "inequality", text[: match.start()] + LOOSER[match.group()] + text[match.end() :]
    if HAT_Y in text and LONE_Y.search(text):
        yield "ŷ and y swapped", LONE_Y.sub(lambda _: HAT_Y, text.replace(HAT_Y, "\0")).replace("\0", "y")


def _closing(text: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(text)):
        depth += (text[index] in OPENING) - (text[index] in CLOSING)
        if depth == 0:
            return index
    return len(text) - 1


def _dropped_terms(text: str) -> Iterator[str]:
    """Each binary + or − with the term after it removed; and for the first such sign of a group, the term before it."""
    for index, character in enumerate(text):
        if character not in "+-":
            continue
        start = _group_start(text, index)
        before = text[start:index]
        if not before.strip() or before.rstrip().endswith(("^", "_", "{", "(", "&")):
            continue  # a sign, not an operator
        yield text[:index] + text[_term_end(text, index + 1) :]
        if not any(c in "+-" for c in _top_level(before)):
            yield text[:start] + text[index:]


def _group_start(text: str, index: int) -> int:
    depth = 0
    for position in range(index - 1, -1, -1):
        character = text[position]
        if character in CLOSING:
            depth += 1
        elif character in OPENING:
            if depth == 0:
                return position + 1
            depth -= 1
        elif depth == 0 and (character == "&" or text.startswith("\\\\", position)):
            return position + (2 if character == "\\" else 1)
    return 0


def _term_end(text: str, start: int) -> int:
    depth, seen_term = 0, False
    for position in range(start, len(text)):
        character = text[position]
        if character in OPENING:
            depth += 1
        elif character in CLOSING:
            if depth == 0:
                return position
            depth -= 1
        elif depth == 0 and (
            character == "&" or text.startswith("\\\\", position) or (character in "+-" and seen_term)
        ):
            return position
        seen_term = seen_term or not character.isspace()
    return len(text)


def _top_level(text: str) -> str:
    """`text` without what is inside brackets."""
    kept, depth = [], 0
    for character in text:
        depth += (character in OPENING) - (character in CLOSING)
        kept.append(character if depth == 0 and character not in CLOSING else "")
    return "".join(kept)


# ---- verdicts -----------------------------------------------------------------------------------------------------


def judge_perturbation(answer: FormulaAnswer, perturbation: FormulaPerturbation) -> FormulaResult:
    verdict = compare(answer, perturbation.text)
    if verdict.outcome == WRONG:
        return FormulaResult(
            perturbation, FormulaOutcome.CAUGHT, f"at {verdict.differs_at}: {verdict.got} for {verdict.expected}"
        )
    if verdict.outcome != EQUIVALENT:
        return FormulaResult(perturbation, FormulaOutcome.UNREADABLE, verdict.message)
    differs = _where_it_differs(answer, perturbation.text)
    if differs:
        return FormulaResult(perturbation, FormulaOutcome.SURVIVED, f"differs from the reference at {differs}")
    return FormulaResult(
        perturbation, FormulaOutcome.EQUIVALENT, "sympy or every one of many points agrees with the reference"
    )


def _where_it_differs(answer: FormulaAnswer, text: str) -> str:
    """A point where the formula (read as the check reads it) and the reference differ, or "" if none is found."""
    try:
        formula = read_formula(text, cast("tuple[str, ...]", answer.variables)[0])  # filled in by __post_init__
    except NotationError:
        return ""
    sigma = sigmoid_class()
    student = formula.xreplace(answer.meaning).replace(lambda e: isinstance(e, sigma), lambda e: logistic(e.args[0]))
    try:
        if sympy.simplify(student - answer.reference) == 0:
            return ""
    except (TypeError, ValueError, RecursionError, NotImplementedError):
        pass
    for point in answer.sample_points + _more_points(answer):
        expected, got = _value(answer.reference, point), _value(student, point)
        if expected is not None and (got is None or abs(got - expected) > 1e-9 * (1 + abs(expected))):
            return ", ".join(f"{name} = {value:g}" for name, value in point.items())
    return ""


def _more_points(answer: FormulaAnswer) -> tuple[dict, ...]:
    """Seeded points across each variable's sampled range and a margin around it (labels stay labels); where the
    reference is undefined (ŷ outside 0 to 1), a point is skipped."""
    chosen = random.Random(answer.name)

    def draw(values: tuple[float, ...]) -> float:
        if set(values) == {0, 1}:
            return chosen.choice(values)
        margin = max(1.0, max(values) - min(values)) / 2
        return chosen.uniform(min(values) - margin, max(values) + margin)

    return tuple({name: draw(values) for name, values in answer.samples.items()} for _ in range(EXTRA_POINTS))
