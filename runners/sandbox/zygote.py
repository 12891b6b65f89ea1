"""The warm zygote: a pre-imported, single-threaded fork server that turns each fork into a sandboxed job.

Design decision (measured on this machine kind, see notes/sandbox-measurements.md):

We use the root fork-server design ("(d)") rather than a zygote living inside one long bwrap sandbox.
A zygote that is itself inside bubblewrap runs as an unprivileged uid with no capabilities, so it cannot
give each forked job its own pid, network and mount namespaces, its own scratch tmpfs or its own cgroup:
concurrent jobs would share one /tmp, one network namespace and one uid, could signal and ptrace each
other and the zygote (and so poison every later job), and a cgroup kill would take down the zygote too.
The root fork server gives every job the same isolation the bwrap path has, built by `jail.enter`:
new mount/pid/net/ipc/uts namespaces, a private tmpfs root with read-only /usr, venv and tests, a
size-capped tmpfs scratch charged to the job's cgroup, a per-job memory+pids cgroup, rlimits, no
capabilities (bounding set emptied, uid/gid 65534, no_new_privs), and a seccomp filter blocking nested
user namespaces, mount, ptrace, bpf, keyctl and io_uring. Measured: ~0.17 s per MLP job (0.038x a cold
`python -m pytest`), and it passed the same isolation checks as bwrap once hardened.

What keeps it safe:
- The zygote starts with an empty environment (`policy.zygote_env`) and holds no secrets and no job
  content before a fork; job specs arrive over a socketpair after the keeper is forked.
- It never runs a parallel torch op: `torch.set_num_threads(1)` precedes the single-threaded warm-up
  (`warmup.py`), and the thread count is reported to the runner (it must be 1 when forking).
- Per job it forks a *keeper* (subreaper, outside the job cgroup) that unshares the namespaces and forks
  the job as PID 1 of the new pid namespace; the keeper reports the wait status and rusage. The runner,
  not the job, enforces the wall clock and kills through the cgroup.
- Keepers die with the zygote (PDEATHSIG) and jobs with their keeper, so a dead zygote leaves nothing; the
  runner restarts it on the next job. The zygote exits when its lifeline (stdin) or control socket closes.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import traceback
from typing import Any

from ..harness import bootstrap
from . import jail, linux, policy, seccomp
from .warmup import warm_up

_MAX_REQUEST = 1 << 20
_KEEPER_FLAGS = (
    linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS | linux.CLONE_NEWPID
)


def _reseed() -> None:
    """Forked jobs would otherwise all share the zygote's numpy and torch random state."""
    seed = int.from_bytes(os.urandom(4), "little")
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def _run_job(
    spec: jail.JailSpec, config: dict[str, Any], results_w: int, output_w: int, program: bytes
) -> None:
    """In the job (PID 1 of its namespace): wire fds, enter the jail, run pytest in-process, exit."""
    code = 70
    try:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(output_w, 1)
        os.dup2(output_w, 2)
        os.dup2(results_w, policy.RESULTS_FD)
        os.closerange(policy.RESULTS_FD + 1, 65536)
        jail.enter(spec, program)
        sys.path[:] = [entry for entry in sys.path if entry.startswith(spec.venv) or entry.startswith("/usr")]
        _reseed()
        code = bootstrap.run(config)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


def _keeper(
    request: dict[str, Any], reply: socket.socket, results_w: int, output_w: int, program: bytes
) -> None:
    """Forked per job: new namespaces, fork the job, wait for it, report status and CPU time."""
    result: dict[str, Any]
    try:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
        spec = jail.JailSpec(
            job_dir=request["job_dir"],
            venv=request["venv"],
            cgroup_procs=tuple(request["cgroup_procs"]),
            rlimits=tuple((int(w), (int(s), int(h))) for w, (s, h) in request["rlimits"]),
            scratch_mb=int(request["scratch_mb"]),
        )
        linux.unshare(_KEEPER_FLAGS)
        pid = os.fork()
        if pid == 0:
            reply.close()
            _run_job(spec, request["config"], results_w, output_w, program)
        os.close(results_w)
        os.close(output_w)
        _, status, usage = os.wait4(pid, 0)
        # PID 1 exiting tears the namespace down; reap whatever was re-parented to us meanwhile.
        while True:
            try:
                os.wait4(-1, 0)
            except ChildProcessError:
                break
        result = {"status": status, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}
    except BaseException as error:
        result = {"error": f"{type(error).__name__}: {error}"}
    try:
        reply.send(json.dumps(result).encode())
    finally:
        os._exit(0)


def serve(control: socket.socket) -> None:
    """Accept job requests (JSON + 3 fds) until the runner goes away."""
    program = seccomp.build_filter()
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(0, selectors.EVENT_READ, "lifeline")
    zygote_pid = os.getpid()
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "lifeline":
                if not os.read(0, 4096):
                    return
                continue
            message, fds, _, _ = socket.recv_fds(control, _MAX_REQUEST, 3)
            if not message:
                return
            if len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                continue
            pid = os.fork()
            if pid == 0:
                if os.getppid() != zygote_pid:
                    os._exit(1)
                selector.close()
                control.close()
                reply = socket.socket(fileno=fds[0])
                _keeper(json.loads(message), reply, fds[1], fds[2], program)
            for fd in fds:
                os.close(fd)
        _reap_keepers()


def _reap_keepers() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main() -> None:
    """`python -m runners.sandbox.zygote <control fd>`, started by ZygoteExecutor with an empty env."""
    control = socket.socket(fileno=int(sys.argv[1]))
    try:
        info = warm_up()
        control.send(json.dumps({"ready": True, **info}).encode())
    except BaseException as error:
        control.send(json.dumps({"ready": False, "error": f"{type(error).__name__}: {error}"}).encode())
        raise
    serve(control)


if __name__ == "__main__":
    main()
