"""The by-hand policy read from source: what it finds, what it leaves alone, and that the attacks are real.

The same tables go through both grading paths in test_by_hand_grading.py.
"""

from __future__ import annotations

import sys
import warnings

import nbformat
import pytest
import torch

from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.authoring.synthetic import solutions_of, with_functions
from autograder.judging.by_hand import by_hand_finding
from autograder.judging.by_hand.allowlist import BUILTINS, MODULES, TENSOR
from autograder.judging.definitions import Rebuilt, read_definitions
from autograder.judging.scoring import grade_function
from autograder.sandbox.protocol import COMPLEX_NUMBERS
from autograder.sandbox.run_calls import Autograd

from .by_hand_cases import ATTACKS, HONEST, MACHINE, PERSON
from .conftest import ROOT

DECIDED_WHEN_CALLED = {
    "complex_step_without_a_complex_literal": "a power with a fractional or computed exponent, `(-1.0) ** 0.5`",
    "match_patterns_reach_a_backward_kernel": "a `match` statement",
    "match_patterns_switch_on_autograd": "a `match` statement",
    "comprehension_variable_shadows_getattr": "`getattr`",
    "requires_grad_in_a_keyword_dict": "keywords passed as `**",
}
"""its source alone sends it to a person; what its process reports when called (a complex tensor, a backward kernel,
a tensor that records gradients) makes it 0"""


def program(name: str, source: str) -> list[tuple[int, str]]:
    solutions = solutions_of(nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4))
    cells = with_functions({k: v for k, v in solutions.items() if k.startswith("impl_")}, {name: source})
    return [(0, "import torch")] + [(index + 1, cell) for index, cell in enumerate(cells.values())]


def verdict(name: str, source: str) -> tuple[str | None, str]:
    """(MACHINE, PERSON or None for all allowed, the sentence's evidence) as the trusted parent decides it."""
    found = read_definitions(program(name, source), [name])[0][name]
    if not isinstance(found, Rebuilt):
        return PERSON, f"could not be rebuilt: {found.reason}"
    finding = by_hand_finding(found.statements)
    if finding is None:
        return None, ""
    return (MACHINE, f"{finding.machine}: {finding.where}") if finding.machine else (PERSON, finding.where)


def graded_in_process(name: str, source: str):
    """What the function earns with no policy at all: the grader's checks alone."""
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, cell in program(name, source):
            exec(cell, namespace)
        return grade_function(EXERCISES_BY_NAME[name], namespace.get(name))


def test_every_attack_and_honest_style_has_a_name_of_its_own():
    assert len({a[0] for a in ATTACKS} | {h[0] for h in HONEST}) == len(ATTACKS) + len(HONEST)


