"""One HTML page per student from the feedback records: plain words, numbers, a plot per function,
and for each final formula what was read and how it compares.

Everything a student's code produced (messages, tracebacks) is escaped; plots are drawn here, in the
trusted process, from the validated numbers in the records.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import threading
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from autograder.feedback.records import CaseRecord, FeedbackRecord, heading, outcome_rows  # noqa: E402
from autograder.judging.diagnosis import repeated  # noqa: E402
from autograder.sandbox.read_figures import ImageCache, rounded_value  # noqa: E402

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.pass{color:#17663a}.fail{color:#a4161a}.pending{color:#8a5a00}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
pre{background:#f6f6f6;padding:.5rem;overflow-x:auto}.hint{background:#fff8e1;padding:.4rem .6rem}
img{max-width:100%;border:1px solid #eee}"""
FIRST = "First, a cell of yours stopped"
NOT_FINITE_ERROR = "– (not finite)"
EXPECTED_COLOR = "#9ecae1"
DETAIL_HEADINGS = (
    "check",
    "smallest failing input",
    "expected",
    "your code gave",
    "largest absolute error",
    "largest relative error",
    "tolerance",
)


def png_base64(figure, tight: bool = True) -> str:
    """A figure as the base64 of a PNG, for an <img src="data:..."> that needs no other file. `tight` fits the
    image to what is drawn, at the price of drawing it twice; a figure with fixed margins does not need it."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight" if tight else None)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


DRAWABLE_FACTOR = 1e6
"""student values more than this many times the reference's largest are left out of the plot (the tables show them)"""
PRECISION = 1e-4
"""plotted values are rounded to this fraction of the reference's size: far below a pixel, so students whose values
differ only in their last bits share one drawing"""
MARGINS = {"left": 0.12, "right": 0.97, "top": 0.9, "bottom": 0.15}
"""fixed, so each figure is drawn once (a tight bounding box draws it twice)"""
_images = ImageCache(32 * 2**20)
_drawing = threading.Lock()  # pyplot's figures are one state for the whole process


@dataclass(frozen=True)
class Plotted:
    """Exactly what a feedback figure shows: the figure is a function of this value, and its image is kept by it."""

    title: str
    parameter: str
    series: tuple[tuple[str, tuple, tuple, tuple | None], ...]
    """(label, x, expected, the student's or None), values rounded to the figure's precision, None where not drawn"""
    marks: tuple[tuple[float, float], ...]


def _rounded(values, step: float, drawable: float) -> tuple:
    return tuple(None if v is None or not abs(v) <= drawable else rounded_value(v, step) for v in values)


def plotted(details: FeedbackRecord) -> Plotted:
    plot = details["plot"]
    scale = max((abs(v) for series in plot["series"] for v in series["reference"] if v is not None), default=1.0)
    drawable = DRAWABLE_FACTOR * (scale + 1.0)  # beyond this the axes' arithmetic overflows (±1.8e308 did)
    step = 10.0 ** math.floor(math.log10(PRECISION * (scale + 1.0)))
    series = tuple(
        (
            series["label"],
            _rounded(series["x"], step, drawable),
            _rounded(series["reference"], step, drawable),
            None if series["student"] is None else _rounded(series["student"], step, drawable),
        )
        for series in plot["series"]
    )
    marks: list[tuple[float, float]] = [
        (c["x"], c["got"] if c["got"] is not None else c["expected"])  # type: ignore[misc]  # one is not None
        for c in details["cases"]
        if not c["passed"] and c["x"] is not None and (c["got"] is not None or c["expected"] is not None)
    ]
    low, high = plot["series"][0]["x"][0], plot["series"][0]["x"][-1]
    kept = [(x, y) for x, y in marks if low <= x <= high and abs(y) <= drawable]
    return Plotted(
        heading(details),
        plot["parameter"],
        series,
        tuple(
            sorted(
                set(zip(_rounded([x for x, _ in kept], step, drawable), _rounded([y for _, y in kept], step, drawable)))
            )
        ),
    )


def _nan(values: tuple) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def figure_of(details: FeedbackRecord):
    """The student's function against the reference over the tested range, failing points marked. The expected
    curve is a thick light line underneath and the student's dashed on top, so both show where they agree."""
    return _figure(plotted(details))


def _figure(shown: Plotted):
    figure, axes = plt.subplots(figsize=(6, 3.2))
    figure.subplots_adjust(**MARGINS)
    for label, x, reference, student in shown.series:
        suffix = f" ({label})" if label else ""
        axes.plot(x, _nan(reference), color=EXPECTED_COLOR, linewidth=6, zorder=2, label=f"expected{suffix}")
        if student is not None:
            axes.plot(x, _nan(student), linewidth=1.8, linestyle=(0, (4, 3)), zorder=3, label=f"yours{suffix}")
    if shown.marks:
        axes.scatter(
            [x for x, _ in shown.marks],
            [y for _, y in shown.marks],
            color="#a4161a",
            marker="x",
            s=60,
            zorder=5,
            label="failing inputs",
        )
    axes.set_xlabel(shown.parameter)
    axes.set_title(shown.title)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=7)
    return figure


