"""What a by-hand derivative, and everything it reaches, may use: the one list, each entry with its reason.

Anything not listed here is a finding. The list is short on purpose: it holds what an honest formula
for f′, σ′, ReLU′ and the BCE derivatives is written with, and nothing that can reach autograd, a
module, a file, or code the grader did not read. `MACHINE` does not widen the list; it only tells
which findings are plainly machine differentiation (0 points) rather than unreadable (a person).
"""

from __future__ import annotations


def _entries(groups: dict[str, tuple[str, ...] | str]) -> dict[str, str]:
    """reason → the names it allows (one string of names separated by spaces, or a tuple) as name → reason."""
    return {
        name: reason
        for reason, names in groups.items()
        for name in (names.split() if isinstance(names, str) else names)
    }


TORCH = _entries(
    {
        "the elementary functions a derivative is written with": (
            "exp log log1p expm1 log2 log10 sqrt rsqrt pow square reciprocal abs neg negative"
        ),
        "the activations themselves, so σ′ can be written through σ": "sigmoid tanh relu logaddexp",
        "piecewise formulas and guards against overflow, log 0 and division by 0": (
            "where clamp clip clamp_min clamp_max maximum minimum fmax fmin sign heaviside nan_to_num isfinite "
            "isnan isinf"
        ),
        "comparisons and masks (ReLU′ is x > 0)": (
            "gt ge lt le eq ne greater greater_equal less less_equal logical_and logical_or logical_not"
        ),
        "arithmetic written as functions": "add sub subtract mul multiply div divide true_divide",
        "new tensors of constants, shaped or typed like the input": (
            "tensor as_tensor scalar_tensor zeros_like ones_like full_like empty_like zeros ones full linspace arange"
        ),
        "dtypes and checks on them, for `.to(...)` and `isinstance`": (
            "float16 float32 float64 half float double bfloat16 int8 int16 int32 int64 long int uint8 bool Tensor "
            "is_tensor is_floating_point finfo get_default_dtype"
        ),
        "constants": "pi e inf nan",
        "switching autograd off is harmless": "no_grad inference_mode set_grad_enabled",
    }
)

TENSOR = _entries(
    {
        "the elementary functions as methods (`x.exp()`)": (
            "exp log log1p expm1 sqrt rsqrt pow square reciprocal abs neg sigmoid tanh relu"
        ),
        "piecewise formulas and guards as methods": (
            "clamp clip clamp_min clamp_max maximum minimum sign heaviside where masked_fill nan_to_num"
        ),
        "comparisons and masks as methods": "gt ge lt le eq ne logical_not logical_and logical_or",
        "arithmetic as methods": "add sub mul div",
        "in-place kin of the above, on a tensor the function made": (
            "clamp_ masked_fill_ mul_ add_ sub_ div_ zero_ fill_"
        ),
        "dtype, device and copies (`.float()`, `.to(x.dtype)`, `.type_as(x)`)": (
            "float double half to type type_as clone detach contiguous data"
        ),
        "new tensors like this one": "new_tensor new_full new_zeros new_ones",
        "shape, so the output matches the input": (
            "shape dtype device ndim dim size numel reshape reshape_as view_as expand_as flatten squeeze "
            "unsqueeze is_floating_point"
        ),
        "reductions a guard may test (`(x == 0).any()`)": "sum mean max min any all",
        "what `torch.finfo(x.dtype)` offers for a guard": "eps tiny",
    }
)
"""attributes on any value a function computes: a tensor, a number, a student function, an allowed module"""

MODULES: dict[str, dict[str, str]] = {
    "torch": TORCH,
    "torch.autograd": _entries(
        {"switching autograd off, under its own module's name": "no_grad inference_mode set_grad_enabled"}
    ),
    "torch.nn.functional": _entries({"the activations, as `F.relu(x)`": "relu sigmoid softplus logsigmoid"}),
    "torch.special": _entries(
        {"σ and guarded logarithms under their `torch.special` names": "expit logit log1p expm1 xlogy xlog1py"}
    ),
    "math": _entries({"constants (math's functions would take a tensor's values out of torch)": "pi e tau inf nan"}),
    "warnings": _entries({"warning the reader about a guard": "warn catch_warnings simplefilter filterwarnings"}),
    "typing": _entries({"type hints": "Optional Union Any Callable Tuple List Sequence"}),
    "__future__": _entries({"`from __future__ import annotations`": ("annotations",)}),
}
"""module → the names it may be used for; a module on the way to one (`torch.nn`) may only be passed through"""

BUILTINS = _entries(
    {
        "numbers and their arithmetic (not `pow`: `pow(-1, 0.5)` is a complex number)": "abs min max sum round",
        "plain control flow": "len enumerate zip reversed all any bool list tuple isinstance print",
        "raising an error on bad input": (
            "ValueError TypeError ZeroDivisionError ArithmeticError RuntimeError NotImplementedError "
            "AssertionError Exception"
        ),
    }
)
CONSTANT_ONLY = _entries(
    {
        "`float('inf')`, `int(1e3)`, `range(len(x))`: of a constant or a length (and `float`, `int` as types in "
        "`isinstance` and hints); of a tensor, they would take its values out of torch": "float int range"
    }
)

MACHINE = _entries(
    {
        "autograd": (
            "autograd backward grad grad_fn requires_grad requires_grad_ retain_grad enable_grad set_grad_enabled "
            "Variable Parameter func functorch jacobian hessian vjp jvp hvp vhp jacrev jacfwd"
        ),
        "forward-mode dual numbers": "forward_ad make_dual unpack_dual dual_level",
        "complex-step differentiation": (
            "imag complex complex32 complex64 complex128 cfloat cdouble chalf view_as_complex polar cmath"
        ),
        "symbolic or numerical differentiation": (
            "sympy jax numdifftools findiff diff lambdify derivative Derivative differentiate gradient approx_fprime"
        ),
    }
)
MACHINE_SUFFIXES = {"_backward": "a backward kernel", "_jvp": "forward-mode autograd", "_vjp": "autograd"}
"""torch's own derivative kernels (`torch.ops.aten.sigmoid_backward`) and their kin"""


def machine_kind(name: str) -> str | None:
    """What kind of machine differentiation a name gives away, if it does."""
    bare = name.lstrip("_")
    return MACHINE.get(bare) or next((kind for suffix, kind in MACHINE_SUFFIXES.items() if bare.endswith(suffix)), None)
