"""Render batch results: the score table for the terminal and results.csv for the instructor."""
from __future__ import annotations

import csv
from pathlib import Path

from .grading import StudentResult

COLUMNS = ("student", "autograded", "written", "status", "reason")
REASON_WIDTH = 110


def score_table(results: list[StudentResult]) -> str:
    rows = [COLUMNS] + [
        (
            r.student,
            f"{r.auto_score:g} / {r.max_auto_score:g}",
            "to grade" if r.needs_manual_grade else "-",
            r.status,
            r.reason if len(r.reason) <= REASON_WIDTH else r.reason[: REASON_WIDTH - 1] + "…",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * len(COLUMNS[-1]))
    return "\n".join(line.rstrip() for line in lines)


def write_results_csv(results: list[StudentResult], path: Path) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", "auto_score", "max_auto_score", "needs_manual_grade", "reason"])
        for r in results:
            writer.writerow([r.student, r.status, r.auto_score, r.max_auto_score, r.needs_manual_grade, r.reason])
    return path