def plot_image(details: FeedbackRecord) -> str:
    """The figure's PNG as base64, drawn once per distinct figure in this process (most students' curves are the
    same)."""
    shown = plotted(details)
    key = hashlib.sha256(repr(shown).encode()).hexdigest()
    with _drawing:
        image = _images.get(key)
        if image is None:
            image = png_base64(_figure(shown), tight=False)
            _images.put(key, image)
        return image


def _plot(details: FeedbackRecord) -> str:
    return plot_image(details)


def _number(value) -> str:
    return "–" if value is None else f"{value:.6g}"


def _errors(case: CaseRecord) -> tuple[str, str]:
    """The error columns: a value that is not finite has no error to show (the largest finite one would mislead)."""
    if case["check"] == "finite":
        return NOT_FINITE_ERROR, NOT_FINITE_ERROR
    return _number(case["max_abs_error"]), _number(case["max_rel_error"])


def _checks_label(names: list[str], total: int) -> str:
    if len(names) == 1:
        return names[0]
    return f"all {total} checks" if len(names) == total else f"{len(names)} checks: " + "; ".join(names)


def function_section(details: FeedbackRecord) -> str:
    ok: bool | None = not details["violation"] and all(c["passed"] for c in details["cases"])
    score = f"{details['points']:g} / {details['max_points']:g} points"
    if details.get("needs_manual_grade"):
        ok, score = None, f"needs manual grading (worth {details['max_points']:g})"
    parts = [
        f'<h2 class="{ {True: "pass", False: "fail", None: "pending"}[ok] }">{escape(heading(details))}: {score}</h2>',
        f"<p>{escape(details['checked'])}</p>",
    ]
    if details.get("kind") == "formula":
        parts.append(f"<p>You wrote: <code>{escape(details['answer'])}</code></p>")
    if details["violation"]:
        parts.append(f'<p class="fail">{escape(details["violation"])}</p>')
    if details.get("manual_reason"):
        parts.append(f'<p class="pending">{escape(details["manual_reason"])}</p>')
    if details.get("cause"):  # every failure follows from a cell that stopped: one line that points there
        parts.append(f'<p class="fail">{escape(details["cause"]["because"])}</p>')
        return "\n".join(parts)
    total = len(details["cases"])
    parts.append(
        "<table><tr><th></th><th>check</th><th>result</th></tr>"
        + "".join(
            f'<tr><td class="{"pass" if passed else "fail"}">{"✓" if passed else "✗"}</td>'
            f"<td>{escape(_checks_label(names, total))}</td>"
            f"<td>{'passed' if passed else escape(repeated(sentence, len(names), total))}</td></tr>"
            for passed, names, sentence in outcome_rows(details["cases"])
        )
        + "</table>"
    )
    failures = [c for c in details["cases"] if not c["passed"] and c["check"] in ("value", "finite")]
    if failures:
        parts.append(
            "<table><tr>"
            + "".join(f"<th>{h}</th>" for h in DETAIL_HEADINGS)
            + "</tr>"
            + "".join(
                f"<tr><td>{escape(c['name'])}</td><td>{escape(c['point'])}</td><td>{_number(c['expected'])}</td><td>{escape(c['got_text'])}</td>"
                f"<td>{_errors(c)[0]}</td><td>{_errors(c)[1]}</td><td>{escape(c['tolerance'])}</td></tr>"
                for c in failures
            )
            + "</table>"
        )
    hints = (
        [details["hint"]]
        if "hint" in details
        else list(dict.fromkeys(c["hint"] for c in details["cases"] if c["hint"]))
    )
    for hint in (h for h in hints if h):
        parts.append(f'<p class="hint">Hint: {escape(hint)}</p>')
    for trace in dict.fromkeys(c["trace"] for c in details["cases"] if c["trace"]):
        parts.append(f"<p>Where your code raised the error:</p><pre>{escape(trace)}</pre>")
    if details["plot"] is not None:
        parts.append(
            f'<img alt="{escape(heading(details))}: your function against the expected one" '
            f'src="data:image/png;base64,{_plot(details)}">'
        )
    return "\n".join(parts)


def stopped_cells(records: list[FeedbackRecord]) -> list[str]:
    """The sentence for each cell that stopped before defining a graded function, once each, in cell order."""
    causes = {
        (c["cell"], c["sentence"]): None
        for c in sorted((r["cause"] for r in records if r.get("cause")), key=lambda c: c["cell"])
    }
    return [sentence for _, sentence in causes]


def student_page(
    student: str, assignment: str, records: list[FeedbackRecord], score: float, max_score: float, notice: str = ""
) -> str:
    body = [
        f"<h1>{escape(assignment)}: feedback for {escape(student)}</h1>",
        f"<p><strong>Autograded score: {score:g} / {max_score:g}</strong>. The reasoning of your written "
        f"derivations is graded by hand.</p>",
    ]
    if notice:
        body.append(f'<p class="fail">{escape(notice)}</p>')
    if stopped := stopped_cells(records):
        body.append(
            f'<h2 class="fail">{FIRST}</h2>'
            + "".join(f'<p class="fail">{escape(sentence)}</p>' for sentence in stopped)
        )
    body += [function_section(details) for details in records]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(assignment)}: '
        f"{escape(student)}</title><style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
