"""Links between pages, written relative to the page being rendered."""

from __future__ import annotations

import posixpath

from ..model import Citation, Source
from ..wiki import Ref, Wiki, passage_anchor, path_from
from .environment import text


class Links:
    """Links and citations as Markdown, relative to one page."""

    def __init__(self, wiki: Wiki, page: str) -> None:
        self.wiki = wiki
        self.page = page
        self._folder = posixpath.dirname(page)

    def url(self, ref: Ref, anchor: str = "") -> str:
        target = path_from(self._folder, ref)
        return f"{target}#{anchor}" if anchor else target

    def link(self, ref: Ref) -> str:
        return f"[{text(self.wiki.title(ref))}]({self.url(ref)})"

    def citation(self, citation: Citation) -> str:
        """A quote in a ``<q>`` element, as archived, and a link to its passage."""
        source_id, quote = citation.source, citation.quote
        spans = self.wiki.quotes.get(source_id, quote)
        words = self.wiki.quotes.texts[source_id].excerpt(spans, quote)
        label = text(source_label(self.wiki.source(source_id)))
        target = self.url(Ref("sources", source_id), passage_anchor(spans))
        return f"<q>{text(words)}</q> — [{label}]({target})"


def source_label(source: Source) -> str:
    """A source as a citation names it: its outlet (or title) and date."""
    name = source.outlet or source.title
    when = source.date.human() if source.date.known else "date unknown"
    return f"{name}, {when}"
