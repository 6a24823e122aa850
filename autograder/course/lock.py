"""One `autograder grade` per course at a time: two would interleave students' rows and outputs.

An advisory lock on a file in the course root, held for the whole run. The kernel drops it when the
process ends however it ends, so a crash never leaves the course locked.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from autograder.errors import CourseBusy

LOCK_FILE = ".autograder-grade.lock"
BUSY = (
    "another `autograder grade` (process {pid}) is grading {root} now; wait for it to finish, or stop it, and run "
    "this again"
)


@contextmanager
def course_lock(root: Path):
    path = Path(root) / LOCK_FILE
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise CourseBusy(BUSY.format(pid=handle.read().strip() or "unknown", root=root)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
