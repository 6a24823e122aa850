"""A Gradescope `results.json` per submission, from the feedback records.

Fields are those of Gradescope's published specification (gradescope/autograder_samples,
docs/specs.md). It has no top-level `max_score`; each test carries its own, and the total goes
into `extra_data`.
"""

from __future__ import annotations

from autograder.feedback.pages import stopped_cells
from autograder.feedback.records import FeedbackRecord, heading, outcome_rows
from autograder.judging.diagnosis import repeated

TOP_LEVEL = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
TEST_FIELDS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def results_json(
    records: list[FeedbackRecord], score: float, max_score: float, seconds: float, notice: str = ""
) -> dict:
    tests = []
    for number, details in enumerate(records, start=1):
        failures = [(sentence, len(names)) for passed, names, sentence in outcome_rows(details["cases"]) if not passed]
        total = len(details["cases"])
        notes = [note for note in (details["violation"], details.get("manual_reason", "")) if note]
        if details.get("cause"):
            lines = [details["checked"]] + notes + [f"✗ {details['cause']['because']}"]
        else:
            lines = (
                [details["checked"]] + notes + [f"✗ {repeated(sentence, count, total)}" for sentence, count in failures]
            )
            lines += [f"Hint: {details['hint']}"] if details.get("hint") else []
        tests.append(
            {
                "name": heading(details),
                "number": str(number),
                "score": details["points"],
                "max_score": details["max_points"],
                "status": "passed" if details["points"] == details["max_points"] else "failed",
                "output": "\n".join(lines),
                "visibility": "visible",
            }
        )
    result = {
        "score": score,
        "execution_time": round(seconds, 3),
        "tests": tests,
        "visibility": "visible",
        "extra_data": {"max_score": max_score},
    }
    first = ([notice] if notice else []) + stopped_cells(records)  # the cause first: a cell that stopped
    if first:
        result["output"] = "\n".join(first)
    return result


def problems(result: dict) -> list[str]:
    """What, if anything, breaks the published field list."""
    found = [f"unknown field {key!r}" for key in result if key not in TOP_LEVEL]
    if not isinstance(result.get("score"), (int, float)) and not all("score" in t for t in result.get("tests", [])):
        found.append("no score at the top or on every test")
    for test in result.get("tests", []):
        found += [f"test {test.get('name')!r}: unknown field {key!r}" for key in test if key not in TEST_FIELDS]
        if test.get("visibility", "visible") not in VISIBILITY:
            found.append(f"test {test.get('name')!r}: visibility {test['visibility']!r}")
    if result.get("visibility", "visible") not in VISIBILITY:
        found.append(f"visibility {result['visibility']!r}")
    return found
