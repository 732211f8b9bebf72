"""Work done in a forked copy of this process, on the machine's second core.

A cold check of a large wiki is mostly parsing and quote matching, all in Python. A
forked copy starts with everything this process has already built (parsed sources,
prepared archives) at no cost, and sends back only its plain results. Whatever the copy
does is also something this process can do itself: if the copy fails for any reason,
the caller does the work here, so a fork changes how fast a result comes, never what it is.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

_T = TypeVar("_T")


def can_fork() -> bool:
    """Whether a forked copy can help and is safe.

    Only with a second core, and only when this process has no other thread: forking one
    that has (``mkdocs serve`` does) could leave the copy waiting on a lock no one will
    ever release.
    """
    return (
        hasattr(os, "fork")
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
        and sys.platform != "win32"
    )


class Copy(Generic[_T]):
    """Work started in a forked copy of this process: take its result, or discard it."""

    def __init__(self, pid: int | None, read_end: int | None) -> None:
        self._pid = pid
        self._read_end = read_end

    def result(self) -> _T | None:
        """Wait for the copy and give what its work returned; None if it did not finish."""
        if self._pid is None or self._read_end is None:
            return None
        try:
            with os.fdopen(self._read_end, "rb") as source:
                data = source.read()
            _, status = os.waitpid(self._pid, 0)
        except OSError:
            # Reaped elsewhere (SIGCHLD ignored, say): its exit status is unknown.
            return None
        finally:
            self._pid = self._read_end = None
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not data:
            return None
        try:
            return pickle.loads(data)  # type: ignore[no-any-return]
        except Exception:
            return None

    def discard(self) -> None:
        """Stop the copy and free what it holds, when its result is no longer wanted."""
        if self._pid is None or self._read_end is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.close(self._read_end)
            os.waitpid(self._pid, 0)
        except OSError:
            pass
        finally:
            self._pid = self._read_end = None


def in_copy(work: Callable[[], _T]) -> Copy[_T]:
    """Start ``work()`` in a forked copy of this process.

    Its result is the copy's ``result()``, which is None if the copy could not be started
    or did not finish: the caller then does the work itself.
    """
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return Copy(None, None)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return Copy(None, None)
    if pid == 0:  # the copy
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            # Never return into the caller's code, run its exit handlers or flush its
            # buffers a second time: the copy's only output is the pipe.
            os._exit(code)
    os.close(write_end)
    return Copy(pid, read_end)