@pytest.mark.slow
@pytest.mark.parametrize("attack_id, name, source, outcome, why", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_an_attack_is_real_without_the_policy(attack_id, name, source, outcome, why, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    torch_names, modules = set(vars(torch)), set(sys.modules)
    try:
        assert graded_in_process(name, source).points > 0
    finally:  # what the attack planted (torch.slope, a module it wrote) must not reach the next test
        for planted in set(vars(torch)) - torch_names:
            delattr(torch, planted)
        for module in set(sys.modules) - modules:
            if module.startswith("by_hand_helper"):
                del sys.modules[module]


@pytest.mark.slow
@pytest.mark.parametrize("attack_id, name, source, outcome, why", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_an_attack_is_found_in_its_source(attack_id, name, source, outcome, why):
    found, evidence = verdict(name, source)
    if attack_id in DECIDED_WHEN_CALLED:
        assert found == PERSON and DECIDED_WHEN_CALLED[attack_id] in evidence, evidence
    else:
        assert found == outcome and why in evidence, evidence


@pytest.mark.slow
@pytest.mark.parametrize("honest_id, name, source", HONEST, ids=[h[0] for h in HONEST])
def test_honest_code_passes_the_policy_and_every_check(honest_id, name, source):
    assert verdict(name, source) == (None, "")
    result = graded_in_process(name, source)
    assert result.points == result.max_points, [f.message for f in result.failures]


@pytest.mark.parametrize(
    "attack_id, reported",
    [
        ("complex_step_without_a_complex_literal", {COMPLEX_NUMBERS}),
        ("match_patterns_reach_a_backward_kernel", {"the backward kernel sigmoid_backward"}),
        ("match_patterns_switch_on_autograd", {"a tensor that records gradients"}),
        ("comprehension_variable_shadows_getattr", {"the backward kernel sigmoid_backward"}),
        ("requires_grad_in_a_keyword_dict", {"a tensor that records gradients"}),
    ],
)
def test_what_its_process_reports_when_called(attack_id, reported):
    name, source = next((a[1], a[2]) for a in ATTACKS if a[0] == attack_id)
    namespace: dict = {}
    for _, cell in program(name, source):
        exec(cell, namespace)
    recorder = Autograd()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recorder.watched(namespace[name])(torch.linspace(-3, 3, 7))
    assert recorder.used == reported


def test_honest_code_reports_nothing_when_called():
    recorder = Autograd()
    recorder.watched(lambda x: torch.where(x > 0, torch.sigmoid(x) * (1 - torch.sigmoid(x)), x.double().exp().float()))(
        torch.linspace(-3, 3, 7)
    )
    assert recorder.used == set()


def find(*cells: str) -> tuple[str | None, str]:
    found = read_definitions(
        [(index, cell) for index, cell in enumerate(("import torch",) + cells)], ["sigmoid_derivative"]
    )[0]
    finding = by_hand_finding(found["sigmoid_derivative"].statements)
    return (None, "") if finding is None else (finding.machine, finding.where)


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["def sigmoid_derivative(x):\n    grad = torch.sigmoid(x)\n    return grad * (1 - grad)"], (None, "")),
        (
            ["def sigmoid_derivative(x):\n    grad = torch.sigmoid(x)\n    return grad.numpy()"],
            (None, "`grad.numpy` on line 3 of cell 2"),
        ),
        (
            ["def sigmoid_derivative(torch):\n    return torch.autograd"],
            ("autograd", "`torch.autograd` on line 2 of cell 2"),
        ),
        (["from torch import *\ndef sigmoid_derivative(x):\n    return sigmoid(x) * (1 - sigmoid(x))"], (None, "")),
        (
            ["from torch import *\ndef sigmoid_derivative(x):\n    return autograd.grad(sigmoid(x).sum(), x)[0]"],
            ("autograd", "`autograd.grad` on line 3 of cell 2"),
        ),
        (["def sigmoid_derivative(x):\n    return torch.sigmoid(x) + float('nan') * 0 + float(1e-8) * 0"], (None, "")),
        (
            ["def sigmoid_derivative(x):\n    return torch.full_like(x, float(x.sum()))"],
            (None, "`float(x.sum())` on a computed value on line 2 of cell 2"),
        ),
        (
            ["import math\ndef sigmoid_derivative(x):\n    m = math\n    return x * m.pi"],
            (None, "the module `math` as a value on line 3 of cell 2"),
        ),
        (
            ["def sigmoid_derivative(x):\n    torch.exp = torch.sigmoid\n    return x"],
            (None, "an assignment to `torch.exp` on line 2 of cell 2"),
        ),
        (
            ["class Tape:\n    def slope(self, x):\n        return x.grad\nsigmoid_derivative = Tape().slope"],
            ("autograd", "`x.grad` on line 3 of cell 2"),
        ),
        (["def sigmoid_derivative(x):\n    return x.__class__"], (None, "`x.__class__` on line 2 of cell 2")),
        (["def sigmoid_derivative(x):\n    return x.real"], (None, "`x.real` on line 2 of cell 2")),
        (
            ["def sigmoid_derivative(x):\n    return x.to(torch.complex64).imag"],
            ("complex-step differentiation", "`x.to(torch.complex64).imag` on line 2 of cell 2"),
        ),
        (
            [
                "from torch.autograd import grad as g\ndef sigmoid_derivative(x):\n    return "
                "g(torch.sigmoid(x).sum(), x)[0]"
            ],
            ("autograd", "`from torch.autograd import grad` on line 1 of cell 2"),
        ),
        (["def sigmoid_derivative(x):\n    return torch.exp(x) - torch.exp(-x)"], (None, "")),
        (
            ["def sigmoid_derivative(x):\n    s = torch.sigmoid\n    return s(x) - s(x + 1e-6)"],
            ("finite differences", "`s(x) - s(x + 1e-06)` on line 3 of cell 2"),
        ),
        (
            ["def sigmoid_derivative(x):\n    text = f'{x.sum()}'\n    return x * len(text)"],
            (None, "a formatted string of `x.sum()` on line 2 of cell 2"),
        ),
        (
            ["def sigmoid_derivative(x):\n    return x * len('%s' % x)"],
            (None, "a formatted string, `'%s' % x` on line 2 of cell 2"),
        ),
        (
            [
                "def sigmoid_derivative(x):\n    if x.dim() > 2:\n        raise ValueError(f'{x.shape} is too "
                "deep')\n    print(f'{x}')\n    return torch.sigmoid(x) * (1 - torch.sigmoid(x))"
            ],
            (None, ""),
        ),
        (
            [
                "import torch, numpy as np, sympy\ndef sigmoid_derivative(x):\n    return torch.sigmoid(x) * (1 - "
                "torch.sigmoid(x))"
            ],
            (None, ""),
        ),
        (
            ["import torch, numpy as np\ndef sigmoid_derivative(x):\n    return torch.from_numpy(np.ones(3))"],
            (None, "`import numpy` on line 1 of cell 2"),
        ),
        (
            ["def sigmoid_derivative(x):\n    return torch.sigmoid(x + 0.5) * torch.sigmoid(x)"],
            (
                None,
                "`torch.sigmoid` at two different inputs, `torch.sigmoid(x + 0.5)` and `torch.sigmoid(x)`, on line 2 "
                "of cell 2",
            ),
        ),
        (
            [
                "def sigmoid_derivative(x):\n    import math\n    if x.dim() > 9:\n        math = 0\n    return x * "
                "math.pi"
            ],
            (None, "`math`, bound both to a module and to a value on line 4 of cell 2"),
        ),
    ],
    ids=[
        "a local named grad",
        "an unknown attribute of a local named grad",
        "a parameter named torch",
        "star import",
        "star import of autograd",
        "float of a constant",
        "float of a tensor",
        "a module as a value",
        "assignment onto torch",
        "autograd inside a class",
        "dunder attribute",
        "real part",
        "complex dtype",
        "imported autograd",
        "a difference of two honest terms",
        "a difference of shifted calls",
        "a formatted value",
        "percent formatting",
        "messages may be formatted",
        "an import line that also imports what it never reads",
        "an import line whose other module it reads",
        "one torch function at an input and a step away",
        "a name bound to a module and a value",
    ],
)
def test_what_the_reading_finds_and_where(cells, expected):
    assert find(*cells) == expected


