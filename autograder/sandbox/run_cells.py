"""Inside a cells sandbox: run the student's cells as a notebook would, for their outputs only.

Everything here can be undone by the student's code, and that is fine: this process reports cell
outputs and nothing else; the trusted side caps them and accepts no other frame from it. The graded
calls run elsewhere (`run_calls.py`), in processes where no cell ever ran.
"""

from __future__ import annotations

import base64
import gc
import io
import json
import os
import signal
import sys
import traceback
import types
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import matplotlib
import matplotlib.pyplot as plt
import torch
from IPython.core.interactiveshell import InteractiveShell

from autograder.sandbox.figures import DPI, describe, remember_defaults
from autograder.sandbox.protocol import HEADER, send

if TYPE_CHECKING:
    from IPython.core.history import HistoryManager

MAX_TEXT_PLAIN = 2000


class SandboxTimeout(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` in student code lets it through."""


class OutputBudget(io.TextIOBase):
    """A stream that keeps what fits in the submission's text budget and drops the rest."""

    def __init__(self, budget: list[int], name: str, sink: list[dict]):
        self.budget, self.name, self.sink = budget, name, sink

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        kept = text[: max(self.budget[0], 0)]
        self.budget[0] -= len(text)
        if kept:
            if self.sink and self.sink[-1].get("name") == self.name:
                self.sink[-1]["text"] += kept
            else:
                self.sink.append({"output_type": "stream", "name": self.name, "text": kept})
        return len(text)


@contextmanager
def alarm(seconds: float):
    def ring(signum, frame):
        raise SandboxTimeout()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _figures(sink: list[dict], images_left: list[int]) -> None:
    """Each open figure as a spec for the trusted side to draw (once for every student whose figure is the same), or,
    when it holds something a spec cannot say, drawn here."""
    for number in plt.get_fignums():
        if images_left[0] > 0:
            figure = plt.figure(number)
            spec = describe(figure)
            if spec is not None:
                sink.append({"output_type": "display_data", "figure": spec})
            else:
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=DPI)
                sink.append(
                    {"output_type": "display_data", "data": {"image/png": base64.b64encode(buffer.getvalue()).decode()}}
                )
            images_left[0] -= 1
    plt.close("all")


def _student_traceback(exc: BaseException) -> list[str]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<ipython-input")]
    lines = [f"  line {f.lineno}: {f.line}" for f in frames[-5:] if f.line]
    return lines + [f"{type(exc).__name__}: {exc}"[:1000]]


def make_shell() -> InteractiveShell:
    shell = InteractiveShell.instance(history_length=0)
    cast("HistoryManager", shell.history_manager).enabled = False  # the shell's init made one
    return shell


def run_cell(
    shell: InteractiveShell, source: str, seconds: float, budget: list[int], images_left: list[int]
) -> list[dict]:
    """Run one student cell in the sandbox's IPython shell, as Jupyter would, within `seconds`, and return its
    outputs as nbformat dicts: printed text within the shared `budget` of bytes, displayed values, figures (within
    `images_left`) and the error, if it raised. The outputs are for the notebook only; no grade is read from them."""
    outputs: list[dict] = []
    results: list[dict] = []
    shell.displayhook.write_output_prompt = lambda: None
    shell.displayhook.write_format_data = lambda data, metadata=None: results.append(data)
    shell.display_pub.publish = lambda data, metadata=None, **kw: outputs.append(
        {"output_type": "display_data", "data": {"text/plain": str(data.get("text/plain", ""))[:MAX_TEXT_PLAIN]}}
    )
    cast(Any, shell)._showtraceback = lambda *args: None  # replaced on this instance only
    cast(Any, shell).showsyntaxerror = lambda *args, **kwargs: None
    plt.show = lambda *args, **kwargs: _figures(outputs, images_left)
    sys.stdout, sys.stderr = OutputBudget(budget, "stdout", outputs), OutputBudget(budget, "stderr", outputs)
    try:
        with alarm(seconds):
            result = shell.run_cell(source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
    except SandboxTimeout as exc:  # the alarm rang outside IPython's own handler
        error = exc
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    _figures(outputs, images_left)
    if results and "text/plain" in results[-1]:
        outputs.append(
            {"output_type": "execute_result", "data": {"text/plain": str(results[-1]["text/plain"])[:MAX_TEXT_PLAIN]}}
        )
    if error is not None:
        if isinstance(error, SandboxTimeout):
            outputs.append(
                {
                    "output_type": "error",
                    "ename": "TimeoutError",
                    "evalue": f"the cell ran longer than {seconds:g} s",
                    "traceback": [],
                }
            )
        else:
            outputs.append(
                {
                    "output_type": "error",
                    "ename": type(error).__name__,
                    "evalue": str(error)[:1000],
                    "traceback": _student_traceback(error),
                }
            )
    return outputs


def read_job(channel: int) -> dict:
    def exactly(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = os.read(channel, size - len(data))
            if not chunk:
                os._exit(3)
            data += chunk
        return data

    (size,) = HEADER.unpack(exactly(HEADER.size))
    return json.loads(exactly(size))


def serve(channel: int, limits) -> None:
    job = read_job(channel)
    shell = make_shell()
    budget, images_left = [limits.output_bytes], [limits.images]
    for index, source in job["cells"]:
        send(channel, {"type": "cell_start", "index": index})
        send(
            channel,
            {
                "type": "cell",
                "index": index,
                "outputs": run_cell(shell, source, limits.cell_seconds, budget, images_left),
            },
        )
    send(channel, {"type": "done"})


def forget_grader() -> None:
    """Before student code runs: no module of the grader's can be imported from here (its files are
    not in the sandbox's view either), and `__main__` is an empty module, not the zygote's."""
    for name in [n for n in sys.modules if n == "autograder" or n.startswith("autograder.")]:
        del sys.modules[name]
    sys.modules["__main__"] = types.ModuleType("__main__")
    sys.path[0] = ""  # `-m` put the grader's folder first; a kernel has its working folder there


def prepare() -> None:
    """Work done once, in the warm zygote, so no sandbox pays for it."""
    matplotlib.use("Agg")
    torch.set_num_threads(1)  # a forked child of a multi-threaded torch can deadlock
    make_shell()
    plt.plot([0, 1], [0, 1], label="warm-up")  # load fonts and the PNG writer once, not per sandbox
    plt.legend()
    plt.title("warm-up")
    plt.gcf().savefig(io.BytesIO(), format="png", dpi=DPI)
    plt.close("all")
    remember_defaults()
    gc.freeze()  # what the zygote holds is never traced again: smaller collections in every sandbox, fewer copied pages
