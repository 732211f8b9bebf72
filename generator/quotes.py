"""Quote matching: where a quoted passage sits in an archived article.

A quote must appear in the archive word for word. Matching forgives typography
only: curly and straight quotes, the various dashes, runs of white space and line
breaks — including a line break that an archive put inside a word. A changed,
added or dropped word, number or name is a miss, and the contributor is shown the
closest passage with what differs.

Positions are character offsets into the archived text exactly as stored, so an
export can point readers at the very characters a claim rests on.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field

from .nearest import closest_passage

# One character for one, so offsets into the mapped text are offsets into the archive.
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    }
)
_TYPOGRAPHIC = re.compile("[" + re.escape("".join(map(chr, _TYPOGRAPHY))) + "]")
_RUN = re.compile(r"\s{2,}")
_SPACE = re.compile(r"\s+")
# "…", "[…]" and "[...]" mark words left out of a quote.
_ELISION = re.compile(r"\s*(?:\[\s*(?:\u2026|\.\.\.)\s*\]|\u2026)\s*")

Span = tuple[int, int]


def fold(text: str) -> str:
    """Typographic quote marks and dashes as their plain forms, one character for one."""
    # ``str.translate`` looks every character up in the table: over whole archives and
    # every quote that was most of the time spent placing quotes. The marks are rare.
    if text.isascii():
        return text
    return _TYPOGRAPHIC.sub(_fold_match, text)


def _fold_match(match: re.Match[str]) -> str:
    return _TYPOGRAPHY[ord(match.group())]  # type: ignore[return-value]


def normalise(text: str) -> str:
    """Typography folded and white space collapsed: the form quotes are compared in."""
    # ``str.split`` and ``\s`` agree on what white space is.
    return " ".join(fold(text).split())


def _collapse(text: str) -> str:
    """Every run of white space as one space, kept at the ends too (so that offsets map).

    ``str.split`` does in C what a regular expression over every character did at a
    third of the speed; the ends, which it drops, are put back.
    """
    core = " ".join(text.split())
    if not core:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + core + (" " if text[-1].isspace() else "")


def pieces(quote: str) -> list[str]:
    """The parts of a quote between elision marks, each normalised."""
    if "\u2026" not in quote and "[" not in quote:
        whole = normalise(quote)
        return [whole] if whole else []
    return [part for part in (normalise(p) for p in _ELISION.split(quote)) if part]


def _is_word(char: str) -> bool:
    return char.isalnum()


@dataclass
class ArchiveText:
    """An archived article prepared for matching, with maps back to the stored offsets."""

    original: str
    normal: str = ""
    # For each collapsed run of two or more characters: its end in ``normal`` and how
    # many characters were removed up to and including it. Sparse: a single character
    # of white space becomes a single space and moves nothing, so needs no entry.
    _ends: list[int] = field(default_factory=list)
    _removed: list[int] = field(default_factory=list)
    _spaces: list[int] | None = None
    _skeleton: str | None = None
    # Placements and excerpts by quote: the archive never changes, so neither do they.
    _located: dict[str, list[Span] | None] = field(default_factory=dict)
    _sentence_ends: list[int] | None = None
    _excerpts: dict[tuple[tuple[Span, ...], str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, original: str) -> ArchiveText:
        mapped = fold(original)
        text = cls(original, _collapse(mapped))
        removed = 0
        # Every line break is a match of the pattern above; only longer runs shift offsets,
        # and they are few.
        for match in _RUN.finditer(mapped):
            start, end = match.span()
            removed += end - start - 1
            text._ends.append(end - removed)
            text._removed.append(removed)
        return text

    def to_original(self, index: int) -> int:
        """The offset in the archive of the character at ``index`` in ``normal``."""
        k = bisect.bisect_right(self._ends, index) - 1
        return index + (self._removed[k] if k >= 0 else 0)

    def span_to_original(self, start: int, end: int) -> Span:
        return self.to_original(start), self.to_original(end - 1) + 1

    def sentence(self, start: int, end: int) -> str:
        """The sentence (or sentences) of the archive holding ``start:end`` (offsets in
        the archive as stored)."""
        begin, stop = self.sentence_span(start, end)
        return self.original[begin:stop].strip()

    def sentence_span(self, start: int, end: int, around: int = 0) -> Span:
        """Where the sentence (or sentences) holding ``start:end`` begins and ends, with
        ``around`` more sentences on either side."""
        ends = self._sentence_ends
        if ends is None:
            ends = self._sentence_ends = _sentence_ends(self.original)
        first = bisect.bisect_right(ends, start) - 1
        # From the quote's own last character: a quote may end with its sentence's stop.
        last = bisect.bisect_right(ends, max(start, end - 1))
        first, last = max(first - around, 0), min(last + around, len(ends) - 1)
        return ends[first], ends[last]

    def line_of(self, normal_index: int) -> int:
        return self.original.count("\n", 0, self.to_original(normal_index)) + 1

    # Skeleton: ``normal`` without spaces, used only when a quote misses otherwise,
    # to forgive a line break that fell inside a word.
    def _skeleton_maps(self) -> tuple[str, list[int]]:
        if self._skeleton is None or self._spaces is None:
            positions = [m.start() for m in re.finditer(" ", self.normal)]
            # The skeleton index at which each space would have stood.
            self._spaces = [pos - i for i, pos in enumerate(positions)]
            self._skeleton = self.normal.replace(" ", "")
        return self._skeleton, self._spaces

    def _skeleton_to_normal(self, index: int) -> int:
        _, spaces = self._skeleton_maps()
        return index + bisect.bisect_right(spaces, index)

    def _normal_to_skeleton(self, index: int) -> int:
        _, spaces = self._skeleton_maps()
        # Spaces before ``index`` in normal are those whose skeleton slot + rank < index.
        lo, hi = 0, len(spaces)
        while lo < hi:
            mid = (lo + hi) // 2
            if spaces[mid] + mid < index:
                lo = mid + 1
            else:
                hi = mid
        return index - lo

    def _bounded(self, start: int, end: int, piece: str) -> bool:
        """A piece that starts or ends with a letter or digit must not cut a word in two."""
        text = self.normal
        if start > 0 and piece[0].isalnum() and text[start - 1].isalnum():
            return False
        return not (end < len(text) and piece[-1].isalnum() and text[end].isalnum())

    def find(self, piece: str, start: int = 0) -> Span | None:
        """The first occurrence of a normalised piece at or after ``start`` in ``normal``."""
        text = self.normal
        at = text.find(piece, start)
        while at != -1:
            if self._bounded(at, at + len(piece), piece):
                return at, at + len(piece)
            at = text.find(piece, at + 1)
        skeleton, _ = self._skeleton_maps()
        bare = piece.replace(" ", "")
        at = skeleton.find(bare, self._normal_to_skeleton(start))
        while at != -1:
            begin = self._skeleton_to_normal(at)
            end = self._skeleton_to_normal(at + len(bare) - 1) + 1
            if self._bounded(begin, end, piece):
                return begin, end
            at = skeleton.find(bare, at + 1)
        return None

    def locate(self, quote: str) -> list[Span] | None:
        """Offsets in the archive of each piece of ``quote``, in order, or None on a miss.

        The archive never changes, so neither does the answer: it is kept, and a rebuild
        that reuses this text places only new or edited quotes.
        """
        if quote in self._located:
            return self._located[quote]
        found = self._locate(quote)
        self._located[quote] = found
        return found

    def _locate(self, quote: str) -> list[Span] | None:
        spans: list[Span] = []
        position = 0
        for piece in pieces(quote):
            found = self.find(piece, position)
            if found is None:
                return None
            spans.append(self.span_to_original(*found))
            position = found[1]
        return spans or None

    def excerpt(self, spans: list[Span], quote: str) -> str:
        """The quoted words as archived, cuts marked […].

        White space follows the quote: a line break the archive put inside a word is
        closed up, and any other run of white space becomes one space.
        """
        key = (tuple(spans), quote)
        known = self._excerpts.get(key)
        if known is not None:
            return known
        parts = []
        for (start, end), piece in zip(spans, pieces(quote), strict=False):
            parts.append(_respace(self.original[start:end], piece))
        excerpt = self._excerpts[key] = " […] ".join(parts)
        return excerpt

    def first_miss(self, quote: str) -> str:
        """The first piece of ``quote`` that cannot be placed after the ones before it."""
        position = 0
        for piece in pieces(quote):
            found = self.find(piece, position)
            if found is None:
                return piece
            position = found[1]
        return quote

    def closest(self, piece: str) -> tuple[str, int]:
        """The passage most like ``piece``, and its line: the closest run of as many
        words as the quote has (``nearest.py``), stretched or shrunk at its ends to the
        words of the quote the article has there (see ``_cover``)."""
        if not self.normal.split():
            return "", 1
        # Bounded: near-linear in the archive's length, whatever the quote (nearest.py).
        best = _cover(self.normal, piece, closest_passage(self.normal, piece))
        passage = self.normal[best[0] : best[1]]
        # A window is whole words; trim the punctuation the quote does not reach for.
        if _is_word(piece[-1]):
            passage = passage.rstrip(",.;:!?\"')")
        if _is_word(piece[0]):
            passage = passage.lstrip("\"'(")
        return passage, self.line_of(best[0])


_STOP = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n\s*\n")
# Lines this long or shorter, most of them, are a text wrapped at a fixed width, whose
# line breaks fall inside sentences; otherwise each line is a paragraph (or a headline).
_WRAP_WIDTH = range(40, 101)


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence of ``text`` ends, from 0 to the end of the text.

    A sentence ends after its stop (and any closing quotation mark), at a blank line, and,
    in a text not wrapped at a fixed width, at each line break: a headline or a list item
    has no full stop.
    """
    ends = {0, len(text)}
    ends.update(match.end() for match in _STOP.finditer(text))
    if not is_wrapped(text):
        ends.update(position + 1 for position, char in enumerate(text) if char == "\n")
    return sorted(ends)


