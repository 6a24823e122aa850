"""The filesystem a sandbox sees, built from an allowlist: nothing that is not named here exists in it.

    /<python prefixes>      the interpreter and its installed packages, read-only (this package masked)
    /<library folders>      the folders of the shared libraries the warm interpreter has loaded, read-only
    /etc                    ld.so.cache, and a passwd naming the sandbox's user
    /dev                    null, zero, random, urandom, and the fd links; no terminal
    /proc                   mounted by the sandbox's own PID 1: only its own processes
    /sandbox                a private, size-limited tmpfs owned by the sandbox's user: home, TMPDIR, working folder

No course folder, repository, home folder, exported grade, config, socket or /etc/shadow is in it,
wherever the grader or the course happen to live. The new root replaces the old one (pivot_root), and
the old one is detached, so no path leads back.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys

LIBC = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1,
    2,
    4,
    8,
    32,
    4096,
    16384,
    1 << 18,
)
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}
DEVICES = ("null", "zero", "random", "urandom")
DEV_LINKS = {
    "fd": "/proc/self/fd",
    "stdin": "/proc/self/fd/0",
    "stdout": "/proc/self/fd/1",
    "stderr": "/proc/self/fd/2",
}
WORKDIR = "/sandbox"
"""the private working folder (home, TMPDIR, cwd): not /tmp, where the grader's own Python may live"""


def check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    check(LIBC.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def allowed_paths() -> tuple[list[str], list[str]]:
    """Read in the warm zygote, once: (folders to show read-only, folders inside them to mask).

    The Python prefixes, and the folder of every shared library mapped into this process (torch's,
    libc's…). The grader's own package is masked wherever it is installed, so it cannot be imported.
    """
    folders = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    with open("/proc/self/maps") as handle:
        for line in handle:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/") and ".so" in fields[5]:
                folders.add(os.path.dirname(os.path.realpath(fields[5].strip())))
    shown = sorted(
        f for f in folders if os.path.isdir(f) and not any(f != o and f.startswith(o + "/") for o in folders)
    )
    package = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
    masked = [package] if any(package.startswith(f + "/") for f in shown) else []
    return shown, masked


def _inside(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


def _bind_read_only(source: str, target: str) -> None:
    os.makedirs(target, exist_ok=True) if os.path.isdir(source) else open(target, "a").close()
    mount(source, target, None, MS_BIND)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_and_enter(root: str, shown: list[str], masked: list[str], tmp_mb: int, uid: int) -> None:
    """In a fresh mount namespace: make the view on a tmpfs at `root`, then make it `/`."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for folder in shown:
        _bind_read_only(folder, _inside(root, folder))
    for folder in masked:
        mount("tmpfs", _inside(root, folder), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    for link in ("/lib", "/lib64", "/bin", "/sbin"):  # merged-/usr systems name libraries through these
        if os.path.islink(link) and not os.path.lexists(_inside(root, link)):
            os.symlink(os.readlink(link), _inside(root, link))
    etc = _inside(root, "/etc")
    os.makedirs(etc, exist_ok=True)
    if os.path.exists("/etc/ld.so.cache"):
        _bind_read_only("/etc/ld.so.cache", os.path.join(etc, "ld.so.cache"))
    with open(os.path.join(etc, "passwd"), "w") as handle:
        handle.write(f"root:x:0:0::/:/bin/false\nstudent:x:{uid}:{uid}::{WORKDIR}:/bin/false\n")
    dev = _inside(root, "/dev")
    os.makedirs(dev)
    mount("tmpfs", dev, "tmpfs", MS_NOSUID, "size=4k,mode=0755")
    for device in DEVICES:
        _bind_read_only_device(f"/dev/{device}", os.path.join(dev, device))
    for name, target in DEV_LINKS.items():
        os.symlink(target, os.path.join(dev, name))
    mount(None, dev, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
    os.makedirs(_inside(root, "/proc"), exist_ok=True)
    tmp = _inside(root, WORKDIR)
    os.makedirs(tmp, exist_ok=True)
    mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=0700,uid={uid},gid={uid}")
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    _pivot(root)


def _bind_read_only_device(source: str, target: str) -> None:
    open(target, "a").close()
    mount(source, target, None, MS_BIND)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_NOSUID)


def _pivot(root: str) -> None:
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(0, f"pivot_root: unknown system call number on {platform.machine()}")
    os.chdir(root)
    check(LIBC.syscall(number, b".", b"."), "pivot_root")
    check(LIBC.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
