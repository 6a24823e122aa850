"""Open a submitted notebook only if it is the student's own file, in the student's own folder.

A link would let a submission be some other file: `derivatives.ipynb -> ../../../source/derivatives/derivatives.ipynb`
is graded as the master, with full marks. So nothing is followed: each folder from the student's down, and the
notebook, is opened with O_NOFOLLOW relative to the one above it (no window between a check and the open), the
file must be a regular one with a single name (a hard link shares its contents with a file elsewhere), and
what the path resolves to must still be inside the student's folder.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

SYMBOLIC_LINK = "{name} is a symbolic link; submit the notebook itself"
HARD_LINK = "{name} is a hard link to another file; submit the notebook itself"
OUTSIDE = "{name} resolves outside the student's folder; submit the notebook itself"
NOT_A_FILE = "{name} is not a regular file; submit the notebook itself"

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a FIFO must not block the open


class Refused(Exception):
    """The path is not the student's own notebook; the message is the reason, in one line."""


def open_own_file(path: Path) -> int | None:
    """A read-only descriptor of `path`, laid out as <student's folder>/<assignment>/<notebook>; None if there
    is no such file. Raises Refused for a link, a path leading out of the student's folder or a file that is
    not a regular one; OSError for what the system refuses (permissions, say)."""
    path = Path(os.path.abspath(path))
    assignment, student = path.parent, path.parent.parent
    folders = [student.name, assignment.name]
    if any(part in ("", ".", "..") for part in folders + [path.name]):
        raise Refused(OUTSIDE.format(name=path.name))
    try:
        opened = [
            os.open(student.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        ]  # the course's layout: it may link
    except (NotADirectoryError, FileNotFoundError):
        return None
    try:
        for folder in folders:
            try:
                opened.append(os.open(folder, _FOLDER, dir_fd=opened[-1]))
            except (NotADirectoryError, FileNotFoundError):  # O_DIRECTORY|O_NOFOLLOW on a link fails with ENOTDIR
                if _is_link(folder, opened[-1]):
                    raise Refused(OUTSIDE.format(name=path.name)) from None
                return None  # no folder, or a file in its place: there is no notebook
        try:
            descriptor = os.open(path.name, _FILE, dir_fd=opened[-1])
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise Refused(SYMBOLIC_LINK.format(name=path.name)) from None
            raise
    finally:
        for folder_descriptor in opened:
            os.close(folder_descriptor)
    try:
        _check_own(descriptor, path, student)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _check_own(descriptor: int, path: Path, student: Path) -> None:
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        raise Refused(NOT_A_FILE.format(name=path.name))
    if info.st_nlink > 1:
        raise Refused(HARD_LINK.format(name=path.name))
    inside = os.path.join(os.path.realpath(student.parent), student.name, path.parent.name, path.name)
    if os.path.realpath(path) != inside:  # the folders were swapped for links while we opened them
        raise Refused(OUTSIDE.format(name=path.name))


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False
