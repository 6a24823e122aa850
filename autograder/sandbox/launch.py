"""Starting a zygote process, with the standard library alone, so a command can start its sandboxes first.

A zygote takes seconds to import torch, matplotlib and IPython. `autograder grade` calls `start_early` before it
imports the grader itself; the zygotes then load while the grader loads, and the batch's sandboxes adopt them.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading

PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_early: list[tuple[subprocess.Popen, socket.socket]] = []
_lock = threading.Lock()


def launch() -> tuple[subprocess.Popen, socket.socket]:
    """A zygote process and our end of its control channel; it says it is ready on that channel once it has loaded."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    environment = {k: v for k, v in os.environ.items() if k in PASSED_ENVIRONMENT}
    process = subprocess.Popen(
        [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
        stdin=subprocess.DEVNULL,
        env={**environment, "MPLBACKEND": "Agg"},
    )
    theirs.close()
    return process, ours


def start_early(count: int) -> None:
    """Launch `count` zygotes now, for the sandboxes this process makes later (`take_early`)."""
    with _lock:
        _early.extend(launch() for _ in range(count))


def take_early() -> tuple[subprocess.Popen, socket.socket] | None:
    with _lock:
        return _early.pop() if _early else None


@atexit.register
def _close_unused() -> None:
    """A zygote no sandbox adopted ends when its control channel closes."""
    while (early := take_early()) is not None:
        process, control = early
        control.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
