"""Rebuild only what an edit changes while ``mkdocs serve`` runs.

MkDocs 1.6 rebuilds the whole site after every save: it reloads ``mkdocs.yml``, reads and
renders every page and writes every file. This module keeps the site of MkDocs' own first
build in memory and after each save redoes only the pages whose output can change, so the
changed page is served within a fraction of a second on a site of thousands of pages,
byte for byte the site a cold build of the same files gives. It knows nothing of where
generated pages come from: a plugin hands it new Markdown by ``src_uri``.

It works on MkDocs' own objects (``Files``, ``Page``, the navigation, the theme's Jinja
environment) as that first build left them, and redoes a page with MkDocs' own per-page
steps (``_populate_page`` to read it, ``_build_page`` to render it), so every plugin's
page hooks run as in a cold build. What the build does not keep, an observer plugin
records while it runs: which paths each page looked up in ``Files``, and each page's
entries in Material's search index. Material's tags listings are filled in again as its
``on_env`` does. These are private parts of MkDocs and Material; the list at the end
names each, and ``tests/test_mkdocs_live.py`` checks each, so an upgrade that breaks one
fails a test rather than the site.

Whatever it cannot follow page by page (``mkdocs.yml``, the theme's overrides, a plugin
it does not know, a Markdown extension that may read other files...) rebuilds the whole
site with MkDocs' own builder; "What rebuilds the whole site" lists every case. Any
rebuild that fails leaves the last good site served.

Interface
=========

One :class:`LiveSite` per ``mkdocs serve``, owned by the plugin that generates pages::

    class MyPlugin(BasePlugin):
        def on_startup(self, *, command, dirty):
            # Defining on_startup also makes MkDocs keep this plugin object for the
            # whole serve, so the LiveSite lives as long as the server.
            self.live = LiveSite.for_command(command, dirty, trusted=["my-plugin"])

        def on_config(self, config):
            if self.live:
                self.live.attach(config)       # at the start of every MkDocs build

        def on_files(self, files, *, config):
            # Sorted, so a page added later can be put where this would put it.
            for uri, markdown in sorted(self.pages.items()):
                files.append(File.generated(config, uri, content=markdown))
            return files

        def on_serve(self, server, *, config, builder):
            if not self.live:
                return server
            return self.live.serve(server, builder, update=self.update, sources=["profiles"])

        def on_shutdown(self):
            if self.live:
                self.live.close()

        def update(self, paths: set[str]) -> Update | None:
            ...  # regenerate; say which generated files changed since the last Update
            return Update(changed={"people/x.md": new_markdown}, removed={"people/y.md"})

- :meth:`LiveSite.attach` registers the observer that records, during MkDocs' own build,
  everything a later rebuild needs. The first build of ``mkdocs serve`` is MkDocs' own,
  so startup costs nothing extra.
- :meth:`LiveSite.serve` installs the rebuild as the live-reload server's builder, swaps
  MkDocs' polling file watcher for the platform's native one (inotify on Linux; polling
  still for folders on network or shared file systems), and watches ``sources`` (the
  generator's own inputs) too.
- After a save, the builder asks ``update(paths)`` (``paths``: the changed files under
  ``sources``) which generated files changed, scans ``docs_dir`` itself, and calls
  :meth:`LiveSite.rebuild`.
- ``update`` reports changes relative to the contents it last handed over (in
  ``on_files`` or in an earlier :class:`Update`), whether or not that rebuild then
  succeeded. It returns ``None`` to ask for a whole rebuild, or raises (after logging its
  errors) to keep serving the last good site unchanged.
- :class:`Update` ``changed`` maps a ``src_uri`` to new Markdown or bytes (a page or any
  other generated file), or to a ``File`` made with ``File.generated`` exactly as in
  ``on_files`` (to choose a new file's inclusion level). ``removed`` lists ``src_uri``\\ s
  that no longer exist. ``rerender`` lists pages whose Markdown is unchanged but whose
  output changes through the plugin's own page hooks (say, data it injects in
  ``on_post_page``).
- :attr:`LiveSite.last` reports what the last rebuild did (:class:`RebuildReport`),
  :attr:`LiveSite.last_deferred` what its background part did (see "Deferred work");
  :meth:`LiveSite.settle` waits for that part, :meth:`LiveSite.close` stops it.
- Options: ``trusted`` (names in ``config.plugins`` of plugins or hooks whose hooks are
  safe, see "Trusted plugins"), ``build_delay`` (quiet time after a file event before
  rebuilding: 0.05 s, MkDocs' is 0.1 s), ``defer_above`` and ``big_page`` (see "Deferred
  work"), ``native_watcher``.
- A plugin appends its generated pages in ``on_files`` in ``src_uri`` order (or
  MkDocs' ``file_sort_key`` order); otherwise adding a page rebuilds the whole site.

How a rebuild works
===================

1. Inputs. ``docs_dir`` is scanned with MkDocs' ``get_files``: a file counts as changed
   when its bytes differ (size, mtime and inode first, to skip reading untouched files).
   Generated files are changed in place (``File`` objects keep their identity, so other
   pages' recorded anchor links stay valid); new generated pages are placed where the
   plugin's ``on_files`` would put them.
2. What must be read again: changed and added pages; pages that looked up a path that
   was added or removed (so a link to a missing page that appears is resolved, and a link
   whose target disappears fails in strict mode, as in a cold build); ``rerender``
   pages. Each gets a fresh ``Page``, read with ``_populate_page``.
3. Navigation is rebuilt every time with ``get_navigation`` (which reuses the ``Page`` of
   every unchanged file) and every plugin's ``on_nav``. When what it shows changes
   (titles, URLs, structure, and the front matter of its pages, which Material reads for
   icons and status), every page is rendered again (not read again), and ``404.html``.
4. Material's tags: a re-read page's mapping and listings are dropped before it is read
   (its ``on_page_markdown`` adds them back). If a page's tags, the title or URL of a
   tagged page, or a listing page changed, the listing pages are read again and filled
   in, and ``tags.json`` exported; if a listing page's title or URL changed, every tagged
   page is rendered again (its tag links carry them).
5. Pages are rendered with ``_build_page`` into a staging folder. Each page's search
   entries are kept serialised, and ``search_index.json`` is put together from them in
   page order, as a cold build writes it. A page rendered again but not re-read keeps its
   entries.
6. Anchor links are validated on the re-read pages and on the pages that looked up any
   changed, added or removed file. ``sitemap.xml`` (and ``.gz``) is rendered again when
   pages are added or removed, the theme's other static templates but ``404.html`` and
   every ``extra_templates`` entry every time.
7. Warnings of the rebuilding thread are counted as ``build()`` counts them; in strict
   mode any warning fails the rebuild. A failed rebuild writes nothing: the staging
   folder is dropped and the last good site stays. What it had to redo is redone by the
   next rebuild, on top of whatever changes next, so fixing the mistake gives the exact
   site.
8. On success, removed outputs are deleted and the staged files moved into ``site_dir``
   with ``os.replace`` while the live-reload server holds requests (it waits for the
   builder to return), then browsers reload.

Deferred work
=============

On a site of more than ``defer_above`` pages (500), what lists many pages is rebuilt in
a background thread once the rest is served: the tags listings (seconds at 10,000
pages), every page after a navigation change, and the changed pages whose Markdown is
larger than ``big_page`` bytes (64 KB: index pages listing every profile). The work
starts half a second later (``defer_grace``) unless more changes come; when done it
wakes the server as a file change would, and the server's builder moves its files in
and browsers reload. A new change cancels it between two pages, and it is redone after
that change. Links into, and from, a page left to the background are checked once it is
read. On smaller sites everything is done at once.

What rebuilds the whole site
============================

A change to ``mkdocs.yml`` or to the files of ``theme.custom_dir``; a change to a
watched path outside ``docs_dir`` and ``sources`` (``--watch-theme``, ``watch:``);
``update`` returning ``None``; a plugin (or hook) other than Material's ``search`` and
``tags`` and the ``trusted`` ones; a Markdown extension that may read other files
(not in :data:`SAFE_MARKDOWN_EXTENSIONS`); a file neither of ``docs_dir``, of the theme
nor generated; a search index that cannot be put together again from the recorded
entries; the build date changing (past midnight: every page's ``update_date`` would
change); a docs file added or removed where the theme has a file of the same path; a
generated page added when the first build did not show generated pages in a known order;
a generated file colliding with a docs or theme file; and any failure of this module's
own bookkeeping. A whole rebuild runs MkDocs' own builder
(config reloaded, every plugin run); the last good site is moved aside first and put
back if that build fails.

Known gaps
==========

- Strict mode on large sites: a warning raised by a page read in the background (an
  index page over ``big_page``, the tags index) fails only the background part; the
  pages served first stay, the background pages keep their last good version, the
  error is logged, and they are redone after the next change.
- A change arriving while the background reads or renders a big page waits for that
  page (at 10,000 pages, a second or two).
- Links are tracked through ``Files``; a plugin or Markdown extension reading other
  files by itself is not (hence the extension allow-list), nor are templates of
  ``custom_dir`` reading the ``pages`` variable beyond a simple search (then every added
  or removed page renders every page again).
- Files that plugins' ``on_post_build`` writes are not written again on incremental
  rebuilds (hand them over in an :class:`Update`); ``mkdocs serve --dirty`` and
  ``--clean`` are left to MkDocs.

Trusted plugins
===============

A plugin named in ``trusted`` promises that: its page hooks depend only on the page and
the files it looks up through ``Files`` (or it lists the page in ``rerender``); its
``on_files`` only appends generated files; its ``on_nav`` is a function of the
navigation and files (it is run again on every rebuild); and its other build-wide hooks
(``on_pre_build``, ``on_env``, ``on_post_build``) need not run again on an incremental
rebuild, any file they would write being handed over in an :class:`Update`.

MkDocs 1.6 and Material 9 internals relied on
=============================================

- ``mkdocs.commands.build``: ``_populate_page(page, config, files, dirty)``,
  ``_build_page(page, config, doc_files, nav, env, dirty, excluded)`` (writes exactly
  ``page.file.abs_dest_path`` with ``utils.write_file``), ``_build_template(name,
  template, files, config, nav)``; what ``_build_theme_template`` and
  ``_build_extra_template`` write (done here again into the staging folder, with the
  gzip of ``sitemap.xml``); the order of ``build()`` (files from ``get_files``, then the
  theme's, then ``on_files``; pages read in ``documentation_pages`` order;
  ``Page(None, file)`` for pages not in the navigation).
- ``MkDocsConfig._current_page``, set by ``_populate_page`` and ``_build_page`` to the
  page being processed (to know which page looked a path up).
- ``File.abs_dest_path`` is a ``functools.cached_property`` (so it can be pointed at the
  staging folder while MkDocs writes one file).
- ``Files`` looks files up through ``get_file_from_path`` (overridden to record
  look-ups); ``Page.validate_anchor_links`` checks the links recorded while rendering.
- ``get_navigation`` reuses ``file.page`` when set and creates ``Page(None, file)`` for
  listed files that have none.
- ``LiveReloadServer``: ``builder``, ``build_delay``, ``observer`` (a watchdog observer,
  not yet started when ``on_serve`` runs), ``watch``/``unwatch``; the private
  ``_watched_paths`` (path -> count) and ``_watch_refs`` (path -> ``ObservedWatch``), to
  move the watched paths to another observer, and ``_rebuild_cond``/``_want_rebuild``,
  to wake the builder when background work is done; the server holds requests while the
  builder runs. The serve builder reloads the config when called without arguments.
- ``PluginCollection.__setitem__`` registers a plugin's events (used to add the
  observer); a plugin with ``on_startup`` is kept across the builds of one serve.
- Material search (``SearchPlugin``): entries are appended to ``search_index.entries`` in
  ``on_page_context``; ``generate_search_index(prev)`` serialises ``{"config": ...,
  "docs": entries}`` with ``json.dumps(separators=(",", ":"), default=str)`` to
  ``site_dir/search/search_index.json``.
- Material tags (``TagsPlugin``): ``mappings.data`` (page URL -> ``Mapping``, in read
  order), ``listings.data`` (a set of ``Listing`` with ``.page``, ``.id``, ``.config``),
  ``listings.populate_all(mappings, Renderer(env, config))`` and
  ``MappingStorage(config).save(path, mappings)`` as in ``on_env``; ``config.enabled``,
  ``export``, ``export_file``.
- Material's page templates do not use the ``pages`` context variable.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import hashlib
import io
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, cast

import jinja2
from material.plugins.search.plugin import SearchPlugin
from material.plugins.tags.plugin import TagsPlugin
from material.plugins.tags.renderer import Renderer
from material.plugins.tags.structure.mapping.storage import MappingStorage
from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure import StructureItem
from mkdocs.structure.files import (
    File,
    Files,
    InclusionLevel,
    file_sort_key,
    get_files,
    set_exclusions,
)
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.structure.pages import Page
from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("mkdocs.live")

OBSERVER_KEY = "live-site"
"""Name under which the observer is added to ``config.plugins``."""

_ALL = "\0all"
"""Look-up key of a page that iterated over all files: any added or removed file
changes what it saw."""

SAFE_MARKDOWN_EXTENSIONS = frozenset(
    [
        # Python-Markdown's own, and MkDocs' built-ins.
        *(
            f"{prefix}{name}"
            for prefix in ("", "markdown.extensions.")
            for name in [
                "abbr",
                "admonition",
                "attr_list",
                "codehilite",
                "def_list",
                "extra",
                "fenced_code",
                "footnotes",
                "legacy_attrs",
                "legacy_em",
                "md_in_html",
                "meta",
                "nl2br",
                "sane_lists",
                "smarty",
                "tables",
                "toc",
                "wikilinks",
            ]
        ),
        # PyMdown extensions that read nothing but the page (not pymdownx.snippets).
        *(
            f"pymdownx.{name}"
            for name in [
                "arithmatex",
                "betterem",
                "blocks.admonition",
                "blocks.details",
                "blocks.html",
                "blocks.tab",
                "caret",
                "critic",
                "details",
                "emoji",
                "escapeall",
                "highlight",
                "inlinehilite",
                "keys",
                "magiclink",
                "mark",
                "progressbar",
                "saneheaders",
                "smartsymbols",
                "superfences",
                "tabbed",
                "tasklist",
                "tilde",
            ]
        ),
        "material.extensions.emoji",
    ]
)
"""Markdown extensions whose output depends on nothing but the page being rendered."""


@dataclass
class Update:
    """What changed among the generated files since the last ``Update`` (or ``on_files``)."""

    changed: Mapping[str, str | bytes | File] = field(default_factory=dict)
    """New or changed generated files: ``src_uri`` -> Markdown, bytes, or a ``File``."""
    removed: Collection[str] = ()
    """Generated files that no longer exist."""
    rerender: Collection[str] = ()
    """Pages to read and render again although their Markdown is unchanged."""


@dataclass
class RebuildReport:
    """What one rebuild did."""

    kind: str
    """``incremental``, ``unchanged``, ``full``, ``deferred`` (the background part) or
    ``failed``."""
    seconds: float
    reason: str = ""
    """Why the whole site was rebuilt, or why the rebuild failed."""
    read: list[str] = field(default_factory=list)
    """Pages read and rendered from Markdown again, in build order."""
    rendered: list[str] = field(default_factory=list)
    """Pages whose HTML was written again, in build order."""
    written: list[str] = field(default_factory=list)
    """Files of ``site_dir`` written or replaced, relative to it."""
    deleted: list[str] = field(default_factory=list)
    """Files of ``site_dir`` deleted, relative to it."""
    update_seconds: float = 0.0
    """Time the generator took to say what changed (not part of ``seconds``)."""


class LiveSite:
    """The site of one ``mkdocs serve``, kept in memory to rebuild what an edit changes."""

    def __init__(
        self,
        *,
        trusted: Iterable[str] = (),
        build_delay: float = 0.05,
        defer_above: int | None = 500,
        big_page: int = 64 * 1024,
        native_watcher: bool = True,
    ) -> None:
        self.trusted = frozenset(trusted)
        """Names in ``config.plugins`` of plugins (or hooks) known to be incremental-safe."""
        self.build_delay = build_delay
        """Seconds without file events before a rebuild starts (MkDocs: 0.1)."""
        self.defer_above = defer_above
        """On sites of more pages than this, pages listing many others (the tags index,
        every page after a navigation change, and changed pages of more than
        ``big_page`` bytes of Markdown, such as index pages) are rebuilt in the
        background after the other changed pages are served (None: never)."""
        self.big_page = big_page
        self.defer_grace = 0.5
        """Seconds the background work waits for further changes before it starts."""
        self.native_watcher = native_watcher
        """Watch with the platform's file watcher (inotify) rather than MkDocs' polling."""
        self.config: MkDocsConfig | None = None
        self.last: RebuildReport | None = None
        """What the last rebuild did."""
        self.last_deferred: RebuildReport | None = None
        """What the last background rebuild of pages listing many others did."""
        self._observer = _Observer(self)
        self._model: _Model | None = None
        self._deferred: _Deferred | None = None
        self._server: LiveReloadServer | None = None
        self._builder: Callable[[], object] | None = None
        self._update: Callable[[set[str]], Update | None] | None = None
        self._sources: tuple[str, ...] = ()
        self._events: set[str] = set()
        self._events_lock = threading.Lock()

    @classmethod
    def for_command(cls, command: str, dirty: bool, **kwargs: Any) -> LiveSite | None:
        """A LiveSite for ``mkdocs serve`` (not ``--dirty``, not ``--clean``), else None."""
        if command != "serve" or dirty:
            return None
        return cls(**kwargs)

    def attach(self, config: MkDocsConfig) -> None:
        """Record the MkDocs build that is starting. Call from ``on_config``."""
        self.config = config
        self._observer.capture = _Capture(config, _Lookups(config))
        config.plugins[OBSERVER_KEY] = self._observer

    # --- Serving ----------------------------------------------------------------------

    def serve(
        self,
        server: LiveReloadServer,
        builder: Callable[[], object],
        *,
        update: Callable[[set[str]], Update | None] | None = None,
        sources: Iterable[str] = (),
    ) -> LiveReloadServer:
        """Make ``server`` (MkDocs' ``LiveReloadServer``) rebuild incrementally.

        ``builder`` is the one ``on_serve`` receives (MkDocs' whole-site builder);
        ``update`` is asked, after each change, what changed among the generated files;
        ``sources`` are the folders or files the generator reads, watched here too.
        """
        self._server = server
        self._builder = builder
        self._update = update
        self._sources = tuple(os.path.abspath(path) for path in sources)
        for path in self._sources:
            if os.path.exists(path):
                server.watch(path)
        use_recording_observer(server, self._record_event, native=self.native_watcher)
        server.build_delay = self.build_delay
        server.builder = self._on_change
        return server

    def _record_event(self, path: str) -> None:
        with self._events_lock:
            self._events.add(path)

    def _on_change(self) -> None:
        """The live-reload server's builder: rebuild after watched files changed."""
        self._finish_deferred(cancel=True)
        with self._events_lock:
            paths, self._events = self._events, set()
        reason = self._full_rebuild_reason(paths)
        if reason:
            self.full_rebuild(reason)
            return
        if self._update is None:
            self.rebuild()
            return
        started = time.monotonic()
        try:
            update = self._update({path for path in paths if _under_any(path, self._sources)})
        except Exception as error:
            log.error(f"{error}" if str(error) else repr(error))
            log.error("Still serving the last good site; fix the errors above")
            self.last = RebuildReport("failed", time.monotonic() - started, str(error))
            return
        if update is None:
            self.full_rebuild("the generator asked for it")
        else:
            self.rebuild(update, update_seconds=time.monotonic() - started)

    def _full_rebuild_reason(self, paths: set[str]) -> str:
        """Why changes to ``paths`` (absolute, as recorded) need a whole rebuild, or ''.
        A change to mkdocs.yml is left to the rebuild, which compares its bytes."""
        model = self._model
        if model is None:
            return "no earlier build to start from"
        if model.unsafe:
            return model.unsafe
        config_file = os.path.abspath(model.config.config_file_path or "")
        known = (os.path.abspath(model.config.docs_dir), *self._sources)
        for path in sorted(paths):
            if path != config_file and not _under_any(path, known):
                return f"'{path}' changed"
        return ""

    def full_rebuild(self, reason: str) -> bool:
        """Rebuild the whole site with MkDocs' own builder, keeping the last good site if
        that fails. Returns whether it succeeded."""
        started = time.monotonic()
        if self._builder is None or self.config is None:
            raise RuntimeError("a whole rebuild needs serve() first")
        self._finish_deferred(cancel=True)
        log.info(f"Rebuilding the whole site: {reason}")
        site_dir = os.path.abspath(self.config.site_dir)
        backup = f"{site_dir}.last-good"
        if os.path.lexists(backup):
            shutil.rmtree(backup)
        os.rename(site_dir, backup)
        os.mkdir(site_dir)
        self._model = None
        try:
            self._builder()
        except Exception as error:
            # MkDocs fails a strict build after on_post_build, once the build was kept.
            self._model = None
            shutil.rmtree(site_dir, ignore_errors=True)
            os.rename(backup, site_dir)
            _log_failure(error)
            self.last = RebuildReport("failed", time.monotonic() - started, reason)
            return False
        shutil.rmtree(backup, ignore_errors=True)
        if self._model is None:
            log.error(
                "The whole rebuild kept no state for incremental rebuilds: the next change "
                "rebuilds the whole site again (is LiveSite.attach called from on_config?)"
            )
        self.last = RebuildReport("full", time.monotonic() - started, reason)
        return True

    # --- Incremental rebuilds ---------------------------------------------------------

    def rebuild(self, update: Update | None = None, *, update_seconds: float = 0.0) -> bool:
        """Apply ``update`` and rebuild what it and any change in ``docs_dir`` affect.

        Falls back to :meth:`full_rebuild` when it cannot rebuild incrementally. Returns
        whether the site was rebuilt; on failure the last good site is left as it was.
        ``update_seconds``, the time taken to work out ``update``, goes in the report.
        """
        started = time.monotonic()
        self._finish_deferred(cancel=True)
        model = self._model
        if model is None or model.unsafe:
            return self.full_rebuild(model.unsafe if model else "no earlier build to start from")
        try:
            with _warnings_counted(model.config) as warnings:
                model.take(update or Update())
                if model.pending.is_empty():
                    self.last = RebuildReport("unchanged", time.monotonic() - started)
                    log.info("Nothing to rebuild")
                    return True
                stage = _Stage(model.config.site_dir)
                defer = self.defer_above is not None and model.page_count() > self.defer_above
                with stage.dropped_on_failure(model.config):
                    report, left = model.render(stage, defer=defer, big_page=self.big_page)
                    warnings.check()
        except _WholeRebuild as whole:
            return self.full_rebuild(str(whole))
        except Exception as error:
            _log_failure(error)
            self.last = RebuildReport("failed", time.monotonic() - started, _message(error))
            return False
        report.written, report.deleted = stage.commit(model.pending.delete)
        model.pending = model.pending.after(left)
        if left is not None:
            self._start_deferred(model, left, set(report.rendered))
        report.seconds = time.monotonic() - started
        report.update_seconds = update_seconds
        self.last = report
        asked = f" (the generator took {update_seconds:.2f} s)" if update_seconds else ""
        log.info(
            f"Rebuilt {len(report.read)} page{_s(report.read)} from Markdown and "
            f"{len(report.rendered)} page{_s(report.rendered)} in total "
            f"in {report.seconds:.2f} seconds{asked}"
        )
        return True

    # --- Deferred rebuilds of the pages that list many others ---------------------------

    def settle(self) -> None:
        """Wait for the background rebuild, if any, and move its files into the site."""
        self._finish_deferred(cancel=False)

    def close(self) -> None:
        """Stop a background rebuild and drop its files. Call from ``on_shutdown``."""
        job, self._deferred = self._deferred, None
        if job is not None:
            job.cancel.set()
            job.thread.join()
            if job.stage is not None:
                job.stage.discard()

    def _start_deferred(self, model: _Model, read: set[str], rendered: set[str]) -> None:
        job = _Deferred(model, read, rendered)
        job.thread = threading.Thread(
            target=self._run_deferred, args=(job,), name="live-site-deferred", daemon=True
        )
        self._deferred = job
        job.thread.start()

    def _run_deferred(self, job: _Deferred) -> None:
        # Saves often come in bursts (a generator writing its files, an editor saving
        # all): a change within the grace period cancels the work before it starts,
        # instead of waiting for the big page in hand.
        if job.cancel.wait(self.defer_grace):
            return
        started = time.monotonic()
        model, report = job.model, job.report
        stage = _Stage(model.config.site_dir)
        try:
            with (
                _warnings_counted(model.config) as warnings,
                stage.dropped_on_failure(model.config),
            ):
                model.aggregate(
                    stage, report, read=job.read, rendered=job.rendered, cancel=job.cancel
                )
                model.write_search_index(stage)
                warnings.check()
        except _Cancelled:
            return
        except Exception as error:
            _log_failure(error, deferred=True)
            report.kind, report.reason = "failed", _message(error)
            self.last_deferred = report
            return
        report.seconds = time.monotonic() - started
        job.stage = stage
        self.wake()

    def _finish_deferred(self, *, cancel: bool) -> None:
        """Stop (``cancel``) or wait for the background rebuild; if it had succeeded, move
        its files into the site (this runs as the server's builder, or in settle())."""
        job, self._deferred = self._deferred, None
        if job is None:
            return
        if cancel:
            job.cancel.set()
        job.thread.join()
        if job.stage is None:
            return  # cancelled or failed: the work stays pending for the next rebuild
        job.report.written, job.report.deleted = job.stage.commit(())
        if self._model is not None:
            self._model.pending = _Pending()
        self.last_deferred = job.report
        log.info(
            f"Rebuilt {len(job.report.rendered)} page{_s(job.report.rendered)} that list "
            f"others in the background in {job.report.seconds:.2f} seconds"
        )

    def wake(self) -> None:
        """Have the live-reload server call the builder, as a file change would: the
        rebuild then asks ``update`` what changed (for work the plugin finished in the
        background) and moves any background rebuild's files into the site."""
        server = self._server
        if server is not None:
            with server._rebuild_cond:
                server._want_rebuild = True
                server._rebuild_cond.notify_all()


class _WholeRebuild(Exception):
    """The change cannot be rebuilt incrementally; the message says why."""


class _Cancelled(Exception):
    """Deferred work was cancelled by a newer change."""


@dataclass
class _Deferred:
    """Work left by a rebuild for a background thread: the pages listing many others."""

    model: _Model
    read: set[str]
    rendered: set[str]
    cancel: threading.Event = field(default_factory=threading.Event)
    report: RebuildReport = field(default_factory=lambda: RebuildReport("deferred", 0.0))
    thread: threading.Thread = field(init=False)
    stage: _Stage | None = None
    """Set once the work succeeded: the files to move into the site."""


def _s(items: Collection[object]) -> str:
    return "" if len(items) == 1 else "s"


def _message(error: BaseException) -> str:
    return str(error) or repr(error)


def _log_failure(error: BaseException, *, deferred: bool = False) -> None:
    if isinstance(error, (Abort, BuildError)):
        log.error(str(error))
    else:
        log.error("Rebuild failed", exc_info=error)
    if deferred:
        log.error(
            "The pages that list others (tags index) could not be rebuilt; they are "
            "redone after the next change"
        )
    else:
        log.error("Still serving the last good site; fix the errors above")


class _ThreadCountHandler(utils.CountHandler):
    """MkDocs' strict-mode warning counter, counting only this thread's messages (the
    server's request threads log warnings of their own while a rebuild runs)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        thread = threading.get_ident()
        self.addFilter(lambda record: record.thread == thread)

    def check(self) -> None:
        """Fail as MkDocs' ``build()`` does in strict mode if a warning was counted."""
        if counts := self.get_counts():
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")


@contextlib.contextmanager
def _warnings_counted(config: MkDocsConfig) -> Iterator[_ThreadCountHandler]:
    """In strict mode, count the warnings this thread logs (``check`` fails on any)."""
    counter = _ThreadCountHandler()
    logger = logging.getLogger("mkdocs")
    if config.strict:
        logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)


# --- Recording MkDocs' own builds --------------------------------------------------------


@dataclass
class _Capture:
    """What the observer gathers during one MkDocs build."""

    config: MkDocsConfig
    lookups: _Lookups
    files: _TrackedFiles | None = None
    nav: Navigation | None = None
    env: jinja2.Environment | None = None
    search: _SearchAdapter | None = None
    fragments: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    """Time spent recording (the rest of the build is MkDocs' own)."""


class _Observer(BasePlugin):
    """Added to ``config.plugins`` by :meth:`LiveSite.attach`; records MkDocs' build.

    Each event runs after every other plugin's, to see what they made. Outside a build
    MkDocs drives (during incremental rebuilds) it does nothing.
    """

    def __init__(self, live: LiveSite) -> None:
        self.live = live
        self.capture: _Capture | None = None

    @event_priority(-1000)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        capture = self.capture
        if capture is None or capture.config is not config:
            return files
        capture.files = _TrackedFiles(files, capture.lookups.record)
        return capture.files

    @event_priority(-1000)
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> None:
        if self.capture is not None:
            self.capture.nav = nav

    @event_priority(-1000)
    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> None:
        capture = self.capture
        if capture is not None:
            capture.env = env
            capture.search = _SearchAdapter.find(config)
            if capture.search is not None:
                capture.search.start()

    @event_priority(-1000)
    def on_page_context(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> None:
        capture = self.capture
        if capture is not None and capture.search is not None:
            started = time.perf_counter()
            capture.fragments[page.file.src_uri] = capture.search.take_fragment(keep=True)
            capture.seconds += time.perf_counter() - started

    @event_priority(-1000)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        capture, self.capture = self.capture, None
        if capture is None or capture.config is not config or capture.files is None:
            return
        started = time.perf_counter()
        try:
            model = _Model(capture, self.live.trusted)
        except Exception:
            self.live._model = None
            log.exception("Cannot keep this build for incremental rebuilds")
            return
        self.live._model = model
        capture.seconds += time.perf_counter() - started
        log.info(
            f"Kept this build for incremental rebuilds (recording it took "
            f"{capture.seconds:.2f} seconds)"
        )
        if model.unsafe:
            log.info(f"Every change will rebuild the whole site: {model.unsafe}")

    def on_build_error(self, *, error: Exception) -> None:
        if self.capture is not None:
            self.capture = None
            self.live._model = None


class _Lookups:
    """The paths each page looked up in ``Files`` while MkDocs read or rendered it (MkDocs
    sets ``config._current_page`` to that page), and for each path the pages that did."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.by_page: dict[str, set[str]] = {}
        self.by_path: dict[str, set[str]] = {}

    def record(self, path: str) -> None:
        page = self.config._current_page
        if page is not None:
            self.by_page.setdefault(page.file.src_uri, set()).add(path)
            self.by_path.setdefault(path, set()).add(page.file.src_uri)

    def forget(self, uri: str) -> None:
        """Forget what the page ``uri`` looked up (before it is read again, or removed)."""
        for path in self.by_page.pop(uri, ()):
            self.by_path[path].discard(uri)

    def pages_reading(self, paths: Iterable[str]) -> set[str]:
        """The pages that looked up any of ``paths``."""
        return {uri for path in paths for uri in self.by_path.get(path, ())}


class _TrackedFiles(Files):
    """MkDocs' ``Files``, telling which paths the page being processed looks up."""

    def __init__(self, files: Iterable[File], on_lookup: Callable[[str], None]) -> None:
        super().__init__(files)
        self._on_lookup = on_lookup

    def get_file_from_path(self, path: str) -> File | None:
        self._on_lookup(PurePath(path).as_posix())
        return super().get_file_from_path(path)

    def __contains__(self, path: str) -> bool:
        self._on_lookup(PurePath(path).as_posix())
        return super().__contains__(path)

    def __iter__(self) -> Iterator[File]:
        self._on_lookup(_ALL)
        return super().__iter__()

    def __len__(self) -> int:
        self._on_lookup(_ALL)
        return super().__len__()

    @property
    def src_uris(self) -> Mapping[str, File]:
        self._on_lookup(_ALL)
        return super().src_uris

    def file(self, uri: str) -> File | None:
        """Look a file up without recording it (for this module's own use)."""
        return super().src_uris.get(uri)

    def all(self) -> list[File]:
        return list(super().src_uris.values())


# --- Plugin adapters ---------------------------------------------------------------------


class _SearchAdapter:
    """Material's search plugin: its index entries, page by page."""

    def __init__(self, plugin: SearchPlugin) -> None:
        self.plugin = plugin
        self._mark = 0

    @classmethod
    def find(cls, config: MkDocsConfig) -> _SearchAdapter | None:
        for plugin in config.plugins.values():
            if isinstance(plugin, SearchPlugin) and plugin.config.enabled:
                return cls(plugin)
        return None

    def start(self) -> None:
        self._mark = len(self.plugin.search_index.entries)

    def take_fragment(self, *, keep: bool = False) -> bytes:
        """The entries added since the last call, serialised as in search_index.json.

        ``keep`` leaves them in the index (while MkDocs builds, as its on_post_build
        writes them); otherwise they are dropped, so the index does not grow."""
        entries = self.plugin.search_index.entries
        fresh = entries[self._mark :]
        if keep:
            self._mark = len(entries)
        else:
            del entries[self._mark :]
        return ",".join(_dump(entry) for entry in fresh).encode("utf-8")

    def clear(self) -> None:
        """Drop the entries of a finished build: they are kept serialised instead."""
        self.plugin.search_index.entries = []
        self._mark = 0

    def document(self, fragments: Iterable[bytes]) -> bytes:
        """search_index.json with the given entries, as Material's on_post_build writes it."""
        index = self.plugin.search_index
        kept, index.entries = index.entries, []
        try:
            empty = index.generate_search_index(self.plugin.search_index_prev)
        finally:
            index.entries = kept
        tail = '"docs":[]}'
        if not empty.endswith(tail):
            raise RuntimeError("Material's search index no longer ends with its entries")
        head = empty[: -len("]}")].encode("utf-8")
        return head + b",".join(fragment for fragment in fragments if fragment) + b"]}"

    @staticmethod
    def path(config: MkDocsConfig) -> str:
        return os.path.join(config.site_dir, "search", "search_index.json")


def _dump(entry: object) -> str:
    return json.dumps(entry, separators=(",", ":"), default=str)


class _TagsAdapter:
    """One enabled instance of Material's tags plugin: its mappings and listings."""

    def __init__(self, plugin: TagsPlugin) -> None:
        self.plugin = plugin

    def signature(self, page: Page | None) -> tuple[Any, ...] | None:
        """What a listing and tags.json show of ``page``: None if it has no tags."""
        if page is None:
            return None
        mapping = self.plugin.mappings.data.get(page.url)
        if mapping is None or mapping.item is not page:
            return None
        tags = sorted((tag.name, bool(tag.hidden)) for tag in mapping.tags)
        return (str(page.title), page.url, tuple(tags))

    def owners(self) -> set[str]:
        """``src_uri`` of every page holding a listing."""
        return {listing.page.file.src_uri for listing in self.plugin.listings.data}

    def owns(self, page: Page | None) -> bool:
        return any(listing.page is page for listing in self.plugin.listings.data)

    def forget(self, page: Page | None) -> None:
        """Drop the mapping and listings ``page`` added when it was read."""
        if page is None:
            return
        data = self.plugin.mappings.data
        mapping = data.get(page.url)
        if mapping is not None and mapping.item is page:
            del data[page.url]
        listings = self.plugin.listings
        if self.owns(page):
            listings.data = {listing for listing in listings.data if listing.page is not page}

    def listing_signature(self) -> tuple[Any, ...]:
        """What a tagged page shows of the listings: their page's title and URL."""
        return tuple(
            sorted(
                (listing.id, listing.page.url, str(listing.page.title), repr(listing.config))
                for listing in self.plugin.listings.data
            )
        )

    def tagged(self) -> set[str]:
        """URLs of the pages that have tags."""
        return set(self.plugin.mappings.data)

    def reorder(self, doc_files: Iterable[File]) -> None:
        """Put mappings in reading order, as a cold build adds them."""
        data = self.plugin.mappings.data
        ordered = {
            file.page.url: data[file.page.url]
            for file in doc_files
            if file.page is not None and file.page.url in data
        }
        if len(ordered) != len(data):  # pragma: no cover - a mapping for no page of the site
            raise RuntimeError("tags plugin holds a mapping for a page not in the site")
        self.plugin.mappings.data = ordered

    def populate(self, env: jinja2.Environment, config: MkDocsConfig, stage: _Stage) -> None:
        """What the plugin's on_env does: fill in every listing, export tags.json."""
        plugin = self.plugin
        plugin.listings.populate_all(plugin.mappings, Renderer(env, config))
        if plugin.config.export:
            path = os.path.normpath(os.path.join(config.site_dir, plugin.config.export_file))
            MappingStorage(plugin.config).save(stage.path_for(path), plugin.mappings)


# --- The site as last built --------------------------------------------------------------


@dataclass
class _DocRecord:
    """A file of docs_dir as last read: its size, time and inode, and a digest of it."""

    file: File
    stat: tuple[int, int, int]
    digest: bytes

    @classmethod
    def read(cls, file: File) -> _DocRecord:
        path = file.abs_src_path
        if path is None:
            raise RuntimeError(f"'{file.src_uri}' of docs_dir has no path")
        return cls(file, _stat(path), _digest_file(path))


@dataclass
class _Pending:
    """What is still to be redone: accumulates over failed rebuilds until one succeeds."""

    read: set[str] = field(default_factory=set)
    copy: set[str] = field(default_factory=set)
    delete: set[str] = field(default_factory=set)
    validate: set[str] = field(default_factory=set)
    render_all: bool = False
    render_tagged: bool = False
    tags: bool = False
    sitemap: bool = False
    not_found: bool = False

    def is_empty(self) -> bool:
        return self == _Pending()

    def after(self, later: set[str] | None) -> _Pending:
        """What is left once a rebuild succeeded: nothing, or if it left the pages
        ``later`` to the background, reading them and redoing what lists many pages
        (redone by the next rebuild if the background work does not finish)."""
        if later is None:
            return _Pending()
        return _Pending(
            read=set(later),
            tags=self.tags,
            render_all=self.render_all,
            render_tagged=self.render_tagged,
        )


@dataclass
class _Plan:
    """The input changes of one rebuild, worked out before anything is changed."""

    records: dict[str, _DocRecord] = field(default_factory=dict)
    """The files of docs_dir, in the order ``get_files`` lists them."""
    generated: list[File] = field(default_factory=list)
    contents: list[tuple[File, str | bytes]] = field(default_factory=list)
    added: list[File] = field(default_factory=list)
    removed: list[File] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    rerender: set[str] = field(default_factory=set)


class _Model:
    """The site as last built (or attempted): MkDocs' objects and what they depend on."""

    def __init__(self, capture: _Capture, trusted: frozenset[str]) -> None:
        files, nav, env = capture.files, capture.nav, capture.env
        if files is None or nav is None or env is None:
            raise RuntimeError("the build showed no files, navigation or theme environment")
        config = self.config = capture.config
        self.files, self.nav, self.env = files, nav, env
        self.lookups = capture.lookups
        self.fragments = capture.fragments
        self.search = capture.search
        self.tags = [
            _TagsAdapter(plugin)
            for plugin in config.plugins.values()
            if isinstance(plugin, TagsPlugin) and plugin.config.enabled
        ]
        self.build_date = utils.get_build_date()
        self.config_digest = _digest_file(config.config_file_path)
        self.theme_snapshot = _theme_snapshot(config)
        self.pages_in_templates = _templates_use_pages(config)
        self.unsafe = _unsafe_reason(config, trusted)
        self.docs: dict[str, _DocRecord] = {}
        self.theme_files: list[File] = []
        self.generated: list[File] = []
        self._sort_files()
        self.page_order = _known_order(files.all(), self.generated)
        self.tag_signatures: dict[str, tuple[Any, ...]] = {}
        for file in self._doc_files():
            self._note_tags(file)
        self.listing_signature = self._listing_signature()
        self.nav_signature = _nav_signature(nav.items)
        self.pending = _Pending()
        if self.search is not None:
            self._check_search_index()
            self.search.clear()

    def _sort_files(self) -> None:
        """Sort the files into docs_dir's, the theme's and generated ones."""
        config = self.config
        docs_dir = os.path.abspath(config.docs_dir)
        theme_dirs = {os.path.abspath(path) for path in config.theme.dirs}
        for file in self.files.all():
            source = os.path.abspath(file.src_dir) if file.src_dir is not None else None
            if file.generated_by is not None:
                self.generated.append(file)
            elif source == docs_dir:
                self.docs[file.src_uri] = _DocRecord.read(file)
            elif source in theme_dirs:
                self.theme_files.append(file)
            else:
                self.unsafe = self.unsafe or f"'{file.src_uri}' comes from an unknown source"

    def _check_search_index(self) -> None:
        """The index put together from the recorded entries is the one MkDocs wrote."""
        try:
            with open(_SearchAdapter.path(self.config), "rb") as handle:
                written = handle.read()
        except OSError:
            written = b""
        if self._search_index() != written:
            self.unsafe = "the search index could not be reproduced from its entries"

    def _search_index(self) -> bytes:
        assert self.search is not None
        fragments = self.fragments
        return self.search.document(fragments.get(file.src_uri, b"") for file in self._doc_files())

    def write_search_index(self, stage: _Stage) -> None:
        if self.search is not None:
            stage.write(_SearchAdapter.path(self.config), self._search_index())

    def page_count(self) -> int:
        return sum(1 for file in self.files.all() if file.is_documentation_page())

    def _doc_files(self) -> list[File]:
        """The documentation pages, as ``build()`` lists them when serving."""
        return [
            file
            for file in self.files.all()
            if file.is_documentation_page() and file.inclusion.is_in_serve()
        ]

    def _note_tags(self, file: File) -> bool:
        """Record what listings show of ``file``'s page; whether it changed."""
        signature = tuple(adapter.signature(file.page) for adapter in self.tags)
        if not any(signature):
            return self.tag_signatures.pop(file.src_uri, None) is not None
        changed = self.tag_signatures.get(file.src_uri) != signature
        self.tag_signatures[file.src_uri] = signature
        return changed

    def _listing_signature(self) -> tuple[Any, ...]:
        return tuple(adapter.listing_signature() for adapter in self.tags)

    def _listing_owners(self) -> set[str]:
        return {uri for adapter in self.tags for uri in adapter.owners()}

    # --- The input changes ---------------------------------------------------------------

    def take(self, update: Update) -> None:
        """Take in ``update`` and the changes in docs_dir, noting in ``pending`` what they
        make to redo. Raises _WholeRebuild if the site must be rebuilt whole."""
        plan = self._plan(update)
        try:
            self._apply(plan)
        except Exception as error:
            log.exception("Incremental rebuild state broken")
            raise _WholeRebuild("incremental rebuild state broken") from error

    def _plan(self, update: Update) -> _Plan:
        """The input changes, worked out without changing anything."""
        config = self.config
        if _digest_file(config.config_file_path) != self.config_digest:
            raise _WholeRebuild(f"'{config.config_file_path}' changed")
        if _theme_snapshot(config) != self.theme_snapshot:
            raise _WholeRebuild("the theme's custom_dir changed")
        if utils.get_build_date() != self.build_date:
            raise _WholeRebuild("the build date changed")
        plan = _Plan(rerender=set(update.rerender))
        self._plan_docs(plan)
        self._plan_generated(plan, update)
        return plan

    def _plan_docs(self, plan: _Plan) -> None:
        """Compare docs_dir with the last build: a file whose size, time or inode changed
        is read again, and counts as changed if its bytes did."""
        theme_uris = {file.src_uri for file in self.theme_files}
        for new in get_files(self.config):
            uri = new.src_uri
            record = self.docs.get(uri)
            if record is not None and record.file.inclusion == new.inclusion:
                if _stat(new.abs_src_path or "") != record.stat:
                    fresh = _DocRecord.read(new)
                    if fresh.digest != record.digest:
                        plan.changed.add(uri)
                    record = dataclasses.replace(fresh, file=record.file)
                plan.records[uri] = record
                continue
            if record is not None:
                plan.removed.append(record.file)
            plan.records[uri] = _DocRecord.read(new)
            plan.added.append(new)
            if uri in theme_uris or _theme_has(self.config, uri):
                raise _WholeRebuild(f"'{uri}' overrides or uncovers a theme file")
        for uri, record in self.docs.items():
            if uri not in plan.records:
                plan.removed.append(record.file)
                if _theme_has(self.config, uri):
                    raise _WholeRebuild(f"'{uri}' overrides or uncovers a theme file")

    def _plan_generated(self, plan: _Plan, update: Update) -> None:
        """Compare ``update`` with the generated files; place new pages where the plugin's
        ``on_files`` would."""
        theme_uris = {file.src_uri for file in self.theme_files}
        generated = {file.src_uri: file for file in self.generated}
        removed = {uri for uri in update.removed if uri in generated}
        plan.removed += [generated[uri] for uri in sorted(removed)]
        fresh: list[File] = []
        for uri, value in update.changed.items():
            old = generated.get(uri) if uri not in removed else None
            new_file = value if isinstance(value, File) else None
            content = _content_of(value)
            if old is not None:
                inclusion = new_file.inclusion if new_file is not None else old.inclusion
                if inclusion in (old.inclusion, InclusionLevel.UNDEFINED):
                    if _encoded(_content_of(old)) != _encoded(content):
                        plan.contents.append((old, content))
                        plan.changed.add(uri)
                    continue
                plan.removed.append(old)  # same path, another inclusion level: replaced
            if uri in plan.records or uri in theme_uris:
                raise _WholeRebuild(f"generated '{uri}' collides with a docs or theme file")
            fresh.append(new_file or self._generated_file(uri, content))
        plan.added += fresh
        plan.generated = self._placed(plan.removed, fresh)

    def _generated_file(self, uri: str, content: str | bytes) -> File:
        file = File.generated(self.config, uri, content=content)
        # Outside a plugin event MkDocs cannot tell which plugin made it.
        first = self.generated[0].generated_by if self.generated else None
        file.generated_by = first or "<unknown>"
        return file

    def _placed(self, removed: list[File], fresh: list[File]) -> list[File]:
        """The generated files without ``removed``, with ``fresh`` where a cold build
        would have them."""
        dropped = {id(file) for file in removed}
        kept = [file for file in self.generated if id(file) not in dropped]
        for file in fresh:
            if not file.is_documentation_page():
                kept.append(file)
            elif self.page_order is None:
                raise _WholeRebuild(
                    "generated pages were not in a known order in the first build, so a new "
                    "one cannot be placed"
                )
            else:
                _insert_page(kept, file, self.page_order)
        return kept

    def _apply(self, plan: _Plan) -> None:
        """Make the changes of ``plan``, and note in ``pending`` what they make to redo."""
        pending = self.pending
        for file, content in plan.contents:
            if isinstance(content, str):
                file.content_string = content
            else:
                file.content_bytes = content
        set_exclusions([file for file in plan.added if file.generated_by is not None], self.config)
        self.docs = plan.records
        self.generated = plan.generated
        docs = [record.file for record in plan.records.values()]
        self.files = _TrackedFiles([*docs, *self.theme_files, *plan.generated], self.lookups.record)
        for file in plan.removed:
            self._forget(file)
        for file in plan.added:
            pending.delete.discard(file.abs_dest_path)
            pending.sitemap |= file.is_documentation_page() and file.inclusion.is_in_serve()
        for file in [*plan.added, *map(self._file, plan.changed)]:
            (pending.read if file.is_documentation_page() else pending.copy).add(file.src_uri)
        for uri in plan.rerender:
            file = self.files.file(uri)
            if file is not None and file.is_documentation_page():
                pending.read.add(uri)
        structural = {file.src_uri for file in [*plan.added, *plan.removed]}
        if structural:
            pending.read |= self.lookups.pages_reading([*structural, _ALL])
            pending.render_all |= self.pages_in_templates
        pending.validate |= self.lookups.pages_reading(structural | plan.changed)
        pending.read -= {file.src_uri for file in plan.removed} - {
            file.src_uri for file in plan.added
        }

    def _file(self, uri: str) -> File:
        file = self.files.file(uri)
        if file is None:
            raise RuntimeError(f"'{uri}' is not in the site")
        return file

    def _forget(self, file: File) -> None:
        """Forget a removed file, and note what its removal makes to redo."""
        pending = self.pending
        for adapter in self.tags:
            if adapter.owns(file.page) or adapter.signature(file.page) is not None:
                pending.tags = True
            adapter.forget(file.page)
        self.tag_signatures.pop(file.src_uri, None)
        self.fragments.pop(file.src_uri, None)
        self.lookups.forget(file.src_uri)
        pending.sitemap |= file.is_documentation_page() and file.inclusion.is_in_serve()
        pending.delete.add(file.abs_dest_path)

    # --- Reading and rendering -----------------------------------------------------------

    def render(
        self, stage: _Stage, *, defer: bool, big_page: int
    ) -> tuple[RebuildReport, set[str] | None]:
        """Redo what ``pending`` asks for, writing into ``stage``.

        With ``defer``, the pages that list many others (tags listings; every page after
        a change to the navigation) and the pages to read whose Markdown is larger than
        ``big_page`` bytes (index pages) are left for :meth:`aggregate`. Returns the
        report and, if work was left, the pages left to read (else None).
        """
        pending = self.pending
        report = RebuildReport("incremental", 0.0)
        doc_files = self._doc_files()
        to_read = [file for file in doc_files if file.src_uri in pending.read]
        later = {file.src_uri for file in to_read if defer and len(file.content_bytes) > big_page}
        to_read = [file for file in to_read if file.src_uri not in later]
        owners = self._listing_owners()
        fresh = self._read_again(to_read, doc_files, report)
        # A listing page is rendered once its listings are filled in.
        held = (owners | self._listing_owners()) if pending.tags else set()
        for file in doc_files:
            if file.src_uri in fresh and file.src_uri not in held:
                self._render_page(file, doc_files, fresh=True, stage=stage)
                report.rendered.append(file.src_uri)
        # Pages left to read, and pages linking to them, are checked once those are read.
        to_validate = pending.validate | fresh | self.lookups.pages_reading(fresh)
        self._validate(doc_files, to_validate - later - self.lookups.pages_reading(later))
        self._copy_files(stage)
        self._render_templates(stage)
        left = bool(later) or pending.tags or pending.render_all or pending.render_tagged
        if left and not defer:
            self.aggregate(stage, report, read=set(), rendered=set(report.rendered))
            left = False
        self.write_search_index(stage)
        return report, (later if left else None)

    def aggregate(
        self,
        stage: _Stage,
        report: RebuildReport,
        *,
        read: set[str],
        rendered: set[str],
        cancel: threading.Event | None = None,
    ) -> None:
        """Rebuild the pages that list many others: read the pages of ``read``; read the
        tags listing pages again, fill in their listings and export tags.json as the tags
        plugin's on_env does; then render these pages, and every tagged page if a listing
        page's title or address changed, and every page if the navigation changed
        (except pages in ``rendered``, already rendered since). ``cancel`` stops it
        between pages."""
        doc_files = self._doc_files()
        later = [file for file in doc_files if file.src_uri in read]
        fresh = self._read_again(later, doc_files, report) if later else set()
        if self.pending.tags:
            fresh |= self._refill_listings(doc_files, fresh, report, stage)
        for file in self._to_render(doc_files, fresh, rendered):
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            self._render_page(file, doc_files, fresh=file.src_uri in fresh, stage=stage)
            report.rendered.append(file.src_uri)
        self._validate(doc_files, fresh | self.lookups.pages_reading(fresh))
        if self.pending.not_found:
            for name in sorted(self.config.theme.static_templates - {"sitemap.xml"}):
                self._render_theme_template(name, stage)

    def _read_again(
        self, files: list[File], doc_files: list[File], report: RebuildReport
    ) -> set[str]:
        """Read ``files`` into fresh pages, as a cold build does, after rebuilding the
        navigation; note in ``pending`` what changed of the tags and the navigation.
        Returns their ``src_uri``."""
        pending = self.pending
        owners = self._listing_owners()
        pending.tags |= any(file.src_uri in owners for file in files)
        for file in files:
            for adapter in self.tags:
                adapter.forget(file.page)
            file.page = None
        self._navigate(doc_files)
        for file in files:
            page = file.page
            assert page is not None  # made by _navigate
            self.lookups.forget(file.src_uri)
            mkdocs_build._populate_page(page, self.config, self.files)
            pending.tags |= self._note_tags(file)
            pending.tags |= any(adapter.owns(page) for adapter in self.tags)
            report.read.append(file.src_uri)
        nav_signature = _nav_signature(self.nav.items)
        if nav_signature != self.nav_signature:
            self.nav_signature = nav_signature
            pending.render_all = pending.not_found = True
        return {file.src_uri for file in files}

    def _navigate(self, doc_files: list[File]) -> None:
        """Rebuild the navigation as build() does, reusing every page still attached."""
        config, files = self.config, self.files
        nav = get_navigation(files, config)
        self.nav = config.plugins.on_nav(nav, config=config, files=files)
        for file in doc_files:
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)

    def _refill_listings(
        self, doc_files: list[File], fresh: set[str], report: RebuildReport, stage: _Stage
    ) -> set[str]:
        """Read the listing pages again (unless in ``fresh``) and fill in their listings
        and tags.json as the tags plugin's on_env does. Returns the pages read."""
        owners = self._listing_owners() - fresh
        listing_files = [file for file in doc_files if file.src_uri in owners]
        read = self._read_again(listing_files, doc_files, report) if listing_files else set()
        for adapter in self.tags:
            adapter.reorder(doc_files)
            adapter.populate(self.env, self.config, stage)
        listing_signature = self._listing_signature()
        if listing_signature != self.listing_signature:
            self.listing_signature = listing_signature
            self.pending.render_tagged = True
        return read

    def _to_render(
        self, doc_files: list[File], fresh: set[str], rendered: set[str]
    ) -> Iterator[File]:
        """The pages read since (``fresh``), and those not yet ``rendered`` that show what
        changed: every page after a change to the navigation, every tagged page after a
        change to a listing page."""
        pending = self.pending
        tagged: set[str] = set()
        if pending.render_tagged:
            tagged = {url for adapter in self.tags for url in adapter.tagged()}
        for file in doc_files:
            if file.src_uri in fresh or (
                file.src_uri not in rendered
                and (pending.render_all or (file.page is not None and file.page.url in tagged))
            ):
                yield file

    def _validate(self, doc_files: list[File], uris: set[str]) -> None:
        log_level = self.config.validation.links.anchors
        for file in doc_files:
            if file.src_uri in uris and file.page is not None:
                file.page.validate_anchor_links(files=self.files, log_level=log_level)

    def _render_page(
        self, file: File, doc_files: list[File], *, fresh: bool, stage: _Stage
    ) -> None:
        page = file.page
        assert page is not None
        search = self.search
        if search is not None:
            search.start()
        with stage.redirect(file) as staged:
            mkdocs_build._build_page(
                page,
                self.config,
                doc_files,
                self.nav,
                self.env,
                dirty=False,
                excluded=file.inclusion.is_excluded(),
            )
        if search is not None:
            fragment = search.take_fragment()
            if fresh:
                self.fragments[file.src_uri] = fragment
        if not os.path.exists(staged):
            # MkDocs writes no file for an empty page; the old one must go.
            self.pending.delete.add(file.abs_dest_path)

    def _copy_files(self, stage: _Stage) -> None:
        for uri in sorted(self.pending.copy):
            file = self.files.file(uri)
            if file is None or file.is_documentation_page() or not file.inclusion.is_in_serve():
                continue
            with stage.redirect(file):
                file.copy_file()

    def _render_templates(self, stage: _Stage) -> None:
        """The theme's static templates (sitemap.xml when pages were added or removed,
        404.html when the navigation changed) and the ``extra_templates``."""
        pending = self.pending
        for name in sorted(self.config.theme.static_templates):
            if (name == "sitemap.xml" and not pending.sitemap) or (
                name == "404.html" and not pending.not_found
            ):
                continue
            self._render_theme_template(name, stage)
        for name in self.config.extra_templates:
            self._render_extra_template(name, stage)

    def _render_theme_template(self, name: str, stage: _Stage) -> None:
        """What ``_build_theme_template`` does, writing to the staging folder."""
        config = self.config
        try:
            template = self.env.get_template(name)
        except jinja2.TemplateNotFound:
            log.warning(f"Template skipped: '{name}' not found in theme directories.")
            return
        output = mkdocs_build._build_template(name, template, self.files, config, self.nav)
        path = os.path.join(config.site_dir, name)
        if not output.strip():
            log.info(f"Template skipped: '{name}' generated empty output.")
            self.pending.delete.add(path)
            return
        stage.write(path, output.encode("utf-8"))
        if name == "sitemap.xml":
            pages = [f.page for f in self.files.documentation_pages() if f.page is not None]
            timestamp = utils.get_build_timestamp(pages=pages)
            buffer = io.BytesIO()
            gz_filename = f"{path}.gz"
            with gzip.GzipFile(
                fileobj=buffer, filename=gz_filename, mode="wb", mtime=timestamp
            ) as gz_buf:
                gz_buf.write(output.encode("utf-8"))
            stage.write(gz_filename, buffer.getvalue())

    def _render_extra_template(self, name: str, stage: _Stage) -> None:
        """What ``_build_extra_template`` does, writing to the staging folder."""
        file = self.files.file(name)
        if file is None:
            log.warning(f"Template skipped: '{name}' not found in docs_dir.")
            return
        try:
            template = jinja2.Template(file.content_string)
        except Exception as e:
            log.warning(f"Error reading template '{name}': {e}")
            return
        output = mkdocs_build._build_template(name, template, self.files, self.config, self.nav)
        if output.strip():
            stage.write(file.abs_dest_path, output.encode("utf-8"))
        else:
            log.info(f"Template skipped: '{name}' generated empty output.")
            self.pending.delete.add(file.abs_dest_path)


# --- Staging folder ----------------------------------------------------------------------


class _Stage:
    """Files written by a rebuild, moved into site_dir only if it succeeds."""

    def __init__(self, site_dir: str) -> None:
        self.site_dir = os.path.abspath(site_dir)
        parent = os.path.dirname(self.site_dir)
        self.root = tempfile.mkdtemp(
            prefix=f".{os.path.basename(self.site_dir)}-stage-", dir=parent
        )
        self.staged: dict[str, str] = {}

    def path_for(self, final: str) -> str:
        final = os.path.abspath(final)
        relative = os.path.relpath(final, self.site_dir)
        if relative.startswith(os.pardir):
            raise RuntimeError(f"'{final}' is outside the site")
        staged = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(staged), exist_ok=True)
        self.staged[final] = staged
        return staged

    def write(self, final: str, data: bytes) -> None:
        with open(self.path_for(final), "wb") as handle:
            handle.write(data)

    @contextlib.contextmanager
    def redirect(self, file: File) -> Iterator[str]:
        """Point ``file.abs_dest_path`` at the staging folder while MkDocs writes it."""
        final = file.abs_dest_path
        staged = self.path_for(final)
        if os.path.exists(staged):
            os.remove(staged)
        file.__dict__["abs_dest_path"] = staged  # overrides the cached_property
        try:
            yield staged
        finally:
            file.__dict__["abs_dest_path"] = final

    @contextlib.contextmanager
    def dropped_on_failure(self, config: MkDocsConfig) -> Iterator[None]:
        """Discard the staged files if the body fails, telling plugins of an error as
        MkDocs' ``build()`` does."""
        try:
            yield
        except BaseException as error:
            self.discard()
            if isinstance(error, Exception) and not isinstance(error, _Cancelled):
                with contextlib.suppress(Exception):
                    config.plugins.on_build_error(error=error)
            raise

    def commit(self, delete: Iterable[str]) -> tuple[list[str], list[str]]:
        """Delete ``delete`` (unless staged) and move the staged files into the site.
        Returns the files written and deleted, relative to the site."""
        written: list[str] = []
        deleted: list[str] = []
        for path in sorted(delete):
            path = os.path.abspath(path)
            if path in self.staged and os.path.exists(self.staged[path]):
                continue
            if os.path.isfile(path) or os.path.islink(path):
                os.remove(path)
                deleted.append(os.path.relpath(path, self.site_dir))
                _prune_empty_dirs(os.path.dirname(path), self.site_dir)
        for final, staged in self.staged.items():
            if os.path.exists(staged):
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.replace(staged, final)
                written.append(os.path.relpath(final, self.site_dir))
        self.discard()
        return written, deleted

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _prune_empty_dirs(folder: str, root: str) -> None:
    while os.path.abspath(folder) != root and _under(folder, root):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = os.path.dirname(folder)


