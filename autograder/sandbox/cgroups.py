"""Process-count and memory caps through cgroups, where the machine lets us write them.

RLIMIT_NPROC does not bind uid 0, so as root the `pids` controller is what stops a fork bomb.
cgroup v1 (pids/ and memory/ hierarchies) and v2 (one unified tree) are both tried.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _v2() -> bool:
    return (ROOT / "cgroup.controllers").exists()


def create(name: str, processes: int, memory_bytes: int) -> list[Path]:
    """Make the cgroups for one sandbox; returns those that could be made (possibly none)."""
    made = []
    wanted = (
        [(ROOT / name, {"pids.max": processes, "memory.max": memory_bytes})]
        if _v2()
        else [
            (ROOT / "pids" / name, {"pids.max": processes}),
            (ROOT / "memory" / name, {"memory.limit_in_bytes": memory_bytes}),
        ]
    )
    for folder, settings in wanted:
        try:
            folder.mkdir()
            for key, value in settings.items():
                (folder / key).write_text(str(value))
            made.append(folder)
        except OSError:
            if folder.exists() and folder not in made:
                _remove(folder)
    return made


def join(folders: list[Path], pid: int) -> None:
    for folder in folders:
        (folder / "cgroup.procs").write_text(str(pid))


def remove(folders: list[Path]) -> None:
    for folder in folders:
        _remove(folder)


def _remove(folder: Path) -> None:
    for _ in range(50):
        try:
            for line in (folder / "cgroup.procs").read_text().split():
                os.kill(int(line), signal.SIGKILL)
            folder.rmdir()
            return
        except (OSError, ValueError):
            if not folder.exists():
                return
            os.sched_yield()
