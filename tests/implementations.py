"""Student implementations, written as students write them: known-wrong mutants and correct variants.

Each is plain source, so the same text can be graded in-process, in a notebook, or in a sandbox.
"""

from __future__ import annotations

import torch  # noqa: F401  (the sources below run in a namespace with torch)

# (id, function name, source, the check kinds that must fail, the case groups that must fail)
MUTANTS = [
    (
        "sigmoid_prime_is_sigmoid",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return torch.sigmoid(x)",
        {"value"},
        {"typical", "edge"},
    ),
    (
        "relu_prime_one_at_zero",
        "relu_derivative",
        "def relu_derivative(x):\n    return (x >= 0).float()",
        {"value"},
        {"edge"},
    ),
    (
        "bce_sign_flipped",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return y / y_pred - (1 - y) / (1 - y_pred)",
        {"value"},
        {"typical", "edge"},
    ),
    (
        "bce_prime_wrt_logit",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return y_pred - y",
        {"value"},
        {"typical", "edge"},
    ),
    ("f_prime_missing_constant", "f_prime", "def f_prime(x):\n    return 9*x**2 - 4*x", {"value"}, {"typical", "edge"}),
    (
        "sigmoid_prime_naive_exp",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x))**2",
        {"finite"},
        {"edge"},
    ),
    (
        "relu_prime_mutates_input",
        "relu_derivative",
        "def relu_derivative(x):\n    x[x <= 0] = 0\n    x[x > 0] = 1\n    return x",
        {"mutation"},
        {"typical", "edge"},
    ),
    (
        "scalar_for_a_batch",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return ((y_pred - y) / (y_pred * (1 - y_pred))).mean()",
        {"shape"},
        {"typical", "edge"},
    ),
    (
        "python_float_returned",
        "f_prime",
        "def f_prime(x):\n    return float((9*x**2 - 4*x + 5).sum())",
        {"type"},
        {"typical", "edge"},
    ),
    (
        "nan_output",
        "relu_derivative",
        "def relu_derivative(x):\n    return torch.full_like(x, float('nan'))",
        {"finite"},
        {"typical", "edge"},
    ),
    (
        "finite_differences",
        "f_prime",
        "def f_prime(x):\n    h = 1e-4\n    f = lambda t: 3*t**3 - 2*t**2 + 5*t - 4\n    return (f(x + h) - f(x - h)) "
        "/ (2 * h)",
        {"value"},
        {"typical"},
    ),
    (
        "finite_differences_relu",
        "relu_derivative",
        "def relu_derivative(x):\n    h = 1e-4\n    return (torch.relu(x + h) - torch.relu(x - h)) / (2 * h)",
        {"value"},
        {"edge"},
    ),
    (
        "sigmoid_prime_missing_square",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x))",
        {"value", "finite"},
        {"typical", "edge"},
    ),
    ("f_prime_is_f", "f_prime", "def f_prime(x):\n    return 3*x**3 - 2*x**2 + 5*x - 4", {"value"}, {"typical"}),
    (
        "bce_logit_sign_flipped",
        "bce_logit_derivative",
        "def bce_logit_derivative(z, y):\n    return y - torch.sigmoid(z)",
        {"value"},
        {"typical"},
    ),
    (
        "bce_loss_without_minus",
        "binary_cross_entropy",
        "def binary_cross_entropy(y_pred, y):\n    return y * torch.log(y_pred) + (1 - y) * torch.log(1 - y_pred)",
        {"value"},
        {"typical"},
    ),
    ("relu_returns_bool", "relu_derivative", "def relu_derivative(x):\n    return x > 0", {"dtype"}, {"typical"}),
    (
        "sigmoid_float32_for_float64",
        "sigmoid",
        "def sigmoid(x):\n    return torch.sigmoid(x.float())",
        {"dtype"},
        {"typical"},
    ),
    ("raises", "sigmoid", "def sigmoid(x):\n    raise NotImplementedError()", {"raised"}, {"typical", "edge"}),
    (
        "tensor_subclass",
        "relu",
        "class Liar(torch.Tensor):\n    pass\n\ndef relu(x):\n    return torch.relu(x).as_subclass(Liar)",
        {"type"},
        {"typical"},
    ),
]

# (id, function name, source): each is right and must earn every point.
VARIANTS = [
    ("relu_prime_where", "relu_derivative", "def relu_derivative(x):\n    return torch.where(x > 0, 1.0, 0.0)"),
    (
        "relu_prime_heaviside",
        "relu_derivative",
        "def relu_derivative(x):\n    return torch.heaviside(x, torch.zeros_like(x))",
    ),
    ("relu_prime_gt_to_dtype", "relu_derivative", "def relu_derivative(x):\n    return (x > 0).to(x.dtype)"),
    (
        "sigmoid_prime_torch_sigmoid",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)",
    ),
    (
        "sigmoid_prime_tanh",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return 0.25 * (1 - torch.tanh(x / 2) ** 2)",
    ),
    (
        "bce_prime_one_fraction",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return (y_pred - y) / (y_pred * (1 - y_pred))",
    ),
    (
        "bce_prime_clamped",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    p = y_pred.clamp(1e-7, 1 - 1e-7)\n    return -y / p + (1 - y) / (1 - p)",
    ),
    (
        "bce_torch_functional",
        "binary_cross_entropy",
        "def binary_cross_entropy(y_pred, y):\n    return torch.nn.functional.binary_cross_entropy(y_pred, y, "
        "reduction='none')",
    ),
    ("f_prime_horner", "f_prime", "def f_prime(x):\n    return (9 * x - 4) * x + 5"),
    ("f_horner", "f", "def f(x):\n    return ((3 * x - 2) * x + 5) * x - 4"),
    ("relu_clamp", "relu", "def relu(x):\n    return x.clamp(min=0)"),
    ("sigmoid_exp_form", "sigmoid", "def sigmoid(x):\n    return torch.exp(-torch.logaddexp(torch.zeros_like(x), -x))"),
    ("bce_logit_sigmoid", "bce_logit_derivative", "def bce_logit_derivative(z, y):\n    return torch.sigmoid(z) - y"),
    (
        "bce_logit_naive",
        "bce_logit_derivative",
        "def bce_logit_derivative(z, y):\n    return 1 / (1 + torch.exp(-z)) - y",
    ),
]


def define(source: str, name: str):
    namespace: dict = {"torch": torch}
    exec(source, namespace)
    return namespace[name]
