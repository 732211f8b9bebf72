"""Stage 3: find every quoted passage in its archived article.

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
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

from .errors import FactfileError
from .fork import can_fork, in_copy
from .load import RawProfile
from .memo import Memo, each
from .model import Source
from .validate import Catalog, Entry, file_digest

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
    # Excerpts by (spans, quote): the archive never changes, so neither do they.
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
        """Offsets in the archive of each piece of ``quote``, in order, or None on a miss."""
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
        """The passage of about the same length most like ``piece``, and its line."""
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", self.normal)]
        if not words:
            return "", 1
        width = max(1, len(piece.split()))
        best, best_score = (0, 0), -1.0
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(piece)
        for i in range(max(1, len(words) - width + 1)):
            start, end = words[i][0], words[min(i + width, len(words)) - 1][1]
            matcher.set_seq1(self.normal[start:end])
            if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
                continue
            score = matcher.ratio()
            if score > best_score:
                best, best_score = (start, end), score
        passage = self.normal[best[0] : best[1]]
        # A window is whole words; trim the punctuation the quote does not reach for.
        if _is_word(piece[-1]):
            passage = passage.rstrip(",.;:!?\"')")
        if _is_word(piece[0]):
            passage = passage.lstrip("\"'(")
        return passage, self.line_of(best[0])


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


def differences(expected: str, found: str) -> list[str]:
    """Word by word, how a quote differs from a passage."""
    a, b = expected.split(), found.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
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


@dataclass
class QuoteIndex:
    """Every verified quote, by source: its offsets in the archive and who cites it."""

    spans: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    texts: dict[str, ArchiveText] = field(default_factory=dict)
    token: object = None
    """A ``memo`` token that holds while each unchanged profile's quotes are placed as
    before: what is counted from a profile's placed quotes may be kept under it."""

    def get(self, source: str, quote: str) -> list[Span]:
        return self.spans[(source, quote)]


# Below this many quotes to place, forking a second process costs more than it saves.
PLACE_AHEAD_MIN_QUOTES = 5000

# Archives are articles of some kilobytes; a larger file in seeds/ is prepared ahead
# only once a source names it.
_PREPARE_MAX_BYTES = 4 << 20


class ArchiveCache:
    """Prepared archives and verdicts, kept by checksum so a rebuild reuses them."""

    def __init__(self) -> None:
        self.texts: dict[str, ArchiveText] = {}
        self.verdicts: dict[tuple[str, str], list[Span] | None] = {}

    def text(self, sha256: str, path: Path) -> ArchiveText:
        text = self.texts.get(sha256)
        if text is None:
            text = ArchiveText.of(path.read_bytes().decode("utf-8", errors="replace"))
            self.texts[sha256] = text
        return text

    def prepare_all(
        self, seeds_dir: Path, digests: dict[Path, tuple[tuple[int, int], str]]
    ) -> None:
        """Hash and prepare every plain archive in ``seeds_dir``, before any source is known.

        Done while a cold load waits for its second process: ``verify`` then finds each
        archive's checksum and prepared text cached (both keyed by what the file holds,
        so nothing it decides changes). Problems are left for ``verify`` to report.
        """
        try:
            entries = list(os.scandir(seeds_dir))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_size > _PREPARE_MAX_BYTES:
                    continue  # not worth guessing at: verify reads it if a source names it
                path = seeds_dir / entry.name
                self.text(file_digest(path, digests), path)
            except OSError:
                continue

    def place_ahead(self, raws: list[RawProfile]) -> Callable[[], None]:
        """Start placing every quote ``raws`` cite in a forked copy of this process, while
        this one validates; call the result to take the copy's verdicts into the cache.

        Sources are matched to archives by the checksum their files record, before any
        file is validated: a checksum that names no prepared archive is skipped, and
        ``verify`` decides everything as before, finding most verdicts ready. Only on a
        cold run: a rebuild has its verdicts, and visiting every citation to find the few
        new ones would cost more than placing them.
        """
        if self.verdicts or not can_fork():
            return lambda: None
        checksums = {raw.id: raw.data.get("sha256") for raw in raws if raw.kind == "sources"}
        wanted: dict[tuple[str, str], None] = {}
        for raw in raws:
            for _, source, quote in raw.citations:
                sha = checksums.get(source)
                if type(sha) is str and sha in self.texts and (sha, quote) not in self.verdicts:
                    wanted[(sha, quote)] = None
        if len(wanted) < PLACE_AHEAD_MIN_QUOTES:
            return lambda: None
        texts = self.texts
        later = in_copy(lambda: [texts[sha].locate(quote) for sha, quote in wanted])

        def take() -> None:
            placed = later.result()
            if placed is not None:
                for key, spans in zip(wanted, placed, strict=True):
                    self.verdicts.setdefault(key, spans)

        return take

    def locate(self, sha256: str, text: ArchiveText, quote: str) -> list[Span] | None:
        key = (sha256, quote)
        if key not in self.verdicts:
            self.verdicts[key] = text.locate(quote)
        return self.verdicts[key]


