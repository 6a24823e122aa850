"""The trusted side of the sandboxes: start them, feed them, read and check what comes back.

One submission uses two sandboxes at once, both forked from a warm zygote:
- a cells sandbox runs the student's cells for the notebook's outputs (`read_cells.py` checks them);
- a functions sandbox runs each graded function, rebuilt from its source, in a process of its own
  (`read_calls.py` checks each one's channel).
A figures sandbox, where no student code runs, draws the students' figures that were sent as specs and
not drawn for an earlier student (`read_figures.py`).
Only validated plain data leaves this module: cell outputs as nbformat dicts built here, observations
rebuilt from bytes, and a fault sentence where a process had to be stopped.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import cast

from autograder.sandbox.launch import launch, take_early
from autograder.sandbox.limits import Limits
from autograder.sandbox.observe import Observation
from autograder.sandbox.protocol import ChannelClosed, FrameReader, ProtocolError, Timeout, integer, send, text
from autograder.sandbox.read_calls import GRACE_SECONDS, FunctionRun, observe_function
from autograder.sandbox.read_cells import MAX_IMAGE_BASE64, CellOrder, OutputCaps, starts_like_png
from autograder.sandbox.read_figures import draw_figures

STOPPED_TIME = "your notebook was stopped after {seconds:g} s, the limit for a whole submission"
STOPPED_EXIT = "your notebook's process ended before grading finished (it exited, or ran out of memory or CPU time)"
STOPPED_CELL = "it ran longer than {seconds:g} s, the limit for one cell"
STOPPED_CHANNEL = "your notebook sent the grader something it may not ({detail})"
STOPPED_SANDBOX = "the grader's sandbox for the functions ended early"
MAX_ATTEMPTS = 3
START_SECONDS = 60
"""for a figures sandbox to say it started (about 0.1 s when the machine is not overloaded)"""


class SandboxFailed(RuntimeError):
    """The grader could not set a sandbox up: its fault, never the student's; the message has the traceback."""


@dataclass
class SandboxRun:
    outputs: dict[int, list[dict]] = field(default_factory=dict)
    functions: dict[str, FunctionRun] = field(default_factory=dict)
    fault: str | None = None
    """why the cells run had to be stopped, if it had to be"""
    isolation: str = ""
    seconds: float = 0.0
    cells_seconds: float = 0.0
    functions_seconds: float = 0.0
    """wall time of each sandbox; they run side by side, so `seconds` is about the larger"""

    def observation(self, name: str, case: int) -> Observation | None:
        run = self.functions.get(name)
        return run.observations.get(case) if run else None


@dataclass(frozen=True)
class FunctionJob:
    """What one function's process gets: the statements that define it, and the inputs to call it on."""

    name: str
    program: tuple[tuple[int, int, str], ...]
    cases: tuple[tuple[dict, ...], ...]

    def frame(self) -> dict:
        return {
            "type": "job",
            "exercise": self.name,
            "program": [list(s) for s in self.program],
            "cases": [list(c) for c in self.cases],
        }


