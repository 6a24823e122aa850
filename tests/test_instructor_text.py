"""Nothing student-controlled reaches the instructor's terminal or spreadsheet raw: a folder name or an exception
message with ANSI/OSC escapes, a carriage return or a bidirectional override cannot repaint a row, and a CSV
cell cannot be a formula."""

from __future__ import annotations

import csv

from autograder.course.batch import BatchReport
from autograder.course.nbgrader_path import StudentResult
from autograder.feedback.instructor_text import csv_cell, plain
from autograder.feedback.score_table import batch_summary, score_table, write_results_csv

FORGED_ROW = "\x1b[2K\r\x1b[1Aada_correct  22 / 22  -  graded"
HOSTILE = [
    StudentResult("mal\x1b]0;title\x07lory", "graded", 0, 22, False, "a cell raised ValueError: " + FORGED_ROW),
    StudentResult('=HYPERLINK("http://x")', "ungradable", 0, 22, False, "+cmd|' /C calc'!A0"),
    StudentResult("\u202eevil", "grader error", 0, 22, True, "@SUM(1)\rrepainted"),
]


def test_control_characters_become_visible_escapes():
    assert plain("a\x1b[31mb\rc\nd\x07\x9b\u202ee") == "a\\x1b[31mb\\rc\\nd\\x07\\x9b\\u202ee"
    assert plain("σ′(x) = σ(1 − σ) ✓") == "σ′(x) = σ(1 − σ) ✓"


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_and_numbers_are_left_alone():
    assert [csv_cell(v) for v in ("=1+1", "+1 2", "-x", "@A1", "-1.5", "ben", 3.5, True)] == [
        "'=1+1",
        "'+1 2",
        "'-x",
        "'@A1",
        "-1.5",
        "ben",
        3.5,
        True,
    ]


def _raw(text: str) -> list[str]:
    return [c for c in text if ord(c) < 32 and c != "\n" or 0x7F <= ord(c) < 0xA0 or 0x202A <= ord(c) <= 0x202E]


def test_the_score_table_and_the_summary_carry_no_control_characters():
    table = score_table(HOSTILE)
    summary = batch_summary(BatchReport(results=HOSTILE, seconds={r.student: 1.0 for r in HOSTILE}), 3.0)
    assert _raw(table) == [] and _raw(summary) == []
    assert len(table.splitlines()) == 2 + len(HOSTILE)  # no row was split or joined
    assert "\\x1b[2K\\r\\x1b[1Aada_correct" in table


def test_results_csv_has_no_formula_and_no_control_character(tmp_path):
    with write_results_csv(HOSTILE, tmp_path / "results.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))] == []
    assert _raw("".join(cells)) == []
    assert ['\'=HYPERLINK("http://x")', "ungradable", "0", "22", "False", "'+cmd|' /C calc'!A0"] in rows
