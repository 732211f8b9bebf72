"""The pipeline's steps, reusing what has not changed since the last run.

Every reuse is keyed on content, never on a file's time alone:

- a profile file's parsed and checked profile, while its bytes are the same (a file is
  read again only when its size, modification or change time or inode moved: the change
  time cannot be set back by hand, so a same-size edit that restores the old
  modification time is still read; its bytes are then compared);
- an archive's prepared text and the places of the quotes found in it, while its bytes
  are the same;
- each profile's cross-file verdicts (its references, its archive, its quotes), while
  what they depend on is equal to last time's: the ids that exist, the archives;
- the wiki's tables, derived again only where the changed profiles reach (``derive.py``);
- a page's text, while nothing it read of the wiki when it was last rendered has
  changed (``pages.py``).

An unchanged file gives the very same profile object as last time, so identity tells
what changed; each cache holds the objects it keys on, so an ``id`` cannot be reused.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from .. import archives, identity, load, support, validate, verify
from ..build import Steps
from ..errors import FactfileError
from ..model import KINDS, Kind
from ..output import WriteReport, write_pages
from ..project import Project
from ..wiki import Wiki, derive
from .derive import changed_entries, rederive
from .pages import PageReuse

Signature = tuple[int, int, int, int]
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def _signature(info: os.stat_result) -> Signature:
    return (info.st_mtime_ns, info.st_size, info.st_ctime_ns, info.st_ino)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class PerItem(Generic[_Item, _Result]):
    """The result of a function of one item, kept per item object while a state that it
    also depends on stays equal to last time's."""

    def __init__(self) -> None:
        self._state: Hashable = None
        self._results: dict[int, tuple[_Item, _Result]] = {}

    def run(
        self, items: Sequence[_Item], state: Hashable, compute: Callable[[_Item], _Result]
    ) -> list[_Result]:
        known = self._results if state == self._state else {}
        kept: dict[int, tuple[_Item, _Result]] = {}
        results: list[_Result] = []
        for item in items:
            found = known.get(id(item))
            result = found[1] if found is not None and found[0] is item else compute(item)
            kept[id(item)] = (item, result)
            results.append(result)
        self._state, self._results = state, kept
        return results


@dataclass
class _File:
    signature: Signature
    digest: bytes
    found: load.Found
    result: load.RawProfile | list[FactfileError]


