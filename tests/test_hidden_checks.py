"""The hidden tests, tested: known-wrong code loses points, correct code in any form keeps them."""

from __future__ import annotations

import pytest

from autograder.authoring.exercises import EXERCISES, EXERCISES_BY_NAME
from autograder.judging.scoring import grade_function

from .implementations import MUTANTS, VARIANTS, define


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_the_seed_solution_earns_every_point(exercise, seed_namespace):
    result = grade_function(exercise, seed_namespace[exercise.name])
    assert [r.message for r in result.failures] == []
    assert result.points == exercise.points


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_a_missing_function_earns_nothing(exercise):
    assert grade_function(exercise, None).points == 0


@pytest.mark.parametrize("case_id, name, source, checks, groups", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_a_known_wrong_implementation_loses_points(case_id, name, source, checks, groups):
    exercise = EXERCISES_BY_NAME[name]
    result = grade_function(exercise, define(source, name))
    assert result.points < exercise.points
    assert {r.check for r in result.failures} == checks
    assert {r.case.group for r in result.failures} >= groups


@pytest.mark.parametrize("case_id, name, source", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_a_correct_implementation_written_differently_earns_every_point(case_id, name, source):
    exercise = EXERCISES_BY_NAME[name]
    result = grade_function(exercise, define(source, name))
    assert [r.message for r in result.failures] == []
    assert result.points == exercise.points


def test_right_on_typical_inputs_but_wrong_at_the_edge_keeps_partial_credit():
    exercise = EXERCISES_BY_NAME["relu_derivative"]
    result = grade_function(exercise, define("def relu_derivative(x):\n    return (x >= 0).float()", "relu_derivative"))
    failed = [r.case.name for r in result.failures]
    assert failed == ["x = 0, float32", "x = 0, float64"]
    assert result.points == round(2 * (len(result.cases) - 2) / len(result.cases), 2)


def test_edge_cases_earn_nothing_until_the_typical_cases_pass():
    exercise = EXERCISES_BY_NAME["sigmoid_derivative"]
    result = grade_function(
        exercise, define("def sigmoid_derivative(x):\n    return torch.zeros_like(x)", "sigmoid_derivative")
    )
    assert [r.case.group for r in result.cases if r.passed] == ["edge", "edge"]  # σ′ ≈ 0 for |x| ≥ 30 in float32
    assert result.points == 0


def test_every_exercise_covers_both_dtypes_and_0d_1d_2d_shapes():
    for exercise in EXERCISES:
        shapes = {tuple(c.args[0].shape).__len__() for c in exercise.cases}
        dtypes = {str(c.args[0].dtype) for c in exercise.cases}
        assert shapes >= {0, 1, 2} and dtypes == {"torch.float32", "torch.float64"}, exercise.name


def test_inputs_are_the_same_on_every_run():
    first = [c.args[0].tolist() for c in EXERCISES_BY_NAME["sigmoid"].cases]
    from autograder.authoring.inputs import build_cases

    sigmoid = EXERCISES_BY_NAME["sigmoid"]
    again = build_cases("sigmoid", sigmoid.samplers, sigmoid.edges, keep=sigmoid.away_from_the_tail)
    assert [c.args[0].tolist() for c in again] == first
