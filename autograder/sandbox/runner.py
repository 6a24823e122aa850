"""The trusted side of a sandbox: start it, feed it a job, read and validate what comes back.

Only validated plain data leaves this module: cell outputs as nbformat dicts built here,
observations rebuilt from bytes, and a fault sentence when the sandbox had to be stopped.
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..observe import Observation
from .limits import Limits
from .protocol import ChannelClosed, FrameReader, ProtocolError, Timeout, decode_observation, integer, send, text

STOPPED_TIME = "your notebook was stopped after {seconds:g} s, the limit for a whole submission"
STOPPED_EXIT = "your notebook's process ended before grading finished (it exited, or ran out of memory or CPU time)"
STOPPED_CELL = "it ran longer than {seconds:g} s, the limit for one cell"
STOPPED_CALL = "it ran longer than {seconds:g} s, the limit for one call"
STOPPED_CHANNEL = "your notebook sent the grader something it may not ({detail})"
MAX_ATTEMPTS = 3
GRACE_SECONDS = 2.0
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class SandboxRun:
    outputs: dict[int, list[dict]] = field(default_factory=dict)
    observations: dict[tuple[str, int], Observation] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    fault: str | None = None
    level: str = ""
    seconds: float = 0.0


class Sandbox:
    """A warm zygote plus the means to run one submission at a time in a fresh sandbox."""

    def __init__(self, limits: Limits = Limits(), hidden: list[str] | tuple[str, ...] = ()):
        self.limits, self.hidden = limits, [str(Path(p).resolve()) for p in hidden]
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._jobs = 0

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> "Sandbox":
        if self._process is not None:
            return self
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        environment = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env={**environment, "MPLBACKEND": "Agg"},
        )
        theirs.close()
        self._control = ours
        self._control.settimeout(120)
        if json.loads(self._control.recv(4096) or b"{}").get("ready") is not True:
            raise RuntimeError("the sandbox zygote did not start")
        return self

    def close(self) -> None:
        if self._process is not None:
            self._control.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = self._control = None

    def run(self, cells: list[tuple[int, str]], exercises: list[str]) -> SandboxRun:
        """Run the cells in a fresh sandbox, then observe each exercise's function on its cases.

        When a sandbox dies or hangs, the cell or call it was in is left out and a fresh one
        tries again, so one fatal cell costs only what depends on it.
        """
        self.start()
        run, started = SandboxRun(), time.monotonic()
        cells_left, exercises_left = list(cells), list(exercises)
        for _ in range(MAX_ATTEMPTS):
            activity, fault = self._attempt(cells_left, exercises_left, run)
            if fault is None:
                break
            run.fault = run.fault or fault
            if activity and activity[0] == "cell":
                run.outputs[activity[1]] = [_stopped_output(fault)]
                cells_left = [cell for cell in cells_left if cell[0] != activity[1]]
            elif activity and activity[0] == "call":
                exercises_left = [name for name in exercises_left if name != activity[1]]
                for (name, case), seen in list(run.observations.items()):
                    if name == activity[1] and case >= activity[2]:
                        del run.observations[(name, case)]
                run.observations[activity[1:]] = Observation("raised", error=f"the call stopped the notebook: {fault}")
            else:
                break
        run.seconds = time.monotonic() - started
        return run

    def _attempt(self, cells, exercises, run: SandboxRun) -> tuple[tuple | None, str | None]:
        """One sandbox from start to end. Returns what it was doing when it failed, and why."""
        deadline = time.monotonic() + self.limits.submission_seconds
        ours, theirs = socket.socketpair()
        self._jobs += 1
        request = {"limits": self.limits.as_dict(), "hidden": self.hidden, "job": self._jobs}
        socket.send_fds(self._control, [json.dumps(request).encode()], [theirs.fileno()])
        theirs.close()
        json.loads(self._control.recv(4096))
        reader = FrameReader(ours.fileno(), budget_bytes=64 * 2**20)
        student_pid, activity, fault = None, None, None
        try:
            started_frame = reader.read(deadline)
            student_pid, run.level = integer(started_frame.get("pid"), 2, 2**22), text(started_frame.get("level"), 20)
            send(ours.fileno(), {"cells": cells, "exercises": exercises})
            expected_cells = {index for index, _ in cells}
            while True:
                limit = self.limits.cell_seconds if activity and activity[0] == "cell" else self.limits.call_seconds
                frame = reader.read(min(deadline, time.monotonic() + limit + GRACE_SECONDS) if activity else deadline)
                kind = frame["type"]
                if kind == "done":
                    break
                if kind == "cell_start":
                    activity = ("cell", integer(frame.get("index"), 0, 10**6))
                elif kind == "call_start":
                    activity = ("call", self._exercise(frame, exercises), integer(frame.get("case"), 0, 10**4))
                elif kind == "cell":
                    index = integer(frame.get("index"), 0, 10**6)
                    if index not in expected_cells:
                        raise ProtocolError("output for a cell that was not sent")
                    run.outputs[index] = [_output(o) for o in _list(frame.get("outputs"), 200)]
                    activity = None
                elif kind == "names":
                    run.names = tuple(text(n, 100) for n in _list(frame.get("names"), 200))
                elif kind == "observation":
                    name = self._exercise(frame, exercises)
                    run.observations[(name, integer(frame.get("case"), 0, 10**4))] = decode_observation(frame)
                    evidence = text(frame.get("autograd", ""), 300)
                    if evidence:
                        run.observations[(name, -1)] = Observation("raised", error=evidence)
                    activity = None
                else:
                    raise ProtocolError(f"unknown frame {kind!r}")
        except Timeout:
            fault = STOPPED_TIME.format(seconds=self.limits.submission_seconds) if time.monotonic() >= deadline else (
                STOPPED_CELL.format(seconds=self.limits.cell_seconds) if activity[0] == "cell" else STOPPED_CALL.format(seconds=self.limits.call_seconds))
        except ChannelClosed:
            fault = STOPPED_EXIT
        except (ProtocolError, KeyError, TypeError, ValueError) as exc:
            fault, activity = STOPPED_CHANNEL.format(detail=str(exc)[:200]), None
        finally:
            if student_pid:
                try:
                    os.kill(student_pid, signal.SIGKILL)  # PID 1 of its namespace: everything in it dies too
                except ProcessLookupError:
                    pass
            ours.close()
        return activity, fault

    @staticmethod
    def _exercise(frame: dict, exercises: list[str]) -> str:
        name = frame.get("exercise")
        if name not in exercises:
            raise ProtocolError("a function that was not asked for")
        return name


def _stopped_output(fault: str) -> dict:
    return {"output_type": "error", "ename": "SandboxStopped", "evalue": f"this cell stopped the notebook: {fault}", "traceback": []}


_warm: dict[tuple, Sandbox] = {}


def warm_sandbox(limits: Limits = Limits(), hidden: tuple[str, ...] = ()) -> Sandbox:
    """This process's sandbox for these limits and hidden paths: started on first use, kept warm,
    closed at exit. nbgrader's TrustedExecute and each Dask worker use one."""
    key = (limits, tuple(hidden))
    if key not in _warm:
        _warm[key] = Sandbox(limits, hidden=hidden).start()
        atexit.register(_warm[key].close)
    return _warm[key]


