"""The MkDocs plugin: a thin translation between MkDocs' build and the pipeline.

Registered as ``factfile`` (entry point ``mkdocs.plugins``). The pipeline (``build.py``)
does all the work; this module only decides when, and hands MkDocs the result: the
generated pages, the data downloads and the alias redirects, all in memory. Nothing is
written under docs/.

While serving, ``mkdocs_live.LiveSite`` keeps the built site and, after each save,
rebuilds only what changed: the plugin tells it which generated files differ from what
it handed over last.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NoReturn

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler
from mkdocs.utils.templates import TemplateContext

from .alongside import (
    DownloadsAlongside,
    InBackground,
    PagesAlongside,
    Site,
    can_fork,
)
from .build import Built, pipeline_for
from .errors import FactfileErrors
from .export import SiteUrls, data_files, relocate_json_ld
from .extras import beside_pages
from .mkdocs_live import LiveSite, Update
from .project import GENERATED_DIRS, GENERATED_FILES, Project
from .staging import Staging

log = logging.getLogger("mkdocs.plugins.factfile")

_DIAGRAM = re.compile(r'<svg class="ff-diagram".*?</svg>', re.DOTALL)
_PAGE_HREF = re.compile(r'href="([^"#:]+\.md)"')


class FactfileConfig(base.Config):
    profiles = c.Type(str, default="profiles")
    """Folder of YAML profiles, relative to mkdocs.yml."""
    seeds = c.Type(str, default="seeds")
    """Folder of archived article texts, relative to mkdocs.yml."""
    edit_url = c.Optional(c.Type(str))
    """Base of the repository's edit links, e.g. https://github.com/OWNER/REPO/edit/main/.
    A profile's page opens its profile; a hand-written page, its Markdown; a page made
    from the whole wiki (an index, a reference page) has no edit button."""
    changes = c.Type(int, default=20)
    """How many of the latest commits that changed the wiki the recent-changes page and
    its feed show."""


class FactfilePlugin(BasePlugin[FactfileConfig]):
    def __init__(self) -> None:
        self.project: Project | None = None
        self.built: Built | None = None
        self.serving = False
        self.staging: Staging | None = None
        self.live: LiveSite | None = None
        self.handed: dict[str, str | bytes] = {}
        """Every generated file as last handed to MkDocs, by its path in the site."""
        # Set when ``mkdocs serve`` starts with broken profiles (see _errors_in_place_of_site).
        self.startup_errors: FactfileErrors | None = None
        # What a build generates beside MkDocs' own work, on the second core (alongside):
        # every generated file of ``mkdocs build`` and of serving's first build.
        self.pages_alongside: PagesAlongside | None = None
        self.downloads_alongside: (
            tuple[DownloadsAlongside, Callable[[], dict[str, bytes]]] | None
        ) = None
        self.generated: set[str] = set()
        """The generated pages of the build, by path under docs/."""
        self.origins: dict[str, str] = {}
        """The profile file each profile page comes from."""
        self.warming: threading.Thread | None = None
        # While serving, an edit's downloads are exported after its pages are served.
        self.background: InBackground | None = None
        self.downloads: dict[str, bytes] = {}
        """The downloads as last handed to MkDocs while serving, by path."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # A plugin with this hook is also kept for the whole of `mkdocs serve`.
        self.serving = command == "serve"
        # MkDocs keeps this object for every command the process runs (tests run many):
        # nothing of an earlier one carries over.
        self.built, self.handed, self.downloads = None, {}, {}
        self.origins, self.generated, self.background = {}, set(), None
        self.pages_alongside = self.downloads_alongside = None
        _state.site_served = False
        self.live = LiveSite.for_command(command, dirty, trusted=["factfile"])
        if self.live is not None:
            self.background = InBackground(self.live.wake)

    def on_shutdown(self) -> None:
        if self.warming is not None:
            # Not for the whole of a long warm run: stopping the server should not wait.
            self.warming.join(timeout=1)
        if self.background is not None:
            self.background.close()
        if self.live is not None:
            self.live.close()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        root = Path(config.config_file_path or ".").resolve().parent
        docs = Path(config.docs_dir).resolve()
        self.project = Project(
            root,
            profiles_dirname=self.config.profiles,
            seeds_dirname=self.config.seeds,
            docs_dirname=posixpath.relpath(docs.as_posix(), root.as_posix()),
            changes_shown=self.config.changes,
        )
        if not self.serving:
            # A build writes beside the site and replaces it only if it passes.
            self.staging = Staging(config)
        if self.live is not None:
            self.live.attach(config)
        return config

    @event_priority(100)
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Generate first of all plugins: MkDocs empties site/ only after this hook, so a
        profile error stops the build with the last good site still in place."""
        assert self.project is not None
        self.startup_errors = None  # the plugin is kept from one rebuild to the next
        self._warmed()
        self.pages_alongside = None
        if can_fork():
            # The whole pipeline runs in a copy, beside MkDocs, and hands over each page
            # as MkDocs reads it (alongside.py). Serving then makes it here as well, in
            # the background, for the rebuilds after an edit.
            site = Site(config.use_directory_urls, config.site_url, config.site_name)
            self.pages_alongside = PagesAlongside(self.project, site, serving=self.serving)
            return
        try:
            self.built = pipeline_for(self.project).render()
        except FactfileErrors as errors:
            if self.serving and not _state.site_served:
                self.startup_errors = errors  # no site to keep yet: serve the errors
                return
            _fail(errors)

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """A generated page's Markdown, from the copy that makes the pages of a build."""
        src = page.file.src_uri
        if self.pages_alongside is None or src not in self.generated:
            return None
        try:
            read, rendered = self.pages_alongside.page(src)
        except FactfileErrors as errors:  # found by the check made here, the copy failing
            _fail(errors)
        # Kept as any generated page's text is, for a live rebuild to read again.
        page.file.content_string = read
        if self.serving:
            self.handed[src] = rendered
        return read

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Hand MkDocs every generated page, download and redirect, in memory.

        A file left in a generated folder of docs/ (by ``factfile render``, say) is
        replaced by what was generated now, or dropped if nothing was: those folders
        belong to the generator. Files are appended in path order, as the live rebuild
        needs to place a page added later.
        """
        if self.startup_errors is not None:
            return _errors_in_place_of_site(self.startup_errors, files, config)
        for file in list(files):
            if file.src_uri.split("/", 1)[0] in GENERATED_DIRS or file.src_uri in GENERATED_FILES:
                files.remove(file)
        if self.pages_alongside is not None:
            try:
                header = self.pages_alongside.start()
            except FactfileErrors as errors:
                if self.serving and not _state.site_served:
                    self.startup_errors = errors  # no site to keep yet: serve the errors
                    return _errors_in_place_of_site(errors, files, config)
                _fail(errors)
            # The pages' text comes as MkDocs reads each (on_page_read_source).
            generated = {**dict.fromkeys(header.pages, ""), **header.beside}
            self.handed, self.downloads = dict(generated), {}
            self._hand(files, generated, header.origins, config, self.pages_alongside.finish)
            return files
        built = self.built
        if built is None:
            return files
        self.handed = self._generated(built, config)
        self.downloads = {}
        if self.background is not None:
            self.background.have(built.wiki)
        self._hand(files, self.handed, built.origins, config, lambda: data_files(built.wiki))
        return files

    def _hand(
        self,
        files: Files,
        generated: dict[str, str | bytes],
        origins: dict[str, str],
        config: MkDocsConfig,
        downloads: Callable[[], dict[str, bytes]],
    ) -> None:
        """Append the generated files in path order, as the live rebuild needs to place
        a page added later; the downloads are written into the site after the pages."""
        self.origins = origins
        self.generated = {path for path in generated if path.endswith(".md")}
        alongside = DownloadsAlongside(config.site_dir)
        self.downloads_alongside = (alongside, downloads)
        placed = alongside.placeholders()
        for path in sorted({*generated, *placed}):
            if path in placed:
                files.append(File.generated(config, path, abs_src_path=placed[path]))
            else:
                files.append(self._file(path, generated[path], config))

    def _generated(self, built: Built, config: MkDocsConfig) -> dict[str, str | bytes]:
        """The pages and the files beside them, but the data downloads."""
        extras = beside_pages(
            built.wiki, config.use_directory_urls, built.history, config.site_url, config.site_name
        )
        return {**built.pages, **extras}

    def _file(self, path: str, content: str | bytes, config: MkDocsConfig) -> File:
        file = File.generated(config, path, content=content)
        if path in self.origins:
            # Only the section indexes go in the navigation: Material's build time grows
            # with the square of the number of navigation entries.
            file.inclusion = InclusionLevel.NOT_IN_NAV
        return file

    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Last of all plugins, once everything is written: put the new site in place."""
        if self.downloads_alongside is not None:
            alongside, make = self.downloads_alongside
            self.downloads_alongside = None
            try:
                alongside.write(make())
            except FactfileErrors as errors:  # a value saying more than its quotes
                _fail(errors)
        if self.serving and self.startup_errors is None:
            first, _state.site_served = not _state.site_served, True
            # Only now: until the downloads are written, the copy's work may yet fall
            # back to this thread, and the pipeline is not to run twice at once.
            if self.pages_alongside is not None:
                self.warming = threading.Thread(
                    target=self._warm, name="factfile-warm", daemon=True
                )
                self.warming.start()
            elif first:
                log.info(_READY)
        self.pages_alongside = None  # a rebuild makes its pages afresh
        if self.staging is not None:
            self.staging.finish()
            self.staging = None

    def on_build_error(self, *, error: Exception) -> None:
        if self.pages_alongside is not None:
            self.pages_alongside.stop()
        self.downloads_alongside = self.pages_alongside = None
        if self.staging is not None:
            self.staging.abandon()
            self.staging = None

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Address the schema.org description as this site addresses its pages: under
        ``site_url`` when it is set, as ``.html`` files without directory URLs. Pages are
        generated with addresses relative to themselves, for directory URLs."""
        if self.built is None:
            return markdown
        site = SiteUrls.of(config.site_url, config.use_directory_urls)
        return relocate_json_ld(self.built.wiki, page.file.src_uri, markdown, site)

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Point the links of a relation diagram at the built pages, as MkDocs does for
        Markdown links; a link to a page that does not exist fails the build."""

        def fix(match: re.Match[str]) -> str:
            path = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.file.src_uri), match.group(1))
            )
            target = files.get_file_from_path(path)
            if target is None:
                raise PluginError(f"factfile: diagram on {page.file.src_uri} links to {path}")
            return f'href="{target.url_relative_to(page.file)}"'

        return _DIAGRAM.sub(lambda svg: _PAGE_HREF.sub(fix, svg.group(0)), html)

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        base_url = self.config.edit_url
        if not self.generated or not base_url:
            return context
        assert self.project is not None
        src = page.file.src_uri
        origin = self.origins.get(src)
        if origin is not None:
            page.edit_url = base_url.rstrip("/") + "/" + origin
        elif src in self.generated:
            page.edit_url = None  # made from the whole wiki: there is no one file to edit
        else:
            page.edit_url = f"{base_url.rstrip('/')}/{self.project.docs_dirname}/{src}"
        return context

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        """Rebuild only what each save changes (``mkdocs_live``), watching the profiles and
        archives too; a profile error keeps the last good site served."""
        assert self.project is not None
        sources = [str(self.project.profiles_dir), str(self.project.seeds_dir)]
        if self.live is not None:
            return self.live.serve(server, builder, update=self._update, sources=sources)
        for path in sources:
            server.watch(path)
        _keep_serving_after_failed_builds(server)
        return server

    def _warm(self) -> None:
        """Make in this process what the copy made for the first build: the pipeline's
        state, which the rebuilds after each edit start from. Whatever goes wrong here,
        the next rebuild runs the pipeline again and says what."""
        assert self.project is not None
        try:
            self.built = pipeline_for(self.project).render()
            log.info(_READY)
        except FactfileErrors:
            log.info("factfile: ready for edits; the profiles fail the checks")
        except Exception as error:  # a thread's failure would otherwise only print
            log.warning(f"factfile: ready for edits, unprepared ({error})")

    def _warmed(self) -> None:
        """Wait for ``_warm``, if it runs: the pipeline is not to be run twice at once."""
        warming, self.warming = self.warming, None
        if warming is not None:
            warming.join()

    def _update(self, paths: set[str]) -> Update | None:
        """What the pipeline generates now, against what MkDocs was last handed.

        Raises after logging the errors if a profile is broken: the live site then keeps
        serving the last good pages.
        """
        assert self.project is not None and self.live is not None
        if self.startup_errors is not None:
            # The site served is the page of errors: build the real one, whole.
            return None
        self._warmed()
        try:
            self.built = pipeline_for(self.project).render()
        except FactfileErrors as errors:
            for error in errors:
                log.error(str(error))
            log.warning("factfile: still serving the last good site; fix the errors above")
            raise
        config = self.live.config
        assert config is not None
        if self.background is not None:
            # Exported again, once the pages are served, if the wiki changed: an unchanged
            # one is the very same object (a rebuild for other work, say, gives no export).
            self.background.want(self.built.wiki)
        self.origins, self.generated = self.built.origins, set(self.built.pages)
        now = {**self._generated(self.built, config), **self._downloads_ready()}
        changed = {
            path: self._file(path, content, config)
            for path, content in now.items()
            if self.handed.get(path) is not content and self.handed.get(path) != content
        }
        removed = self.handed.keys() - now.keys() - self.downloads.keys()
        self.handed = now
        return Update(changed=changed, removed=removed)

    def _downloads_ready(self) -> dict[str, bytes]:
        """The downloads exported in the background since the last rebuild, if any."""
        ready = self.background.take() if self.background is not None else None
        if ready is None:
            return {}
        files, seconds = ready
        self.downloads = files
        log.info(f"factfile: data downloads brought up to date (exported in {seconds:.2f} s)")
        return files

    def settle(self) -> bool:
        """Wait for the downloads being exported in the background, if any; whether there
        are new ones for the next rebuild to hand over (for tests and the benchmark)."""
        return self.background is not None and self.background.settle()


