"""Confine a sandbox with what Linux offers, strongest first, and say which level is active.

"namespaces": own PID, network, mount, IPC and UTS namespaces (a user namespace too when not
root); every mount read-only; a private tmpfs as working folder; the course's sensitive folders and the
gradebook hidden; a fresh /proc; no capabilities. When the sandbox's PID 1 dies, the kernel
kills every process it left, setsid or not.
"basic": resource limits and a new session only; the student's code can read what the grader can.
"""
from __future__ import annotations

import ctypes
import os
import resource

LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 36, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
KEEP_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}
NAMESPACES, BASIC = "namespaces", "basic"


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(LIBC.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _mount_points() -> list[tuple[str, set[str]]]:
    points = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            points.append((fields[4].encode().decode("unicode_escape"), set(fields[5].split(","))))
    return points


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def enter_namespaces(hidden: list[str], workdir: str, tmp_mb: int) -> str:
    """In the sandbox's first process: new namespaces and a read-only view. Returns the level."""
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    try:
        _check(LIBC.unshare(flags | (CLONE_NEWUSER if uid != 0 else 0)), "unshare")
        if uid != 0:  # become root of our own user namespace, mapped to the instructor
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        for point, options in _mount_points():
            keep = sum(bit for name, bit in KEEP_FLAGS.items() if name in options)
            try:
                _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | keep)
            except OSError:
                pass  # a mount we cannot see into (e.g. under an unreadable folder) stays as it was
        _mount("tmpfs", workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=0700")
        for path in hidden:
            if os.path.isdir(path):
                _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
            elif os.path.exists(path):
                _mount("/dev/null", path, None, MS_BIND)
                _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        return NAMESPACES
    except OSError:
        return BASIC


def confine(level: str, limits, workdir: str) -> None:
    """In the process that will run student code, before it does: the rest of the confinement."""
    os.setsid()
    if level == NAMESPACES:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(workdir)
    LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if level == NAMESPACES:
        _drop_capabilities()
    vm_bytes = _virtual_memory_bytes()
    for limit, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, vm_bytes + limits.memory_mb * 2**20),
        (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
        (resource.RLIMIT_NOFILE, 256),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.processes if os.geteuid() != 0 or level == NAMESPACES else resource.RLIM_INFINITY),
    ):
        resource.setrlimit(limit, (value, value))


def _drop_capabilities() -> None:
    for capability in range(64):
        LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _check(LIBC.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")


def _virtual_memory_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def become_subreaper() -> None:
    """Orphans of the sandbox come to this process, so it can end them (the basic level's cleanup)."""
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(signal_number: int) -> None:
    LIBC.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