# --- File watcher ------------------------------------------------------------------------


def use_recording_observer(
    server: LiveReloadServer, sink: Callable[[str], None], *, native: bool
) -> BaseObserver:
    """Give ``server`` a watchdog observer that reports the paths of every event to
    ``sink`` too.

    MkDocs' ``LiveReloadServer`` creates a ``PollingObserver`` (stat every watched file
    every 0.5 s). ``native`` uses the platform's observer instead (inotify on Linux),
    falling back to polling if it cannot start (say, the inotify watch limit is
    reached). Every path watched so far is moved to the new observer; later ``watch``
    calls schedule on it directly. The observer is started here, so a failure shows now;
    MkDocs' own ``observer.start()`` in ``serve()`` then does nothing.
    """
    watched = [
        (path, count, bool(server._watch_refs[path].is_recursive))
        for path, count in server._watched_paths.items()
    ]
    _unwatch(server, watched)
    remote = [path for path, _, _ in watched if _inotify_may_miss(path)]
    if native and remote:
        log.info(f"Polling for file changes: '{remote[0]}' is on a network or shared file system")
    # watchdog types Observer as a factory protocol; it is the platform's observer class.
    native_class = cast(type[BaseObserver], Observer)
    if native and not remote and native_class is not PollingObserver:
        observer = _install(server, _recording_class(native_class)(sink), watched)
        try:
            observer.start()
            return observer
        except OSError as error:
            log.info(f"Native file watching is unavailable ({error}); polling instead")
            with contextlib.suppress(Exception):
                observer.stop()
            _unwatch(server, watched)
    polling = _recording_class(PollingObserver)(sink, timeout=0.5)  # MkDocs' interval
    observer = _install(server, polling, watched)
    observer.start()
    return observer


