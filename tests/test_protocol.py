"""The channel out of the sandbox: only well-formed plain data is accepted."""

from __future__ import annotations

import base64
import os
import time

import pytest
import torch

from autograder.sandbox.observe import TensorData
from autograder.sandbox.protocol import (
    FrameReader,
    ProtocolError,
    Timeout,
    decode_observation,
    decode_tensor,
    encode_tensor,
    send,
)


def test_a_tensor_survives_the_round_trip_bit_for_bit():
    for tensor in (
        torch.tensor(1.5),
        torch.randn(3, 4, dtype=torch.float64),
        torch.tensor([True, False]),
        torch.tensor([float("nan")]),
    ):
        back = decode_tensor(encode_tensor(TensorData.of(tensor))).to_tensor()
        assert (
            back.dtype == tensor.dtype
            and back.shape == tensor.shape
            and back.numpy().tobytes() == tensor.numpy().tobytes()
        )


@pytest.mark.parametrize(
    "tensor, problem",
    [
        ({"dtype": "object", "shape": [1], "data": ""}, "dtype 'object'"),
        (
            {"dtype": "float32", "shape": [2], "data": base64.b64encode(b"\0" * 4).decode()},
            "tensor bytes do not match its shape",
        ),
        ({"dtype": "float32", "shape": [-1], "data": ""}, "expected an integer in [0, 2147483648)"),
        ({"dtype": "float32", "shape": [1], "data": "not base64!"}, "tensor bytes are not base64"),
        ("a pickle", "expected a tensor"),
        ({"dtype": ["float32"], "shape": [1], "data": ""}, "dtype ['float32']"),
    ],
)
def test_a_malformed_tensor_is_refused(tensor, problem):
    with pytest.raises(ProtocolError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        decode_tensor(tensor)


@pytest.mark.parametrize("frame", [{"kind": "passed"}, {"kind": ["tensor"]}, {"kind": {"a": 1}}, {"kind": "tensor"}])
def test_an_unknown_observation_kind_or_a_missing_field_is_the_sandboxs_protocol_error(frame):
    with pytest.raises(ProtocolError):  # never a KeyError or a TypeError: those are the grader's own faults
        decode_observation(frame)


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


# ---- the trusted side's order and caps (read_cells.py, read_calls.py) ---------------------------


def test_a_cells_sandbox_may_only_report_the_cells_it_was_sent_in_their_order():
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.read_cells import CellOrder, OutputCaps

    caps = OutputCaps.of(Limits())
    order = CellOrder([(3, "a"), (5, "b")])
    assert order.frame({"type": "cell_start", "index": 3}, caps)[:2] == ("cell_start", 3)
    for forged in (
        {"type": "observation", "exercise": "f", "case": 0},
        {"type": "cell", "index": 5, "outputs": []},
        {"type": "done"},
        {"type": "cell_start", "index": 5},
    ):
        with pytest.raises(ProtocolError, match="out of order"):
            CellOrder([(3, "a"), (5, "b")]).frame(forged, caps)
    assert order.frame({"type": "cell", "index": 3, "outputs": []}, caps) == ("cell", 3, [])
    with pytest.raises(ProtocolError, match="a cell out of order"):
        order.frame({"type": "cell_start", "index": 7}, caps)


def test_the_trusted_side_caps_text_images_and_outputs_whatever_the_sandbox_sends():
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.read_cells import MAX_OUTPUTS, MAX_OUTPUTS_PER_CELL, TRUNCATED, OutputCaps, cell_outputs

    caps = OutputCaps.of(Limits(output_bytes=3000, images=2))
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 100).decode()
    outputs = [{"output_type": "display_data", "data": {"image/png": png}}] * 5
    outputs += [{"output_type": "stream", "name": "stdout", "text": "x" * 700}] * 3
    outputs += [{"output_type": "error", "ename": "E" * 100, "evalue": "", "traceback": []}] * 500
    kept = cell_outputs(outputs, caps)
    assert sum("image/png" in o.get("data", {}) for o in kept) == 2
    assert kept[-1] == {"output_type": "stream", "name": "stderr", "text": TRUNCATED}
    assert sum(len(o.get("text", "")) + len(o.get("ename", "")) for o in kept[:-1]) == 3000
    assert len(kept) <= MAX_OUTPUTS_PER_CELL + 1
    many = OutputCaps.of(Limits())
    for _ in range(MAX_OUTPUTS // MAX_OUTPUTS_PER_CELL + 2):
        cell_outputs(
            [{"output_type": "error", "ename": "E", "evalue": "", "traceback": []}] * MAX_OUTPUTS_PER_CELL, many
        )
    assert many.outputs_left == 0
    huge = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 600_000).decode()
    fresh = OutputCaps.of(Limits())
    assert cell_outputs([{"output_type": "display_data", "data": {"image/png": huge, "text/plain": "fig"}}], fresh) == [
        {"output_type": "display_data", "data": {"text/plain": "fig"}, "metadata": {}}
    ]
    assert fresh.images_left == Limits().images
    with pytest.raises(ProtocolError, match="image is not a PNG"):
        cell_outputs(
            [{"output_type": "display_data", "data": {"image/png": base64.b64encode(b"GIF89a").decode()}}], caps
        )


