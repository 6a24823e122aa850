"""The warm fork server: `python -m autograder.sandbox.zygote FD`.

It is started with exec, not fork, so its memory never holds the master notebook, the
gradebook or another student's work: a sandbox forked from it inherits only imported modules.
Each request brings a socket; the zygote forks a sandbox on it and answers with its pid. The
sandbox reads its job from that socket itself, so the zygote never sees student code.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile

from . import cgroups, isolation
from .child import prepare, serve
from .limits import Limits
from .protocol import send


def _sandbox(channel: int, request: dict) -> None:
    """The sandbox's first process: isolate, fork the process that runs student code, wait, clean up."""
    limits, workdir = Limits(**request["limits"]), request["workdir"]
    level = isolation.enter_namespaces(request["hidden"], workdir, limits.tmp_mb)
    if level == isolation.BASIC:
        isolation.become_subreaper()
    student = os.fork()
    if student == 0:
        isolation.die_with_parent(signal.SIGKILL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, channel)
        os.closerange(channel + 1, 4096)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        isolation.confine(level, limits, workdir)
        os.environ.clear()
        os.environ.update({"HOME": workdir, "TMPDIR": workdir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg"})
        serve(channel, limits)
        os._exit(0)
    send(channel, {"type": "started", "pid": student, "level": level})
    os.close(channel)
    os.waitpid(student, 0)
    if level == isolation.BASIC:  # no PID namespace: end whatever the student's code left behind
        _end_orphans()
    os._exit(0)


def _end_orphans() -> None:
    me = str(os.getpid())
    for _ in range(20):
        orphans = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        if handle.read().rsplit(")", 1)[1].split()[1] == me:
                            orphans.append(int(entry))
                except OSError:
                    continue
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass


def main(control_fd: int) -> None:
    # No PR_SET_PDEATHSIG here: it fires when the starting *thread* ends (a thread pool's, a Dask
    # worker's). The control socket's end-of-file, which also comes when the grader is killed, ends us.
    isolation.become_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the grader's to handle
    prepare()
    control = socket.socket(fileno=control_fd)
    control.sendall(b'{"ready": true}')
    groups: dict[int, tuple] = {}
    while True:
        _reap(groups)
        if not select.select([control], [], [], 0.2)[0]:
            continue
        message, fds, _, _ = socket.recv_fds(control, 65536, 1)
        if not message:  # the grader is gone: end every sandbox still running, then leave
            for pid in list(groups):
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
            _reap(groups)
            for pid, (folders, workdir) in groups.items():
                cgroups.remove(folders)
                shutil.rmtree(workdir, ignore_errors=True)
            return
        request = json.loads(message)
        limits = Limits(**request["limits"])
        request["workdir"] = tempfile.mkdtemp(prefix="autograder-sandbox-")
        folders = cgroups.create(f"autograder-{os.getpid()}-{request['job']}", limits.processes, limits.memory_mb * 2**20 + 512 * 2**20)
        pid = os.fork()
        if pid == 0:
            control.close()
            cgroups.join(folders, os.getpid())  # before it can fork: everything it starts is counted
            _sandbox(fds[0], request)
        groups[pid] = (folders, request["workdir"])
        os.close(fds[0])
        control.sendall(json.dumps({"pid": pid, "cgroups": bool(folders)}).encode())


def _reap(groups: dict[int, tuple]) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        folders, workdir = groups.pop(pid, ([], None))
        cgroups.remove(folders)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)  # only a mount point out here; its tmpfs died with the sandbox


if __name__ == "__main__":
    main(int(sys.argv[1]))
