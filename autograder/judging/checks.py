"""Decide whether one observed call is right. Pure functions of plain data; nothing prints.

Checks run in order (exists, returns, type, shape, dtype, finite, values, input untouched)
and stop at the first failure, so each failing case gets one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from autograder import messages as msg
from autograder.authoring.exercises import EXERCISES_BY_NAME, Exercise, OutputDtype
from autograder.authoring.inputs import Case
from autograder.sandbox.observe import Observation

MAX_SHOWN_VALUES = 6
MAX_NAMES, MAX_NAME = 5, 40
"""how many of the notebook's own function names a "did you rename it?" shows, and how much of each"""


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one case. `message` is the student-facing sentence when it failed."""

    case: Case
    passed: bool
    message: str = ""
    check: str = "passed"
    """which check decided: passed, missing, stopped, raised, type, shape, dtype, finite, value, mutation"""
    failing_index: tuple[int, ...] | None = None
    """the failing element with the smallest input, the simplest one to reason about"""
    got: float | None = None
    expected: float | None = None
    point: str = ""
    """that element's input, as `x = 0`"""
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    tolerance: str = ""
    off_ratios: tuple[float, float] | None = None
    """the smallest and largest got/expected over every wrong element; None if one of them expects 0"""


def describe_inputs(exercise: Exercise, args: tuple[torch.Tensor, ...]) -> str:
    parts = []
    for name, arg in zip(exercise.parameters, args):
        values = arg.reshape(-1).tolist()
        shown = ", ".join(f"{v:.6g}" for v in values[:MAX_SHOWN_VALUES]) + (
            ", …" if len(values) > MAX_SHOWN_VALUES else ""
        )
        text = f"{shown}" if arg.dim() == 0 else f"[{shown}]"
        parts.append(f"{name} = {text} ({str(arg.dtype).removeprefix('torch.')}, shape {tuple(arg.shape)})")
    return " and ".join(parts)


def describe_point(exercise: Exercise, args: tuple[torch.Tensor, ...], index: tuple[int, ...]) -> str:
    values = [arg.broadcast_to(args[0].shape)[index].item() for arg in args]
    return ", ".join(f"{name} = {value:.6g}" for name, value in zip(exercise.parameters, values))


def _fail(case: Case, check: str, message: str, **details) -> CaseResult:
    return CaseResult(case, False, message, check, **details)


