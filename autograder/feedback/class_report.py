"""The instructor's view of a whole class: pass rate per check, the score histogram and the most
common mistakes ("31% have relu_derivative(x = 0) = 1"), each counted once per student and function, as an HTML page
and as CSV.
Percentages are out of the graded students, and the page says so."""

from __future__ import annotations

import csv
from collections import Counter
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from autograder.feedback.instructor_text import csv_row  # noqa: E402
from autograder.feedback.pages import STYLE, png_base64  # noqa: E402
from autograder.feedback.records import CaseRecord, FeedbackRecord, heading  # noqa: E402
from autograder.messages import FORMULA_HEADING  # noqa: E402

COMMON = "{share:.0f}% have {answer}"
OUT_OF = (
    "{graded} of {submissions} submissions were graded; every percentage below is out of the {graded} graded students."
)
FORMULA_UNREADABLE = "a wrong formula (see each student's page)"
KIND_IN_WORDS = {
    "sign": "{name}: the opposite sign on every failing check",
    "factor": "{name}: a constant factor off on every failing check",
}
CELL_STOPPED = "a cell stopped ({error}) before defining what was graded"
"""one mistake however many functions it left undefined: counted once per student"""


def _formula_text(details: FeedbackRecord) -> str:
    """A wrong formula as the student reads it (σ′(x) = σ(x)), not as the LaTeX they typed."""
    derivative = details.get("derivative") or heading(details).removeprefix(FORMULA_HEADING.format(derivative=""))
    text = details.get("read_as_text") or details.get("read_as") or details["answer"]
    return f"{derivative} = {text}" if "\\" not in text else f"{derivative}: {FORMULA_UNREADABLE}"


def wrong_answer(details: FeedbackRecord, case: CaseRecord) -> str | None:
    """A failure told in a form that repeats across students: the call, the input, what came back."""
    if case["passed"]:
        return None
    if case["check"] == "formula":
        return _formula_text(details) if details.get("outcome") == "wrong" else None
    if case["check"] in ("value", "finite") and case["point"]:
        return (
            f"{details['name']}({case['point']}) = {case['got_text']} (expected {case['expected']:.6g})"
            if case["expected"] is not None
            else None
        )
    return (
        f"{details['name']}: {case.get('summary') or case['message']}"
        if case["check"] in ("missing", "type", "shape", "dtype", "mutation")
        else None
    )


def mistake(details: FeedbackRecord) -> str | None:
    """A student's one mistake in one function, however many inputs show it: the kind when it has one, else the
    first wrong answer."""
    if details.get("failure_kind") == "cell" and details.get("cause"):
        return CELL_STOPPED.format(error=details["cause"]["error"])
    if details.get("failure_kind") in KIND_IN_WORDS:
        return KIND_IN_WORDS[details["failure_kind"]].format(name=details["name"])
    return next((answer for case in details["cases"] if (answer := wrong_answer(details, case))), None)


def summarize(students: dict[str, list[FeedbackRecord]], totals: dict[str, float]) -> dict:
    """Pass rates and common mistakes out of the graded students (those with records); `totals` is every submission."""
    graded = len(students)
    passes: Counter = Counter()
    answers: Counter = Counter()
    checks: dict[str, list[str]] = {}
    headings: dict[str, str] = {}
    for records in students.values():
        for details in records:
            headings.setdefault(details["name"], heading(details))
            for case in details["cases"]:
                names = checks.setdefault(details["name"], [])
                if case["name"] not in names:
                    names.append(case["name"])
                passes[(details["name"], case["name"])] += case["passed"]
        answers.update({answer for details in records if (answer := mistake(details))})  # a set: once per student
    return {
        "pass_rates": [
            (name, check, passes[(name, check)] / graded if graded else 0.0)
            for name, names in checks.items()
            for check in names
        ],
        "headings": headings,
        "common": [(answer, count / graded) for answer, count in answers.most_common(10)] if graded else [],
        "totals": totals,
        "graded": graded,
    }


def _pass_rate_rows(summary: dict) -> str:
    """One block per function: its name once, then each of its checks."""
    rows, names = [], list(dict.fromkeys(name for name, _, _ in summary["pass_rates"]))
    for name in names:
        mine = [(check, rate) for n, check, rate in summary["pass_rates"] if n == name]
        title = escape(summary.get("headings", {}).get(name, name))
        rows += [
            f'<tr><th rowspan="{len(mine)}">{title}</th><td>{escape(mine[0][0])}</td><td>{mine[0][1]:.0%}</td></tr>'
        ]
        rows += [f"<tr><td>{escape(check)}</td><td>{rate:.0%}</td></tr>" for check, rate in mine[1:]]
    return "".join(rows)


def _histogram(totals: dict[str, float], max_score: float) -> str:
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.hist(list(totals.values()), bins=min(20, max(5, int(max_score))), range=(0, max_score), color="#3a6ea5")
    axes.set_xlabel("autograded score"), axes.set_ylabel("students"), axes.set_title("Score histogram")
    return png_base64(figure)


def write_class_report(summary: dict, max_score: float, folder: Path, assignment: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = _pass_rate_rows(summary)
    common = "".join(
        f"<li>{escape(COMMON.format(share=100 * share, answer=answer))}</li>" for answer, share in summary["common"]
    )
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(assignment)}: class '
        f"report</title><style>{STYLE}</style></head><body><h1>{escape(assignment)}: class report</h1>"
        f"<p>{escape(OUT_OF.format(graded=summary.get('graded', 0), submissions=len(summary['totals'])))}</p>"
        f'<img alt="score histogram" src="data:image/png;base64,{_histogram(summary["totals"], max_score)}">'
        f"<h2>Most common wrong answers</h2><ul>{common or '<li>none</li>'}</ul>"
        f"<h2>Pass rate per check</h2><table><tr><th>function</th><th>check</th><th>pass "
        f"rate</th></tr>{rows}</table></body></html>\n"
    )
    html_path, csv_path = folder / "class-report.html", folder / "class-report.csv"
    html_path.write_text(page)
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["section", "function", "check", "value"])
        writer.writerows(csv_row(("pass rate", n, c, f"{rate:.4f}")) for n, c, rate in summary["pass_rates"])
        writer.writerows(
            csv_row(("common wrong answer", answer, "", f"{share:.4f}")) for answer, share in summary["common"]
        )
        writer.writerows(
            csv_row(("score", student, "", f"{total:g}")) for student, total in sorted(summary["totals"].items())
        )
    return html_path, csv_path
