"""The pipeline, stage by stage: load → validate → verify quotes → wiki → render → write.

A ``Generator`` keeps what does not change between runs (parsed files, checked
shapes, prepared archives, quote verdicts) so that a rebuild while serving
costs little more than the files that changed.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FactfileError, FactfileErrors
from .load import RawProfile, load
from .memo import Memo
from .project import Project
from .quotes import ArchiveCache, QuoteIndex, verify
from .validate import Catalog, validate

if TYPE_CHECKING:
    from .output import WriteReport
    from .wiki import Ref, Wiki


@dataclass(frozen=True)
class Verified:
    """What passed every check: the typed profiles and the placed quotes."""

    catalog: Catalog
    quotes: QuoteIndex

    def counts(self) -> dict[str, int]:
        """Profiles by kind, and quotes and the citations that place them."""
        counts = {kind: len(entries) for kind, entries in self.catalog.entries.items()}
        counts["quotes"] = len(self.quotes.spans)
        counts["passages"] = sum(len(spans) for spans in self.quotes.spans.values())
        return counts


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
        self._files: dict[str, tuple[tuple[int, int], RawProfile]] = {}
        self._digests: dict[Path, tuple[tuple[int, int], str]] = {}
        self._archives = ArchiveCache()
        # Tokens for the state of the whole wiki, which let unchanged files keep their
        # cross-file verdicts (see memo.py).
        self._memo = Memo()
        self.timings: dict[str, float] = {}
        # The last good result and the inputs it was made from: when no profile and no
        # archive has changed (a rebuild for a hand-written page), it is reused as is.
        self._last: tuple[list[RawProfile], tuple[object, ...], BuildResult] | None = None
        self._inputs: tuple[list[RawProfile], tuple[object, ...]] = ([], ())
        # The last rendered result and its archives' signature: the next run re-renders
        # only the pages its changed profiles can reach (see incremental.py).
        self._previous: tuple[tuple[object, ...], BuildResult] | None = None
        # What this generator last wrote (or found) at each page, so that a page whose
        # text is unchanged is not read back from disk.
        self._written: dict[str, str] = {}

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start

    def check(self) -> Wiki:
        """Every check the build makes; raises ``FactfileErrors`` listing all problems."""
        with _collector_paused():
            return self._check()[0]

    def verify(self) -> Verified:
        """Every check the build makes, without linking the wiki; raises ``FactfileErrors``.

        Linking finds no errors of its own, so ``factfile check`` stops here.
        """
        with _collector_paused():
            found = self._verify()
        if isinstance(found, BuildResult):
            return Verified(found.wiki.catalog, found.wiki.quotes)
        return found

    def _check(self) -> tuple[Wiki, BuildResult | None, set[Ref] | None]:
        """The wiki; the previous result when none of its inputs has changed; and, when
        the wiki was derived from the previous one, the profiles that changed since."""
        found = self._verify()
        if isinstance(found, BuildResult):
            self.timings["wiki"] = 0.0
            return found.wiki, found, None
        from .wiki import build_wiki, changed_refs, update_wiki

        with self._stage("wiki"):
            previous = self._previous
            if previous is not None and previous[0] == self._inputs[1]:
                # The archives are as before, so every passage sits where it sat: only
                # what the changed profiles reach is derived again.
                old = previous[1].wiki
                changed = changed_refs(old.catalog, found.catalog)
                wiki = update_wiki(old, found.catalog, found.quotes, changed)
            else:
                wiki, changed = build_wiki(found.catalog, found.quotes), None
            wiki.runs = self._memo
            return wiki, None, changed

    def _verify(self) -> Verified | BuildResult:
        """The checked inputs, or the previous result when none of them has changed."""
        self.timings = {}
        errors: list[FactfileError] = []
        with self._stage("load"):
            loaded = load(
                self.project,
                self._files,
                lambda: self._archives.prepare_all(self.project.seeds_dir, self._digests),
                self._memo,
            )
            errors += loaded.errors
            seeds = _seeds_signature(self.project)
        last = self._last
        if (
            last is not None
            and not errors
            and last[1] == seeds
            and len(last[0]) == len(loaded.profiles)
            and all(a is b for a, b in zip(last[0], loaded.profiles, strict=True))
        ):
            for stage in ("validate", "quotes"):
                self.timings[stage] = 0.0
            return last[2]
        self._last = None
        self._inputs = (loaded.profiles, seeds)
        archives = self._memo.token("seeds", seeds)
        with self._stage("validate"):
            # A cold run places its quotes on the second core while this one validates.
            placed_ahead = self._archives.place_ahead(loaded.profiles)
            catalog, found = validate(
                loaded.profiles,
                self.project,
                digests=self._digests,
                present=loaded.ids,
                memo=self._memo,
                archives=archives,
            )
            errors += found
        with self._stage("quotes"):
            placed_ahead()
            quotes, found = verify(
                catalog,
                self.project.seeds_dir,
                self._archives,
                self._digests,
                memo=self._memo,
                archives=archives,
            )
            errors += found
        if errors:
            raise FactfileErrors(errors)
        return Verified(catalog, quotes)

    def render(self) -> BuildResult:
        """Check, then render every page in memory; nothing is written."""
        with _collector_paused():
            return self._render()

    def _render(self) -> BuildResult:
        # Rendering needs Jinja and the page modules; checking alone should not load them.
        from . import fieldref
        from .incremental import affected_pages
        from .render import render, render_page

        wiki, previous, changed = self._check()
        if previous is not None:
            self.timings["render"] = 0.0
            return BuildResult(wiki, previous.pages, previous.origins, timings=self.timings)
        seeds = self._inputs[1]
        with self._stage("render"):
            if changed is not None and self._previous is not None:
                # Only the changed profiles and what they reach can render differently.
                old = self._previous[1]
                only = affected_pages(old.wiki, wiki, changed)
                if all(ref.id in getattr(old.wiki, ref.kind) for ref in changed) and all(
                    ref.id in getattr(wiki, ref.kind) for ref in changed
                ):
                    # The same profiles as before: the same pages in the same order, and
                    # the same files behind them.
                    pages, origins = dict(old.pages), old.origins
                    pages.update((page, render_page(wiki, page)) for page in sorted(only))
                else:
                    pages, origins = render(wiki, only, old.pages)
            else:
                pages, origins = render(wiki)
            pages[fieldref.PAGE] = fieldref.page()
        result = BuildResult(wiki, pages, origins, timings=self.timings)
        self._last = (*self._inputs, result)
        self._previous = (seeds, result)
        return result

    def build(self) -> BuildResult:
        """Check, render and write the generated pages under docs/."""
        with _collector_paused():
            result = self._render()
            from .output import write_pages

            with self._stage("write"):
                result.report = write_pages(self.project, result.pages, self._written)
        result.timings = dict(self.timings)
        return result


def _seeds_signature(project: Project) -> tuple[object, ...]:
    """Name, size and modification time of every archive: any change means a full run."""
    try:
        entries = list(os.scandir(project.seeds_dir))
    except OSError:
        return ()
    signature = []
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            stat = entry.stat()
        except OSError:
            continue
        signature.append((entry.name, stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run.

    A run allocates hundreds of thousands of small objects that live until it ends; with
    the collector on, each allocation burst rescans them all, which more than doubled
    the time of a 10,000-profile check. Reference counting still frees what it can.

    What a run keeps (the caches, the pages) is then frozen: MkDocs builds every page
    after the generator, and its collections would otherwise rescan all of it again
    and again. The next run hands it back to the collector first, so nothing a rebuild
    drops is kept for longer than one more run.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    gc.unfreeze()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


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
