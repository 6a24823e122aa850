"""Render batch results: the score table for the terminal and results.csv for the instructor.

Student names and reasons are student-controlled: every cell goes through `instructor_text`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.course.nbgrader_path import GRADED, StudentResult
from autograder.feedback.instructor_text import csv_row, plain
from autograder.feedback.pages import stopped_cells
from autograder.feedback.records import FeedbackRecord
from autograder.sandbox.runner import STOPPED_CELL, STOPPED_CHANNEL, STOPPED_EXIT, STOPPED_SANDBOX, STOPPED_TIME

if TYPE_CHECKING:
    from autograder.course.batch import BatchReport

SEVERITY = ("missing", "stopped", "raised", "type", "shape", "dtype", "finite", "value", "mutation", "formula")
"""the worst first: what keeps a function from running at all, then wrong types, then wrong numbers"""
COLUMNS = ("student", "autograded", "written", "status", "reason")
SANDBOX_STOPS = tuple(
    sentence.split("{")[0] for sentence in (STOPPED_TIME, STOPPED_EXIT, STOPPED_CELL, STOPPED_CHANNEL, STOPPED_SANDBOX)
)
"""a graded student's reason with one of these was cut short by the sandbox: the summary lists them as failures"""
REASON_WIDTH = 110


def score_table(results: list[StudentResult]) -> str:
    rows = [COLUMNS] + [
        (
            plain(r.student),
            f"{r.auto_score:g} / {r.max_auto_score:g}",
            "to grade" if r.needs_manual_grade else "-",
            r.status,
            _shortened(plain(r.reason)),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * len(COLUMNS[-1]))
    return "\n".join(line.rstrip() for line in lines)


def _shortened(reason: str) -> str:
    return reason if len(reason) <= REASON_WIDTH else reason[: REASON_WIDTH - 1] + "…"


def worst_problems(records: list[FeedbackRecord]) -> list[str]:
    """results.csv's reason: each cell that stopped, then the worst problem of each function that lost points."""
    problems = stopped_cells(records)
    for details in records:
        failed = [c for c in details["cases"] if not c["passed"]]
        if details.get("cause"):
            problems.append(details["cause"]["because"])
        elif details["violation"] or details.get("manual_reason"):
            problems.append(f"{details['name']}: {details['violation'] or details['manual_reason']}")
        elif failed:
            worst = min(
                failed,
                key=lambda c: (
                    SEVERITY.index(c["check"]) if c["check"] in SEVERITY else len(SEVERITY),
                    c["group"] != "typical",
                ),
            )
            problems.append(worst.get("summary") or worst["message"])
    return [problem.removesuffix(".") for problem in problems]  # joined with "; " into one cell


def write_results_csv(results: list[StudentResult], path: Path) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", "auto_score", "max_auto_score", "needs_manual_grade", "reason"])
        for r in sorted(results, key=lambda r: r.student):
            writer.writerow(
                csv_row([r.student, r.status, r.auto_score, r.max_auto_score, r.needs_manual_grade, r.reason])
            )
    return path


def batch_summary(report: BatchReport, wall_seconds: float) -> str:
    """The end of `autograder grade`: counts by outcome, the slowest submissions, every failure's reason."""
    from collections import Counter

    graded = len(report.seconds)
    rate = graded / wall_seconds if wall_seconds > 0 else 0.0
    lines = [
        f"{len(report.results)} submissions in {wall_seconds:.1f} s ({rate:.1f} graded per second; isolation: "
        f"{report.isolation or 'n/a'})"
    ]
    counts: Counter[str] = Counter(r.status for r in report.results)
    if report.skipped:
        counts["skipped, already graded"] = len(report.skipped)
    lines += [f"  {status:<24}{count:>6}" for status, count in sorted(counts.items())]
    slowest = sorted(report.seconds.items(), key=lambda item: -item[1])[:5]
    if slowest:
        lines.append("slowest: " + ", ".join(f"{plain(student)} {seconds:.2f} s" for student, seconds in slowest))
    failures = [r for r in report.results if r.status != GRADED or any(stop in r.reason for stop in SANDBOX_STOPS)]
    if failures:
        lines.append("failures:")
        lines += [f"  {plain(r.student)} ({r.status}): {plain(r.reason)}" for r in failures]
    if report.interrupted:
        lines.append("interrupted: what was graded is saved; run the same command again to finish")
    return "\n".join(lines)