def _unwatch(server: LiveReloadServer, watched: list[tuple[str, int, bool]]) -> None:
    for path, count, _ in watched:
        for _ in range(count):
            server.unwatch(path)


def _install(
    server: LiveReloadServer, observer: BaseObserver, watched: list[tuple[str, int, bool]]
) -> BaseObserver:
    # MkDocs declares ``observer`` as the PollingObserver it makes; any observer works.
    cast(Any, server).observer = observer
    for path, count, recursive in watched:
        for _ in range(count):
            server.watch(path, recursive=recursive)
    return observer


_REMOTE_FILE_SYSTEMS = frozenset(
    [
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "virtiofs",
        "vboxsf",
        "fuse",
        "fakeowner",
        "grpcfuse",
        "sshfs",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "davfs",
        "prl_fs",
        "vmhgfs",
    ]
)


def _inotify_may_miss(path: str, mountinfo: str | None = None) -> bool:
    """Whether ``path`` lies on a file system whose changes inotify may not report:
    network and shared file systems (Docker Desktop's, a VM's shared folders), where a
    change made on the other side raises no event. That is why MkDocs polls. Linux
    only (elsewhere, or when unknown: False)."""
    if mountinfo is None:
        try:
            with open("/proc/self/mountinfo", encoding="utf-8") as handle:
                mountinfo = handle.read()
        except OSError:
            return False
    path = os.path.realpath(path)
    best, kind = "", ""
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields[6:]:
            continue
        mount_point = fields[4].replace("\\040", " ")
        if _under(path, mount_point) and len(mount_point) >= len(best):
            best, kind = mount_point, fields[fields.index("-", 6) + 1]
    return kind.split(".")[0] in _REMOTE_FILE_SYSTEMS


