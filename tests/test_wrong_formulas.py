"""A wholly wrong formula earns nothing by coincidence; partial credit stays where it is deserved."""

from __future__ import annotations

import pytest
import torch

from autograder.audit.wrong_formulas import WRONG_FORMULAS
from autograder.authoring.exercises import EXERCISES, EXERCISES_BY_NAME
from autograder.judging.scoring import grade_function


def test_every_exercise_has_a_library_of_at_least_eight_wrong_formulas():
    assert set(WRONG_FORMULAS) == {exercise.name for exercise in EXERCISES}
    assert all(len(wrongs) >= 8 for wrongs in WRONG_FORMULAS.values())


@pytest.mark.slow
@pytest.mark.parametrize(
    "exercise_name, description, wrong",
    [(name, description, wrong) for name, wrongs in WRONG_FORMULAS.items() for description, wrong in wrongs],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_wrong_formula_earns_nothing_on_any_typical_case(exercise_name, description, wrong):
    result = grade_function(EXERCISES_BY_NAME[exercise_name], wrong)
    earned = {r.case.name: points for r, points in zip(result.cases, result.case_points) if r.case.group == "typical"}
    assert result.points == 0, f"{description} earned {result.points} of {result.max_points}: {earned}"
    assert not any(earned.values())
    # every typical case with more than one value catches it by itself, not only through the scoring rule
    assert all(not r.passed for r in result.cases if r.case.group == "typical" and not r.case.single_value), description


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.name)
def test_typical_values_stay_out_of_the_tail_where_wrong_formulas_agree(exercise):
    for case in exercise.cases:
        if case.group != "typical":
            continue
        size = exercise.reference(*case.args).abs()
        assert bool(((size == 0) | (size >= 0.05 * exercise.output_scale)).all()), case.name


def test_sigma_prime_is_judged_at_a_tolerance_scaled_to_its_outputs():
    sigmoid_prime, f = EXERCISES_BY_NAME["sigmoid_derivative"], EXERCISES_BY_NAME["f"]
    assert sigmoid_prime.tolerance(torch.float32).atol == pytest.approx(1e-5 * sigmoid_prime.output_scale, rel=0.05)
    assert sigmoid_prime.output_scale < 0.25
    assert f.tolerance(torch.float32).atol == 1e-5  # never loosened for large outputs


def test_the_sigma_prime_equals_sigma_case_from_the_issue_earns_nothing():
    result = grade_function(EXERCISES_BY_NAME["sigmoid_derivative"], torch.sigmoid)
    zero_d = next(r for r in result.cases if r.case.name == "0-d tensor")
    assert result.points == 0.0 and not zero_d.passed  # it drew x in σ's tail, where σ′ ≈ σ, and earned 0.33 of 3


@pytest.mark.parametrize(
    "exercise_name, right_but_for_an_edge",
    [
        ("relu_derivative", lambda x: (x >= 0).to(x.dtype)),  # 1 at x = 0: PyTorch says 0
        ("sigmoid_derivative", lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2),  # overflows at x = −1000
    ],
)
def test_right_on_typical_inputs_and_wrong_at_an_edge_keeps_the_typical_points(exercise_name, right_but_for_an_edge):
    exercise = EXERCISES_BY_NAME[exercise_name]
    result = grade_function(exercise, right_but_for_an_edge)
    typical = sum(1 for case in exercise.cases if case.group == "typical") / len(exercise.cases)
    assert all(r.passed for r in result.cases if r.case.group == "typical")
    assert exercise.points * typical <= result.points < exercise.points


def test_right_values_in_the_wrong_dtype_keep_the_single_value_case():
    """The rule takes no points from an honest mistake: right values always returned as float32 pass the float32
    cases of many values, so the (float32) 0-d case counts too."""
    exercise = EXERCISES_BY_NAME["sigmoid"]
    result = grade_function(exercise, lambda x: torch.sigmoid(x.float()))
    zero_d = next(points for r, points in zip(result.cases, result.case_points) if r.case.name == "0-d tensor")
    assert zero_d > 0 and any(r.check == "dtype" for r in result.cases)