def test_every_allowlist_entry_has_a_reason():
    tables = [TENSOR, BUILTINS, *MODULES.values()]
    assert all(reason.strip() and name.isidentifier() for table in tables for name, reason in table.items())
    assert not {"grad", "backward", "autograd", "imag", "getattr", "eval", "exec", "__import__"} & set().union(*tables)


def test_the_design_document_shows_both_tables():
    document = (ROOT / "docs" / "trusted-grading.md").read_text()
    assert [a[0] for a in ATTACKS if f"| `{a[0]}` | `{a[1]}` |" not in document] == []
    assert [h[0] for h in HONEST if f"| `{h[0]}` | `{h[1]}` |" not in document] == []


def test_the_chain_rule_across_functions_is_a_formula():
    cells = [
        "import torch",
        "def sigmoid(x):\n    return torch.sigmoid(x)\ndef sigmoid_derivative(x):\n    return "
        "sigmoid(x) * (1 - sigmoid(x))",
        "def bce_derivative(p, y):\n    return (p - y) / (p * (1 - p))\n"
        "def bce_logit_derivative(z, y):\n    return bce_derivative(sigmoid(z), y) * sigmoid_derivative(z)",
    ]
    found = read_definitions(list(enumerate(cells)), ["bce_logit_derivative"])[0]["bce_logit_derivative"]
    assert by_hand_finding(found.statements) is None


@pytest.mark.slow
def test_code_too_repetitive_to_compare_in_time_goes_to_a_person():
    values = "a = (" + "1, " * 2000 + ")\nb = (" + "a, " * 500 + ")\n"
    source = (
        "def sigmoid_derivative(x):\n    "
        + values.replace("\n", "\n    ")
        + ("return torch.exp(b) + torch.exp(b) + torch.exp(b) - torch.exp(b)")
    )
    found = read_definitions([(0, "import torch"), (1, source)], ["sigmoid_derivative"])[0]["sigmoid_derivative"]
    finding = by_hand_finding(found.statements)
    assert (finding.machine, finding.construct) == (None, "more code than the grader compares in the time it has")


def test_a_fault_of_the_reading_is_logged_and_sent_to_a_person(monkeypatch, caplog):
    def broken(self, node):
        raise KeyError("a bug of ours")

    monkeypatch.setattr("autograder.judging.by_hand.reading.Reader.visit_Call", broken)
    found = read_definitions(
        [(0, "import torch\ndef sigmoid_derivative(x):\n    return torch.sigmoid(x)")], ["sigmoid_derivative"]
    )[0]
    finding = by_hand_finding(found["sigmoid_derivative"].statements)
    assert (finding.machine, finding.where) == (
        None,
        "code the grader failed to read (its error is in the grader's log) on line 2 of cell 1",
    )
    assert "KeyError: 'a bug of ours'" in caplog.text


@pytest.mark.parametrize(
    "terms, expected",
    [
        (500, "code nested more deeply than the grader reads on line 2 of cell 1"),
        (
            3000,
            "could not be rebuilt: cell 1 is nested more deeply than the grader can read, so what it defines is only "
            "known at run time",
        ),
    ],
)
def test_code_nested_too_deeply_to_read_goes_to_a_person_not_to_a_grader_fault(terms, expected):
    source = "import torch\ndef sigmoid_derivative(x):\n    return torch.sigmoid(x)" + " + x" * terms
    found = read_definitions([(0, source)], ["sigmoid_derivative"])[0]["sigmoid_derivative"]
    if isinstance(found, Rebuilt):
        finding = by_hand_finding(found.statements)
        assert finding is not None and finding.machine is None and finding.where == expected
    else:
        assert f"could not be rebuilt: {found.reason}" == expected