def is_wrapped(text: str) -> bool:
    """Whether ``text`` is wrapped at a fixed width (its line breaks fall inside
    sentences), rather than written a paragraph or a headline to a line."""
    lines = [line for line in text.split("\n") if line.strip()]
    return sum(len(line) in _WRAP_WIDTH for line in lines) >= 0.8 * len(lines)


def _respace(archived: str, piece: str) -> str:
    """``archived`` with its white space placed where the normalised ``piece`` has it."""
    collapsed = _SPACE.sub(" ", archived).strip()
    # Usually the two differ only in how white space runs and in typography (one
    # character for one): the character-by-character walk below is then not needed.
    if fold(collapsed) == piece:
        return collapsed
    out: list[str] = []
    j = 0
    i = 0
    while i < len(archived):
        if archived[i].isspace():
            while i < len(archived) and archived[i].isspace():
                i += 1
            if j < len(piece) and piece[j] == " ":
                out.append(" ")
                j += 1
            continue
        if j < len(piece) and piece[j] == " ":
            j += 1  # the quote has a space the archive lacks: keep the archive as it is
        out.append(archived[i])
        i += 1
        j += 1
    return "".join(out).strip()


# How many words beyond the closest run the quote's first or last words are looked for.
_REACH = 12
_WORD_RUN = re.compile(r"\S+")


