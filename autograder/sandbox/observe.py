"""Call a student's function and record what happened as plain data.

This is the only module that runs student code. What it returns holds no object of the
student's: bytes, strings and numbers only, so the side that decides grades can rebuild
exact tensors from it without trusting anything the student wrote.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import torch

# Only these dtypes are rebuilt from bytes; anything else is reported by name.
DTYPES: dict[str, torch.dtype] = {
    str(dtype).removeprefix("torch."): dtype
    for dtype in (
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.uint8,
        torch.bool,
    )
}
MAX_ERROR_CHARS = 500
MAX_ELEMENTS = 4096
"""the most elements of a tensor sent as bytes: every input has at most 402 (the plot grid), so a larger
output is wrong in shape, and only its shape is sent"""


@dataclass(frozen=True)
class TensorData:
    """A tensor as dtype name, shape and raw bytes."""

    dtype: str
    shape: tuple[int, ...]
    data: bytes

    @classmethod
    def of(cls, tensor: torch.Tensor) -> TensorData:
        plain = torch.Tensor.detach(tensor).cpu().contiguous()
        raw = plain.reshape(-1).view(torch.uint8).numpy().tobytes()
        return cls(str(plain.dtype).removeprefix("torch."), tuple(plain.shape), raw)

    def to_tensor(self) -> torch.Tensor:
        dtype = DTYPES[self.dtype]
        flat = torch.frombuffer(bytearray(self.data), dtype=dtype) if self.data else torch.empty(0, dtype=dtype)
        return flat.reshape(self.shape).clone()


@dataclass(frozen=True)
class Observation:
    """What one call of a student's function did."""

    kind: str
    """"tensor", "oversized" (a tensor of more than MAX_ELEMENTS), "other" (not exactly a torch.Tensor),
    "raised" (the call raised), "missing" (no such function) or "stopped" (the sandbox ended first)"""
    output: TensorData | None = None
    shape: tuple[int, ...] = ()
    """for kind "oversized": the shape of an output too large to send"""
    type_name: str = ""
    error: str = ""
    """"ZeroDivisionError: division by zero", for kind "raised\""""
    student_trace: str = ""
    """the student's own frames of the traceback"""
    args_after: tuple[TensorData, ...] = ()
    """the arguments as they were after the call, to detect writes into the input"""


def _student_frames(exc: BaseException) -> str:
    """The traceback trimmed to the student's own code: their cells, not torch's or the grader's."""
    library = (sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(__file__)))  # the whole package
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if not frame.filename.startswith(library)]
    return "".join(traceback.format_list(frames[-3:]))


def observe(function: Callable | None, args: tuple[torch.Tensor, ...]) -> Observation:
    """Call `function` on copies of `args` and describe the outcome as plain data."""
    if function is None:
        return Observation("missing")
    call_args = tuple(arg.clone() for arg in args)
    try:
        output = function(*call_args)
    except (Exception, SystemExit) as exc:  # the student's error is a result, not a grader fault
        message = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:MAX_ERROR_CHARS]
        return Observation("raised", error=message, student_trace=_student_frames(exc))
    args_after = tuple(
        TensorData.of(arg) if arg.numel() <= MAX_ELEMENTS else TensorData.of(torch.empty(0)) for arg in call_args
    )
    if type(output) is not torch.Tensor:
        return Observation("other", type_name=type(output).__name__, args_after=args_after)
    if str(output.dtype).removeprefix("torch.") not in DTYPES:
        return Observation("other", type_name=f"torch.Tensor of dtype {output.dtype}", args_after=args_after)
    if output.numel() > MAX_ELEMENTS:
        return Observation("oversized", shape=tuple(output.shape), args_after=args_after)
    return Observation("tensor", output=TensorData.of(output), args_after=args_after)
