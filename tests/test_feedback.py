"""Feedback a student can act on, that never gives away the hidden tests or the solutions."""

from __future__ import annotations

import json

import pytest
import torch

from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.course.folder import Course
from autograder.course.nbgrader_path import GRADER_ERROR, UNGRADABLE, StudentResult
from autograder.feedback.class_report import COMMON, summarize
from autograder.feedback.gradescope import problems, results_json
from autograder.feedback.outputs import _write_student
from autograder.feedback.pages import student_page
from autograder.feedback.records import checked_in_words, record
from autograder.judging.checks import describe_point
from autograder.judging.scoring import grade_function
from autograder.sandbox.observe import observe

from .conftest import ROOT
from .implementations import MUTANTS, define

VALUE_MUTANTS = [m for m in MUTANTS if m[3] & {"value", "finite"}]


def records_for(name: str, source: str) -> dict:
    """The record the trusted path would store, with the student's traceback for each call that raised."""
    exercise, function = EXERCISES_BY_NAME[name], define(source, name)
    traces = {
        i: seen.student_trace
        for i, case in enumerate(exercise.cases)
        if (seen := observe(function, case.args)).student_trace
    }
    return record(grade_function(exercise, function), None, traces)


def test_what_was_checked_is_said_in_plain_words():
    assert checked_in_words(EXERCISES_BY_NAME["relu_derivative"]) == (
        "`relu_derivative(x)` was called on 11 inputs: typical values in float32 and float64, a 0-d tensor, a 2-d "
        "batch, "
        "64 seeded random values, and these edge cases: x = 0; x = ±1e-7, next to the kink; |x| = 1000. Each call "
        "must return "
        "a torch.Tensor of the input's shape and a floating-point dtype, with finite values that match torch.autograd "
        "to within "
        "the tolerance, and must leave its input unchanged. It must be worked out by hand: autograd inside it earns 0."
    )


def test_a_forward_function_is_compared_with_torchs_own_values():
    assert "with finite values that match torch's own values (in float64) to within the tolerance" in checked_in_words(
        EXERCISES_BY_NAME["sigmoid"]
    )


@pytest.mark.parametrize(
    "status, reason, sentence",
    [
        (
            GRADER_ERROR,
            "the grader failed on this submission twice",
            "The grader failed on your submission; your instructor has been told.",
        ),
        (
            UNGRADABLE,
            "no derivatives.ipynb in the submission",
            "This submission could not be graded: no derivatives.ipynb in the submission",
        ),
    ],
)
def test_a_submission_that_was_not_graded_gets_a_page_and_results_json_that_say_why(tmp_path, status, reason, sentence):
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    course = Course(tmp_path)
    result = StudentResult("ann", status, 0.0, 22.0, False, reason)
    page = _write_student(course, result, [], 0.0, "fingerprint")
    assert f'<p class="fail">{sentence}</p>' in page.read_text()
    assert json.loads((page.parent / "results.json").read_text())["output"].startswith(sentence)


def test_the_class_reports_sentence_for_a_common_mistake():
    assert COMMON.format(share=31.2, answer="relu_derivative(x = 0) = 1 (expected 0)") == (
        "31% have relu_derivative(x = 0) = 1 (expected 0)"
    )


@pytest.mark.parametrize("case_id, name, source, checks, groups", VALUE_MUTANTS, ids=[m[0] for m in VALUE_MUTANTS])
def test_each_failure_names_the_smallest_input_where_the_code_is_wrong(case_id, name, source, checks, groups):
    exercise, function = EXERCISES_BY_NAME[name], define(source, name)
    details = records_for(name, source)
    named = [c for c in details["cases"] if not c["passed"] and c["check"] in ("value", "finite")]
    assert named
    for reported, case in ((c, next(k for k in exercise.cases if k.name == c["name"])) for c in named):
        got = function(*(a.clone() for a in case.args)).to(torch.float64)
        expected = exercise.reference(*case.args)
        tolerance = exercise.tolerance(case.args[0].dtype)
        not_finite = ~torch.isfinite(got)  # the failed check decides what counts as wrong
        wrong = (
            not_finite
            if reported["check"] == "finite"
            else (got - expected).abs() > tolerance.atol + tolerance.rtol * expected.abs()
        )
        sizes = case.args[0].to(torch.float64).abs().broadcast_to(wrong.shape)
        assert abs(reported["x"]) == sizes[wrong].min().item()
        index = tuple(int(i) for i in (wrong & (sizes == sizes[wrong].min())).nonzero()[0]) if wrong.dim() else ()
        assert reported["point"] == describe_point(exercise, case.args, index)
        errors = (got - expected).abs()
        finite = torch.isfinite(errors)
        assert reported["max_abs_error"] == (pytest.approx(errors[finite].max().item()) if finite.any() else None)