def _list(value, limit: int) -> list:
    if not isinstance(value, list) or len(value) > limit:
        raise ProtocolError("expected a short list")
    return value


def _output(value) -> dict:
    """Rebuild one notebook output from plain fields; only text and PNG images get through."""
    if not isinstance(value, dict):
        raise ProtocolError("output is not an object")
    kind = value.get("output_type")
    if kind == "stream":
        name = value.get("name")
        if name not in ("stdout", "stderr"):
            raise ProtocolError("stream name")
        return {"output_type": "stream", "name": name, "text": text(value.get("text"), 300_000)}
    if kind == "error":
        return {"output_type": "error", "ename": text(value.get("ename"), 100), "evalue": text(value.get("evalue"), 1000),
                "traceback": [text(line, 500) for line in _list(value.get("traceback"), 10)]}
    if kind in ("display_data", "execute_result"):
        data = value.get("data")
        if not isinstance(data, dict) or not set(data) <= {"text/plain", "image/png"} or not data:
            raise ProtocolError("display data")
        clean = {}
        if "text/plain" in data:
            clean["text/plain"] = text(data["text/plain"], 2000)
        if "image/png" in data:
            png = text(data["image/png"], 4 * 2**20)
            if not base64.b64decode(png[:12] + "==", validate=False).startswith(PNG_MAGIC):
                raise ProtocolError("image is not a PNG")
            clean["image/png"] = png
        output = {"output_type": kind, "data": clean, "metadata": {}}
        if kind == "execute_result":
            output["execution_count"] = None
        return output
    raise ProtocolError(f"output type {kind!r}")
