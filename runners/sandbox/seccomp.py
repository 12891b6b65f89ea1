"""A small classic-BPF seccomp filter: no namespaces, mounts, ptrace, bpf, keyrings or io_uring for jobs."""

from __future__ import annotations

import ctypes
import errno
import os
import struct

from . import linux

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}

# Syscalls a graded exercise never needs and that are common kernel attack surface.
_BLOCKED = {
    "x86_64": {
        "unshare": 272,
        "setns": 308,
        "mount": 165,
        "umount2": 166,
        "pivot_root": 155,
        "chroot": 161,
        "ptrace": 101,
        "process_vm_readv": 310,
        "process_vm_writev": 311,
        "bpf": 321,
        "perf_event_open": 298,
        "userfaultfd": 323,
        "keyctl": 250,
        "add_key": 248,
        "request_key": 249,
        "io_uring_setup": 425,
        "io_uring_enter": 426,
        "io_uring_register": 427,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "mount_setattr": 442,
        "kexec_load": 246,
        "kexec_file_load": 320,
        "init_module": 175,
        "finit_module": 313,
        "delete_module": 176,
        "name_to_handle_at": 303,
        "open_by_handle_at": 304,
        "swapon": 167,
        "swapoff": 168,
        "reboot": 169,
        "acct": 163,
        "syslog": 103,
        "quotactl": 179,
    },
    "aarch64": {
        "unshare": 97,
        "setns": 268,
        "mount": 40,
        "umount2": 39,
        "pivot_root": 41,
        "chroot": 51,
        "ptrace": 117,
        "process_vm_readv": 270,
        "process_vm_writev": 271,
        "bpf": 280,
        "perf_event_open": 241,
        "userfaultfd": 282,
        "keyctl": 219,
        "add_key": 217,
        "request_key": 218,
        "io_uring_setup": 425,
        "io_uring_enter": 426,
        "io_uring_register": 427,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "mount_setattr": 442,
        "kexec_load": 104,
        "kexec_file_load": 294,
        "init_module": 105,
        "finit_module": 273,
        "delete_module": 106,
        "name_to_handle_at": 264,
        "open_by_handle_at": 265,
        "swapon": 224,
        "swapoff": 225,
        "reboot": 142,
        "acct": 89,
        "syslog": 116,
        "quotactl": 60,
    },
}
_CLONE = {"x86_64": 56, "aarch64": 220}
_CLONE3 = 435
# Namespace flags in clone(2)'s first argument (its low byte is the exit signal: no CLONE_NEWTIME).
_CLONE_NS_MASK = (
    linux.CLONE_NEWNS
    | linux.CLONE_NEWCGROUP
    | linux.CLONE_NEWUTS
    | linux.CLONE_NEWIPC
    | linux.CLONE_NEWUSER
    | linux.CLONE_NEWPID
    | linux.CLONE_NEWNET
)

_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_X32_SYSCALL_BIT = 0x40000000
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def supported() -> bool:
    return os.uname().machine in _AUDIT_ARCH


def build_filter(machine: str | None = None) -> bytes:
    """The filter as an array of `struct sock_filter`, the format bwrap's --seccomp also reads."""
    machine = machine or os.uname().machine
    blocked = sorted(_BLOCKED[machine].values())
    # Layout: arch check, nr load, [x32 check], one JEQ per blocked nr, clone3, clone, ALLOW, clone-flags
    # check, ALLOW, EPERM, ENOSYS. Jumps are relative to the next instruction.
    prog: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, 4),
        (_JEQ_K, 1, 0, _AUDIT_ARCH[machine]),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),
        (_LD_W_ABS, 0, 0, 0),
    ]
    checks: list[tuple[int, int, str]] = []  # (opcode, k, target label)
    if machine == "x86_64":
        checks.append((_JGE_K, _X32_SYSCALL_BIT, "eperm"))
    checks += [(_JEQ_K, nr, "eperm") for nr in blocked]
    checks.append((_JEQ_K, _CLONE3, "enosys"))
    checks.append((_JEQ_K, _CLONE[machine], "clone"))
    tail_start = len(prog) + len(checks)
    labels = {"clone": tail_start + 1, "eperm": tail_start + 4, "enosys": tail_start + 5}
    for opcode, k, label in checks:
        prog.append((opcode, labels[label] - len(prog) - 1, 0, k))
    prog += [
        (_RET_K, 0, 0, _RET_ALLOW),
        (_LD_W_ABS, 0, 0, 16),  # args[0], low 32 bits
        (_JSET_K, 1, 0, _CLONE_NS_MASK),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, _RET_ERRNO | errno.EPERM),
        (_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS),
    ]
    for _, jt, jf, _ in prog:
        if not 0 <= jt <= 255 or not 0 <= jf <= 255:
            raise ValueError("seccomp jump out of range")
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(program: bytes) -> None:
    """Load the filter into this thread (and what it forks); requires no_new_privs, which we set."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    _set_filter(fprog)


def _set_filter(fprog: _SockFprog) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.prctl(
        ctypes.c_int(_PR_SET_SECCOMP),
        ctypes.c_ulong(_SECCOMP_MODE_FILTER),
        ctypes.byref(fprog),
        ctypes.c_ulong(0),
        ctypes.c_ulong(0),
    )
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp: {os.strerror(err)}")