@pytest.mark.parametrize("tail", ["\ud800", "not base64!", "=" * 4 + "QUJD", "\n"])
def test_an_image_that_is_a_png_only_in_its_first_bytes_is_the_sandboxs_protocol_error(tail):
    """A lone surrogate past the PNG's first bytes made the grader fail to write the notebook: a grader fault
    for a student's forgery. The whole image must be plain base64 of a PNG."""
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.read_cells import OutputCaps, cell_outputs

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 30).decode()
    with pytest.raises(ProtocolError, match="image is not a PNG"):
        cell_outputs([{"output_type": "display_data", "data": {"image/png": png + tail}}], OutputCaps.of(Limits()))
    assert cell_outputs([{"output_type": "display_data", "data": {"image/png": png}}], OutputCaps.of(Limits()))


def test_a_frame_nested_too_deep_or_not_utf8_is_the_sandboxs_protocol_error():
    read_end, write_end = os.pipe()
    send(write_end, {"type": "x"})
    os.write(write_end, len(b"[" * 50000).to_bytes(4, "big") + b"[" * 50000)
    reader = FrameReader(read_end, budget_bytes=10**6)
    assert reader.read(time.monotonic() + 5) == {"type": "x"}
    with pytest.raises(ProtocolError, match="unreadable frame: RecursionError"):
        reader.read(time.monotonic() + 5)
    from autograder.sandbox.protocol import text

    assert text("a\ud800b") == "a?b"
    os.close(read_end)
    os.close(write_end)


def test_a_functions_channel_speaks_for_that_function_only():
    import socket
    import threading

    from autograder.sandbox.limits import Limits
    from autograder.sandbox.protocol import frame_bytes
    from autograder.sandbox.read_calls import observe_function

    ours, theirs = socket.socketpair()
    tensor = encode_tensor(TensorData.of(torch.zeros(2)))
    frames = [
        {"type": "ready"},
        {"type": "call_start", "exercise": "relu", "case": 0},
        {"type": "observation", "exercise": "relu", "case": 0, "kind": "tensor", "output": tensor, "args_after": []},
        {"type": "call_start", "exercise": "relu", "case": 1},
        {"type": "observation", "exercise": "sigmoid", "case": 1, "kind": "tensor", "output": tensor, "args_after": []},
    ]

    def sandbox():
        theirs.recv(1 << 16)
        theirs.sendall(b"".join(frame_bytes(f) for f in frames))

    threading.Thread(target=sandbox).start()
    run = observe_function(ours, "relu", {"type": "job"}, 3, Limits(call_seconds=1), time.monotonic() + 10)
    assert run.observations[0].kind == "tensor"
    assert run.fault == "its process sent the grader something it may not (an observation out of order)"
    assert [run.observations[i].kind for i in (1, 2)] == ["stopped", "stopped"]
    assert run.observations[2].error == (
        "grading relu stopped at an earlier call: its process sent the grader something it may not "
        "(an observation out of order)"
    )
    ours.close()
    theirs.close()
