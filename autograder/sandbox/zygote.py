"""The warm fork server: `python -m autograder.sandbox.zygote FD`.

It is started with exec, not fork, so its memory never holds the master notebook, the
gradebook or another student's work: a sandbox forked from it inherits only imported modules (torch,
matplotlib, IPython and the sandbox's own runtime; not the exercises, references or checks). Each
request brings the sandbox's channels; the zygote forks a sandbox on them and answers with its pid.
The sandbox reads its job from those channels itself, so the zygote never sees student code.
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

from autograder.sandbox import cgroups, isolation, view
from autograder.sandbox.host import sandbox
from autograder.sandbox.limits import Limits
from autograder.sandbox.run_cells import prepare

MAX_CHANNELS = 64


def main(control_fd: int) -> None:
    # No PR_SET_PDEATHSIG here: it fires when the starting *thread* ends (a thread pool's, a Dask
    # worker's). The control socket's end-of-file, which also comes when the grader is killed, ends us.
    isolation.become_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the grader's to handle
    prepare()
    allowed = view.allowed_paths()
    control = socket.socket(fileno=control_fd)
    control.sendall(b'{"ready": true}')
    groups: dict[int, tuple] = {}
    while True:
        _reap(groups)
        if not select.select([control], [], [], 0.2)[0]:
            continue
        message, fds, _, _ = socket.recv_fds(control, 65536, MAX_CHANNELS)
        if not message:  # the grader is gone: end every sandbox still running, then leave
            for pid in list(groups):
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
            _reap(groups)
            for folders, workdir in groups.values():
                cgroups.remove(folders)
                shutil.rmtree(workdir, ignore_errors=True)
            return
        request = json.loads(message)
        limits = Limits(**request["limits"])
        request["workdir"] = tempfile.mkdtemp(prefix="autograder-sandbox-")
        folders = cgroups.create(
            f"autograder-{os.getpid()}-{request['job']}", limits.processes, limits.memory_mb * 2**20 + 512 * 2**20
        )
        pid = os.fork()
        if pid == 0:
            control.close()
            cgroups.join(folders, os.getpid())  # before it can fork: everything it starts is counted
            sandbox(fds, request, allowed)
        groups[pid] = (folders, request["workdir"])
        for fd in fds:
            os.close(fd)
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
