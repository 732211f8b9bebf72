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
from .validate import Catalog, archive_problem


@dataclass
class QuoteIndex:
    """Every placed quote: its offsets by (source, quote), and each cited source's text."""

    spans: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    texts: dict[str, ArchiveText] = field(default_factory=dict)

    def get(self, source: str, quote: str) -> list[Span]:
        return self.spans[(source, quote)]


def verify(catalog: Catalog, archives: Archives) -> tuple[QuoteIndex, list[FactfileError]]:
    """Place every citation's quote in its source's archive; report each that will not fit.

    Quotes of a source whose archive is missing or changed are not checked: that is
    already one error, and a changed text would only repeat it once per quote. A citation
    of a source that does not exist is a reference error, reported by validation.
    """
    usable: dict[str, tuple[Source, Archive]] = {}
    for id_, entry in catalog.entries["sources"].items():
        source = entry.profile
        assert isinstance(source, Source)
        if archive_problem(source, archives) is None:
            usable[id_] = (source, archives[source.archive])
    index = QuoteIndex()
    errors: list[FactfileError] = []
    for entry in catalog:
        for path, _, citation in entry.citations:
            found = usable.get(citation.source)
            if found is None:
                continue
            source, archive = found
            text = archive.text
            spans = text.locate(citation.quote)
            if spans is None:
                errors.append(
                    FactfileError(
                        entry.raw.locate((*path, "quote")),
                        f"quote not found in source '{citation.source}' (seeds/{source.archive})",
                        explain_miss(text, citation.quote, f"seeds/{source.archive}"),
                    )
                )
                continue
            index.spans[(citation.source, citation.quote)] = spans
            index.texts[citation.source] = text
    return index, errors
