"""What one submission may use. Defaults fit this assignment: every function runs in microseconds.

A course changes them in nbgrader_config.py as `c.TrustedExecute.<name>`; every grading path reads them
through `nbgrader_plugin.course_limits`."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 2.0
    """wall clock for one call of a student's function"""
    cell_seconds: float = 30.0
    """wall clock for one notebook cell"""
    submission_seconds: float = 90.0
    """wall clock for the whole submission; past it the sandbox is killed"""
    cpu_seconds: int = 60
    memory_mb: int = 1024
    """address space the student's code may add to the warm interpreter"""
    processes: int = 16
    output_bytes: int = 256 * 1024
    """text the student's cells may print, all cells together"""
    images: int = 16
    """figures kept from plt.show()"""
    file_mb: int = 16
    tmp_mb: int = 64
    formula_seconds: float = 10.0
    """time to check one final-formula answer (in the trusted helper, not the sandbox); past it, a person grades it"""

    def as_dict(self) -> dict:
        return asdict(self)
