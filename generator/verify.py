"""Stage 3: place every quote in its source's archived article.

A quote must appear in the archive word for word, forgiving typography only (see
``quotes.py``). A quote that will not fit is an error that shows the closest passage.
Positions are character offsets into the archived text exactly as stored, so an export
can point readers at the very characters a claim rests on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from . import placeholders
from .archives import Archive, Archives
from .errors import FactfileError
from .load import RawProfile
from .model import Citation, PathKey, Source
from .quotes import ArchiveText, Span, explain_miss, pieces
from .validate import Catalog, Entry, archive_problem, field_label


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
        _place(entry.raw, path, citation, usable, placed)
    return placed


def _place(
    raw: RawProfile, path: PathKey, citation: Citation, usable: Usable, placed: Placed
) -> None:
    found = usable.get(citation.source)
    if found is None:
        return
    source, archive = found
    if citation.quote == placeholders.QUOTE:
        placed.errors.append(
            FactfileError(
                raw.locate((*path, "quote")),
                placeholders.quote_message(
                    field_label((*path, "quote")), citation.source, source.archive
                ),
            )
        )
        return
    text = archive.text
    spans = text.locate(citation.quote)
    if spans is None:
        placed.errors.append(
            FactfileError(
                raw.locate((*path, "quote")),
                f"quote not found in source '{citation.source}' (seeds/{source.archive})",
                explain_miss(text, citation.quote, f"seeds/{source.archive}"),
            )
        )
    else:
        placed.spans[(citation.source, citation.quote)] = spans
        placed.texts[citation.source] = text


def place_rejected(raw: RawProfile, usable: Usable) -> list[FactfileError]:
    """The quotes that miss in a profile left out of the catalog for its shape.

    Its shape errors are reported, and it is on no page; but a contributor who fixes them
    should not then meet its quote errors for the first time. Each citation that is itself
    well-formed (a source id and a quote) is checked as the build checks any other.
    """
    placed = Placed()
    for path, citation in raw_citations(raw.data):
        if citation.source == placeholders.SOURCE:
            # A skeleton's: said here too, or only once its shape is right.
            where = (*path, "source")
            message = placeholders.source_message(field_label(where), usable)
            placed.errors.append(FactfileError(raw.locate(where), message))
        _place(raw, path, citation, usable, placed)
    return placed.errors


def raw_citations(data: dict[str, Any]) -> Iterator[tuple[PathKey, Citation]]:
    """Every well-formed citation in a profile's raw data, wherever a claim (a mapping
    with ``cite``) sits in a list under a top-level key, whatever that key is."""
    for name, claims in data.items():
        if not isinstance(claims, list):
            continue
        for index, claim in enumerate(claims):
            cites = claim.get("cite") if isinstance(claim, dict) else None
            if not isinstance(cites, list):
                continue
            for position, cite in enumerate(cites):
                citation = _citation(cite)
                if citation is not None:
                    yield (name, index, "cite", position), citation


def _citation(cite: object) -> Citation | None:
    try:
        citation = Citation.model_validate(cite)
    except ValidationError:
        return None  # its own shape error says what is wrong with it
    return citation if pieces(citation.quote) else None


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
    """Place every citation's quote in its source's archive; report each that will not fit,
    in the profiles left out for their shape too."""
    usable = usable_sources(catalog, archives)
    index, errors = merge([place_quotes(entry, usable) for entry in catalog], usable)
    for raw in catalog.rejected:
        errors.extend(place_rejected(raw, usable))
    return index, errors