def _keep_serving_after_failed_builds(server: LiveReloadServer) -> None:
    """After a profile error, serve the last good site instead of holding every request
    (``mkdocs serve --dirty`` or ``--clean``, which rebuild the whole site each time).

    MkDocs' live-reload server makes each request wait until a rebuild succeeds, so
    one bad profile would hang the reader's browser until it was fixed. A profile error
    stops the build before site/ is touched, so the last good site is intact: treat
    that build as done. Any other failure is left to MkDocs, since site/ may then be
    half-written.
    """
    rebuild = server.builder

    def rebuild_or_keep_last_site() -> None:
        _state.profiles_failed = False
        try:
            rebuild()
        except (Exception, Abort):
            if not _state.profiles_failed:
                raise
            log.warning("factfile: still serving the last good site; fix the errors above")

    server.builder = rebuild_or_keep_last_site


def _fail(errors: FactfileErrors) -> NoReturn:
    """Stop the build on profile errors, listing them; site/ is left as it was."""
    _state.profiles_failed = True
    for error in errors:
        log.error(str(error))
    raise PluginError(
        f"factfile: {len(errors)} error{'s' if len(errors) != 1 else ''} in the "
        "profiles; nothing was built and site/ was left as it was"
    ) from None


_READY = "factfile: ready for edits; a save now rebuilds only what it changes"


