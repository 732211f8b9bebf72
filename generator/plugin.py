"""The MkDocs plugin: a thin translation between MkDocs' build and the generator.

Registered as ``factfile`` (entry point ``mkdocs.plugins``). All the work is done by
``generator.build``; this module only decides when, and tells MkDocs about the result.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.pages import Page

from .build import generator_for
from .errors import FactfileErrors
from .project import GENERATED_DIRS, Project

log = logging.getLogger("mkdocs.plugins.factfile")


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
            for error in errors:
                log.error(str(error))
            raise PluginError(
                f"factfile: {len(errors)} error{'s' if len(errors) != 1 else ''} in the "
                "profiles; nothing was generated and site/ was left as it was"
            ) from None
        self.origins = result.origins
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
        return files

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
        return server
