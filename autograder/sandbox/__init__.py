"""Running student code apart from the code that decides grades.

launch.py      starting a zygote process (standard library only: a command can start them first)
zygote.py      a warm process (torch imported, no course data) that forks the sandboxes
isolation.py   namespaces, the unprivileged user, limits; view.py: the allowlisted filesystem
host.py        a sandbox's first process: the cells process, or one process per graded function
run_cells.py   inside: the student's cells, for the notebook's outputs only
run_calls.py   inside: one function rebuilt from its source and called on the grader's inputs
protocol.py    the only channel out: size-capped JSON frames, never a pickle
read_cells.py, read_calls.py, runner.py   the trusted side: frames in order, caps, faults
observe.py     inside: calling a student's function and describing what happened as plain data
figures.py     inside: a student's figure described as a spec; read_figures.py, run_figures.py: checked, drawn once
"""

from importlib import import_module

from autograder.sandbox.limits import Limits

__all__ = ["FunctionJob", "Limits", "Sandbox", "SandboxRun", "warm_sandbox"]


def __getattr__(name: str):
    """The runner (and torch under it) loads on first use, so `launch` can start zygotes before the grader loads."""
    if name in __all__:
        return getattr(import_module(".runner", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