class _State:
    """Whether the last build stopped on a profile error, and whether ``mkdocs serve`` has
    built a site yet. At module level: ``_fail`` sets it and the server's builder wrapper
    (``_keep_serving_after_failed_builds``) reads it, neither with a plugin at hand."""

    profiles_failed: bool = False
    site_served: bool = False


_state = _State()


# --- Serving the errors when there is no site yet ------------------------------------------


def _errors_in_place_of_site(errors: FactfileErrors, files: Files, config: MkDocsConfig) -> Files:
    """The files of a site that is one page listing ``errors``, for ``mkdocs serve``
    started while a profile is broken.

    With no good site to keep serving, failing the build would stop the server before it
    started (a new profile fresh from ``factfile new`` is broken until filled in). So the
    build passes with every page replaced by the list of errors, each located, at every
    address (as the home page and as the page for any address not found); once the
    profiles pass, the next rebuild builds the site as usual. The errors are printed as
    errors but not counted by strict mode: this build is meant to pass.
    """
    _show(logging.ERROR, [str(error) for error in errors])
    _show(
        logging.WARNING,
        [
            f"factfile: {len(errors)} error{'s' if len(errors) != 1 else ''} in the profiles; "
            "serving a page that lists them until they are fixed"
        ],
    )
    kept = Files([file for file in files if not file.is_documentation_page()])
    # No navigation to pages that are not built, and the theme's 404 page is the errors'.
    config.nav = None
    config.theme.static_templates.discard("404.html")
    for name, refresh in (("index.html", False), ("404.html", True)):
        kept.append(File.generated(config, name, content=_error_page(errors, refresh=refresh)))
    return kept


