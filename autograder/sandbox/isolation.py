"""Confine a sandbox with what Linux offers, strongest first, and say which level is active.

"namespaces": own PID, network, mount, IPC and UTS namespaces (a user namespace too when not
root); a root filesystem built from an allowlist (`view.py`); the student's code runs as a user of its
own, with no capabilities. When the sandbox's PID 1 dies, the kernel kills every process it left,
setsid or not.
"basic": resource limits and a new session only; the student's code can read what the grader can.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal

from autograder.sandbox import view

LIBC = view.LIBC
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 36, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
NAMESPACES, BASIC = "namespaces", "basic"
UID_BASE = 100_000
"""sandbox users are UID_BASE + 64 × (the sandbox's pid mod 10⁶) + k: no two live sandboxes share one"""


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def sandbox_uid(slot: int = 0) -> int:
    """The unprivileged user this sandbox's student code runs as (0 inside a user namespace, where
    only the instructor's own uid is mapped: there it is a root without capabilities)."""
    return UID_BASE + 64 * (os.getpid() % 1_000_000) + slot if os.geteuid() == 0 else 0


def namespace_flags(euid: int) -> int:
    """The namespaces a sandbox unshares: a user namespace too when not root."""
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    return flags | (CLONE_NEWUSER if euid != 0 else 0)


def enter_namespaces(workdir: str, tmp_mb: int, uid: int, allowed: tuple[list[str], list[str]]) -> str:
    """In the sandbox's first process: new namespaces and the allowlisted view. Returns the level."""
    real_uid, real_gid = os.geteuid(), os.getegid()
    try:
        view.check(LIBC.unshare(namespace_flags(real_uid)), "unshare")
        if real_uid != 0:  # become root of our own user namespace, mapped to the instructor
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {real_uid} 1")
            _write("/proc/self/gid_map", f"0 {real_gid} 1")
    except OSError:
        return BASIC
    view.build_and_enter(workdir, *allowed, tmp_mb=tmp_mb, uid=uid)  # past unshare, a failure is the grader's
    return NAMESPACES


def private_workdir(tmp_mb: int, uid: int) -> None:
    """For one function's process: its own mount and IPC namespaces and a fresh working folder, so nothing a process
    before it left there (files, shared memory, message queues) reaches it."""
    view.check(LIBC.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    view.mount(
        "tmpfs", view.WORKDIR, "tmpfs", view.MS_NOSUID | view.MS_NODEV, f"size={tmp_mb}m,mode=0700,uid={uid},gid={uid}"
    )


def mount_proc() -> None:
    """A /proc of the new PID namespace, from its PID 1: it lists only the sandbox's processes."""
    view.mount("proc", "/proc", "proc", view.MS_NOSUID | view.MS_NODEV | view.MS_NOEXEC)


def confine(level: str, limits, uid: int, workdir: str) -> None:
    """In the process that will run student code, before it does: the rest of the confinement."""
    os.setsid()
    os.chdir(view.WORKDIR if level == NAMESPACES else workdir)
    LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    vm_bytes = _virtual_memory_bytes()
    settings = [
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, vm_bytes + limits.memory_mb * 2**20),
        (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
        (resource.RLIMIT_NOFILE, 256),
        (resource.RLIMIT_CORE, 0),
    ]
    # RLIMIT_NPROC counts every process of the user: as root at the basic level that is the grader's own too, so it
    # is left as it is (raising it to unlimited needs CAP_SYS_RESOURCE, which a container's root often lacks)
    if os.geteuid() != 0 or level == NAMESPACES:
        settings.append((resource.RLIMIT_NPROC, limits.processes))
    for limit, value in settings:
        resource.setrlimit(limit, (value, value))
    if level == NAMESPACES:
        for capability in range(64):  # the bounding set first: dropping it needs CAP_SETPCAP, which setuid ends
            LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
        LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        if uid != os.geteuid():
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)  # all uids non-zero: the kernel clears every capability
        _clear_capabilities()


def _clear_capabilities() -> None:
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    view.check(LIBC.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")


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


def reap_children() -> None:
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def end_children() -> None:
    """Without a PID namespace: end every process that this subreaper has come to parent."""
    me = str(os.getpid())
    for _ in range(20):
        orphans = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        if handle.read().rsplit(")", 1)[1].split()[1] == me:
                            orphans.append(int(entry))
                except OSError:
                    continue
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
