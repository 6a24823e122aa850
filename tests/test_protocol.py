"""The channel out of the sandbox: only well-formed plain data is accepted."""
from __future__ import annotations

import base64
import os
import time

import pytest
import torch

from autograder.observe import TensorData
from autograder.sandbox.protocol import FrameReader, ProtocolError, Timeout, decode_observation, decode_tensor, encode_tensor, send


def test_a_tensor_survives_the_round_trip_bit_for_bit():
    for tensor in (torch.tensor(1.5), torch.randn(3, 4, dtype=torch.float64), torch.tensor([True, False]), torch.tensor([float("nan")])):
        back = decode_tensor(encode_tensor(TensorData.of(tensor))).to_tensor()
        assert back.dtype == tensor.dtype and back.shape == tensor.shape and back.numpy().tobytes() == tensor.numpy().tobytes()


@pytest.mark.parametrize("tensor, problem", [
    ({"dtype": "object", "shape": [1], "data": ""}, "dtype 'object'"),
    ({"dtype": "float32", "shape": [2], "data": base64.b64encode(b"\0" * 4).decode()}, "tensor bytes do not match its shape"),
    ({"dtype": "float32", "shape": [-1], "data": ""}, "expected an integer in [0, 1048577)"),
    ({"dtype": "float32", "shape": [1], "data": "not base64!"}, "tensor bytes are not base64"),
    ("a pickle", "expected a tensor"),
])
def test_a_malformed_tensor_is_refused(tensor, problem):
    with pytest.raises(ProtocolError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        decode_tensor(tensor)


def test_an_unknown_observation_kind_is_refused():
    with pytest.raises(ProtocolError):
        decode_observation({"kind": "passed"})


def test_the_reader_stops_at_its_byte_budget_and_its_deadline():
    read_end, write_end = os.pipe()
    send(write_end, {"type": "x", "padding": "y" * 5000})
    with pytest.raises(ProtocolError, match="more data than allowed"):
        FrameReader(read_end, budget_bytes=1000).read(deadline=time.monotonic() + 5)
    quiet_read, quiet_write = os.pipe()
    with pytest.raises(Timeout):
        FrameReader(quiet_read, budget_bytes=1000).read(deadline=time.monotonic() + 0.05)
    for fd in (read_end, write_end, quiet_read, quiet_write):
        os.close(fd)
