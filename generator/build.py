"""The pipeline, stage by stage: load → validate → verify quotes → wiki → render → write.

A ``Generator`` keeps what does not change between runs (parsed files, checked
shapes, prepared archives, quote verdicts) so that a rebuild while serving
costs little more than the files that changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import fieldref
from .errors import FactfileError, FactfileErrors
from .load import RawProfile, load
from .output import WriteReport, write_pages
from .project import Project
from .quotes import ArchiveCache, verify
from .render import render
from .validate import validate
from .wiki import Wiki, build_wiki


@dataclass
class BuildResult:
    wiki: Wiki
    pages: dict[str, str]
    origins: dict[str, str]
    report: WriteReport | None = None
    timings: dict[str, float] = field(default_factory=dict)


class Generator:
    """Runs the stages for one project, reusing cached work between runs."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, tuple[tuple[int, int], RawProfile]] = {}
        self._digests: dict[Path, tuple[tuple[int, int], str]] = {}
        self._archives = ArchiveCache()
        self.timings: dict[str, float] = {}

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start

    def check(self) -> Wiki:
        """Every check the build makes; raises ``FactfileErrors`` listing all problems."""
        self.timings = {}
        errors: list[FactfileError] = []
        with self._stage("load"):
            loaded = load(self.project, self._files)
            errors += loaded.errors
        with self._stage("validate"):
            catalog, found = validate(
                loaded.profiles, self.project, digests=self._digests, present=loaded.ids
            )
            errors += found
        with self._stage("quotes"):
            quotes, found = verify(catalog, self.project.seeds_dir, self._archives)
            errors += found
        if errors:
            raise FactfileErrors(errors)
        with self._stage("wiki"):
            return build_wiki(catalog, quotes)

    def render(self) -> BuildResult:
        """Check, then render every page in memory; nothing is written."""
        wiki = self.check()
        with self._stage("render"):
            pages, origins = render(wiki)
            pages[fieldref.PAGE] = fieldref.page()
        return BuildResult(wiki, pages, origins, timings=self.timings)

    def build(self) -> BuildResult:
        """Check, render and write the generated pages under docs/."""
        result = self.render()
        with self._stage("write"):
            result.report = write_pages(self.project, result.pages)
        result.timings = dict(self.timings)
        return result


_generators: dict[Path, Generator] = {}


def generator_for(project: Project) -> Generator:
    """One generator per project for the life of the process.

    ``mkdocs serve`` creates a fresh plugin for every rebuild, so the caches live
    here rather than on the plugin.
    """
    existing = _generators.get(project.root)
    if existing is None or existing.project != project:
        existing = _generators[project.root] = Generator(project)
    return existing
