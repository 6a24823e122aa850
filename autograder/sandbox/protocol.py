"""The channel out of a sandbox: length-prefixed JSON frames. Never a pickle, never an object.

The trusted side reads with a deadline and a byte budget, and rebuilds everything it uses
from validated plain fields; a frame that breaks the rules ends the sandbox.
"""

from __future__ import annotations

import base64
import json
import os
import select
import struct
import time

from autograder.sandbox.observe import DTYPES, MAX_ELEMENTS, Observation, TensorData

HEADER = struct.Struct("!I")
MAX_FRAME = 8 * 2**20
MAX_TEXT = 4096
ITEM_SIZE = {
    "float16": 2,
    "bfloat16": 2,
    "float32": 4,
    "float64": 8,
    "int8": 1,
    "int16": 2,
    "int32": 4,
    "int64": 8,
    "uint8": 1,
    "bool": 1,
}
assert set(ITEM_SIZE) == set(DTYPES)
COMPLEX_NUMBERS = "complex numbers"
"""what a function's process reports, next to the autograd entry points it called, when a call made a complex tensor"""


class ProtocolError(Exception):
    """The sandbox sent something it may not; whatever it sent after is ignored."""


class ChannelClosed(Exception):
    pass


class Timeout(Exception):
    pass


# ---- writing (inside the sandbox) -------------------------------------------------------


def frame_bytes(frame: dict) -> bytes:
    payload = json.dumps(frame, separators=(",", ":")).encode()
    return HEADER.pack(len(payload)) + payload


def send(fd: int, frame: dict) -> None:
    view = memoryview(frame_bytes(frame))
    while view:
        view = view[os.write(fd, view) :]


def encode_tensor(data: TensorData) -> dict:
    return {"dtype": data.dtype, "shape": list(data.shape), "data": base64.b64encode(data.data).decode()}


def encode_observation(exercise: str, case: int, seen: Observation, autograd: str) -> dict:
    return {
        "type": "observation",
        "exercise": exercise,
        "case": case,
        "kind": seen.kind,
        "output": encode_tensor(seen.output) if seen.output else None,
        "shape": list(seen.shape),
        "type_name": seen.type_name,
        "error": seen.error,
        "student_trace": seen.student_trace,
        "args_after": [encode_tensor(a) for a in seen.args_after],
        "autograd": autograd,
    }


# ---- reading (the trusted side) ---------------------------------------------------------


class FrameReader:
    def __init__(self, fd: int, budget_bytes: int):
        self.fd, self.budget, self.buffer = fd, budget_bytes, b""

    def _fill(self, size: int, deadline: float) -> None:
        while len(self.buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                raise Timeout()
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                raise ChannelClosed()
            self.budget -= len(chunk)
            if self.budget < 0:
                raise ProtocolError("the sandbox sent more data than allowed")
            self.buffer += chunk

    def read(self, deadline: float) -> dict:
        self._fill(HEADER.size, deadline)
        (size,) = HEADER.unpack(self.buffer[: HEADER.size])
        if size > MAX_FRAME:
            raise ProtocolError(f"frame of {size} bytes")
        self._fill(HEADER.size + size, deadline)
        payload, self.buffer = self.buffer[HEADER.size : HEADER.size + size], self.buffer[HEADER.size + size :]
        try:
            frame = json.loads(payload)
        except (ValueError, RecursionError, MemoryError) as exc:  # nesting 50,000 deep is the sandbox's doing
            raise ProtocolError(f"unreadable frame: {type(exc).__name__}") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise ProtocolError("frame without a type")
        return frame


def text(value, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise ProtocolError("expected text")
    return utf8(value[:limit])


def utf8(value: str) -> str:
    """`value` with anything UTF-8 cannot encode (a lone surrogate) replaced: it must be writable anywhere."""
    return value.encode("utf-8", "replace").decode("utf-8")


def integer(value, low: int, high: int) -> int:
    if type(value) is not int or not low <= value < high:
        raise ProtocolError(f"expected an integer in [{low}, {high})")
    return value


def _shape(value) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > 8:
        raise ProtocolError("bad shape")
    return tuple(integer(n, 0, 2**31) for n in value)


def decode_tensor(value) -> TensorData:
    if not isinstance(value, dict):
        raise ProtocolError("expected a tensor")
    dtype = value.get("dtype")
    if not isinstance(dtype, str) or dtype not in ITEM_SIZE:
        raise ProtocolError(f"dtype {dtype!r}")
    shape = _shape(value.get("shape"))
    count = 1
    for n in shape:
        count *= n
    try:
        raw = base64.b64decode(text(value.get("data"), 12 * MAX_ELEMENTS), validate=True)
    except ValueError:
        raise ProtocolError("tensor bytes are not base64") from None
    if count > MAX_ELEMENTS or len(raw) != count * ITEM_SIZE[dtype]:
        raise ProtocolError("tensor bytes do not match its shape")
    return TensorData(dtype, shape, raw)


KINDS = {"tensor", "oversized", "other", "raised", "missing"}


def decode_observation(frame: dict) -> Observation:
    kind = frame.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ProtocolError(f"observation kind {str(kind)[:20]!r}")
    output = decode_tensor(frame.get("output")) if kind == "tensor" else None
    shape = _shape(frame.get("shape", [])) if kind == "oversized" else ()
    args_after = frame.get("args_after", [])
    if not isinstance(args_after, list) or len(args_after) > 4:
        raise ProtocolError("bad arguments")
    return Observation(
        kind,
        output=output,
        shape=shape,
        type_name=text(frame.get("type_name", ""), 200),
        error=text(frame.get("error", ""), 500),
        student_trace=text(frame.get("student_trace", "")),
        args_after=tuple(decode_tensor(a) for a in args_after),
    )
