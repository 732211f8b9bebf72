"""The MkDocs plugin: a thin translation between MkDocs' build and the generator.

Registered as ``factfile`` (entry point ``mkdocs.plugins``). All the work is done by
``generator.build``; this module only decides when, and tells MkDocs about the result.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .build import generator_for
from .errors import FactfileErrors
from .export import DATA_PATHS, data_files, json_ld_script, page_refs
from .fork import Copy, can_fork, in_copy
from .output import atomic_write
from .project import GENERATED_DIRS, Project
from .redirects import alias_targets, redirect_page
from .wiki import Ref, Wiki

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
    A generated page's edit button opens its profile; a hand-written page, its Markdown."""


class FactfilePlugin(BasePlugin[FactfileConfig]):
    def __init__(self) -> None:
        self.project: Project | None = None
        self.origins: dict[str, str] = {}
        self.wiki: Wiki | None = None
        self.profile_pages: dict[str, Ref] = {}
        self._after_pages: Callable[[], None] | None = None
        self._exporting: Copy[dict[str, str]] | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        docs = Path(config.docs_dir).resolve()
        self.project = Project(
            root,
            profiles_dirname=self.config.profiles,
            seeds_dirname=self.config.seeds,
            docs_dirname=posixpath.relpath(docs.as_posix(), root.as_posix()),
        )
        return config

    @event_priority(100)
    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Generate pages first of all plugins: MkDocs empties site/ only after this hook,
        so a profile error stops the build with the last good site still in place."""
        assert self.project is not None
        try:
            result = generator_for(self.project).build()
        except FactfileErrors as errors:
            _state.profiles_failed = True
            for error in errors:
                log.error(str(error))
            raise PluginError(
                f"factfile: {len(errors)} error{'s' if len(errors) != 1 else ''} in the "
                "profiles; nothing was generated and site/ was left as it was"
            ) from None
        self.origins = result.origins
        self.wiki = result.wiki
        self.profile_pages = page_refs(result.wiki)
        report = result.report
        if report is not None:
            log.info(
                f"factfile: {len(result.pages)} pages, {len(report.written)} written, "
                f"{len(report.removed)} removed"
            )

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Only the section indexes go in the navigation: Material's build time grows
        # with the square of the number of navigation entries.
        for file in files:
            if file.src_uri in self.origins:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        if self.wiki is not None:
            if can_fork():
                self._downloads_after_pages(files, config)
            else:
                for path, content in _derived(self.wiki).downloads.items():
                    files.append(File.generated(config, path, content=content.encode("utf-8")))
            self._add_redirects(files, config)
        return files

    def _downloads_after_pages(self, files: Files, config: MkDocsConfig) -> None:
        """Export the data downloads on the second core while MkDocs builds the pages.

        Exporting a large wiki takes seconds that MkDocs would otherwise wait for before
        its first page. Each download is announced now as a file already in site/ (an
        empty one, which MkDocs leaves alone), and written once the pages are built.
        """
        wiki = self.wiki
        assert wiki is not None
        later = self._exporting = in_copy(lambda: data_files(wiki))
        for path in DATA_PATHS:
            target = Path(config.site_dir) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"")
            files.append(File.generated(config, path, abs_src_path=str(target)))

        def write() -> None:
            # If the copy failed, the downloads are exported here instead.
            downloads = later.result() or data_files(wiki)
            for path, content in downloads.items():
                atomic_write(str(Path(config.site_dir) / path), content.encode("utf-8"))

        self._after_pages = write

    @event_priority(100)
    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the downloads before any other plugin looks at the finished site."""
        if self._after_pages is not None:
            self._after_pages()
            self._after_pages = None
            self._exporting = None

    def on_build_error(self, error: Exception) -> None:
        if self._exporting is not None:
            self._exporting.discard()
            self._exporting = self._after_pages = None

    def _add_redirects(self, files: Files, config: MkDocsConfig) -> None:
        """A redirect page at ``people/<spelling>/`` for every spelling no page has taken."""
        assert self.wiki is not None
        taken = {file.dest_uri for file in files} | {file.src_uri for file in files}
        for slug, person_id in _derived(self.wiki).aliases.items():
            target = files.get_file_from_path(f"people/{person_id}.md")
            src = f"people/{slug}/index.html"
            if target is None or src in taken or f"people/{slug}.md" in taken:
                continue
            redirect = File.generated(config, src, content=b"")
            redirect.content_string = redirect_page(
                self.wiki.people[person_id].name, target.url_relative_to(redirect)
            )
            files.append(redirect)

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
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

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Add the profile's schema.org description to the page's head."""
        ref = self.profile_pages.get(page.file.src_uri)
        if ref is None or self.wiki is None or "</head>" not in output:
            return output
        head_end = output.index("</head>")
        return output[:head_end] + json_ld_script(self.wiki, ref) + "\n" + output[head_end:]

    def on_page_context(
        self, context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        base_url = self.config.edit_url
        if base_url:
            origin = self.origins.get(page.file.src_uri)
            assert self.project is not None
            target = origin or f"{self.project.docs_dirname}/{page.file.src_uri}"
            page.edit_url = base_url.rstrip("/") + "/" + target
        return context

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Watch profiles and archives; stop watching the pages we generate ourselves,
        which would otherwise trigger a second rebuild after every edit."""
        assert self.project is not None
        server.watch(str(self.project.profiles_dir))
        server.watch(str(self.project.seeds_dir))
        docs = Path(config.docs_dir)
        server.unwatch(str(docs))
        server.watch(str(docs), recursive=False)
        for child in sorted(docs.iterdir()):
            if child.is_dir() and child.name not in GENERATED_DIRS:
                server.watch(str(child))
        _keep_serving_after_failed_builds(server)
        return server


class _Derived:
    """The data downloads and alias addresses of one wiki, each computed when first
    asked for. A serve rebuild in which no profile changed gets the very same wiki back
    from the generator, so it reuses both instead of exporting every profile again."""

    def __init__(self, wiki: Wiki) -> None:
        self.wiki = wiki  # kept, so its identity cannot be taken by another object

    @cached_property
    def downloads(self) -> dict[str, str]:
        return data_files(self.wiki)

    @cached_property
    def aliases(self) -> dict[str, str]:
        return alias_targets(self.wiki)


_last_derived: list[_Derived] = []


def _derived(wiki: Wiki) -> _Derived:
    if not _last_derived or _last_derived[0].wiki is not wiki:
        _last_derived[:] = [_Derived(wiki)]
    return _last_derived[0]


def _keep_serving_after_failed_builds(server: Any) -> None:
    """After a profile error, serve the last good site instead of holding every request.

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


class _State:
    """Whether the last build stopped on a profile error. ``mkdocs serve`` makes a new
    plugin for each rebuild, so this lives at module level."""

    profiles_failed = False


_state = _State()
