"""Child processes die with their parent.

A process killed with SIGKILL runs no clean-up code, so its children live on: a killed worker
would leave its cluster sending SMS beside the one its supervisor starts. On Linux the kernel
sends a child a signal of our choice when its parent dies (prctl PR_SET_PDEATHSIG); the signal
survives exec, so it also works for `subprocess.Popen(preexec_fn=...)`. Elsewhere these helpers
do nothing.

The kernel ties the signal to the thread that forked: start children from a thread that lives as
long as the process (the main thread, as run_worker and django-q2's sentinel do).
"""

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL, parent_pid: int | None = None) -> None:
    """Called in a new child: get `sig` when the parent dies. `parent_pid`, taken before the
    fork, catches a parent that died before the call (the child then stops at once)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)


def preexec_die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A `preexec_fn` for subprocess.Popen: the program started gets `sig` when we die."""
    return functools.partial(die_with_parent, sig, os.getpid())


_forks_die_with_parent = False


def forks_die_with_parent(sig: int = signal.SIGKILL) -> None:
    """From now on every process forked from this one (multiprocessing's fork start method),
    and every process forked from those, gets `sig` when its parent dies. Idempotent."""
    global _forks_die_with_parent
    if _forks_die_with_parent:
        return
    _forks_die_with_parent = True
    parent = {"pid": os.getpid()}

    def before() -> None:
        parent["pid"] = os.getpid()

    os.register_at_fork(before=before, after_in_child=lambda: die_with_parent(sig, parent["pid"]))
