"""Wholly wrong answers students actually give, per exercise: each must earn 0 on every typical case.

The grader's tests prove it (tests/test_wrong_formulas.py). Each is written the way a student would, in torch,
on the tensors the function is given.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

WrongFormula = tuple[str, Callable[..., torch.Tensor]]


def _sig(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x)


def _clamped(y_pred: torch.Tensor) -> torch.Tensor:
    return y_pred.clamp(1e-7, 1 - 1e-7)


WRONG_FORMULAS: dict[str, tuple[WrongFormula, ...]] = {
    "f": (
        ("3x³ + 2x² + 5x − 4 (sign of x²)", lambda x: 3 * x**3 + 2 * x**2 + 5 * x - 4),
        ("3x³ − 2x² + 5x (no constant)", lambda x: 3 * x**3 - 2 * x**2 + 5 * x),
        ("3x³ − 2x² + 5x + 4 (sign of the constant)", lambda x: 3 * x**3 - 2 * x**2 + 5 * x + 4),
        ("3x² − 2x² + 5x − 4 (x² for x³)", lambda x: 3 * x**2 - 2 * x**2 + 5 * x - 4),
        ("f′ instead of f", lambda x: 9 * x**2 - 4 * x + 5),
        ("x³ − 2x² + 5x − 4 (coefficient 1)", lambda x: x**3 - 2 * x**2 + 5 * x - 4),
        ("3x³ − 2x + 5x − 4 (x for x²)", lambda x: 3 * x**3 - 2 * x + 5 * x - 4),
        ("3x³ − 2x² − 5x − 4 (sign of 5x)", lambda x: 3 * x**3 - 2 * x**2 - 5 * x - 4),
        ("(3x)³ − (2x)² + 5x − 4", lambda x: (3 * x) ** 3 - (2 * x) ** 2 + 5 * x - 4),
    ),
    "f_prime": (
        ("9x² − 4x (without the constant 5)", lambda x: 9 * x**2 - 4 * x),
        ("f′ = f", lambda x: 3 * x**3 - 2 * x**2 + 5 * x - 4),
        ("3x² − 2x + 5 (exponents not brought down)", lambda x: 3 * x**2 - 2 * x + 5),
        ("9x² + 4x + 5 (sign of 4x)", lambda x: 9 * x**2 + 4 * x + 5),
        ("9x² − 4x + 5 − 4 (constant kept)", lambda x: 9 * x**2 - 4 * x + 1),
        ("9x³ − 4x² + 5x (powers kept)", lambda x: 9 * x**3 - 4 * x**2 + 5 * x),
        ("18x − 4 (second derivative)", lambda x: 18 * x - 4),
        ("9x² − 2x + 5 (x² term not doubled)", lambda x: 9 * x**2 - 2 * x + 5),
        ("6x² − 4x + 5 (3·2 for 3·3)", lambda x: 6 * x**2 - 4 * x + 5),
    ),
    "sigmoid": (
        ("1/(1 + eˣ) (sign of the exponent)", lambda x: 1 / (1 + torch.exp(x))),
        ("eˣ", lambda x: torch.exp(x)),
        ("1/(1 − e⁻ˣ)", lambda x: 1 / (1 - torch.exp(-x))),
        ("σ′ instead of σ", lambda x: _sig(x) * (1 - _sig(x))),
        ("tanh", lambda x: torch.tanh(x)),
        ("1 − σ", lambda x: 1 - _sig(x)),
        ("e⁻ˣ/(1 + e⁻ˣ)", lambda x: torch.exp(-x) / (1 + torch.exp(-x))),
        ("1/(1 + e⁻²ˣ)", lambda x: 1 / (1 + torch.exp(-2 * x))),
        ("ReLU", lambda x: torch.relu(x)),
    ),
    "sigmoid_derivative": (
        ("σ′ = σ", lambda x: _sig(x)),
        ("σ′ = 1 − σ", lambda x: 1 - _sig(x)),
        ("σ′ = σ(1 + σ)", lambda x: _sig(x) * (1 + _sig(x))),
        ("σ′ = σ²", lambda x: _sig(x) ** 2),
        ("σ′ = −σ(1 − σ)", lambda x: -_sig(x) * (1 - _sig(x))),
        ("σ′ = e⁻ˣ", lambda x: torch.exp(-x)),
        ("σ′ = x(1 − x)", lambda x: x * (1 - x)),
        ("σ′ = 1 − σ²", lambda x: 1 - _sig(x) ** 2),
        ("σ′ = eˣ/(1 + eˣ)", lambda x: torch.exp(x) / (1 + torch.exp(x))),
    ),
    "relu": (
        ("identity", lambda x: x.clone()),
        ("|x|", lambda x: x.abs()),
        ("max(x, 1)", lambda x: torch.clamp(x, min=1.0)),
        ("−ReLU", lambda x: -torch.relu(x)),
        ("ReLU(−x)", lambda x: torch.relu(-x)),
        ("step function (ReLU′)", lambda x: (x > 0).to(x.dtype)),
        ("x²", lambda x: x**2),
        ("max(x, 0.01x) (leaky)", lambda x: torch.maximum(x, 0.01 * x)),
        ("σ", lambda x: _sig(x)),
    ),
    "relu_derivative": (
        ("ReLU′ = ReLU", lambda x: torch.relu(x)),
        ("ReLU′ = 1 everywhere", lambda x: torch.ones_like(x)),
        ("ReLU′ = 0 everywhere", lambda x: torch.zeros_like(x)),
        ("ReLU′ = x", lambda x: x.clone()),
        ("ReLU′ = 1 where x < 0 (flipped)", lambda x: (x < 0).to(x.dtype)),
        ("ReLU′ = sign(x)", lambda x: torch.sign(x)),
        ("ReLU′ = σ(x)", lambda x: _sig(x)),
        ("ReLU′ = |x|", lambda x: x.abs()),
        ("ReLU′ = 2 where x > 0", lambda x: 2 * (x > 0).to(x.dtype)),
        ("a constant 0-d zero", lambda x: torch.tensor(0.0)),
        ("a 0-d step of the first value", lambda x: torch.tensor(1.0 if x.reshape(-1)[0] > 0 else 0.0)),
    ),
    "binary_cross_entropy": (
        ("sign flipped", lambda p, y: y * torch.log(p) + (1 - y) * torch.log(1 - p)),
        ("labels swapped", lambda p, y: -((1 - y) * torch.log(p) + y * torch.log(1 - p))),
        ("only the y = 1 term", lambda p, y: -y * torch.log(p)),
        ("only the y = 0 term", lambda p, y: -(1 - y) * torch.log(1 - p)),
        ("log10", lambda p, y: -(y * torch.log10(p) + (1 - y) * torch.log10(1 - p))),
        ("squared error", lambda p, y: (p - y) ** 2),
        ("−log p for every label", lambda p, y: -torch.log(p)),
        ("without the logs", lambda p, y: -(y * p + (1 - y) * (1 - p))),
        (
            "mean over the batch, broadcast",
            lambda p, y: (-(y * torch.log(p) + (1 - y) * torch.log(1 - p))).mean().expand_as(p).clone(),
        ),
    ),
    "bce_derivative": (
        ("sign flipped", lambda p, y: y / p - (1 - y) / (1 - p)),
        ("−y/p only", lambda p, y: -y / p),
        ("(1 − y)/(1 − p) only", lambda p, y: (1 - y) / (1 - p)),
        ("p − y (the logit derivative)", lambda p, y: p - y),
        ("−y/p − (1 − y)/(1 − p) (sign of the second term)", lambda p, y: -y / p - (1 - y) / (1 - p)),
        ("labels swapped", lambda p, y: -(1 - y) / p + y / (1 - p)),
        ("−(y − p)/(p(1 + p))", lambda p, y: -(y - p) / (p * (1 + p))),
        ("−y·log p derivative as −1/p", lambda p, y: -1 / p),
        ("the loss itself", lambda p, y: -(y * torch.log(p) + (1 - y) * torch.log(1 - p))),
    ),
    "bce_logit_derivative": (
        ("y − σ(z) (sign flipped)", lambda z, y: y - _sig(z)),
        ("σ(z)", lambda z, y: _sig(z)),
        ("z − y", lambda z, y: z - y),
        ("σ′(z)", lambda z, y: _sig(z) * (1 - _sig(z))),
        ("σ(z) − y times σ′(z)", lambda z, y: (_sig(z) - y) * _sig(z) * (1 - _sig(z))),
        ("σ(−z) − y", lambda z, y: _sig(-z) - y),
        ("σ(z) + y", lambda z, y: _sig(z) + y),
        ("−y/σ(z) + (1 − y)/(1 − σ(z)) (the ŷ derivative)", lambda z, y: -y / _sig(z) + (1 - y) / (1 - _sig(z))),
        ("tanh(z) − y", lambda z, y: torch.tanh(z) - y),
    ),
}
