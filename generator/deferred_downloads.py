"""The data downloads, made where no one waits for them.

Exporting a large wiki (JSON, CSV, SQLite) takes seconds, and no reader of a page waits
for it. So:

- ``mkdocs build`` exports in a forked copy of the process, on the machine's second
  core, while MkDocs builds the pages (MkDocs uses one); the files are announced to
  MkDocs as already in the site (empty until then) and written once the pages are done.
  If the copy fails for any reason, the export is done in the process itself.
- ``mkdocs serve`` hands over every page an edit changes at once, and exports in a
  background thread half a second later (unless another edit comes first); when done
  it asks the live server for a rebuild that hands over the new files.

Either way the site ends with exactly the files a plain export gives; the tests compare.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .export import DATA_PATHS, data_files
from .wiki import Wiki

Files = dict[str, bytes]


class InCopy:
    """``work()`` started in a forked copy of this process; ``result()`` takes what it
    returned, or None if the copy could not start or did not finish."""

    def __init__(self, work: Callable[[], Files]) -> None:
        self._pid: int | None = None
        self._read: int | None = None
        if not can_fork():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the copy: its only output is the pipe
            code = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:
                    out.write(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Files | None:
        if self._pid is None or self._read is None:
            return None
        try:
            with os.fdopen(self._read, "rb") as source:
                data = source.read()
            _, status = os.waitpid(self._pid, 0)
        except OSError:
            return None  # reaped elsewhere: its outcome is unknown
        finally:
            self._pid = self._read = None
        if not data or not os.WIFEXITED(status) or os.WEXITSTATUS(status):
            return None
        try:
            found = pickle.loads(data)
        except Exception:
            return None
        return found if isinstance(found, dict) else None

    def discard(self) -> None:
        """Stop the copy, when its result is no longer wanted (a failed build)."""
        if self._pid is None or self._read is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.close(self._read)
            os.waitpid(self._pid, 0)
        except OSError:
            pass
        finally:
            self._pid = self._read = None


def can_fork() -> bool:
    """Whether a forked copy can help and is safe: with a second core, and with no other
    thread in this process (a copy could wait forever on a lock a thread held)."""
    return (
        hasattr(os, "fork")
        and sys.platform != "win32"
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
    )


class AlongsidePages:
    """The downloads of a cold build, exported on the second core while MkDocs builds."""

    def __init__(self, wiki: Wiki, site_dir: str) -> None:
        self.wiki = wiki
        self.site_dir = site_dir
        self.paths = list(DATA_PATHS)
        self.copy = InCopy(lambda: data_files(wiki))

    def placeholders(self) -> dict[str, str]:
        """Each download's path in the site and the empty file that stands for it there
        until ``write`` (MkDocs leaves a file that is its own source where it is)."""
        placed: dict[str, str] = {}
        for path in self.paths:
            target = Path(self.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"")
            placed[path] = str(target)
        return placed

    def write(self) -> None:
        files = self.copy.result()
        if files is None:
            files = data_files(self.wiki)
        for path, content in files.items():
            target = Path(self.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    def discard(self) -> None:
        self.copy.discard()


class InBackground:
    """The downloads while serving: exported in a thread after a short grace, the newest
    wiki's only."""

    GRACE = 0.5

    def __init__(self, on_done: Callable[[], None]) -> None:
        self._on_done = on_done
        # One condition guards the state below and wakes a thread in its grace.
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._wanted: Wiki | None = None
        self._ready: tuple[Files, float] | None = None
        self._hurry = False

    def want(self, wiki: Wiki) -> None:
        """Export ``wiki``'s downloads soon, instead of any earlier wiki's."""
        with self._changed:
            if self._wanted is wiki:
                return
            self._wanted, self._ready, self._hurry = wiki, None, False
            self._changed.notify_all()
            self._thread = threading.Thread(
                target=self._run, args=(wiki,), name="factfile-downloads", daemon=True
            )
            self._thread.start()

    def have(self, wiki: Wiki | None) -> None:
        """Forget the export under way or done: ``wiki``'s downloads are in the site
        already (a whole build made them)."""
        with self._changed:
            self._wanted, self._ready = wiki, None
            self._changed.notify_all()

    def _run(self, wiki: Wiki) -> None:
        # Saves come in bursts (an editor saving all, a branch checked out): wait for the
        # last before spending seconds on an export that the next save makes stale.
        with self._changed:
            self._changed.wait_for(lambda: self._hurry or self._wanted is not wiki, self.GRACE)
            if self._wanted is not wiki:
                return
        started = time.perf_counter()
        files = data_files(wiki)
        seconds = time.perf_counter() - started
        with self._changed:
            if self._wanted is not wiki:
                return
            self._ready = (files, seconds)
        self._on_done()

    def take(self) -> tuple[Files, float] | None:
        """The downloads exported since the last call, if any, and the seconds it took."""
        with self._changed:
            ready, self._ready = self._ready, None
        return ready

    def settle(self) -> bool:
        """Wait for the export under way, if any, without its grace; whether one is ready
        to take."""
        with self._changed:
            self._hurry = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()
        with self._changed:
            return self._ready is not None

    def close(self) -> None:
        self.have(None)
