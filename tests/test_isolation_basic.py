"""The sandbox's `basic` level, where Linux refuses namespaces: resource limits, a session of its own, and no process
left behind. It is tested here directly, since a machine that allows namespaces never falls back to it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from autograder.sandbox.limits import Limits

from .conftest import ROOT

pytestmark = pytest.mark.slow

PROBE = textwrap.dedent(
    """
    import json, os, resource, subprocess, sys, time
    from autograder.sandbox import isolation
    from autograder.sandbox.limits import Limits

    limits, workdir = Limits(**json.loads(sys.argv[1])), sys.argv[2]
    nproc_before = resource.getrlimit(resource.RLIMIT_NPROC)
    isolation.become_subreaper()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        isolation.confine(isolation.BASIC, limits, os.geteuid(), workdir)
        left = subprocess.Popen(["sleep", "4141"], start_new_session=True)  # a daemon the student's code leaves
        seen = {
            "cwd": os.getcwd(), "session_leader": os.getsid(0) == os.getpid(), "left": left.pid,
            "nproc": list(resource.getrlimit(resource.RLIMIT_NPROC)), "nproc_before": list(nproc_before),
            "root": os.geteuid() == 0, "processes": limits.processes,
            "limits": {name: resource.getrlimit(getattr(resource, name))[0]
                       for name in ("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")},
        }
        os.write(writer, json.dumps(seen).encode())
        os._exit(0)
    os.close(writer)
    seen = json.loads(os.read(reader, 65536))
    os.waitpid(child, 0)
    time.sleep(0.2)
    was_alive = os.path.exists(f"/proc/{seen['left']}")
    isolation.end_children()
    isolation.reap_children()
    seen["left_alive_before"], seen["left_alive_after"] = was_alive, os.path.exists(f"/proc/{seen['left']}")
    print(json.dumps(seen))
    """
)


def test_the_basic_level_limits_resources_gives_a_session_of_its_own_and_ends_what_it_left(tmp_path):
    limits = Limits(cpu_seconds=7, file_mb=3)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(limits.as_dict()), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["cwd"] == str(tmp_path) and seen["session_leader"]
    assert seen["limits"] == {"RLIMIT_CPU": 7, "RLIMIT_FSIZE": 3 * 2**20, "RLIMIT_NOFILE": 256, "RLIMIT_CORE": 0}
    assert (seen["left_alive_before"], seen["left_alive_after"]) == (True, False)
    # as root, RLIMIT_NPROC would count the grader's own processes too: it is left as it was; otherwise it is set
    assert seen["nproc"] == (seen["nproc_before"] if seen["root"] else [seen["processes"]] * 2)