def test_a_failure_reports_expected_got_errors_tolerance_and_hint():
    details = records_for("relu_derivative", "def relu_derivative(x):\n    return (x >= 0).float()")
    failure = next(c for c in details["cases"] if not c["passed"])
    assert {
        k: failure[k]
        for k in ("name", "point", "got_text", "expected", "max_abs_error", "max_rel_error", "tolerance", "hint")
    } == {
        "name": "x = 0, float32",
        "point": "x = 0",
        "got_text": "1",
        "expected": 0.0,
        "max_abs_error": 1.0,
        "max_rel_error": None,
        "tolerance": "1e-05 + 1e-05·|expected|",
        "hint": "Use PyTorch's convention ReLU′(0) = 0: the derivative is 1 only where x > 0.",
    }


@pytest.mark.slow
def test_a_page_escapes_what_the_student_wrote_and_embeds_a_plot():
    details = records_for("relu", "def relu(x):\n    raise ValueError('<script>alert(1)</script>')")
    page = student_page("<b>eve</b>", "derivatives", [details], 0, 17)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;eve&lt;/b&gt;" in page
    assert page.count('src="data:image/png;base64,') == 1


def test_results_json_follows_gradescopes_published_fields():
    details = records_for("relu_derivative", "def relu_derivative(x):\n    return (x >= 0).float()")
    result = results_json([details], 1.64, 17, 0.5)
    assert problems(result) == []
    assert result["tests"][0] | {"output": ""} == {
        "name": "relu_derivative(x)",
        "number": "1",
        "score": 1.64,
        "max_score": 2.0,
        "status": "failed",
        "output": "",
        "visibility": "visible",
    }
    assert problems({**result, "max_score": 17}) == ["unknown field 'max_score'"]
    json.dumps(result, allow_nan=False)


def test_the_class_report_counts_the_most_common_wrong_answer():
    wrong = records_for("relu_derivative", "def relu_derivative(x):\n    return (x >= 0).float()")
    right = records_for("relu_derivative", "def relu_derivative(x):\n    return (x > 0).float()")
    summary = summarize({"a": [wrong], "b": [right], "c": [right]}, {"a": 1.64, "b": 2, "c": 2})
    assert summary["common"] == [("relu_derivative(x = 0) = 1 (expected 0)", 1 / 3)]
    rates = {check: rate for _, check, rate in summary["pass_rates"]}
    assert rates["x = 0, float32"] == pytest.approx(2 / 3) and rates["0-d tensor"] == 1.0


@pytest.mark.slow
def test_the_pages_fixed_sentences():
    wrong = records_for("relu_derivative", "def relu_derivative(x):\n    return (x >= 0).float()")
    raising = records_for("relu", "def relu(x):\n    return x.nonexistent()")
    page = student_page("ben", "derivatives", [wrong, raising], 1.64, 17)
    assert (
        "<p><strong>Autograded score: 1.64 / 17</strong>. The reasoning of your written derivations is graded by "
        "hand.</p>"
    ) in page
    assert '<h2 class="fail">relu_derivative(x): 1.64 / 2 points</h2>' in page
    assert (
        "<tr><th>check</th><th>smallest failing input</th><th>expected</th><th>your code gave</th>"
        "<th>largest absolute error</th><th>largest relative error</th><th>tolerance</th></tr>"
    ) in page
    assert (
        '<p class="hint">Hint: Use PyTorch&#x27;s convention ReLU′(0) = 0: the derivative is 1 only where x &gt; 0.</p>'
    ) in page
    assert "<p>Where your code raised the error:</p><pre>" in page
    assert (
        "<td>all 9 checks</td><td>`relu(x)` raised AttributeError: &#x27;Tensor&#x27; object has no attribute "
        "&#x27;nonexistent&#x27; (on 9 of 9 checks).</td>"
    ) in page
