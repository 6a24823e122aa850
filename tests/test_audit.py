"""The audit: its mutant operators, its formula perturbations, and that it finds a weak exercise's survivor."""

from __future__ import annotations

import ast
import dataclasses

import pytest
import torch

from autograder.audit import Catch, FormulaOutcome, Kind, render_audit, run_audit
from autograder.audit.formula_mutants import FormulaPerturbation, judge_perturbation, perturbations
from autograder.audit.mutants import expression_mutants
from autograder.audit.rewrites import whole_function_mutants
from autograder.audit.solutions import in_place_of_the_solution, rebuilt_from_the_notebook, solutions_in
from autograder.audit.wrong_formulas import WRONG_FORMULAS
from autograder.authoring.equivalent_mutants import EQUIVALENT
from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.authoring.homework import DEFAULT, Homework
from autograder.authoring.inputs import interval
from autograder.formulas.answers import FORMULAS_BY_NAME
from autograder.judging.by_hand import by_hand_finding
from autograder.judging.definitions import Statement
from autograder.judging.definitions.statements import free_names
from autograder.judging.python_source import parse


def function(source: str) -> ast.FunctionDef:
    return parse(source).body[0]


def ids(source: str, kind: Kind | None = None) -> set[str]:
    return {m.id for m in expression_mutants("g", function(source)) if kind is None or m.kind is kind}


def defined(source: str, name: str, namespace: dict | None = None):
    namespace = {"torch": torch, **(namespace or {})}
    exec(source, namespace)
    return namespace[name]


# ---- expression operators ------------------------------------------------------------------------------------------


def test_operators_are_swapped_plus_for_minus_and_times_for_divided():
    assert ids("def g(x):\n    return 2 * x + 1\n", Kind.OPERATOR) == {
        "operator: 2 * x + 1 → 2 * x - 1",
        "operator: 2 * x → 2 / x",
    }
    assert ids("def g(x):\n    return x / 3 - 1\n", Kind.OPERATOR) == {
        "operator: x / 3 - 1 → x / 3 + 1",
        "operator: x / 3 → x * 3",
    }


def test_a_term_is_dropped_by_keeping_one_side_and_a_sign_by_keeping_the_operand():
    assert ids("def g(x):\n    return -(x + 1)\n", Kind.DROPPED) == {
        "dropped term: -(x + 1) → x + 1",
        "dropped term: x + 1 → x",
        "dropped term: x + 1 → 1",
    }


def test_a_constant_is_changed_in_context_and_zero_is_not_negated_or_doubled():
    assert ids("def g(x):\n    return 2 * x\n", Kind.CONSTANT) == {
        "constant: 2 * x → 3 * x",
        "constant: 2 * x → 4 * x",
        "constant: 2 * x → -2 * x",
        "constant: 2 * x → 0 * x",
    }
    assert ids("def g(x):\n    return (x > 0).float()\n", Kind.CONSTANT) == {"constant: x > 0 → x > 1"}


def test_a_small_constant_is_a_guard_and_is_also_made_too_large():
    assert "constant: eps = 1e-08 → eps = 1e-05" in ids(
        "def g(p):\n    eps = 1e-8\n    return torch.log(p + eps)\n", Kind.CONSTANT
    )


def test_comparisons_are_loosened_and_tightened():
    assert ids("def g(x):\n    return ((x > 0) & (x <= 1)).float()\n", Kind.COMPARISON) == {
        "comparison: x > 0 → x >= 0",
        "comparison: x <= 1 → x < 1",
    }


def test_the_unstable_forms_sigma_through_exp_and_guards_removed():
    found = ids(
        "def g(x, p):\n    return torch.sigmoid(x) + torch.log(torch.clamp(p, 1e-7, 1.0) + 1e-8)\n", Kind.UNSTABLE
    )
    assert found == {
        "unstable form: torch.sigmoid(x) → torch.exp(x) / (1 + torch.exp(x))",
        "unstable form: torch.clamp(p, 1e-07, 1.0) → p",
        "unstable form: torch.clamp(p, 1e-07, 1.0) + 1e-08 → torch.clamp(p, 1e-07, 1.0)",
    }
    written_out = ids("def g(x):\n    return 1 / (1 + torch.exp(-x))\n", Kind.UNSTABLE)
    assert written_out == {"unstable form: 1 / (1 + torch.exp(-x)) → torch.exp(x) / (1 + torch.exp(x))"}
    unstable = defined(
        next(
            m.source
            for m in expression_mutants("g", function("def g(x):\n    return torch.sigmoid(x)\n"))
            if m.kind is Kind.UNSTABLE
        ),
        "g",
    )
    assert torch.isnan(unstable(torch.tensor([1000.0]))).all()


def test_removing_an_eps_is_named_for_what_it_is_not_as_a_dropped_term():
    mutants = expression_mutants("g", function("def g(p):\n    eps = 1e-8\n    return torch.log(p + eps)\n"))
    removed = [m for m in mutants if m.source.endswith("return torch.log(p)")]
    assert [m.kind for m in removed] == [Kind.UNSTABLE]