class Sandbox:
    """A warm zygote plus the means to grade one submission at a time in fresh sandboxes."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._process: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._lock = threading.Lock()
        self._jobs = 0

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> Sandbox:
        if self._process is not None:
            return self
        self._process, self._control = take_early() or launch()
        self._control.settimeout(120)
        if json.loads(self._control.recv(4096) or b"{}").get("ready") is not True:
            raise RuntimeError("the sandbox zygote did not start")
        return self

    def close(self) -> None:
        if self._process is not None:
            cast(socket.socket, self._control).close()  # start() sets the two together
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = self._control = None

    def run(self, cells: list[tuple[int, str]], functions: list[FunctionJob]) -> SandboxRun:
        """The cells for their outputs and the functions for their observations, side by side."""
        self.start()
        run, started, failed = SandboxRun(), time.monotonic(), []

        def functions_side() -> None:
            try:
                self._run_functions(functions, run)
            except BaseException as exc:  # noqa: BLE001  (re-raised below, in the caller's thread)
                failed.append(exc)

        worker = threading.Thread(target=functions_side, daemon=True)
        worker.start()
        try:
            self._run_cells(cells, run)
        finally:
            worker.join()
        if failed:
            raise failed[0]
        run.seconds = time.monotonic() - started
        return run

    def _request(self, kind: str, channels: list[socket.socket], extra: dict | None = None) -> None:
        with self._lock:
            self._jobs += 1
            request = {"kind": kind, "limits": self.limits.as_dict(), "job": self._jobs, **(extra or {})}
            # only called from run(), after start()
            socket.send_fds(
                cast(socket.socket, self._control), [json.dumps(request).encode()], [c.fileno() for c in channels]
            )
            json.loads(cast(socket.socket, self._control).recv(4096))
        for channel in channels:
            channel.close()

    # ---- cells ---------------------------------------------------------------------------

    def _run_cells(self, cells: list[tuple[int, str]], run: SandboxRun) -> None:
        """When the sandbox dies or hangs, the cell it was in is left out and a fresh one tries again,
        so one fatal cell costs only what depends on it."""
        caps, started = OutputCaps.of(self.limits), time.monotonic()
        left = list(cells)
        for _ in range(MAX_ATTEMPTS):
            cell, fault = self._cells_attempt(left, run, caps)
            run.fault = run.fault or fault
            if fault is None or cell is None:
                break
            run.outputs[cell] = [_stopped_output(fault)]
            left = [c for c in left if c[0] != cell]
        draw_figures(run.outputs, self._draw)
        run.cells_seconds = time.monotonic() - started

    def _cells_attempt(self, cells, run: SandboxRun, caps: OutputCaps) -> tuple[int | None, str | None]:
        """One cells sandbox from start to end. Returns the cell it was in when it failed, and why."""
        deadline = time.monotonic() + self.limits.submission_seconds
        caps.new_attempt(self.limits)
        ours, theirs = socket.socketpair()
        self._request("cells", [theirs])
        reader, order = FrameReader(ours.fileno(), budget_bytes=64 * 2**20), CellOrder(cells)
        student_pid, cell, fault = None, None, None
        try:
            student_pid, run.isolation = self._started(reader, deadline)
            send(ours.fileno(), {"cells": cells})
            while True:
                limit = self.limits.cell_seconds + GRACE_SECONDS
                kind, index, outputs = order.frame(
                    reader.read(min(deadline, time.monotonic() + limit) if cell is not None else deadline), caps
                )
                if kind == "done":
                    break
                if kind == "cell_start":
                    cell = index
                else:  # a "cell" frame: CellOrder.frame gives its index and outputs
                    run.outputs[cast(int, index)] = cast("list[dict]", outputs)
                    cell = None
        except Timeout:
            fault = (
                STOPPED_TIME.format(seconds=self.limits.submission_seconds)
                if time.monotonic() >= deadline or cell is None
                else (STOPPED_CELL.format(seconds=self.limits.cell_seconds))
            )
        except ChannelClosed:
            fault = STOPPED_EXIT
        except ProtocolError as exc:  # the sandbox's doing; any other exception is a fault of ours and goes up
            fault, cell = STOPPED_CHANNEL.format(detail=str(exc)[:200]), None
        finally:
            _kill(student_pid)
            ours.close()
        return cell, fault

    def _draw(self, specs: list[dict]) -> list[str | None]:
        """Each spec's PNG (base64), drawn in a figures sandbox; None for one it could not draw in time."""
        images: list[str | None] = [None] * len(specs)
        ours, theirs = socket.socketpair()
        self._request("figures", [theirs])
        reader, pid = FrameReader(ours.fileno(), budget_bytes=64 * 2**20), None
        try:
            try:  # no student data has reached it yet: a figures sandbox that does not start is the grader's fault
                pid, _ = self._started(reader, time.monotonic() + START_SECONDS)
            except (Timeout, ChannelClosed, ProtocolError) as exc:
                raise SandboxFailed(f"the figures sandbox did not start: {type(exc).__name__}: {exc}") from exc
            deadline = time.monotonic() + self.limits.cell_seconds  # all of them: a figure here takes about 0.1 s
            send(ours.fileno(), {"specs": specs})
            for index in range(len(specs)):
                frame = reader.read(deadline + GRACE_SECONDS)
                if frame.get("type") != "figure" or frame.get("index") != index:
                    raise ProtocolError("a figure out of order")
                png = frame.get("png")
                if isinstance(png, str) and len(png) <= MAX_IMAGE_BASE64 and starts_like_png(png):
                    images[index] = png
        except (Timeout, ChannelClosed, ProtocolError, OSError):  # what a spec did to it: those figures are not drawn
            pass
        finally:
            _kill(pid)
            ours.close()
        return images

    @staticmethod
    def _started(reader: FrameReader, deadline: float) -> tuple[int, str]:
        """The sandbox's first frame, sent by grader code before any student code could run."""
        frame = reader.read(deadline)
        if frame["type"] == "grader_fault":
            raise SandboxFailed(f"the sandbox could not be set up:\n{text(frame.get('error'), 4000)}")
        if frame["type"] != "started":
            raise ProtocolError("expected started")
        return integer(frame.get("pid"), 2, 2**22), text(frame.get("level"), 20)

    # ---- functions -----------------------------------------------------------------------

    def _run_functions(self, jobs: list[FunctionJob], run: SandboxRun) -> None:
        """Each function in its own process; if the sandbox itself ends early, the rest get a fresh one."""
        started, left = time.monotonic(), list(jobs)
        for _ in range(MAX_ATTEMPTS):
            if not left:
                break
            self._functions_attempt(left, run)
            left = [job for job in left if job.name not in run.functions]
        for job in left:
            run.functions[job.name] = observe_nothing(job, STOPPED_SANDBOX)
        run.functions_seconds = time.monotonic() - started

    def _functions_attempt(self, jobs: list[FunctionJob], run: SandboxRun) -> None:
        deadline = time.monotonic() + self.limits.submission_seconds
        control, theirs = socket.socketpair()
        pairs = [socket.socketpair() for _ in jobs]
        self._request("functions", [theirs] + [p[1] for p in pairs], {"names": [job.name for job in jobs]})
        host_pid = None
        try:
            host_pid, _ = self._started(FrameReader(control.fileno(), budget_bytes=2**16), deadline)
            for job, (ours, _) in zip(jobs, pairs):
                if time.monotonic() >= deadline:
                    run.functions[job.name] = observe_nothing(
                        job, STOPPED_TIME.format(seconds=self.limits.submission_seconds)
                    )
                    continue
                run.functions[job.name] = observe_function(
                    ours, job.name, job.frame(), len(job.cases), self.limits, deadline
                )
                ours.close()
                # always: a process that said `done` but lingers (its exit patched away) must not hold up the next
                send(control.fileno(), {"type": "stop", "exercise": job.name})
        except (Timeout, ChannelClosed, ProtocolError, OSError):
            return
        finally:
            _kill(host_pid)
            control.close()
            for ours, _ in pairs:
                ours.close()


def observe_nothing(job: FunctionJob, fault: str) -> FunctionRun:
    return FunctionRun({case: Observation("stopped", error=fault) for case in range(len(job.cases))}, fault=fault)


def _kill(pid: int | None) -> None:
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)  # PID 1 of its namespace: everything in it dies too
        except ProcessLookupError:
            pass


def _stopped_output(fault: str) -> dict:
    return {
        "output_type": "error",
        "ename": "SandboxStopped",
        "evalue": f"this cell stopped the notebook: {fault}",
        "traceback": [],
    }


_warm: dict[Limits, Sandbox] = {}


def warm_sandbox(limits: Limits = Limits()) -> Sandbox:
    """This process's sandbox for these limits: started on first use, kept warm, closed at exit.
    nbgrader's TrustedExecute and each Dask worker use one."""
    if limits not in _warm:
        _warm[limits] = Sandbox(limits).start()
        atexit.register(_warm[limits].close)
    return _warm[limits]
