"""The trusted side of one function's process: its frames in protocol order, for that function only.

The channel belongs to one graded function. The frames must come as ready, then call_start and
observation for case 0, 1, 2… in turn, each naming that function, then done; anything else ends the
process and costs that function the cases it had not answered. No other function is affected.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

from autograder.sandbox.limits import Limits
from autograder.sandbox.observe import Observation
from autograder.sandbox.protocol import (
    ChannelClosed,
    FrameReader,
    ProtocolError,
    Timeout,
    decode_observation,
    frame_bytes,
    integer,
    text,
)

GRACE_SECONDS = 2.0
FRAMES_PER_FUNCTION = 8 * 2**20
"""what the trusted side reads from one function's process: its ~17 observations of ≤ 4096 elements fit"""
DEFINE_TIMEOUT = "defining it took longer than {seconds:g} s"
DEFINE_EXIT = "its process ended while defining it (it exited, or ran out of memory or CPU time)"
CALL_TIMEOUT = "it ran longer than {seconds:g} s, the limit for one call"
CALL_EXIT = "its process ended during the call (it exited, or ran out of memory or CPU time)"
FORGED = "its process sent the grader something it may not ({detail})"
STOPPED_CALL = "the call was stopped: {fault}"
STOPPED_EARLIER = "grading {name} stopped at an earlier call: {fault}"


@dataclass
class FunctionRun:
    observations: dict[int, Observation] = field(default_factory=dict)
    autograd: str = ""
    """autograd entry points the function called, as its process reported them"""
    fault: str | None = None


def observe_function(
    channel: socket.socket, name: str, job: dict, case_count: int, limits: Limits, deadline: float
) -> FunctionRun:
    """Send `name`'s job on its own channel, then read and check its frames until done."""
    run = FunctionRun()
    reader = FrameReader(channel.fileno(), budget_bytes=FRAMES_PER_FUNCTION)
    case: int | None = None
    try:
        channel.settimeout(max(deadline - time.monotonic(), 0.1))
        channel.sendall(frame_bytes(job))
        channel.settimeout(None)
        frame = reader.read(min(deadline, time.monotonic() + limits.cell_seconds + GRACE_SECONDS))
        if frame["type"] != "ready":
            raise ProtocolError("expected ready")
        for expected in range(case_count):
            frame = reader.read(min(deadline, time.monotonic() + limits.call_seconds + GRACE_SECONDS))
            if (
                frame["type"] != "call_start"
                or frame.get("exercise") != name
                or integer(frame.get("case"), 0, 10**4) != expected
            ):
                raise ProtocolError("a call out of order")
            case = expected
            frame = reader.read(min(deadline, time.monotonic() + limits.call_seconds + GRACE_SECONDS))
            if frame["type"] != "observation" or frame.get("exercise") != name or frame.get("case") != expected:
                raise ProtocolError("an observation out of order")
            run.observations[expected] = decode_observation(frame)
            evidence = text(frame.get("autograd", ""), 300)
            run.autograd = run.autograd or evidence
            case = None
        if reader.read(min(deadline, time.monotonic() + limits.call_seconds + GRACE_SECONDS))["type"] != "done":
            raise ProtocolError("expected done")
    except (TimeoutError, Timeout):
        run.fault = (
            CALL_TIMEOUT.format(seconds=limits.call_seconds)
            if case is not None
            else DEFINE_TIMEOUT.format(seconds=limits.cell_seconds)
        )
    except ChannelClosed:
        run.fault = CALL_EXIT if case is not None else DEFINE_EXIT
    except ProtocolError as exc:  # the sandbox's doing; any other exception is a fault of ours and goes up
        run.fault, case = FORGED.format(detail=str(exc)[:200]), None
    if run.fault is not None:
        if case is not None:
            run.observations[case] = Observation("raised", error=STOPPED_CALL.format(fault=run.fault))
        why = STOPPED_EARLIER.format(name=name, fault=run.fault) if run.observations else run.fault
        for later in range(case_count):
            run.observations.setdefault(later, Observation("stopped", error=why))
    return run