def test_mutants_differ_from_the_original_and_from_each_other_and_show_their_change_as_a_diff():
    mutants = expression_mutants("g", function("def g(x):\n    return 1 * x + 0\n"))
    sources = [m.source for m in mutants]
    assert len(set(sources)) == len(sources) and mutants[0].original not in sources
    assert len({m.id for m in mutants}) == len(mutants)
    diff = next(m for m in mutants if m.id == "operator: 1 * x + 0 → 1 * x - 0").diff()
    assert "-    return 1 * x + 0\n+    return 1 * x - 0\n" in diff


# ---- whole-function rewrites ---------------------------------------------------------------------------------------


def test_in_place_returns_the_right_values_but_changes_the_input():
    exercise = EXERCISES_BY_NAME["relu_derivative"]
    mutant = next(
        m
        for m in whole_function_mutants(exercise, function("def relu_derivative(x):\n    return (x > 0).float()\n"))
        if m.kind is Kind.IN_PLACE
    )
    x = torch.tensor([-1.0, 2.0])
    assert torch.equal(defined(mutant.source, "relu_derivative")(x), torch.tensor([0.0, 1.0]))
    assert torch.equal(x, torch.tensor([-1.5, 3.0]))


def test_finite_differences_and_autograd_of_the_primal_are_right_and_read_as_machine_differentiation():
    exercise = EXERCISES_BY_NAME["sigmoid_derivative"]
    primal = "def sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n"
    solution = function("def sigmoid_derivative(x):\n    s = sigmoid(x)\n    return s * (1 - s)\n")
    mutants = [
        m for m in whole_function_mutants(exercise, solution) if m.kind in (Kind.FINITE_DIFFERENCE, Kind.AUTOGRAD)
    ]
    assert [m.id for m in mutants] == [
        "finite difference: central, h = 1e-06",
        "finite difference: forward, h = 1e-06",
        "autograd: torch.autograd.grad",
        "autograd: Tensor.backward",
    ]
    x = torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64)
    for mutant in mutants:
        derivative = defined(mutant.source, "sigmoid_derivative", {"sigmoid": defined(primal, "sigmoid")})
        assert torch.allclose(derivative(x), torch.sigmoid(x) * (1 - torch.sigmoid(x)), atol=1e-5), mutant.id
        finding = by_hand_finding(
            (Statement(0, 1, "import torch\n"), Statement(1, 1, primal), Statement(2, 1, mutant.source))
        )
        assert finding is not None and finding.machine, mutant.id


def test_no_machine_mutants_without_a_primal_or_for_a_function_that_is_not_by_hand():
    for name in ("f", "sigmoid"):
        kinds = {
            m.kind for m in whole_function_mutants(EXERCISES_BY_NAME[name], function(f"def {name}(x):\n    return x\n"))
        }
        assert not kinds & {Kind.FINITE_DIFFERENCE, Kind.AUTOGRAD}


@pytest.mark.parametrize("name", sorted(WRONG_FORMULAS))
def test_each_wrong_formula_becomes_a_definition_that_computes_what_its_lambda_does(name):
    exercise = EXERCISES_BY_NAME[name]
    solution = function(f"def {name}({', '.join(exercise.parameters)}):\n    return None\n")
    mutants = {m.id: m for m in whole_function_mutants(exercise, solution) if m.kind is Kind.WRONG_FORMULA}
    args = exercise.cases[0].args
    for description, wrong in WRONG_FORMULAS[name]:
        mutant = mutants[f"wrong formula: {description}"]
        assert "_sig" not in mutant.source and "_clamped" not in mutant.source
        got = defined(mutant.source, name)(*(a.clone() for a in args))
        assert torch.equal(got, wrong(*(a.clone() for a in args))), description


# ---- solutions in the master ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_mutant_in_place_of_the_solution_is_what_reading_the_notebook_again_gives(master):
    solutions, missing = solutions_in(DEFAULT, master)
    assert not missing and set(solutions) == DEFAULT.function_names
    checked = 0
    for solution in solutions.values():
        exercise, own_names = solution.exercise, free_names(solution.rebuilt.statements[solution.statement].source)
        mutants = expression_mutants(exercise.name, solution.function) + whole_function_mutants(
            exercise, solution.function
        )
        for mutant in {m.kind: m for m in mutants}.values():  # one of each kind
            if free_names(mutant.source) == own_names:  # the mutants `prepare` takes the quick way for
                quick = (in_place_of_the_solution(solution, mutant), solution.names)
                assert quick == rebuilt_from_the_notebook(solution, mutant), mutant.id
                checked += 1
    assert checked >= 2 * len(solutions)


# ---- formula perturbations -----------------------------------------------------------------------------------------


