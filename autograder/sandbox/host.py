"""The first process of a sandbox: make the view, then start the process that runs student code.

A "cells" sandbox has one such process: the student's cells, for their outputs. A "functions"
sandbox has a host (PID 1 of its namespace, grader code only) that starts one process per graded
function, one at a time, each on its own channel to the trusted side, and ends every process the last
one left before it starts the next. A function's process never shares memory, a channel or a live
process with another function's.
"""

from __future__ import annotations

import os
import select
import signal
import time
import traceback

from autograder.sandbox import isolation, run_calls, run_cells, run_figures
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import ChannelClosed, FrameReader, ProtocolError, Timeout, send

SANDBOX_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}


def sandbox(fds: list[int], request: dict, allowed: tuple[list[str], list[str]]) -> None:
    """Runs in a fresh fork of the zygote, holding the channels `fds` (the control channel first)."""
    limits, kind = Limits(**request["limits"]), request["kind"]
    _oom_score(-1000)  # grader code: when memory runs out, the kernel ends the student's process, not this
    uid = isolation.sandbox_uid()
    try:
        level = isolation.enter_namespaces(request["workdir"], limits.tmp_mb, uid, allowed)
    except Exception:  # noqa: BLE001  (no student code has run: this is the grader's failure, said as such)
        send(fds[0], {"type": "grader_fault", "error": traceback.format_exc()[-4000:]})
        os._exit(1)
    if level == isolation.BASIC:
        isolation.become_subreaper()
    first = os.fork()
    if first == 0:
        isolation.die_with_parent(signal.SIGKILL)
        if kind in ("cells", "figures"):  # a figures sandbox runs no student code, but draws what a student's code said
            _student(
                fds[0],
                level,
                limits,
                uid,
                request["workdir"],
                run_cells.serve if kind == "cells" else run_figures.serve,
            )
        _host(fds[0], fds[1:], request["names"], level, limits, uid, request["workdir"])
    send(fds[0], {"type": "started", "pid": first, "level": level})
    for fd in fds:
        os.close(fd)
    os.waitpid(first, 0)
    if level == isolation.BASIC:  # no PID namespace: end whatever the student's code left behind
        isolation.end_children()
    os._exit(0)


def _student(channel: int, level: str, limits: Limits, uid: int, workdir: str, serve) -> None:
    """Become the process that runs student code, on `channel` alone, and never return."""
    if level == isolation.NAMESPACES and os.getpid() == 1:
        isolation.mount_proc()
    _oom_score(1000)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, channel)
    os.closerange(channel + 1, 65536)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD):
        signal.signal(number, signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL)
    isolation.confine(level, limits, uid, workdir)
    os.environ.clear()
    os.environ.update({**SANDBOX_ENVIRONMENT, "HOME": os.getcwd(), "TMPDIR": os.getcwd()})
    run_cells.forget_grader()
    serve(channel, limits)
    os._exit(0)


def _host(
    control: int, channels: list[int], names: list[str], level: str, limits: Limits, uid: int, workdir: str
) -> None:
    """PID 1 of a functions sandbox: each function in a process of its own, one after the other."""
    if level == isolation.NAMESPACES:
        isolation.mount_proc()
    else:
        isolation.become_subreaper()
    reader = FrameReader(control, budget_bytes=2**20)
    for slot, (name, channel) in enumerate(zip(names, channels), start=1):
        child = os.fork()
        if child == 0:
            # a user of its own (0 only inside a user namespace, where one uid is mapped)
            own = uid + slot if uid else 0
            if level == isolation.NAMESPACES:
                isolation.private_workdir(limits.tmp_mb, own)
            _student(channel, level, limits, own, workdir, run_calls.serve)
        os.close(channel)
        if not _wait_or_stop(reader, control, child, name):
            break
        _end_the_rest(level)
    _end_the_rest(level)
    os._exit(0)


def _wait_or_stop(reader: FrameReader, control: int, child: int, name: str) -> bool:
    """Until the child ends, or the trusted side says stop; False when the trusted side is gone."""
    pidfd = os.pidfd_open(child)
    try:
        while True:
            ready = select.select([pidfd, control], [], [])[0]
            if pidfd in ready:
                os.waitpid(child, 0)
                return True
            try:
                message = reader.read(time.monotonic() + 5)
            except (ChannelClosed, ProtocolError, Timeout):
                os.kill(child, signal.SIGKILL)
                return False
            if message.get("type") == "stop" and message.get("exercise") == name:
                os.kill(child, signal.SIGKILL)
    finally:
        os.close(pidfd)


def _end_the_rest(level: str) -> None:
    """Leave no process of the last function's behind: none may outlive it into the next one."""
    if level == isolation.NAMESPACES:
        for _ in range(100):
            try:
                os.kill(-1, signal.SIGKILL)  # from PID 1: every other process of this namespace
            except ProcessLookupError:
                pass
            isolation.reap_children()
            if [p for p in os.listdir("/proc") if p.isdigit() and p != "1"] == []:
                return
    else:
        isolation.end_children()


def _oom_score(value: int) -> None:
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write(str(value))
    except OSError:
        pass
