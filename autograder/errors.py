"""What can stop a command before or around grading, each said in one sentence.

The CLI has one handler: it prints the sentence and exits with the error's code. Anything else that
escapes is a bug of ours, and keeps its traceback.
"""

from __future__ import annotations


class AutograderError(Exception):
    """A problem the person at the terminal can fix; `str(error)` is the whole sentence."""

    exit_code = 2


class CourseNotFound(AutograderError):
    """The folder is not an nbgrader course (no nbgrader_config.py, or a submitted/ that is not a folder)."""


class NotReleased(AutograderError):
    """The assignment has no release in the gradebook, so there is nothing to grade against."""


class CourseBusy(AutograderError):
    """Another `autograder grade` holds the course's lock."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class BadOption(AutograderError):
    """A command-line value out of range."""


class NbgraderFailed(AutograderError):
    """An nbgrader step failed; the message says which and why, nbgrader's log follows it."""

    exit_code = 1


class MasterOutOfStep(AutograderError):
    """The master's hidden tests and the assignment's entries disagree: `autograder sync-master` has not been run."""


class FolderNotEmpty(AutograderError):
    """`autograder init` is given a folder that already holds something (it never writes over a course)."""


class NoTemplate(AutograderError):
    """The installed package has no repository beside it to copy the master from (installed without `-e`)."""
