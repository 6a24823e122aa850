"""`render_audit`: the report as plain text for the terminal and CI logs.

The mutant table first (exercise | mutant | points | caught by), then each survivor with its diff, then what else
needs the instructor (a solution that loses points, a stale equivalent), the edge cases' usefulness, the formula
perturbations, and the time the audit took.
"""

from __future__ import annotations

import textwrap

from autograder.audit.formula_mutants import FormulaOutcome
from autograder.audit.results import AuditReport, MutantResult

MUTANT_WIDTH = 72
DETAIL_WIDTH = 90
SHOWN_MUTANTS = 3
CONTEXT_WORDS = 2
SURVIVED = "SURVIVED"
UNJUDGED = "NOT JUDGED: stopped even when run alone"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell, the last one left ragged."""
    rows = [header] + rows
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * len(header[-1]))
    return [line.rstrip() for line in lines]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else textwrap.shorten(text, width, placeholder=" …")


def _shown_id(mutant_id: str) -> str:
    """A long `kind: before → after` cut to what changed, with a little context: `constant: … x - 4 → … x - 8`."""
    kind, _, change = mutant_id.partition(": ")
    before, arrow, after = change.partition(" → ")
    if len(mutant_id) <= MUTANT_WIDTH or not arrow:
        return _short(mutant_id, MUTANT_WIDTH)
    old, new = before.split(" "), after.split(" ")
    same_start = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    same_end = next(
        (i for i, (a, b) in enumerate(zip(reversed(old[same_start:]), reversed(new[same_start:]))) if a != b),
        min(len(old), len(new)) - same_start,
    )
    start, end = max(0, same_start - CONTEXT_WORDS), max(0, same_end - CONTEXT_WORDS)

    def cut(words: list[str]) -> str:
        return " ".join(["…"] * (start > 0) + words[start : len(words) - end] + ["…"] * (end > 0))

    return _short(f"{kind}: {cut(old)} → {cut(new)}", MUTANT_WIDTH)


def _verdict(result: MutantResult) -> str:
    if not result.judged:
        return f"{UNJUDGED} ({result.caught_by})"
    if result.survivor:
        return f"{SURVIVED} ({result.caught_by})" if result.failing_cases else SURVIVED
    if result.survived:
        return "documented equivalent"
    return str(result.caught_by)


def render_audit(report: AuditReport) -> str:
    rows: list[tuple[str, ...]] = [
        (r.mutant.exercise, _shown_id(r.mutant.id), f"{r.points:g} / {r.max_points:g}", _verdict(r))
        for r in report.mutants
    ]
    lines = _table(("exercise", "mutant", "points", "caught by"), rows)

    survivors, equivalents = report.survivors, sum(1 for r in report.mutants if r.equivalent)
    lines += [
        "",
        f"survivors: {len(survivors)}" + (" (wrong, yet ≥ 90 % of the points)" if survivors else ""),
        f"documented equivalents: {equivalents} (EQUIVALENT_MUTANTS in exercises.py, or the package's list)",
    ]
    if report.unjudged:
        lines += [
            f"not judged: {len(report.unjudged)} (their process was stopped even when run alone: see the "
            f"grader's limits)"
        ]
    for result in (r for r in report.mutants if r.survivor):
        lines += [
            "",
            f"{result.mutant.exercise}: {result.mutant.id}",
            f"  {result.mutant.description}; {result.points:g} / {result.max_points:g} points"
            + (f", fails only {', '.join(result.failing_cases)}" if result.failing_cases else ", fails no case"),
            result.mutant.diff().rstrip(),
        ]
    for formula in (r for r in report.formulas if r.survivor):
        lines += [
            "",
            f"{formula.perturbation.answer}: {formula.perturbation.id}",
            f"  {formula.detail}",
            f"  solution: {formula.perturbation.original}",
            f"  judged equivalent: {formula.perturbation.text}",
        ]

    for check in report.broken_solutions:
        lines += [
            "",
            f"the solution of {check.exercise} earns {check.points:g} / {check.max_points:g} ({check.caught_by}): "
            "its mutants say nothing until it earns every point",
        ]
    for exercise, why in report.unaudited:
        lines += ["", f"{exercise}: not audited, {why}"]
    if report.stale_equivalents:
        lines += [
            "",
            "stale entries of the equivalent list (EQUIVALENT_MUTANTS in exercises.py, or the package's list):",
        ]
        lines += [f"  {entry.exercise}: {entry.mutant_id}: {entry.why}" for entry in report.stale_equivalents]

    lines += ["", "edge cases:"]
    for use in report.edges:
        shown = "; ".join(_shown_id(mutant_id) for mutant_id in use.needed_by[:SHOWN_MUTANTS])
        more = f" and {len(use.needed_by) - SHOWN_MUTANTS} more" if len(use.needed_by) > SHOWN_MUTANTS else ""
        verdict = (
            f"earns its place: the only case failed by {shown}{more}" if use.earns_its_place else ("no mutant needs it")
        )
        lines.append(f"  {use.exercise}: {use.edge}: {verdict}")

    if report.formulas:
        lines += ["", "formula perturbations:"]
        lines += _table(
            ("answer", "perturbation", "verdict"),
            [
                (
                    r.perturbation.answer,
                    r.perturbation.id,
                    f"{SURVIVED}: {r.detail}"
                    if r.survivor
                    else r.outcome.value
                    + (f" ({_short(r.detail, DETAIL_WIDTH)})" if r.outcome is not FormulaOutcome.CAUGHT else ""),
                )
                for r in report.formulas
            ],
        )

    answers = len({r.perturbation.answer for r in report.formulas})
    lines += [
        "",
        f"audited {len(report.mutants)} mutants of {report.exercises} exercises in {report.seconds:.1f} s"
        + (f", with {len(report.formulas)} perturbations of {answers} formula answers" if report.formulas else ""),
    ]
    return "\n".join(lines)