def _key(word: str) -> str:
    """A word as the ends of a passage are aligned: without the punctuation around it,
    in any case ("2019," ends a quote's "in 2019" as well as "2019" does)."""
    return word.strip(",.;:!?\"'()[]").casefold() or word


def _words_near(normal: str, span: Span, reach: int) -> tuple[list[Span], int, int]:
    """The words of ``normal`` from ``reach`` words before ``span`` to ``reach`` words
    after it, as offsets, with the index of the span's first word and one past its last."""
    start = span[0]
    for _ in range(reach):
        if start <= 0:
            break
        start = normal.rfind(" ", 0, start - 1) + 1
    end = span[1]
    for _ in range(reach):
        if end >= len(normal):
            break
        after = normal.find(" ", end + 1)
        end = len(normal) if after == -1 else after
    words = [m.span() for m in _WORD_RUN.finditer(normal, start, end)]
    first = next((i for i, (s, _) in enumerate(words) if s >= span[0]), len(words))
    last = next((i for i, (_, e) in enumerate(words) if e > span[1]), len(words))
    return words, first, last


def _run_at(keys: list[str], run: list[str], lo: int, hi: int, *, nearest_last: bool) -> int:
    """Where ``run`` occurs as consecutive words of ``keys`` within [lo, hi), the
    occurrence nearest ``hi`` (``nearest_last``) or ``lo``; -1 if it does not."""
    starts = range(max(lo, 0), min(hi, len(keys)) - len(run) + 1)
    for at in reversed(starts) if nearest_last else starts:
        if keys[at : at + len(run)] == run:
            return at
    return -1


