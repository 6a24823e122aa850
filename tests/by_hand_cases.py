"""By-hand derivatives as students write them: attacks on the policy, and honest code in many styles.

Each entry replaces one function of the seed's solution, with whatever helpers and imports it needs
written above it in the same cell. docs/trusted-grading.md shows both tables.
"""

from __future__ import annotations

import base64

MACHINE = "0 points"
PERSON = "a person"
RIGHT_SIGMOID_DERIVATIVE = "def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)\n"
_ENCODED = base64.b64encode(RIGHT_SIGMOID_DERIVATIVE.encode()).decode()
OBJECT_THROUGH_MATCH = """    match torch.no_grad():
        case torch.no_grad(__reduce_ex__=reduce):
            pass
    match reduce(1):
        case (_, (_, base, _), *_):
            pass
"""
"""`base` is `object`: a class pattern reads any attribute by name, and `__reduce_ex__(1)` of any object names
`object`"""

# (id, function, source, outcome, what the student reads it for: a piece of the sentence)
ATTACKS = [
    # ---- the list ----
    (
        "aten_backward_kernel",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    return torch.ops.aten.sigmoid_backward(torch.ones_like(x), torch.sigmoid(x))""",
        MACHINE,
        "a backward kernel",
    ),
    (
        "private_dual_numbers",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    level = torch._C._enter_dual_level()
    try:
        dual = torch._make_dual(x, torch.ones_like(x), level=level)
        return torch._unpack_dual(torch.sigmoid(dual), level=level)[1]
    finally:
        torch._C._exit_dual_level(level=level)""",
        MACHINE,
        "forward-mode dual numbers",
    ),
    (
        "forward_ad_inside_if",
        "sigmoid_derivative",
        """import torch.autograd.forward_ad as fwAD
if True:
    def sigmoid_derivative(x):
        with fwAD.dual_level():
            return fwAD.unpack_dual(torch.sigmoid(fwAD.make_dual(x, torch.ones_like(x)))).tangent""",
        PERSON,
        "inside an `if` block",
    ),
    (
        "forward_ad_at_top_level",
        "sigmoid_derivative",
        """import torch.autograd.forward_ad as fwAD
def sigmoid_derivative(x):
    with fwAD.dual_level():
        return fwAD.unpack_dual(torch.sigmoid(fwAD.make_dual(x, torch.ones_like(x)))).tangent""",
        MACHINE,
        "autograd",
    ),
    (
        "engine_on_a_parameter",
        "sigmoid_derivative",
        """from torch.autograd.variable import Variable
def sigmoid_derivative(x):
    p = torch.nn.Parameter(x.detach().clone())
    with torch.enable_grad():
        out = torch.sigmoid(p).sum()
    return Variable._execution_engine.run_backward((out,), (torch.ones_like(out),), False, False, (p,), True, False)[0]""",
        MACHINE,
        "autograd",
    ),
    (
        "recorder_undone_in_a_try",
        "sigmoid_derivative",
        """try:
    import inspect
    def sigmoid_derivative(x):
        backward = inspect.unwrap(torch.Tensor.backward)
        x = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            backward(torch.sigmoid(x).sum())
        return x.grad
except Exception:
    pass""",
        PERSON,
        "inside a `try` block",
    ),
    (
        "recorder_undone_at_top_level",
        "sigmoid_derivative",
        """import inspect
def sigmoid_derivative(x):
    backward = inspect.unwrap(torch.Tensor.backward)
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        backward(torch.sigmoid(x).sum())
    return x.grad""",
        MACHINE,
        "autograd",
    ),
    (
        "definition_in_exec_of_base64",
        "sigmoid_derivative",
        f"import base64\nexec(base64.b64decode({_ENCODED!r}).decode())",
        PERSON,
        "could not be rebuilt",
    ),
    (
        "module_written_and_imported",
        "sigmoid_derivative",
        f"open('by_hand_helper.py', 'w').write('import torch\\n' + {RIGHT_SIGMOID_DERIVATIVE!r})\nfrom by_hand_helper "
        f"import sigmoid_derivative",
        PERSON,
        "could not be rebuilt",
    ),
    (
        "complex_step",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    return (torch.sigmoid(x.double().clamp(-700, 700) + 1e-30j).imag / 1e-30).to(x.dtype)""",
        MACHINE,
        "complex-step differentiation",
    ),
    (
        "sympy_lambdify_diff",
        "sigmoid_derivative",
        """import sympy
def sigmoid_derivative(x):
    t = sympy.Symbol("t")
    slope = sympy.lambdify(t, sympy.diff(1 / (1 + sympy.exp(-t)), t), "math")
    return torch.tensor([slope(v) for v in x.double().flatten().tolist()], dtype=x.dtype).reshape(x.shape)""",
        MACHINE,
        "symbolic or numerical differentiation",
    ),
    # ---- more in the same spirit ----
    (
        "complex_step_without_a_complex_literal",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    i = (-1.0) ** 0.5
    i = (i - 1 / i) / 2
    h = 1e-30
    z = torch.sigmoid(x.double().clamp(-700, 700) + h * i)
    return ((z * -i).to(torch.float64) / h).to(x.dtype)""",
        MACHINE,
        "complex-step differentiation",
    ),
    (
        "central_difference_of_own_loss",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    p, h = y_pred.double(), 1e-6
    return ((binary_cross_entropy(p + h, y) - binary_cross_entropy(p - h, y)) / (2 * h)).to(y_pred.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "forward_difference_through_names",
        "bce_derivative",
        """H = 1e-7
def bce_derivative(y_pred, y):
    ahead = binary_cross_entropy(y_pred.double() + H, y)
    here = binary_cross_entropy(y_pred.double(), y)
    return ((ahead - here) / H).to(y_pred.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "relative_step_through_torch_sub",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    p, h = y_pred.double(), 1e-7
    return (torch.sub(binary_cross_entropy(p * (1 + h), y), binary_cross_entropy(p, y)) / (p * h)).to(y_pred.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "difference_written_out",
        "f_prime",
        """def f_prime(x):
    t, h = x.double(), 1e-5
    return ((3*(t + h)**3 - 2*(t + h)**2 + 5*(t + h) - (3*(t - h)**3 - 2*(t - h)**2 + 5*(t - h))) / (2*h)).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "difference_of_relu",
        "relu_derivative",
        """def relu_derivative(x):
    h = 1e-6
    t = x.double()
    return ((relu(t + h) - relu(t)) / h).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "autograd_name_built_for_getattr",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    engine = getattr(torch, "auto" + "grad")
    x = x.detach().clone()
    x.requires_grad = True
    with torch.enable_grad():
        return engine.grad(torch.sigmoid(x).sum(), x)[0]""",
        MACHINE,
        "autograd",
    ),
    (
        "autograd_behind_getattr_only",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    engine = getattr(torch, "auto" + "grad")
    x = engine.Variable(x.detach(), True)
    with torch.enable_grad():
        return engine.grad(torch.sigmoid(x).sum(), x)[0]""",
        MACHINE,
        "autograd",
    ),
    (
        "eval_of_a_string",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    return eval("torch.sigmoid(x) * (1 - torch.sigmoid(x))")""",
        PERSON,
        "`eval`",
    ),
    (
        "dunder_import",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    x = x.detach().clone().requires_grad_()
    with __import__("torch").enable_grad():
        return __import__("torch").autograd.grad(torch.sigmoid(x).sum(), x)[0]""",
        MACHINE,
        "autograd",
    ),
    (
        "numpy_gradient",
        "sigmoid_derivative",
        """import numpy as np
def sigmoid_derivative(x):
    h = 1e-5
    x64 = x.double()
    stencil = torch.stack([torch.sigmoid(x64 - h), torch.sigmoid(x64), torch.sigmoid(x64 + h)]).numpy()
    return torch.from_numpy(np.gradient(stencil, h, axis=0)[1]).to(x.dtype)""",
        MACHINE,
        "symbolic or numerical differentiation",
    ),
    (
        "torch_gradient",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    h = 1e-5
    x64 = x.double()
    stencil = torch.stack([torch.sigmoid(x64 - h), torch.sigmoid(x64), torch.sigmoid(x64 + h)])
    return torch.gradient(stencil, spacing=h, dim=0)[0][1].to(x.dtype)""",
        MACHINE,
        "symbolic or numerical differentiation",
    ),
    (
        "torch_func_jvp",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    return torch.func.jvp(torch.sigmoid, (x,), (torch.ones_like(x),))[1]""",
        MACHINE,
        "autograd",
    ),
    (
        "module_under_another_name",
        "sigmoid_derivative",
        """t = torch
def sigmoid_derivative(x):
    x = x.detach().clone().requires_grad_()
    with t.enable_grad():
        return t.autograd.grad(t.sigmoid(x).sum(), x)[0]""",
        MACHINE,
        "autograd",
    ),
    (
        "autograd_in_a_default_argument",
        "sigmoid_derivative",
        """sigmoid_derivative = lambda x, d=torch.func.grad(torch.sigmoid): torch.vmap(d)(x.flatten()).reshape(x.shape)""",
        MACHINE,
        "autograd",
    ),
    (
        "autograd_in_a_decorator",
        "sigmoid_derivative",
        """@torch.enable_grad()
def sigmoid_derivative(x):
    x = x.detach().clone().requires_grad_()
    torch.sigmoid(x).sum().backward()
    return x.grad""",
        MACHINE,
        "autograd",
    ),
    (
        "requires_grad_keyword",
        "bce_logit_derivative",
        """def bce_logit_derivative(z, y):
    z = torch.tensor(z.tolist(), dtype=z.dtype, requires_grad=True)
    with torch.enable_grad():
        torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    return z.grad""",
        MACHINE,
        "autograd",
    ),
    (
        "relu_backward_kernel",
        "relu_derivative",
        """def relu_derivative(x):
    return torch.ops.aten.threshold_backward(torch.ones_like(x), x, 0)""",
        MACHINE,
        "a backward kernel",
    ),
    (
        "backward_found_through_type",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    x = x.detach().clone().requires_grad_()
    with torch.enable_grad():
        type(x).backward(torch.sigmoid(x).sum())
    return x.grad""",
        MACHINE,
        "autograd",
    ),
    (
        "values_taken_out_of_torch",
        "sigmoid_derivative",
        """import math
def sigmoid_derivative(x):
    s = [1 / (1 + math.exp(-v)) for v in x.flatten().tolist()]
    return torch.tensor([v * (1 - v) for v in s], dtype=x.dtype).reshape(x.shape)""",
        PERSON,
        "a call inside a loop, `math.exp(-v)`",
    ),
    (
        "a_class_that_hides_the_call",
        "sigmoid_derivative",
        """class _Slope:
    def __call__(self, x):
        s = torch.sigmoid(x)
        return s * (1 - s)
sigmoid_derivative = _Slope()""",
        PERSON,
        "a class",
    ),
    (
        "name_planted_on_torch",
        "sigmoid_derivative",
        """def _slope(f, x):
    x = x.detach().clone().requires_grad_()
    with torch.enable_grad():
        f(x).sum().backward()
    return x.grad
torch.slope = _slope
def sigmoid_derivative(x):
    return torch.slope(torch.sigmoid, x)""",
        PERSON,
        "`torch.slope`",
    ),
    (
        "private_torch_function",
        "bce_logit_derivative",
        """def bce_logit_derivative(z, y):
    return torch._C._nn.softplus(z) * 0 + torch.sigmoid(z) - y""",
        PERSON,
        "`torch._C._nn.softplus`",
    ),
    # ---- found by attacking this design (each one passed an earlier version of it) ----
    (
        "difference_in_a_helper_given_the_loss",
        "bce_derivative",
        """def _diff(g, a, b, y):
    return g(a, y) - g(b, y)

def bce_derivative(y_pred, y):
    p = y_pred.double()
    h = 1e-4 * p * (1 - p)
    return (_diff(binary_cross_entropy, p + h, p - h, y.double()) / (2 * h)).to(y_pred.dtype)""",
        PERSON,
        "the function `binary_cross_entropy` passed on as a value",
    ),
    (
        "step_written_first",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    p = y_pred.double()
    h = 1e-4 * p * (1 - p)
    return ((binary_cross_entropy(h + p, y.double()) - binary_cross_entropy(p - h, y.double())) / (2 * h)).to(y_pred.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "difference_through_torch_add",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    p = y_pred.double()
    h = 1e-4 * p * (1 - p)
    return (torch.add(binary_cross_entropy(p + h, y.double()), -binary_cross_entropy(p - h, y.double())) / (2 * h)).to(y_pred.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "difference_built_in_a_loop",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    p = y_pred.double()
    h = 1e-4 * p * (1 - p)
    acc = torch.zeros_like(p)
    for s in (1, -1):
        acc = acc + s * binary_cross_entropy(p + s * h, y.double())
    return (acc / (2 * h)).to(y_pred.dtype)""",
        PERSON,
        "a call inside a loop",
    ),
    (
        "exact_extrapolation_through_a_helper",
        "f_prime",
        """def _c(g, x, h):
    return (g(x + h) + (-1) * g(x - h)) / (2 * h)

def f_prime(x):
    d = x.double()
    return (_c(f, d, 1.0) - (_c(f, d, 2.0) - _c(f, d, 1.0)) / 3).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "star_import_shadows_a_builtin",
        "sigmoid_derivative",
        """from math import *

def _sig(w):
    return 1 / (1 + e ** (-w))

def sigmoid_derivative(x):
    i = (-1) ** 0.5
    h = 1e-20
    out = []
    for v in x.reshape(-1):
        a = pow(v, 1)
        if a < -700 or a > 700:
            out.append(0.0)
        else:
            out.append(abs((_sig(a + h * i) - _sig(a - h * i)) / (2 * h * i)))
    return torch.tensor(out, dtype=x.dtype).reshape(x.shape)""",
        MACHINE,
        "finite differences",
    ),
    (
        "module_bound_two_ways",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    import math
    if len(x.shape) < 0:
        math = None
    i = (-1) ** 0.5
    h = 1e-20
    out = []
    for v in x.reshape(-1):
        a = math.pow(v, 1)
        if a < -700 or a > 700:
            out.append(0.0)
        else:
            s1 = 1 / (1 + math.e ** (-(a + h * i)))
            s2 = 1 / (1 + math.e ** (-(a - h * i)))
            out.append(abs((s1 - s2) / (2 * h * i)))
    return torch.tensor(out, dtype=x.dtype).reshape(x.shape)""",
        MACHINE,
        "finite differences",
    ),
    (
        "values_read_by_bisection",
        "sigmoid_derivative",
        """def _num(v):
    lo, hi = -1e308, 1e308
    if v == 0:
        return 0.0
    while True:
        mid = lo / 2 + hi / 2
        if mid == lo or mid == hi:
            return lo if v == lo else hi
        if v < mid:
            hi = mid
        else:
            lo = mid

def sigmoid_derivative(x):
    i = (-1) ** 0.5
    h = 1e-20
    E = 2.718281828459045
    out = []
    for v in x.double().reshape(-1):
        a = _num(v)
        if a < -700 or a > 700:
            out = out + [0.0]
        else:
            s1 = 1 / (1 + E ** (-(h * i + a)))
            s2 = 1 / (1 + E ** (-(a - h * i)))
            out = out + [abs((s1 - s2) / (2 * h * i))]
    return torch.tensor(out, dtype=x.dtype).reshape(x.shape)""",
        MACHINE,
        "finite differences",
    ),
    (
        "exact_extrapolation_written_out",
        "f_prime",
        """def f_prime(x):
    d = x.double()
    a = (f(1.0 + d) - f(d - 1.0)) / 2
    b = (f(2.0 + d) - f(d - 2.0)) / 4
    return (a - (b - a) / 3).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "comprehension_variable_shadows_getattr",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    _ = [0 for getattr in ()]
    kernel = getattr(getattr(getattr(torch, "ops"), "aten"), "sigmoid" + "_backward")
    return kernel(torch.ones_like(x), torch.sigmoid(x))""",
        MACHINE,
        "autograd",
    ),
    (
        "comprehension_variable_shadows_open",
        "relu_derivative",
        """def relu_derivative(x):
    _ = [0 for open in ()]
    secret = list(open("/etc/hostname"))
    return (x > 0).float() + 0 * len(secret)""",
        PERSON,
        "`open`",
    ),
    (
        "comprehension_variable_shadows_a_module",
        "sigmoid_derivative",
        """import math

def sigmoid_derivative(x):
    _ = [0 for math in ()]
    i = (-1) ** 0.5
    h = 1e-20
    E = 2.718281828459045
    out = []
    for v in x.reshape(-1):
        a = math.pow(v, 1)
        if a < -700 or a > 700:
            out = out + [0.0]
        else:
            out = out + [abs((1 / (1 + E ** (-(h * i + a))) - 1 / (1 + E ** (-(a - h * i)))) / (2 * h * i))]
    return torch.tensor(out, dtype=x.dtype).reshape(x.shape)""",
        MACHINE,
        "finite differences",
    ),
    (
        "comprehension_variable_reaches_os",
        "relu_derivative",
        """def relu_derivative(x):
    _ = [0 for getattr in ()]
    os = getattr(relu, "_" + "_globals_" + "_")["torch"]
    os = getattr(os, "os")
    listing = getattr(os, "listdir")("/")
    return (x > 0).float() + 0 * len(listing)""",
        PERSON,
        "`getattr`",
    ),
    (
        "requires_grad_in_a_keyword_dict",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    t = torch.zeros_like(x, **{"requires" + "_grad": True})
    s = torch.sigmoid(x)
    return s * (1 - s) + 0 * t.detach()""",
        MACHINE,
        "autograd",
    ),
    # ---- a second round of attacking (each passed the version before this one) ----
    (
        "match_patterns_reach_a_backward_kernel",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
"""
        + OBJECT_THROUGH_MATCH
        + """    match torch.no_grad():
        case base(__init__=base(__func__=base(__globals__={"torch": base(ops=base(aten=base(sigmoid_backward=kernel)))}))):
            pass
    return kernel(torch.ones_like(x), torch.sigmoid(x))""",
        MACHINE,
        "autograd",
    ),
    (
        "match_patterns_reach_os_and_open",
        "relu_derivative",
        """def relu_derivative(x):
"""
        + OBJECT_THROUGH_MATCH
        + """    match torch.no_grad():
        case base(__init__=base(__func__=base(__globals__={"__builtins__": {"open": opener, "__import__": load}}))):
            pass
    match load("os"):
        case base(getcwd=where, listdir=listing):
            pass
    secret = list(opener("/etc/hostname"))
    print("READ:", secret, where(), len(listing("/")))
    return (x > 0).to(x.dtype) + 0 * len(secret)""",
        PERSON,
        "a `match` statement",
    ),
    (
        "match_patterns_switch_on_autograd",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    z = x.detach().clone()
    match z:
        case torch.Tensor(__setattr__=put):
            put("requires_grad", True)
    s = torch.sigmoid(z)
    match s:
        case torch.Tensor(grad_fn=node):
            pass
    return node(torch.ones_like(s)).detach()""",
        MACHINE,
        "autograd",
    ),
    (
        "stencil_accumulated_in_augmented_assignments",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    d = x.double()
    h = 0.05
    acc = 5 / 6 * torch.sigmoid(d + h)
    acc -= 5 / 6 * torch.sigmoid(d - h)
    acc -= 5 / 21 * torch.sigmoid(d + 2 * h)
    acc += 5 / 21 * torch.sigmoid(d - 2 * h)
    acc += 5 / 84 * torch.sigmoid(d + 3 * h)
    acc -= 5 / 84 * torch.sigmoid(d - 3 * h)
    acc -= 5 / 504 * torch.sigmoid(d + 4 * h)
    acc += 5 / 504 * torch.sigmoid(d - 4 * h)
    acc += 1 / 1260 * torch.sigmoid(d + 5 * h)
    acc -= 1 / 1260 * torch.sigmoid(d - 5 * h)
    return (acc / h).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "exact_stencil_of_a_nested_cubic",
        "f_prime",
        """def f_prime(x):
    def g(t):
        return 3 * t ** 3 - 2 * t ** 2 + 5 * t
    d = x.double()
    acc = 8 * g(d + 1)
    acc -= 8 * g(d - 1)
    acc -= g(d + 2)
    acc += g(d - 2)
    return (acc / 12).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "complex_step_through_an_augmented_power",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    def slopes(t, k):
        if k == len(t):
            return []
        i = -1.0
        i **= 0.5
        i = (i - 1 / i) / 2
        h = 1e-20
        n = t[k]
        b = -abs((len(range(n)) - len(range(-n))) / 4503599627370496)
        w = 2.718281828459045 ** (b + h * i)
        w = w / (1 + w)
        p = 2.718281828459045 ** b
        w -= p / (1 + p)
        return [abs(w) / h] + slopes(t, k + 1)
    t = (x.double().clamp(-800, 800) * 4503599627370496).to(torch.int64).reshape(-1)
    return torch.tensor(slopes(t, 0), dtype=x.dtype).reshape(x.shape)""",
        PERSON,
        "a power with a fractional or computed exponent",
    ),
    (
        "stencil_in_a_while_condition",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    d = x.double()
    h = 0.05
    c = [0.0, 5 / 6, -5 / 21, 5 / 84, -5 / 504, 1 / 1260]
    acc = torch.zeros_like(d)
    k = 0
    while (k := k + 1) < 6 and (acc := acc + c[k] * (torch.sigmoid(d + k * h) + (-1) * torch.sigmoid(d - k * h))) is not None:
        pass
    return (acc / h).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "stencil_with_factors_of_minus_one",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    d, h = x.double(), 0.05
    return ((5 / 6 * (torch.sigmoid(d + h) + (-1) * torch.sigmoid(d - h)) - 5 / 21 * (torch.sigmoid(d + 2 * h) + (-1) * torch.sigmoid(d - 2 * h))
             + 5 / 84 * (torch.sigmoid(d + 3 * h) + (-1) * torch.sigmoid(d - 3 * h)) - 5 / 504 * (torch.sigmoid(d + 4 * h) + (-1) * torch.sigmoid(d - 4 * h))
             + 1 / 1260 * (torch.sigmoid(d + 5 * h) + (-1) * torch.sigmoid(d - 5 * h))) / h).to(x.dtype)""",
        MACHINE,
        "finite differences",
    ),
    (
        "stencil_of_a_nested_stable_loss",
        "bce_logit_derivative",
        """def bce_logit_derivative(z, y):
    def loss(t):
        return torch.clamp(t, min=0) - t * y + torch.log1p(torch.exp(-torch.abs(t)))
    d, h = z.double(), 0.05
    yd = y.double()
    acc = 5 / 6 * loss(d + h)
    acc -= 5 / 6 * loss(d - h)
    acc -= 5 / 21 * loss(d + 2 * h)
    acc += 5 / 21 * loss(d - 2 * h)
    acc += 5 / 84 * loss(d + 3 * h)
    acc -= 5 / 84 * loss(d - 3 * h)
    acc -= 5 / 504 * loss(d + 4 * h)
    acc += 5 / 504 * loss(d - 4 * h)
    acc += 1 / 1260 * loss(d + 5 * h)
    acc -= 1 / 1260 * loss(d - 5 * h)
    return (acc / h).to(z.dtype)""",
        MACHINE,
        "finite differences",
    ),
]

# (id, function, source): each is right and must earn every point.
HONEST = [
    ("f_prime_seed", "f_prime", "def f_prime(x):\n    return 9*x**2 - 4*x + 5"),
    ("f_prime_horner", "f_prime", "def f_prime(x):\n    return (9 * x - 4) * x + 5"),
    ("f_prime_torch_pow", "f_prime", "def f_prime(x):\n    return 3 * 3 * torch.pow(x, 2) - 2 * 2 * x + 5"),
    ("f_prime_methods", "f_prime", "def f_prime(x):\n    return x.pow(2).mul(9).sub(x.mul(4)).add(5)"),
    (
        "f_prime_through_a_helper",
        "f_prime",
        """A, B, C = 3, -2, 5
def cubic_slope(x, a, b, c):
    return 3 * a * x**2 + 2 * b * x + c
def f_prime(x):
    return cubic_slope(x, A, B, C)""",
    ),
    (
        "f_prime_power_rule_written_out",
        "f_prime",
        "def f_prime(x):\n    return 3 * 3 * x ** (3 - 1) - 2 * 2 * x ** (2 - 1) + 5",
    ),
    (
        "sigmoid_prime_seed",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    s = sigmoid(x)\n    return s * (1 - s)",
    ),
    (
        "sigmoid_prime_torch_sigmoid",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return torch.sigmoid(x) * (1 - torch.sigmoid(x))",
    ),
    (
        "sigmoid_prime_tanh",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return 0.25 * (1 - torch.tanh(x / 2) ** 2)",
    ),
    (
        "sigmoid_prime_stable_where",
        "sigmoid_derivative",
        """def sigmoid_derivative(x):
    e = torch.exp(-torch.abs(x))
    return torch.where(x >= 0, e / (1 + e) ** 2, e / (1 + e) ** 2)""",
    ),
    (
        "sigmoid_prime_symmetric",
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return sigmoid(x) * sigmoid(-x)",
    ),
    (
        "sigmoid_prime_functional",
        "sigmoid_derivative",
        "import torch.nn.functional as F\ndef sigmoid_derivative(x):\n    return F.sigmoid(x) * (1 - F.sigmoid(x))",
    ),
    (
        "sigmoid_prime_imported_name",
        "sigmoid_derivative",
        "from torch import sigmoid as sig\ndef sigmoid_derivative(x):\n    return sig(x) * (1 - sig(x))",
    ),
    (
        "sigmoid_prime_lambda",
        "sigmoid_derivative",
        "sigmoid_derivative = lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))",
    ),
    (
        "sigmoid_prime_without_autograd_and_asserted",
        "sigmoid_derivative",
        """def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    assert isinstance(x, (torch.Tensor, float, int)), f"expected a tensor, got {x!r}"
    with torch.set_grad_enabled(False), torch.autograd.no_grad():
        s = torch.sigmoid(x)
    return s * (1 - s)""",
    ),
    (
        "sigmoid_prime_typed_and_checked",
        "sigmoid_derivative",
        '''import warnings
def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    """σ′ = σ(1 − σ)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a tensor, got {x!r}")
    if not torch.isfinite(x).all():
        warnings.warn("non-finite input")
    s = torch.special.expit(x)
    return s * (1 - s)''',
    ),
    ("relu_prime_gt_float", "relu_derivative", "def relu_derivative(x):\n    return (x > 0).float()"),
    (
        "relu_prime_where",
        "relu_derivative",
        "def relu_derivative(x):\n    return torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x))",
    ),
    (
        "relu_prime_heaviside",
        "relu_derivative",
        "def relu_derivative(x):\n    return torch.heaviside(x, torch.zeros_like(x))",
    ),
    ("relu_prime_to_dtype", "relu_derivative", "def relu_derivative(x):\n    return (x > 0).to(x.dtype)"),
    (
        "relu_prime_clamped_sign",
        "relu_derivative",
        "def relu_derivative(x):\n    return torch.clamp(torch.sign(x), min=0)",
    ),
    ("relu_prime_gt_type_as", "relu_derivative", "def relu_derivative(x):\n    return torch.gt(x, 0).type_as(x)"),
    (
        "relu_prime_after_a_shared_import_line",
        "relu_derivative",
        "import torch, numpy as np, matplotlib.pyplot as plt\ndef relu_derivative(x):\n    return (x > 0).to(x.dtype)",
    ),
    (
        "relu_prime_requires_grad_false",
        "relu_derivative",
        "def relu_derivative(x):\n    out = torch.zeros_like(x, requires_grad=False)\n    out[x > 0] = 1.0\n    return "
        "out",
    ),
    ("relu_prime_type_of_dtype", "relu_derivative", "def relu_derivative(x):\n    return (x > 0).type(x.dtype)"),
    (
        "relu_prime_loop_free_masked",
        "relu_derivative",
        "def relu_derivative(x):\n    out = torch.zeros_like(x)\n    out[x > 0] = 1.0\n    return out",
    ),
    (
        "bce_prime_seed_eps",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    eps = 1e-8
    return - (y / (y_pred + eps)) + ((1 - y) / (1 - y_pred + eps))""",
    ),
    (
        "bce_prime_one_fraction",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return (y_pred - y) / (y_pred * (1 - y_pred))",
    ),
    (
        "bce_prime_clamped",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    p = torch.clamp(y_pred, 1e-7, 1 - 1e-7)
    return -y / p + (1 - y) / (1 - p)""",
    ),
    (
        "bce_prime_where_on_labels",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return torch.where(y == 1, -1 / y_pred, 1 / (1 - y_pred))",
    ),
    (
        "bce_prime_finfo_guard",
        "bce_derivative",
        """def bce_derivative(y_pred, y):
    tiny = torch.finfo(y_pred.dtype).tiny
    return (1 - y) / (1 - y_pred).clamp_min(tiny) - y / y_pred.clamp_min(tiny)""",
    ),
    (
        "bce_prime_minus_one_form",
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return (y - 1) / (y_pred - 1) - y / y_pred",
    ),
    (
        "bce_prime_safe_division_helper",
        "bce_derivative",
        """def safe_div(a, b):
    return a / b.clamp_min(1e-12)
def bce_derivative(y_pred, y):
    return safe_div(1 - y, 1 - y_pred) - safe_div(y, y_pred)""",
    ),
    ("bce_logit_seed", "bce_logit_derivative", "def bce_logit_derivative(z, y):\n    return sigmoid(z) - y"),
    (
        "bce_logit_torch_sigmoid",
        "bce_logit_derivative",
        "def bce_logit_derivative(z, y):\n    return torch.sigmoid(z) - y",
    ),
    (
        "bce_logit_expit",
        "bce_logit_derivative",
        "def bce_logit_derivative(z, y):\n    return torch.special.expit(z) - y",
    ),
    (
        "bce_logit_math_constant",
        "bce_logit_derivative",
        """import math
def bce_logit_derivative(z, y):
    return 1 / (1 + math.e ** (-z.clamp(-500, 500))) - y""",
    ),
    (
        "bce_logit_own_helper",
        "bce_logit_derivative",
        """def stable_sigmoid(z):
    e = torch.exp(-torch.abs(z))
    return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))
def bce_logit_derivative(z, y):
    return stable_sigmoid(z) - y""",
    ),
]