def test_formula_perturbations_of_each_kind():
    answer = dataclasses.replace(
        FORMULAS_BY_NAME["answer_bce_wrt_prediction"], solution=r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}"
    )
    found = {p.id for p in perturbations(answer)}
    assert r"number: \frac{\hat{y} - y}{\hat{y}(2 - \hat{y})}" in found
    assert r"sign: \frac{\hat{y} + y}{\hat{y}(1 - \hat{y})}" in found
    assert r"dropped term: \frac{\hat{y} - y}{\hat{y}(1 )}" in found
    assert r"ŷ and y swapped: \frac{y - \hat{y}}{y(1 - y)}" in found
    sigma = {p.id for p in perturbations(FORMULAS_BY_NAME["answer_sigmoid_prime"])}
    assert r"σ for 1 − σ: (1 - \sigma(x))\,(1 - \sigma(x))" in sigma
    relu = {p.id for p in perturbations(FORMULAS_BY_NAME["answer_relu_prime"])}
    assert r"inequality: \begin{cases} 1 & x \ge 0 \\ 0 & x \le 0 \end{cases}" in relu


@pytest.mark.slow
def test_a_perturbation_is_caught_equivalent_unreadable_or_a_survivor():
    answer = FORMULAS_BY_NAME["answer_f_prime"]

    def verdict(text: str, on=answer):
        return judge_perturbation(on, FormulaPerturbation(on.name, text, text, on.solution)).outcome

    assert verdict("9x^2 + 4x + 5") is FormulaOutcome.CAUGHT
    assert verdict("5 - 4x + 9x^2") is FormulaOutcome.EQUIVALENT
    assert verdict(r"\frac{9x^2") is FormulaOutcome.UNREADABLE
    one_point = dataclasses.replace(answer, samples={"x": (1,)})  # 4x² + x + 5 is 10 at x = 1, as f′ is
    assert verdict("4x^2 + x + 5", on=one_point) is FormulaOutcome.SURVIVED


# ---- the audit, through the sandbox --------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_weak_exercise_lets_a_wrong_mutant_survive_and_the_real_one_catches_it(master):
    real = EXERCISES_BY_NAME["relu_derivative"]
    # typical x > 0 only: ReLU′ ≡ 1 looks right
    weak = dataclasses.replace(real, samplers=(interval(0.5, 5),), edges=())
    always_one = "wrong formula: ReLU′ = 1 everywhere"

    weak_report = run_audit(Homework((weak,), ()), master, jobs=1, progress=False)
    survivor = next(r for r in weak_report.survivors if r.mutant.id == always_one)
    assert survivor.points == weak.points and survivor.caught_by.how is Catch.NOTHING
    shown = render_audit(weak_report)
    assert f"relu_derivative: {always_one}" in shown and "+    return torch.ones_like(x)" in shown
    assert "-    return (x > 0).float()" in shown

    real_report = run_audit(Homework((real,), ()), master, jobs=1, progress=False)
    caught = next(r for r in real_report.mutants if r.mutant.id == always_one)
    assert caught.points == 0 and not caught.survivor and caught.caught_by.how is Catch.CASE
    assert not real_report.survivors and all(s.earns_every_point for s in real_report.solutions)


@pytest.mark.slow
def test_a_mutant_whose_process_is_stopped_even_alone_is_not_judged_never_counted_as_caught(master, monkeypatch):
    from autograder.audit import run as audit_run
    from autograder.sandbox import SandboxRun

    class DeadSandbox:  # every run stopped, as a sandbox whose host died would be
        runs = 0

        def run(self, cells, jobs):
            DeadSandbox.runs += 1
            return SandboxRun(fault="the sandbox stopped")

    monkeypatch.setattr(audit_run, "warm_sandbox", lambda limits: DeadSandbox())
    report = run_audit(Homework((EXERCISES_BY_NAME["relu"],), ()), master, jobs=1, progress=False)
    assert report.mutants and all(not r.judged for r in report.mutants) and not report.passed
    assert DeadSandbox.runs > len(report.mutants)  # each was tried once more, alone
    assert "NOT JUDGED: stopped even when run alone" in render_audit(report)


@pytest.mark.slow
def test_the_shipped_homework_has_no_undocumented_survivor_and_no_stale_equivalent(master):
    report = run_audit(DEFAULT, master, progress=False)
    assert not report.unaudited and not report.broken_solutions
    assert [(r.mutant.exercise, r.mutant.id) for r in report.mutants if r.survivor] == []
    assert [r.perturbation.id for r in report.formulas if r.survivor] == []
    assert report.stale_equivalents == ()
    assert {(r.mutant.exercise, r.mutant.id) for r in report.mutants if r.equivalent} == set(EQUIVALENT)
    machine = [r for r in report.mutants if r.mutant.kind in (Kind.FINITE_DIFFERENCE, Kind.AUTOGRAD)]
    assert machine and all(r.caught_by.how is Catch.POLICY and r.points == 0 for r in machine)
    assert f"audited {len(report.mutants)} mutants of {len(DEFAULT.exercises)} exercises in" in render_audit(report)