def check_case(
    exercise: Exercise, case: Case, observation: Observation, student_names: tuple[str, ...] = ()
) -> CaseResult:
    """Judge one call of the student's function on one case, from what the sandbox observed: missing, raised, not
    a tensor, the wrong shape or dtype, not finite, the wrong values (against the reference, within the exercise's
    tolerance) or its input changed, in that order. The first failure is the verdict, with one sentence naming the
    input, what came back and what was expected. `student_names`: what the notebook defines, for "did you rename it?".
    Pure: nothing runs here but the reference."""
    sig = exercise.signature
    inputs = describe_inputs(exercise, case.args)
    if observation.kind == "missing":
        # the callers leave out the course's graded names; the default homework's are left out here too, for direct
        # calls
        similar = sorted(
            n
            for n in student_names
            if n not in EXERCISES_BY_NAME and (exercise.name[:4] in n or n[:4] in exercise.name)
        )
        shown = [name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…" for name in similar[:MAX_NAMES]]
        hint = (
            msg.DID_YOU_MEAN.format(names=", ".join(shown + (["…"] if len(similar) > MAX_NAMES else [])))
            if similar
            else ""
        )
        return _fail(case, "missing", msg.MISSING.format(signature=sig, did_you_mean=hint))
    if observation.kind == "stopped":
        return _fail(case, "stopped", msg.NOT_CALLED.format(signature=sig, reason=observation.error))
    if observation.kind == "raised":
        return _fail(case, "raised", msg.RAISED.format(signature=sig, error=observation.error, inputs=inputs))
    if observation.kind == "oversized":
        expected_shape = tuple(exercise.reference(*case.args).shape)
        return _fail(
            case,
            "shape",
            msg.WRONG_SHAPE.format(signature=sig, got=observation.shape, expected=expected_shape, inputs=inputs),
        )
    if observation.kind != "tensor" or observation.output is None:
        return _fail(case, "type", msg.NOT_TENSOR.format(signature=sig, type_name=observation.type_name, inputs=inputs))

    got = observation.output.to_tensor()
    expected = exercise.reference(*case.args)
    if tuple(got.shape) != tuple(expected.shape):
        return _fail(
            case,
            "shape",
            msg.WRONG_SHAPE.format(signature=sig, got=tuple(got.shape), expected=tuple(expected.shape), inputs=inputs),
        )
    input_dtype = case.args[0].dtype
    if exercise.output_dtype == OutputDtype.ANY_FLOAT:
        dtype_ok, wanted = got.is_floating_point(), msg.EXPECTED_DTYPE_FLOAT
    else:
        dtype_ok, wanted = (
            got.dtype == input_dtype,
            msg.EXPECTED_DTYPE_INPUT.format(dtype=str(input_dtype).removeprefix("torch.")),
        )
    if not dtype_ok:
        return _fail(
            case,
            "dtype",
            msg.WRONG_DTYPE.format(
                signature=sig, got=str(got.dtype).removeprefix("torch."), expected=wanted, inputs=inputs
            ),
        )

    got64 = got.to(torch.float64)
    tolerance = exercise.tolerance(input_dtype)
    error = (got64 - expected).abs()
    finite = torch.isfinite(error)
    details: dict[str, object] = dict(
        max_abs_error=error[finite].max().item() if finite.any() else None,
        max_rel_error=(error / expected.abs())[relative].max().item()
        if (relative := finite & (expected != 0)).any()
        else None,
        tolerance=tolerance.describe(),
    )
    not_finite = ~torch.isfinite(got64)
    if not_finite.any():
        index = _smallest_input(not_finite, case.args[0])
        point = describe_point(exercise, case.args, index)
        return _fail(
            case,
            "finite",
            msg.NOT_FINITE.format(
                signature=sig, got=f"{got64[index].item():g}", point=point, expected=f"{expected[index].item():.6g}"
            ),
            failing_index=index,
            got=got64[index].item(),
            expected=expected[index].item(),
            point=point,
            **details,
        )
    off = error > tolerance.atol + tolerance.rtol * expected.abs()
    if off.any():
        index = _smallest_input(off, case.args[0])
        point = describe_point(exercise, case.args, index)
        ratios = (got64[off] / expected[off]) if bool((expected[off] != 0).all()) else None
        details["off_ratios"] = (ratios.min().item(), ratios.max().item()) if ratios is not None else None
        return _fail(
            case,
            "value",
            msg.WRONG_VALUE.format(
                signature=sig,
                point=point,
                got=f"{got64[index].item():.6g}",
                expected=f"{expected[index].item():.6g}",
                count=int(off.sum()),
                total=off.numel(),
                tolerance=tolerance.describe(),
            ),
            failing_index=index,
            got=got64[index].item(),
            expected=expected[index].item(),
            point=point,
            **details,
        )
    for name, before, after in zip(exercise.parameters, case.args, observation.args_after):
        if after.to_tensor().shape != before.shape or after.data != _bytes_of(before):
            return _fail(case, "mutation", msg.MODIFIED_INPUT.format(signature=sig, argument=name))
    return CaseResult(case, True)


def _smallest_input(mask: torch.Tensor, first_argument: torch.Tensor) -> tuple[int, ...]:
    """Among the failing elements, the one whose input is smallest in size (the first, on ties)."""
    if not mask.dim():
        return ()
    sizes = first_argument.to(torch.float64).abs().broadcast_to(mask.shape).masked_fill(~mask, float("inf"))
    flat = int(torch.argmin(sizes.reshape(-1)))
    return tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), mask.shape))


def _bytes_of(tensor: torch.Tensor) -> bytes:
    return tensor.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