def verify(
    catalog: Catalog,
    seeds_dir: Path,
    cache: ArchiveCache | None = None,
    digests: dict[Path, tuple[tuple[int, int], str]] | None = None,
    memo: Memo | None = None,
    archives: object = None,
) -> tuple[QuoteIndex, list[FactfileError]]:
    """Place every citation's quote in its source's archive; report each that will not fit.

    Quotes of a source whose archive is missing or changed are not checked: that is
    already one error, and a changed text would only repeat it once per quote.

    With ``memo`` and ``archives`` (a ``memo`` token for the state of seeds/), a profile
    unchanged since the last run keeps its placed quotes while the archives its sources
    name are the same, and a rebuild visits only the edited profiles' citations.
    """
    cache = cache or ArchiveCache()
    digests = digests if digests is not None else {}
    index = QuoteIndex()
    sources = list(catalog.entries["sources"].values())

    def readable(entry: Entry) -> bool:
        source = entry.profile
        assert isinstance(source, Source)
        archive = seeds_dir / source.archive
        return archive.is_file() and file_digest(archive, digests) == source.sha256

    usable: dict[str, tuple[Source, ArchiveText]] = {}
    readable_now = each(memo, "readable", sources, archives, readable)
    for entry, good in zip(sources, readable_now, strict=True):
        if good:
            source = entry.profile
            assert isinstance(source, Source)
            usable[entry.id] = (source, cache.text(source.sha256, seeds_dir / source.archive))
    token: object = None
    if memo is not None and archives is not None:
        # A miss names the source's archive file, so its name is part of the state too.
        named = {id_: (s.sha256, s.archive) for id_, (s, _) in usable.items()}
        token = memo.token("usable", (archives, named))
    index.token = token
    placed = each(memo, "placed", list(catalog), token, lambda e: _place(e, usable, cache))
    # Joined in C: most profiles are unchanged, and visiting each costs more than this.
    index.spans = dict(chain.from_iterable(map(itemgetter(0), placed)))
    cited = dict.fromkeys(chain.from_iterable(map(itemgetter(1), placed)))
    index.texts = {source_id: usable[source_id][1] for source_id in cited}
    return index, list(chain.from_iterable(map(itemgetter(2), placed)))


_Placed = tuple[list[tuple[tuple[str, str], list[Span]]], list[str], list[FactfileError]]
"""A profile's placed quotes by (source, quote), the sources they are in, and its misses."""


def _place(
    entry: Entry, usable: dict[str, tuple[Source, ArchiveText]], cache: ArchiveCache
) -> _Placed:
    spans: list[tuple[tuple[str, str], list[Span]]] = []
    cited: list[str] = []
    errors: list[FactfileError] = []
    for path, source_id, quote in entry.raw.citations:
        found = usable.get(source_id)
        if found is None:
            continue  # a dangling reference or a bad archive, reported already
        source, text = found
        if source_id not in cited:
            cited.append(source_id)
        placed = cache.locate(source.sha256, text, quote)
        if placed is None:
            errors.append(
                FactfileError(
                    entry.raw.locate((*path, "quote")),
                    f"quote not found in source '{source_id}' (seeds/{source.archive})",
                    explain_miss(text, quote, f"seeds/{source.archive}"),
                )
            )
        else:
            spans.append(((source_id, quote), placed))
    return spans, cited, errors
