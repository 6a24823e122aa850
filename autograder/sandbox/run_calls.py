"""Inside a function's own process: rebuild one graded function from its source, then call it.

No student cell ever ran in this process. It executes the top-level statements that define the
function and what it reaches (`definitions.py` chose them in the trusted parent), then calls the
function on the inputs it was sent and reports each outcome as plain data. Its channel carries this
function's observations only; the trusted side accepts nothing else from it, so whatever the
function's body does, it can speak for itself alone.
"""

from __future__ import annotations

import builtins

import torch
from torch.overrides import TorchFunctionMode

from autograder.sandbox.observe import Observation, observe
from autograder.sandbox.protocol import COMPLEX_NUMBERS, decode_tensor, encode_observation, send
from autograder.sandbox.run_cells import SandboxTimeout, alarm, read_job

AUTOGRAD_ENTRY_POINTS = (
    ("torch.autograd.grad", torch.autograd, "grad"),
    ("torch.autograd.backward", torch.autograd, "backward"),
    ("Tensor.backward", torch.Tensor, "backward"),
    ("Tensor.requires_grad_", torch.Tensor, "requires_grad_"),
    *(
        (f"torch.autograd.functional.{n}", torch.autograd.functional, n)
        for n in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp")
    ),
    *(
        (f"torch.func.{n}", torch.func, n)
        for n in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian")
    ),
)
SETUP_TIMEOUT = "TimeoutError: defining the function took longer than {seconds:g} s"


class Autograd:
    """Notes which autograd entry points the function calls and, through `_TorchCallWatch`, what its torch operations
    give away (complex tensors, backward kernels, tensors that record gradients). Evidence only: the parent's reading
    of the source decides, and what this reports can lower a grade, never lift one. Code that passed the allowlist
    cannot reach it."""

    def __init__(self):
        self.used: set[str] = set()

    def install(self) -> None:
        for label, owner, name in AUTOGRAD_ENTRY_POINTS:
            setattr(owner, name, self._wrap(label, getattr(owner, name)))

    def _wrap(self, label, original):
        def guarded(*args, **kwargs):
            self.used.add(label)
            return original(*args, **kwargs)

        return guarded

    def watched(self, function):
        def call(*args):
            with _TorchCallWatch(self.used):
                return function(*args)

        return call


class _TorchCallWatch(TorchFunctionMode):
    """Every torch operation a call makes: complex results, backward kernels, tensors that record gradients."""

    def __init__(self, used: set[str]):
        super().__init__()
        self.used = used

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name.endswith("_backward"):  # torch's own derivative kernels, however they were reached
            self.used.add(f"the backward kernel {name}")
        result = func(*args, **(kwargs or {}))
        for tensor in result if isinstance(result, (tuple, list)) else (result,):
            if not isinstance(tensor, torch.Tensor):
                continue
            if tensor.is_complex():
                self.used.add(COMPLEX_NUMBERS)
            if tensor.requires_grad:  # the inputs never do: autograd was switched on
                self.used.add("a tensor that records gradients")
        return result


def define(program: list[list], seconds: float) -> tuple[dict, bool]:
    """Run the function's statements, in notebook order, in a fresh namespace; True if that timed out.
    A statement that raises ends its cell, as in a kernel; the other cells' statements still run."""
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    stopped: set[int] = set()
    try:
        with alarm(seconds):
            for cell, _line, source in program:
                if cell in stopped:
                    continue
                try:  # dont_inherit: this module's `from __future__ import annotations` is not the student's
                    exec(compile(source, f"<cell {cell}>", "exec", dont_inherit=True), namespace)
                except Exception:  # noqa: BLE001  (the student's error shows when the function is called)
                    stopped.add(cell)
    except SandboxTimeout:
        return namespace, True
    return namespace, False


def serve(channel: int, limits) -> None:
    """Inside a function's sandbox: rebuild the one graded function of the job from its source, call it on each of
    the grader's inputs (with autograd watched) and send one observation per call, as plain data, then "done"."""
    job = read_job(channel)
    name = job["exercise"]
    autograd = Autograd()
    autograd.install()
    namespace, timed_out = define(job["program"], limits.cell_seconds)
    send(channel, {"type": "ready"})
    function = namespace.get(name)
    for index, arguments in enumerate(job["cases"]):
        args = tuple(decode_tensor(a).to_tensor() for a in arguments)
        autograd.used.clear()
        send(channel, {"type": "call_start", "exercise": name, "case": index})
        if timed_out:
            seen = Observation("raised", error=SETUP_TIMEOUT.format(seconds=limits.cell_seconds))
        else:
            try:
                with alarm(limits.call_seconds):
                    seen = observe(autograd.watched(function) if callable(function) else None, args)
            except SandboxTimeout:
                seen = Observation("raised", error=f"TimeoutError: the call took longer than {limits.call_seconds:g} s")
        send(channel, encode_observation(name, index, seen, ", ".join(sorted(autograd.used))))
    send(channel, {"type": "done"})