def _show(level: int, lines: list[str]) -> None:
    """Print ``lines`` as MkDocs prints its log, without counting them as warnings."""
    shown = [h for h in logging.getLogger("mkdocs").handlers if not isinstance(h, CountHandler)]
    for line in lines:
        record = log.makeRecord(log.name, level, __file__, 0, line, (), None)
        for handler in shown:
            handler.handle(record)
        if not shown:
            print(line, file=sys.stderr)


def _error_page(errors: FactfileErrors, *, refresh: bool) -> str:
    """A page listing ``errors``: plain escaped text, nothing fetched. Served for any
    address not found, it reloads itself (MkDocs adds live reload only to pages found)."""
    count = len(errors)
    items = "\n".join(f"<li><pre>{html.escape(str(error))}</pre></li>" for error in errors)
    reload = '<meta http-equiv="refresh" content="2">\n' if refresh else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{reload}<title>{count} error{'s' if count != 1 else ''} in the profiles</title>\n"
        "<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
        "pre{white-space:pre-wrap;margin:0}li{margin:.8em 0}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{count} error{'s' if count != 1 else ''} in the profiles</h1>\n"
        "<p>The site is built once every profile passes the checks. Fix each error below "
        "and save: this page reloads, and shows the site once there are none.</p>\n"
        f"<ol>\n{items}\n</ol>\n</body>\n</html>\n"
    )
