"""The pipeline: load → validate → verify quotes → derive the wiki → render → write.

Each stage is a plain function of what the one before gave. The steps a stage does
once per item (read a file, check its shape, read an archive, render a page) are taken
from a ``Steps`` object: ``Steps`` does each plainly, every time; ``reuse.steps.Reuse``
reuses what has not changed since its last run, which is what makes a rebuild while
serving cost little more than the files that changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import archives, identity, load, support, validate
from .errors import FactfileError, FactfileErrors
from .model import Kind
from .output import WriteReport, write_pages
from .project import Project
from .render import page_origins, page_paths, render_page
from .verify import QuoteIndex, verify
from .wiki import Wiki, derive

if TYPE_CHECKING:
    from .changes import History


@dataclass(frozen=True)
class Checked:
    """What passed every check: the typed profiles and the placed quotes."""

    catalog: validate.Catalog
    quotes: QuoteIndex

    def counts(self) -> dict[str, int]:
        """Profiles by kind, and quotes and the citations that place them."""
        counts = {kind: len(entries) for kind, entries in self.catalog.entries.items()}
        counts["quotes"] = len(self.quotes.spans)
        counts["passages"] = sum(len(spans) for spans in self.quotes.spans.values())
        for entry in self.catalog:
            for basis, count in entry.bases.items():
                counts[basis] = counts.get(basis, 0) + count
        return counts


@dataclass
class Built:
    """A rendered wiki: every generated page by its path under docs/, the profile file
    each profile page comes from, and the git history the recent changes come from."""

    wiki: Wiki
    pages: dict[str, str]
    origins: dict[str, str]
    report: WriteReport | None = None
    timings: dict[str, float] = field(default_factory=dict)
    history: History | None = None


class Steps:
    """The steps of the pipeline, each done plainly, every time."""

    def session(self) -> AbstractContextManager[object]:
        """What a run of the pipeline happens within (nothing, done plainly)."""
        return nullcontext()

    def check_ids(self, files: list[load.Found]) -> list[FactfileError]:
        return load.check_ids(files)

    def read(self, found: load.Found) -> load.RawProfile | list[FactfileError]:
        return load.read_found(found)

    def read_archive(self, entry: archives.DirEntry) -> archives.Archive:
        return archives.read_archive(entry)

    def shape(self, raw: load.RawProfile) -> validate.Entry | list[FactfileError]:
        return validate.checked_entry(raw)

    def cross_checks(
        self,
        catalog: validate.Catalog,
        present: dict[Kind, set[str]],
        seeds: archives.Archives,
    ) -> list[FactfileError]:
        return validate.cross_checks(catalog, present, seeds)

    def verify(
        self, catalog: validate.Catalog, seeds: archives.Archives
    ) -> tuple[QuoteIndex, list[FactfileError]]:
        return verify(catalog, seeds)

    def support(self, catalog: validate.Catalog, quotes: QuoteIndex) -> list[FactfileError]:
        return [e for entry in catalog for e in support.entry_problems(entry, quotes)]

    def derive(self, catalog: validate.Catalog, quotes: QuoteIndex) -> Wiki:
        return derive(catalog, quotes)

    def render(self, wiki: Wiki) -> dict[str, str]:
        return {page: render_page(wiki, page) for page in page_paths(wiki)}

    def write(self, project: Project, files: dict[str, str | bytes]) -> WriteReport:
        return write_pages(project, files)


class Pipeline:
    """The stages for one project, with the steps they use and how long each took."""

    def __init__(self, project: Project, steps: Steps | None = None) -> None:
        self.project = project
        self.steps = steps or Steps()
        self.timings: dict[str, float] = {}

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start

    def check(self, *, support: bool = True) -> Checked:
        """Every check the build makes; raises ``FactfileErrors`` listing all problems.

        Without ``support``, the rules that values say no more than their quotes are left
        for ``support_errors`` when nothing else fails (a build makes its pages meanwhile);
        when something does, they are applied too, so that every problem is told at once.
        """
        with self.steps.session():
            return self._check(support=support)

    def support_errors(self, checked: Checked) -> list[FactfileError]:
        """The support rules' findings, for a ``check`` made without them."""
        with self.steps.session(), self._stage("support"):
            return self.steps.support(checked.catalog, checked.quotes)

    def _check(self, *, support: bool = True) -> Checked:
        self.timings = {}
        steps = self.steps
        with self._stage("load"):
            files, errors = load.discover(self.project)
            errors += steps.check_ids(files)
            loaded = load.read_all(files, steps.read)
            renamed, errors_renamed = identity.read_renamed(self.project)
            seeds = archives.read_archives(self.project.seeds_dir, steps.read_archive)
        with self._stage("validate"):
            catalog, shapes = validate.catalog_of(loaded.profiles, steps.shape, renamed)
            across = steps.cross_checks(catalog, loaded.ids, seeds)
        with self._stage("quotes"):
            quotes, misses = steps.verify(catalog, seeds)
        found = errors + loaded.errors + errors_renamed + shapes + across + misses
        if support or found:
            with self._stage("support"):
                found += steps.support(catalog, quotes)
        if found:
            raise FactfileErrors(found)
        return Checked(catalog, quotes)

    def wiki(self) -> Wiki:
        with self.steps.session():
            checked = self._check()
            with self._stage("wiki"):
                return self.steps.derive(checked.catalog, checked.quotes)

    def render(self) -> Built:
        """Check, then render every page in memory; nothing is written."""
        with self.steps.session():
            return self._render()

    def _render(self) -> Built:
        wiki = self.wiki()
        with self._stage("render"):
            pages = self.steps.render(wiki)
            whole, history = whole_wiki_pages(self.project, wiki)
            pages.update(whole)
        return Built(wiki, pages, page_origins(wiki), timings=self.timings, history=history)

    def build(self) -> Built:
        """Check, render and write under docs/ the generated pages, and the downloads and
        redirects a builder without the plugin needs."""
        from .extras import extra_files

        with self.steps.session():
            built = self._render()
        with self._stage("write"):
            extras = extra_files(built.wiki, history=built.history)
            files: dict[str, str | bytes] = {**built.pages, **extras}
            built.report = self.steps.write(self.project, files)
        built.timings = dict(self.timings)
        return built


def whole_wiki_pages(project: Project, wiki: Wiki) -> tuple[dict[str, str], History]:
    """The pages beside those ``render_page`` makes: the field reference, and the recent
    changes with the git history they come from."""
    from . import changes, fieldref

    # Made from the git history at HEAD, not from what pages read of the wiki: made
    # again on every run, from a history read again only when HEAD moves.
    history = changes.history(project)
    pages = {fieldref.PAGE: fieldref.page(), changes.PAGE: changes.page(history, wiki)}
    return pages, history


def reusing(project: Project) -> Pipeline:
    """A pipeline that reuses what has not changed since its last run."""
    from .reuse.steps import Reuse

    return Pipeline(project, Reuse())


_pipelines: dict[Path, Pipeline] = {}


def pipeline_for(project: Project) -> Pipeline:
    """One reusing pipeline per project for the life of the process: what each rebuild
    of ``mkdocs serve`` reuses, whichever plugin object asks."""
    existing = _pipelines.get(project.root)
    if existing is None or existing.project != project:
        existing = _pipelines[project.root] = reusing(project)
    return existing