class Reuse(Steps):
    """Steps that reuse every result whose inputs are unchanged since the last run."""

    def session(self) -> AbstractContextManager[object]:
        return collector_paused()

    def __init__(self) -> None:
        self._files: dict[str, _File] = {}
        self._ids: tuple[list[load.Found], list[FactfileError]] | None = None
        self._shapes: dict[int, tuple[load.RawProfile, validate.Entry | list[FactfileError]]] = {}
        self._archives: dict[str, tuple[Signature, archives.Archive]] = {}
        self._references: PerItem[validate.Entry, list[FactfileError]] = PerItem()
        self._names: PerItem[validate.Entry, list[FactfileError]] = PerItem()
        self._archive_errors: PerItem[validate.Entry, list[FactfileError]] = PerItem()
        self._placed: PerItem[validate.Entry, verify.Placed] = PerItem()
        self._rejected: PerItem[load.RawProfile, list[FactfileError]] = PerItem()
        self._support: PerItem[validate.Entry, list[FactfileError]] = PerItem()
        self._usable_state: Hashable = None
        self._wiki: Wiki | None = None
        self.pages = PageReuse()
        # What was last written at each page, so an unchanged page is not read back.
        self._written: dict[str, str | bytes] = {}

    # --- Reading ----------------------------------------------------------------------------

    def check_ids(self, files: list[load.Found]) -> list[FactfileError]:
        if self._ids is None or self._ids[0] != files:
            self._ids = (files, load.check_ids(files))
        return self._ids[1]

    def read(self, found: load.Found) -> load.RawProfile | list[FactfileError]:
        try:
            signature = _signature(os.stat(found.path))
        except OSError:
            return load.read_found(found)
        known = self._files.get(found.path)
        if known is not None and known.found == found:
            if known.signature == signature:
                return known.result
        else:
            known = None
        data = load.read_bytes(found.path, found.shown)
        if isinstance(data, FactfileError):
            self._files.pop(found.path, None)
            return [data]
        digest = _digest(data)
        if known is not None and known.digest == digest:
            known.signature = signature
            return known.result
        result = load.parse_bytes(found.kind, found.id, found.shown, data)
        self._files[found.path] = _File(signature, digest, found, result)
        return result

    def read_archive(self, entry: archives.DirEntry) -> archives.Archive:
        try:
            signature = _signature(entry.stat(follow_symlinks=False))
        except OSError:
            return archives.read_archive(entry)
        known = self._archives.get(entry.name)
        if known is not None and known[0] == signature:
            return known[1]
        archive = archives.read_archive(entry)
        if known is not None and not archive.problem and known[1].sha256 == archive.sha256:
            # The same bytes: keep the prepared text and the quotes already placed in it.
            archive = known[1]
        self._archives[entry.name] = (signature, archive)
        return archive

    # --- Checking ---------------------------------------------------------------------------

    def shape(self, raw: load.RawProfile) -> validate.Entry | list[FactfileError]:
        known = self._shapes.get(id(raw))
        if known is not None and known[0] is raw:
            return known[1]
        result = validate.checked_entry(raw)
        self._shapes[id(raw)] = (raw, result)
        return result

    def cross_checks(
        self,
        catalog: validate.Catalog,
        present: dict[Kind, set[str]],
        seeds: archives.Archives,
    ) -> list[FactfileError]:
        self._forget_files(catalog)
        entries = list(catalog)
        ids = tuple(frozenset(catalog.entries[kind]) for kind in KINDS)
        exist = tuple(frozenset(present[kind]) for kind in KINDS)
        # A reference to an old id reads the merged and renamed ids: any change to those
        # checks every file again. (A "did you mean" hint naming a profile by its title may
        # lag an edit of that title until the file with the error changes.)
        former = (
            tuple(frozenset(catalog.merged[kind]) for kind in KINDS),
            tuple(frozenset(catalog.renamed.ids[kind].items()) for kind in KINDS),
        )
        errors = _flat(
            self._references.run(
                entries,
                (ids, exist, former),
                lambda entry: validate.reference_errors(entry, catalog, present),
            )
        )
        errors += identity.identity_errors(catalog, present)
        errors += validate.check_relations(catalog)
        errors += _flat(
            self._names.run(
                entries,
                None,
                lambda entry: validate.name_errors(entry) + validate.minor_errors(entry),
            )
        )
        sources = list(catalog.entries["sources"].values())
        errors += _flat(
            self._archive_errors.run(
                sources, _archives_state(seeds), lambda entry: validate.archive_errors(entry, seeds)
            )
        )
        return errors

    def verify(
        self, catalog: validate.Catalog, seeds: archives.Archives
    ) -> tuple[verify.QuoteIndex, list[FactfileError]]:
        usable = verify.usable_sources(catalog, seeds)
        # A miss names the source's archive file, so its name is part of the state too.
        state = frozenset(
            (id_, source.sha256, source.archive) for id_, (source, _) in usable.items()
        )
        placed = self._placed.run(
            list(catalog), state, lambda entry: verify.place_quotes(entry, usable)
        )
        self._usable_state = state
        index, errors = verify.merge(placed, usable)
        rejected = self._rejected.run(
            catalog.rejected, state, lambda raw: verify.place_rejected(raw, usable)
        )
        return index, errors + _flat(rejected)

    def support(self, catalog: validate.Catalog, quotes: verify.QuoteIndex) -> list[FactfileError]:
        # A profile's findings depend on it and on where its quotes sit: the same state as
        # its placed quotes.
        found = self._support.run(
            list(catalog), self._usable_state, lambda entry: support.entry_problems(entry, quotes)
        )
        return _flat(found)

    # --- The wiki and its pages -------------------------------------------------------------

    def derive(self, catalog: validate.Catalog, quotes: verify.QuoteIndex) -> Wiki:
        old = self._wiki
        if old is not None and old.quotes == quotes and not changed_entries(old.catalog, catalog):
            # Nothing the wiki is made of changed: the very same wiki, as an unchanged
            # file gives the same profile, so that identity tells what changed here too.
            return old
        wiki = derive(catalog, quotes) if old is None else rederive(old, catalog, quotes)
        self._wiki = wiki
        return wiki

    def render(self, wiki: Wiki) -> dict[str, str]:
        return self.pages.render(wiki)

    def write(self, project: Project, files: dict[str, str | bytes]) -> WriteReport:
        return write_pages(project, files, self._written)

    def _forget_files(self, catalog: validate.Catalog) -> None:
        """Drop what no current file holds any more (deleted or edited files)."""
        current = {entry.raw.path for entry in catalog}
        if len(current) < len(self._files):
            self._files = {
                path: known
                for path, known in self._files.items()
                if isinstance(known.result, list) or known.result.path in current
            }
        if len(self._shapes) > len(current):
            raws = {id(known.result) for known in self._files.values()}
            self._shapes = {key: value for key, value in self._shapes.items() if key in raws}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run, and freeze what the run keeps.

    A run allocates hundreds of thousands of objects that live on (the cache of every
    file, page and placed quote); with the collector on, each burst of allocations
    rescans them all, and at 10,000 profiles a rebuild paused for a second or more at
    random. What is kept is then frozen, so later collections (MkDocs', the next run's)
    skip it; the next run hands it back first, so what a rebuild drops is freed.
    """
    if not gc.isenabled():
        yield  # within a run already
        return
    gc.disable()
    gc.unfreeze()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _flat(lists: list[list[FactfileError]]) -> list[FactfileError]:
    return [error for errors in lists for error in errors]


def _archives_state(seeds: archives.Archives) -> Hashable:
    return frozenset((name, archive.sha256, archive.problem) for name, archive in seeds.items())
