"""Running student code apart from the code that decides grades.

    zygote.py      a warm process (torch imported, no course data) that forks the sandboxes
    isolation.py   namespaces, the unprivileged user, limits; view.py: the allowlisted filesystem
    host.py        a sandbox's first process: the cells process, or one process per graded function
    run_cells.py   inside: the student's cells, for the notebook's outputs only
    run_calls.py   inside: one function rebuilt from its source and called on the grader's inputs
    protocol.py    the only channel out: size-capped JSON frames, never a pickle
    read_cells.py, read_calls.py, runner.py   the trusted side: frames in order, caps, faults
"""
from .limits import Limits
from .runner import FunctionJob, Sandbox, SandboxRun, warm_sandbox

__all__ = ["FunctionJob", "Limits", "Sandbox", "SandboxRun", "warm_sandbox"]
