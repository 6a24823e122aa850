"""The instructor's view of a whole class: pass rate per check, the score histogram and the most
common wrong answers ("31% have relu_derivative(x = 0) = 1"), as an HTML page and as CSV."""
from __future__ import annotations

import csv
from collections import Counter
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .feedback_html import STYLE, png_base64  # noqa: E402
from .instructor_text import csv_row  # noqa: E402

COMMON = "{share:.0f}% have {answer}"


def wrong_answer(details: dict, case: dict) -> str | None:
    """A failure told in a form that repeats across students: the call, the input, what came back."""
    if case["passed"]:
        return None
    if case["check"] == "formula":
        return f"{details['signature']} = {details['answer']}" if details.get("outcome") == "wrong" else None
    if case["check"] in ("value", "finite") and case["point"]:
        return f"{details['name']}({case['point']}) = {case['got_text']} (expected {case['expected']:.6g})" if case["expected"] is not None else None
    return f"{details['name']}: {case['message']}" if case["check"] in ("missing", "type", "shape", "dtype", "mutation") else None


def summarize(students: dict[str, list[dict]], totals: dict[str, float]) -> dict:
    graded = len(students)
    passes: Counter = Counter()
    answers: Counter = Counter()
    checks: list[tuple[str, str]] = []
    for records in students.values():
        seen = set()
        for details in records:
            for case in details["cases"]:
                key = (details["name"], case["name"])
                if key not in checks:
                    checks.append(key)
                passes[key] += case["passed"]
                answer = wrong_answer(details, case)
                if answer and answer not in seen:
                    seen.add(answer)
                    answers[answer] += 1
    return {
        "pass_rates": [(name, check, passes[(name, check)] / graded if graded else 0.0) for name, check in checks],
        "common": [(answer, count / graded) for answer, count in answers.most_common(10)] if graded else [],
        "totals": totals,
    }


def _histogram(totals: dict[str, float], max_score: float) -> str:
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.hist(list(totals.values()), bins=min(20, max(5, int(max_score))), range=(0, max_score), color="#3a6ea5")
    axes.set_xlabel("autograded score"), axes.set_ylabel("students"), axes.set_title("Score histogram")
    return png_base64(figure)


def write_class_report(summary: dict, max_score: float, folder: Path, assignment: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"<tr><td>{escape(n)}</td><td>{escape(c)}</td><td>{rate:.0%}</td></tr>" for n, c, rate in summary["pass_rates"])
    common = "".join(f"<li>{escape(COMMON.format(share=100 * share, answer=answer))}</li>" for answer, share in summary["common"])
    page = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(assignment)}: class report</title>"
            f"<style>{STYLE}</style></head><body><h1>{escape(assignment)}: class report</h1>"
            f"<p>{len(summary['totals'])} submissions.</p>"
            f'<img alt="score histogram" src="data:image/png;base64,{_histogram(summary["totals"], max_score)}">'
            f"<h2>Most common wrong answers</h2><ul>{common or '<li>none</li>'}</ul>"
            f"<h2>Pass rate per check</h2><table><tr><th>function</th><th>check</th><th>pass rate</th></tr>{rows}</table></body></html>\n")
    html_path, csv_path = folder / "class-report.html", folder / "class-report.csv"
    html_path.write_text(page)
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["section", "function", "check", "value"])
        writer.writerows(csv_row(("pass rate", n, c, f"{rate:.4f}")) for n, c, rate in summary["pass_rates"])
        writer.writerows(csv_row(("common wrong answer", answer, "", f"{share:.4f}")) for answer, share in summary["common"])
        writer.writerows(csv_row(("score", student, "", f"{total:g}")) for student, total in sorted(summary["totals"].items()))
    return html_path, csv_path