_CHANGES: list[type[events.FileSystemEvent]] = [
    events.FileCreatedEvent,
    events.FileDeletedEvent,
    events.FileModifiedEvent,
    events.FileMovedEvent,
    events.FileClosedEvent,
    events.DirCreatedEvent,
    events.DirDeletedEvent,
    events.DirMovedEvent,
    events.DirModifiedEvent,
]
"""The watchdog events that are changes: inotify also reports files being opened and read
(by a rebuild itself, an editor, grep...), each of which would otherwise start another
rebuild."""


class _Recorder(events.FileSystemEventHandler):
    """Reports the paths of an event that lie in the watched path (a watched file's events
    may name the temporary file an editor saved it through), then passes it on."""

    def __init__(
        self, handler: events.FileSystemEventHandler, sink: Callable[[str], None], root: str
    ) -> None:
        self.handler = handler
        self.sink = sink
        self.root = os.path.abspath(root)

    def dispatch(self, event: events.FileSystemEvent) -> None:
        for path in (event.src_path, event.dest_path):
            if path and _under(os.fsdecode(path), self.root):
                self.sink(os.path.abspath(os.fsdecode(path)))
        self.handler.dispatch(event)


class _RecordingObserver(BaseObserver):
    """Mixed into a watchdog observer class: reports the paths of each event to a sink
    before its handlers, watches changes only, and does nothing if started twice."""

    def __init__(self, sink: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sink = sink

    def schedule(
        self,
        event_handler: events.FileSystemEventHandler,
        path: str | Path,
        **kwargs: Any,
    ) -> ObservedWatch:
        recorder = _Recorder(event_handler, self._sink, os.fsdecode(path))
        kwargs.setdefault("event_filter", _CHANGES)
        return super().schedule(recorder, path, **kwargs)

    def start(self) -> None:
        if not self.is_alive():
            super().start()


@functools.cache
def _recording_class(observer_class: type[BaseObserver]) -> type[_RecordingObserver]:
    """``observer_class`` with :class:`_RecordingObserver` mixed in."""
    name = f"Recording{observer_class.__name__}"
    return type(name, (_RecordingObserver, observer_class), {})


# --- Small helpers -----------------------------------------------------------------------


def _under(path: str, folder: str) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _under_any(path: str, folders: Iterable[str]) -> bool:
    return any(_under(path, folder) for folder in folders)


def _stat(path: str) -> tuple[int, int, int]:
    stat = os.stat(path)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _digest_file(path: str | None) -> bytes:
    if not path or not os.path.isfile(path):
        return b""
    with open(path, "rb") as handle:
        return hashlib.blake2b(handle.read(), digest_size=20).digest()


def _content_of(value: str | bytes | File) -> str | bytes:
    """A generated file's content as MkDocs uses it: a page's text, another file's bytes."""
    if not isinstance(value, File):
        return value
    return value.content_string if value.is_documentation_page() else value.content_bytes


def _encoded(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _theme_has(config: MkDocsConfig, uri: str) -> bool:
    return any(os.path.isfile(os.path.join(folder, uri)) for folder in config.theme.dirs)


def _custom_dir_files(config: MkDocsConfig) -> list[str]:
    """The files of the theme's custom_dir (its overrides)."""
    custom_dir = config.theme.custom_dir
    if not custom_dir or not os.path.isdir(custom_dir):
        return []
    return [
        os.path.join(folder, name) for folder, _dirs, names in os.walk(custom_dir) for name in names
    ]


def _theme_snapshot(config: MkDocsConfig) -> tuple[tuple[str, int, int, int], ...]:
    """Sizes and times of the files in the theme's custom_dir."""
    return tuple(sorted((path, *_stat(path)) for path in _custom_dir_files(config)))


_PAGES_VARIABLE = re.compile(r"(?<![.\w])pages\b")


def _templates_use_pages(config: MkDocsConfig) -> bool:
    """Whether a template of the theme's custom_dir may read the ``pages`` variable."""
    for path in _custom_dir_files(config):
        if path.endswith((".html", ".xml", ".j2", ".jinja")):
            with open(path, encoding="utf-8", errors="replace") as handle:
                if _PAGES_VARIABLE.search(handle.read()):
                    return True
    return False


def _unsafe_reason(config: MkDocsConfig, trusted: frozenset[str]) -> str:
    """Why no rebuild of this site can be incremental, or ''."""
    for name, plugin in config.plugins.items():
        known = name == OBSERVER_KEY or isinstance(plugin, (SearchPlugin, TagsPlugin))
        if not known and name not in trusted:
            return f"plugin '{name}' is not known to allow incremental rebuilds"
    for extension in config.markdown_extensions:
        name = extension if isinstance(extension, str) else type(extension).__module__
        if name not in SAFE_MARKDOWN_EXTENSIONS:
            return f"Markdown extension '{name}' may read other files"
    return ""


_Key = Callable[[File], Any]


def _known_order(files: Sequence[File], generated: Sequence[File]) -> _Key | None:
    """The key generated pages were added in, if the first build shows one: pages of
    docs_dir first, then generated pages sorted by ``file_sort_key`` or ``src_uri``."""
    generated_ids = {id(file) for file in generated}
    seen_generated = False
    for file in files:
        if not file.is_documentation_page():
            continue
        if id(file) in generated_ids:
            seen_generated = True
        elif seen_generated:
            return None
    generated_pages = [file for file in generated if file.is_documentation_page()]
    for key in (file_sort_key, _src_uri_key):
        if _ascending(generated_pages, key):
            return key
    return None


def _ascending(files: list[File], key: _Key) -> bool:
    return all(key(a) < key(b) for a, b in itertools.pairwise(files))


def _src_uri_key(file: File) -> str:
    return file.src_uri


def _insert_page(generated: list[File], file: File, key: _Key) -> None:
    """Insert ``file`` after the last generated page that sorts before it."""
    new_key = key(file)
    position = 0
    for index, other in enumerate(generated):
        if other.is_documentation_page():
            if key(other) < new_key:
                position = index + 1
            else:
                break
    generated.insert(position, file)


def _nav_signature(items: Iterable[StructureItem]) -> tuple[Any, ...]:
    """What the rendered navigation shows (it is on every page, and on 404.html)."""
    signature: list[Any] = []
    for item in items:
        if isinstance(item, Page):
            signature.append(
                ("page", str(item.title), item.url, item.file.src_uri, repr(item.meta))
            )
        elif isinstance(item, Section):
            signature.append(("section", item.title, _nav_signature(item.children)))
        else:
            signature.append(("link", item.title, getattr(item, "url", None)))
    return tuple(signature)
