"""Reference implementations the grader trusts: torch's own functions and torch.autograd.

Every reference works in float64 on a copy of the inputs, so the expected values are
as accurate as the grader can make them, whatever dtype the student was given.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Reference = Callable[..., torch.Tensor]


def cubic(x: torch.Tensor) -> torch.Tensor:
    """f(x) = 3x³ − 2x² + 5x − 4, the seed's polynomial."""
    return 3 * x**3 - 2 * x**2 + 5 * x - 4


def bce(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy(y_pred, y, reduction="none")


def bce_with_logits(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(z, y, reduction="none")


def _as_float64(args: tuple[torch.Tensor, ...]) -> list[torch.Tensor]:
    return [a.detach().to(torch.float64).clone() for a in args]


def value_of(fn: Reference) -> Reference:
    """The reference's own values, computed in float64."""

    def reference(*args: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return fn(*_as_float64(args))

    reference.__name__ = fn.__name__
    return reference


def derivative_of(fn: Reference, wrt: int = 0) -> Reference:
    """The elementwise derivative of `fn` with respect to argument `wrt`, by torch.autograd."""

    def reference(*args: torch.Tensor) -> torch.Tensor:
        inputs = _as_float64(args)
        inputs[wrt].requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(fn(*inputs).sum(), inputs[wrt])
        return grad.detach()

    reference.__name__ = f"d_{fn.__name__}"
    return reference


def diagonal_of_jacobian(fn: Reference) -> Reference:
    """∂fn(x)ᵢ/∂xᵢ for a function applied along the last dimension (softmax): the Jacobian's diagonal, by autograd,
    one row at a time. A 0-d input is one row of one value."""

    def reference(x: torch.Tensor) -> torch.Tensor:
        (x,) = _as_float64((x,))
        rows = x.reshape(-1, x.shape[-1]) if x.dim() else x.reshape(1, 1)
        jacobians = torch.func.vmap(torch.func.jacrev(fn))(rows)
        return torch.diagonal(jacobians, dim1=-2, dim2=-1).reshape(x.shape)

    reference.__name__ = f"d_{getattr(fn, '__name__', 'fn')}_diagonal"
    return reference


def jacobian_vector_product(fn: Reference) -> Reference:
    """J·v, the Jacobian of `fn` at x times v (a forward-mode derivative, by torch.func.jvp): (x, v) → J(x) v."""

    def reference(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        x, v = _as_float64((x, v))
        return torch.func.jvp(fn, (x,), (v,))[1].detach()

    reference.__name__ = f"d_{getattr(fn, '__name__', 'fn')}_jvp"
    return reference