def _cover(normal: str, piece: str, span: Span) -> Span:
    """``span`` (a run of as many words as the quote has) made to cover the quote's words.

    A run the length of the quote is too short when the article has words the quote
    leaves out (the quote's last words fall outside it and read as "added"), and too
    long when the quote leaves some out (the article's next words read as "left out").
    So the run is cut to the first and last words it shares with the quote, and each end
    the quote goes beyond is looked for, word for word, a few words further on: found,
    the passage reaches it, and what lies between is what the quote leaves out.
    """
    quote = [_key(word) for word in piece.split()]
    words, first, last = _words_near(normal, span, len(quote) + _REACH)
    keys = [_key(normal[s:e]) for s, e in words]
    matcher = difflib.SequenceMatcher(None, quote, keys[first:last], autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return span
    head, tail = blocks[0], blocks[-1]
    start, end = first + head.b, first + tail.b + tail.size
    before, after = quote[: head.a], quote[tail.a + tail.size :]
    if before:
        at = _run_at(keys, before, start - len(before) - _REACH, start, nearest_last=True)
        start = at if at >= 0 else first
    if after:
        at = _run_at(keys, after, end, end + len(after) + _REACH, nearest_last=False)
        end = at + len(after) if at >= 0 else last
    return words[start][0], words[end - 1][1]


def differences(expected: str, found: str) -> list[str]:
    """Word by word, how a quote differs from a passage.

    Words of the passage before the quote's first word or after its last are where the
    quote starts or ends, not words it leaves out.
    """
    a, b = expected.split(), found.split()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    while opcodes and opcodes[0][0] == "insert":
        opcodes = opcodes[1:]
    while opcodes and opcodes[-1][0] == "insert":
        opcodes = opcodes[:-1]
    out: list[str] = []
    for op, i1, i2, j1, j2 in opcodes:
        quoted, archived = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if op == "replace":
            out.append(f'quote has "{quoted}" where the article has "{archived}"')
        elif op == "delete":
            out.append(f'quote adds "{quoted}", which the article does not have here')
        elif op == "insert":
            out.append(f'quote leaves out "{archived}" (mark a cut with …)')
    return out


def explain_miss(text: ArchiveText, quote: str, archive_name: str) -> str:
    """What a contributor needs to fix a quote: the closest passage and what differs."""
    piece = text.first_miss(quote)
    passage, line = text.closest(piece)
    lines = []
    if piece != normalise(quote):
        lines.append(f'this part is not found (after the parts before it): "{piece}"')
    lines.append(f'closest passage, {archive_name} line {line}: "{passage}"')
    diffs = differences(piece, passage)
    lines.extend(diffs[:6])
    if len(diffs) > 6:
        lines.append(f"…and {len(diffs) - 6} more differences")
    return "\n".join(lines)
