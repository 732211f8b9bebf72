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
        return f"{quoted(words)} — [{label}]({target})"


# Double quotation marks a quote may hold: around it go single ones, so that a quote
# opening with the speaker's own mark reads ‘“Since 2022 …,” he said.’, not ““Since.
_DOUBLE_MARKS = frozenset('"“”„«»')


def quoted(words: str) -> str:
    """Quoted words in a ``<q>`` element, whose marks the style sheet draws."""
    nested = ' class="ff-nested"' if _DOUBLE_MARKS.intersection(words) else ""
    return f"<q{nested}>{text(words)}</q>"


def source_label(source: Source) -> str:
    """A source as a citation names it: its outlet (or title), and its date if known."""
    name = source.outlet or source.title
    return f"{name}, {source.date.human()}" if source.date.known else name
