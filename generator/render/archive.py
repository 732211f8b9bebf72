"""A source's archived text as Markdown: every quoted passage marked, anchored and
linked back to the claims quoting it.

The text is data: each run of it passes through ``text_run``, so nothing in an archive
becomes markup. A passage is marked piece by piece (``<mark>``), since passages may
overlap; its anchor (``q-<start>-<end>``, offsets in the archive, which never change)
stands where it begins, and the page's style gives the passage a link leads to its
highlight with ``:target``, no script needed.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import NamedTuple

from ..quotes import ArchiveText, Span, is_wrapped
from ..wiki import Passage, path_from
from .claims import FIELD_LABELS, ClaimText, claim_label
from .environment import text, text_run
from .links import quoted

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_LINE = re.compile(r"\n\s*")
# Shown between the pieces of an article whose licence allows only its quoted passages.
_GAP = "&#91;…&#93;"


class Shown(NamedTuple):
    """An archive as a page shows it: Markdown paragraphs, and the style that highlights
    the passage a link leads to."""

    text: str
    style: str


def archive_text(claims: ClaimText, source_id: str, passages_only: bool) -> Shown | None:
    """The archived text of a source or, ``passages_only``, each passage quoted from it
    with a sentence either side; None when its archive cannot be read."""
    archive = claims.wiki.quotes.texts.get(source_id)
    if archive is None:
        return None
    passages = claims.wiki.passages(source_id)
    shown = _context(archive, passages) if passages_only else [(0, len(archive.original))]
    marker = _Marker(claims, archive.original, passages)
    blocks: list[str] = []
    for position, (start, end) in enumerate(shown):
        if passages_only and (position or start > 0):
            blocks.append(_GAP)
        blocks.extend(marker.paragraph(a, b) for a, b in _paragraphs(archive, start, end))
    if passages_only and shown and shown[-1][1] < len(archive.original.rstrip()):
        blocks.append(_GAP)
    return Shown("\n\n".join(block for block in blocks if block), _style(passages))


def _context(archive: ArchiveText, passages: Sequence[Passage]) -> list[Span]:
    """Each passage with a sentence either side, overlapping stretches joined."""
    found: list[Span] = []
    for passage in passages:
        start, end = archive.sentence_span(passage.start, passage.spans[-1][1], around=1)
        if found and start <= found[-1][1]:
            found[-1] = (found[-1][0], max(end, found[-1][1]))
        else:
            found.append((start, end))
    return found


def _paragraphs(archive: ArchiveText, start: int, end: int) -> Iterator[Span]:
    """The paragraphs of ``start:end``: between blank lines, or at every line break in a
    text that is not wrapped at a fixed width."""
    breaks = _BLANK_LINE if is_wrapped(archive.original) else _LINE
    original = archive.original
    position = start
    for match in breaks.finditer(original, start, end):
        yield position, match.start()
        position = match.end()
    yield position, end


class _Marker:
    """Paragraphs of one archive with its passages marked."""

    def __init__(self, claims: ClaimText, original: str, passages: Sequence[Passage]) -> None:
        self.claims = claims
        self.original = original
        self.pieces = sorted(
            (span, passage.anchor) for passage in passages for span in passage.spans
        )
        self.starts: dict[int, list[str]] = {}
        self.ends: dict[int, list[Passage]] = {}
        for passage in passages:
            self.starts.setdefault(passage.start, []).append(passage.anchor)
            self.ends.setdefault(passage.spans[-1][1], []).append(passage)
        cuts = {offset for (a, b), _ in self.pieces for offset in (a, b)}
        self.cuts = sorted(cuts | set(self.starts) | set(self.ends))
        # The passages covering each stretch between two cuts, in the order of pieces:
        # every run of text lies within one such stretch (an archive may hold hundreds
        # of passages, too many to test each against each run).
        self.covering: list[list[str]] = [[] for _ in self.cuts]
        for (a, b), anchor in self.pieces:
            for index in range(bisect_left(self.cuts, a), bisect_left(self.cuts, b)):
                self.covering[index].append(anchor)

    def paragraph(self, start: int, end: int) -> str:
        """One paragraph as Markdown, trimmed, followed by a line for each passage
        ending in it naming the claims that quote it; empty if it holds no text."""
        while start < end and self.original[start].isspace():
            start += 1
        while end > start and self.original[end - 1].isspace():
            end -= 1
        if start == end:
            return ""
        out: list[str] = []
        ended: list[Passage] = []
        inside = self.cuts[bisect_right(self.cuts, start) : bisect_left(self.cuts, end)]
        bounds = [start, *inside, end]
        for a, b in pairwise(bounds):
            out.extend(
                f'<span class="ff-anchor" id="{anchor}"></span>'
                for anchor in self.starts.get(a, [])
            )
            out.append(self._run(a, b))
            ended.extend(self.ends.get(b, []))
        # A paragraph opening with "1." or "-" is not a list: its first character is
        # written as a reference.
        lines = [_guard_start("".join(out))]
        lines.extend(line for passage in ended if (line := self._citers(passage)))
        return "\n\n".join(lines)

    def _run(self, start: int, end: int) -> str:
        words = text_run(self.original[start:end])
        stretch = bisect_right(self.cuts, start) - 1
        covering = self.covering[stretch] if stretch >= 0 else []
        if not covering:
            return words
        return f'<mark class="ff-passage" data-q="{" ".join(covering)}">{words}</mark>'

    def _citers(self, passage: Passage) -> str:
        """A line after a passage's paragraph: its first words, and a link to each claim
        quoting it."""
        links = self.claims.links
        folder = links.page.rsplit("/", 1)[0]
        items = []
        for citer in passage.cited_by:
            label = claim_label(citer.ref, citer.ref, citer.field, citer.position)
            name = text(links.wiki.title(citer.ref))
            field = FIELD_LABELS.get(citer.field, citer.field).lower()
            items.append(f"[{name}: {field}]({path_from(folder, citer.ref)}#fnref-{label})")
        if not items:
            return ""
        words = passage.text.split()
        opening = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
        return (
            f'<small class="ff-citers">↳ {quoted(opening)} is quoted by: '
            f"{' · '.join(items)}</small>"
        )


def _guard_start(block: str) -> str:
    first = block[0]
    if first.isalpha() or first == "<" or first == "&":
        return block
    return f"&#{ord(first)};{block[1:]}"


def _style(passages: Sequence[Passage]) -> str:
    """The style that highlights, piece by piece, the passage a link leads to."""
    rules = ",".join(
        f'.ff-archive:has(#{p.anchor}:target) mark[data-q~="{p.anchor}"]' for p in passages
    )
    if not rules:
        return ""
    look = "background-color:var(--ff-target-bg);outline:2px solid var(--ff-target-edge)"
    return f"<style>{rules}{{{look}}}</style>"
