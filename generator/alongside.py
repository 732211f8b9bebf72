"""Work done beside MkDocs, so that no one waits for it.

MkDocs builds a site on one core. At 10,000 profiles the generator's own work (checking
the profiles, rendering the pages, exporting the downloads) is about a quarter of
MkDocs' time, and most of it need not come first:

- ``mkdocs build`` runs the whole pipeline in a forked copy of the process, on the
  machine's second core (``PagesAlongside``). The copy checks the profiles, says which
  pages there will be, and then sends each page's Markdown in the order MkDocs reads
  them, while MkDocs builds the pages before; the support rules and the downloads come
  after the pages, and a finding of the rules still fails the build (which then leaves
  site/ as it was). Should the copy fail in any way, the work is done in the process.
- ``mkdocs serve``'s first build is made the same way, but with every check before the
  pages, so that a broken profile can be served as a page of errors. The rebuilds after
  each save need the pipeline's state in the server's own process: a thread makes it
  again once the site is served (the plugin logs "ready for edits"). A rebuild's pages
  are made in the process; its downloads are exported in a thread half a second after
  the pages of an edit are served, unless another edit comes first (``InBackground``).

Either way the site has exactly the files of a build that does everything in one
process (``FACTFILE_ONE_PROCESS=1`` forces that); the tests compare them.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .build import Built, Checked, Pipeline, pipeline_for, reusing, whole_wiki_pages
from .errors import FactfileErrors
from .export import DATA_PATHS, SiteUrls, data_files, relocate_json_ld
from .extras import beside_pages
from .project import Project
from .render import page_origins, page_paths, render_page
from .wiki import Wiki

if TYPE_CHECKING:
    from .changes import History

Files = dict[str, bytes]
Send = Callable[[object], None]


def can_fork() -> bool:
    """Whether a forked copy can help and is safe: with a second core, with no other
    thread in this process (a copy could wait forever on a lock a thread held), and
    unless ``FACTFILE_ONE_PROCESS`` asks for everything in one process."""
    return (
        hasattr(os, "fork")
        and sys.platform != "win32"
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
        and not os.environ.get("FACTFILE_ONE_PROCESS")
    )


class Copy:
    """``work(send)`` run in a forked copy of this process; what it sends is received
    here in order, and None once it has ended, whether it finished or failed."""

    def __init__(self, work: Callable[[Send], None]) -> None:
        self._pid: int | None = None
        self._source: IO[bytes] | None = None
        if not can_fork():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the copy: its only output is the pipe, and it never returns
            code = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:

                    def send(message: object) -> None:
                        pickle.dump(message, out, pickle.HIGHEST_PROTOCOL)
                        out.flush()  # each message as soon as it is made

                    work(send)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._source = pid, os.fdopen(read, "rb")

    @property
    def started(self) -> bool:
        return self._pid is not None

    def receive(self) -> object | None:
        """The next message, or None if there is none (the copy ended or failed)."""
        if self._source is None:
            return None
        try:
            return pickle.load(self._source)
        except Exception:
            self.stop()  # ended, or failed part-way: what it sent last is incomplete
            return None

    def stop(self) -> None:
        """Stop the copy (if it still runs) and release it."""
        pid, source = self._pid, self._source
        self._pid = self._source = None
        if pid is None or source is None:
            return
        with suppress(OSError):  # it may have ended
            os.kill(pid, signal.SIGKILL)
        source.close()
        with suppress(OSError):  # it may have been reaped elsewhere
            os.waitpid(pid, 0)


# --- A build: the whole pipeline in a copy -----------------------------------------------


@dataclass(frozen=True)
class Header:
    """What MkDocs needs of the generated files before it reads the first page."""

    pages: list[str]
    """Every generated page, in the order they are sent (path order)."""
    origins: dict[str, str]
    beside: dict[str, bytes]


@dataclass(frozen=True)
class Site:
    """The settings of the MkDocs build the pages are generated for."""

    directory_urls: bool
    url: str | None
    name: str | None

    def urls(self) -> SiteUrls:
        return SiteUrls.of(self.url, self.directory_urls)

    def beside(self, wiki: Wiki, history: History | None) -> dict[str, bytes]:
        return beside_pages(wiki, self.directory_urls, history, self.url, self.name)


class PagesAlongside:
    """The generated files of one build, made in a copy while MkDocs works, or in this
    process if the copy cannot start or fails.

    For ``mkdocs serve`` (``serving``), every check is made before the pages, so that
    a finding can be served in place of the site, and each page also comes as rendered,
    before its schema.org description is addressed for the site: what the rebuilds
    after an edit compare with.
    """

    def __init__(self, project: Project, site: Site, *, serving: bool = False) -> None:
        self.project = project
        self.site = site
        self.serving = serving
        self.copy = Copy(self._work)
        self.header: Header | None = None
        self._sent: dict[str, tuple[str, str]] = {}
        self._built: Built | None = None

    def _work(self, send: Send) -> None:
        """In the copy: check, say which pages, send each, then the rest."""
        pipeline = reusing(self.project)  # for its session: the collector paused
        with pipeline.steps.session():
            self._send_all(pipeline, send)

    def _send_all(self, pipeline: Pipeline, send: Send) -> None:
        try:
            checked = pipeline.check(support=self.serving)
        except FactfileErrors as errors:
            send(errors)
            return
        wiki = pipeline.steps.derive(checked.catalog, checked.quotes)
        whole, history = whole_wiki_pages(self.project, wiki)
        pages = sorted({*page_paths(wiki), *whole})
        send(Header(pages, page_origins(wiki), self.site.beside(wiki, history)))
        urls = self.site.urls()
        for path in pages:
            text = whole[path] if path in whole else render_page(wiki, path)
            read = relocate_json_ld(wiki, path, text, urls)
            send((path, read, text if self.serving else read))
        _finish(pipeline, checked, wiki, send, support=not self.serving)

    def start(self) -> Header:
        """What the generated files are; raises ``FactfileErrors`` if a profile fails the
        checks that come before the pages."""
        found = self.copy.receive() if self.copy.started else None
        if isinstance(found, FactfileErrors):
            self.copy.stop()
            raise found
        if isinstance(found, Header):
            self.header = found
            return found
        return self._in_process()

    def page(self, path: str) -> tuple[str, str]:
        """A generated page's Markdown as it is to be read, and as rendered."""
        if self._built is not None:
            text = self._built.pages[path]
            return relocate_json_ld(self._built.wiki, path, text, self.site.urls()), text
        while path not in self._sent:
            found = self.copy.receive()
            if not isinstance(found, tuple):
                self._in_process()
                return self.page(path)
            self._sent[found[0]] = (found[1], found[2])
        return self._sent.pop(path)

    def finish(self) -> Files:
        """The downloads, once every page is read; raises ``FactfileErrors`` if a value
        says more than its quotes."""
        self._sent.clear()
        if self._built is not None:
            return data_files(self._built.wiki)
        found = self.copy.receive()
        while isinstance(found, tuple):
            found = self.copy.receive()  # pages MkDocs never asked for
        self.copy.stop()
        if isinstance(found, FactfileErrors):
            raise found
        if isinstance(found, dict):
            return found
        self._in_process()
        return self.finish()

    def stop(self) -> None:
        self.copy.stop()

    def _in_process(self) -> Header:
        """Everything done here, the copy having failed (or never started)."""
        self.copy.stop()
        built = self._built = pipeline_for(self.project).render()
        beside = self.site.beside(built.wiki, built.history)
        if self.header is None:
            self.header = Header(sorted(built.pages), built.origins, beside)
        elif self.header != Header(sorted(built.pages), built.origins, beside):
            # The profiles changed while the site was being built: its pages would be of
            # two different wikis.
            raise RuntimeError("the profiles changed during the build; build again")
        return self.header


def _finish(pipeline: Pipeline, checked: Checked, wiki: Wiki, send: Send, *, support: bool) -> None:
    errors = pipeline.support_errors(checked) if support else []
    send(FactfileErrors(errors) if errors else data_files(wiki))


# --- Downloads made beside MkDocs ---------------------------------------------------------


class DownloadsAlongside:
    """Downloads written straight into the site once MkDocs has built the pages; until
    then, an empty file stands for each (MkDocs leaves a file that is its own source)."""

    def __init__(self, site_dir: str) -> None:
        self.site_dir = site_dir

    def placeholders(self) -> dict[str, str]:
        """Each download's path in the site, and the file there that stands for it."""
        placed: dict[str, str] = {}
        for path in DATA_PATHS:
            target = Path(self.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"")
            placed[path] = str(target)
        return placed

    def write(self, files: Files) -> None:
        for path, content in files.items():
            target = Path(self.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


# --- Downloads while serving --------------------------------------------------------------


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
