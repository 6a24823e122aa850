"""What became of each student's last grading, kept beside the gradebook so every output can be rebuilt.

The gradebook holds the scores; it has no place for why a submission was not graded. This ledger does:
one JSON line per grading, appended (cheap at any class size, and a line cut short by a crash is skipped),
the last line per student winning. A student nbgrader graded outside us has no line; their autograded
notebook speaks for them (see `feedback/outputs.py`).
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from autograder.course.folder import Course


class Status(StrEnum):
    """What became of a student's grading (a string as well: results.csv, the ledger and JSON hold its value)."""

    GRADED = "graded"
    UNGRADABLE = "ungradable"
    """the student's file: 0 points, with the reason"""
    GRADER_ERROR = "grader error"
    """ours: no score, flagged for a person, with where the traceback is"""


class Outcome(NamedTuple):
    status: Status
    reason: str
    seconds: float
    when: float
    """time.time() when it was recorded: a later autograded notebook (nbgrader's own run) overrides it"""


def ledger_path(course: Course) -> Path:
    """Beside the grader's other records (logs/grader-faults.log), not among the exports in reports/."""
    return Path(course.coursedir.root) / "logs" / f"{course.assignment}-outcomes.jsonl"


def remember(course: Course, student: str, status: str, reason: str, seconds: float = 0.0) -> None:
    path = ledger_path(course)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"student": student, "status": status, "reason": reason, "seconds": seconds, "when": time.time()})
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def recall(course: Course) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    path = ledger_path(course)
    if not path.exists():
        return outcomes
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            outcomes[str(entry["student"])] = Outcome(
                Status(entry["status"]), str(entry["reason"]), float(entry["seconds"]), float(entry["when"])
            )
        except (ValueError, KeyError, TypeError):  # a line cut short by a crash, or not ours: no outcome
            continue
    return outcomes
