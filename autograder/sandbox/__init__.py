"""Running student code apart from the code that decides grades.

    zygote.py     a warm process (torch imported, no course data) that forks one sandbox per submission
    isolation.py  what each sandbox gets: namespaces, a read-only view, hidden course folders, limits
    child.py      what runs inside: the student's cells, then the calls the grader asked for
    protocol.py   the only channel out: size-capped JSON frames, never a pickle
    runner.py     the trusted side: start a sandbox, read and validate its frames, kill it
"""
from .limits import Limits
from .runner import Sandbox, SandboxRun, warm_sandbox

__all__ = ["Limits", "Sandbox", "SandboxRun", "warm_sandbox"]
