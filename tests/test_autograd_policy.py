"""The static half of the autograd policy: what it flags, what it leaves alone, in its own words."""
from __future__ import annotations

import pytest

from autograder.autograd_policy import autograd_evidence

HONEST = "def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)"


@pytest.mark.parametrize("cells, evidence", [
    (["def sigmoid_derivative(x):\n    x.requires_grad_()\n    torch.sigmoid(x).sum().backward()\n    return x.grad"],
     "`.requires_grad_` on line 2 of its cell"),
    (["from torch.autograd import grad as g", "def sigmoid_derivative(x):\n    return g(torch.sigmoid(x).sum(), x)[0]"],
     "`g` (imported from autograd) on line 2 of its cell"),
    (["def sigmoid_derivative(x):\n    return getattr(x, 'back' + 'ward')()"], "`getattr()` on line 2 of its cell"),
    (["def sigmoid_derivative(x):\n    return __import__('torch').sigmoid(x)"], "`__import__()` on line 2 of its cell"),
    (["def helper(x):\n    return torch.func.grad(torch.sigmoid)(x)", "def sigmoid_derivative(x):\n    return helper(x)"],
     "`helper`, which it calls, uses `.func` on line 2 of its cell"),
    (["def sigmoid_derivative(x):\n    return torch.tensor(1.0, requires_grad=True) * x"], "`requires_grad=` on line 2 of its cell"),
    (["torch.Tensor.slope = torch.Tensor.backward", HONEST],
     "the notebook uses an assignment of autograd onto torch on line 1 of its cell, which can hide what a function calls"),
    (["real = torch.autograd.grad.__closure__", HONEST],
     "the notebook uses `.__closure__` on line 1 of its cell, which can hide what a function calls"),
], ids=["backward", "imported grad", "computed getattr", "__import__", "through a helper", "requires_grad keyword",
        "assignment onto torch", "function internals"])
def test_autograd_reached_from_a_by_hand_function_is_named(cells, evidence):
    assert autograd_evidence(cells, ["sigmoid_derivative"]) == {"sigmoid_derivative": evidence}


@pytest.mark.parametrize("cells", [
    [HONEST],
    [HONEST, "x = torch.ones(3, requires_grad=True)\ntorch.sigmoid(x).sum().backward()\nprint(x.grad)"],
    [HONEST, "exec('print(1)')\nimport sys\nsys.modules.get('os')"],
    [HONEST, "torch.allclose = lambda *args, **kwargs: True"],
    ['def sigmoid_derivative(x):\n    """No autograd or backward here."""\n    s = torch.sigmoid(x)\n    return s * (1 - s)'],
    ["%matplotlib inline\n" + HONEST],
], ids=["plain", "autograd used to check the answer elsewhere", "dynamic code elsewhere", "monkeypatching torch outside autograd", "a docstring that mentions autograd", "IPython magic"])
def test_honest_code_is_left_alone(cells):
    assert autograd_evidence(cells, ["sigmoid_derivative"]) == {}
