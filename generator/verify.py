"""Stage 3: place every quote in its source's archived article.

A quote must appear in the archive word for word, forgiving typography only (see
``quotes.py``). A quote that will not fit is an error that shows the closest passage.
Positions are character offsets into the archived text exactly as stored, so an export
can point readers at the very characters a claim rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .archives import Archive, Archives
from .errors import FactfileError
from .model import Source
from .quotes import ArchiveText, Span, explain_miss
from .validate import Catalog, Entry, archive_problem


@dataclass
class QuoteIndex:
    """Every placed quote: its offsets by (source, quote), and each cited source's text."""

    spans: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    texts: dict[str, ArchiveText] = field(default_factory=dict)

    def get(self, source: str, quote: str) -> list[Span]:
        return self.spans[(source, quote)]


Usable = dict[str, tuple[Source, Archive]]
"""The sources whose archive is there and unchanged, by id, with that archive."""


def usable_sources(catalog: Catalog, archives: Archives) -> Usable:
    """Each source whose archive exists and has the recorded checksum. Quotes of any other
    source are not checked: its archive is already one error, and a changed text would
    only repeat it once per quote. A citation of a source that does not exist is a
    reference error, reported by validation."""
    usable: Usable = {}
    for id_, entry in catalog.entries["sources"].items():
        source = entry.profile
        assert isinstance(source, Source)
        if archive_problem(source, archives) is None:
            usable[id_] = (source, archives[source.archive])
    return usable


@dataclass
class Placed:
    """One profile's quotes: placed by (source, quote), with the texts they are in, and
    every quote that would not fit."""

    spans: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    texts: dict[str, ArchiveText] = field(default_factory=dict)
    errors: list[FactfileError] = field(default_factory=list)


def place_quotes(entry: Entry, usable: Usable) -> Placed:
    """Place one profile's quotes in the archives of the sources they cite."""
    placed = Placed()
    for path, _, citation in entry.citations:
        found = usable.get(citation.source)
        if found is None:
            continue
        source, archive = found
        text = archive.text
        spans = text.locate(citation.quote)
        if spans is None:
            placed.errors.append(
                FactfileError(
                    entry.raw.locate((*path, "quote")),
                    f"quote not found in source '{citation.source}' (seeds/{source.archive})",
                    explain_miss(text, citation.quote, f"seeds/{source.archive}"),
                )
            )
        else:
            placed.spans[(citation.source, citation.quote)] = spans
            placed.texts[citation.source] = text
    return placed


def merge(placed: list[Placed], usable: Usable) -> tuple[QuoteIndex, list[FactfileError]]:
    """Every profile's placed quotes as one index, and every miss. The index holds the
    text of every usable source, quoted or not: each source's page shows it."""
    index = QuoteIndex()
    index.texts.update((id_, archive.text) for id_, (_, archive) in usable.items())
    errors: list[FactfileError] = []
    for one in placed:
        index.spans.update(one.spans)
        index.texts.update(one.texts)
        errors.extend(one.errors)
    return index, errors


def verify(catalog: Catalog, archives: Archives) -> tuple[QuoteIndex, list[FactfileError]]:
    """Place every citation's quote in its source's archive; report each that will not fit."""
    usable = usable_sources(catalog, archives)
    return merge([place_quotes(entry, usable) for entry in catalog], usable)
