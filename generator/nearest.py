"""The passage of an archive most like a quote that was not found in it.

A miss is shown to the contributor with the closest passage: of all runs of whole
words as many as the quote has, the one whose ``difflib`` ratio to the quote is
highest, the first such run when several score the same. Scoring every run took
minutes for a long quote; this module scores few runs, and each one faster.

1. Anchors. Slices of the quote, a few dozen spread along it, are looked up in the
   archive; each place one occurs votes for the run that would put it where the quote
   has it. The runs starting at the best-voted words, and a few words either side, are
   scored first.
2. Bounds. A run is scored only if the ratio it could at most reach (``difflib``'s
   ``quick_ratio``, from letter counts) beats the best so far, as before. In an archive
   up to ``SWEEP_MAX_CHARS`` long, every run's bound is then checked and the runs that
   could still win are scored, highest bound first: when they all fit in the budget,
   the search is *exhaustive* and its answer is the full scan's.
3. Scores. A ratio is ``difflib``'s, exactly: the blocks matched are those
   ``SequenceMatcher(None, run, quote, autojunk=False)`` finds, by the same recursion
   (the longest block, first in the run and then in the quote among the longest, then
   the parts either side of it). Blocks of 12 characters or more are found from seeds,
   shorter ones by length with ``str.find``, and what the blocks of a part of the
   archive cover is kept for the overlapping runs that hold the same part.

A one-word quote is compared with each distinct word of the archive once instead,
nearest in length first, which finds the full scan's answer.

All scoring draws on one budget: at most ``MAX_SCORED`` runs and ``WORK_BUDGET`` units
of work (a unit is roughly one step of Python), so the time a miss takes is bounded
whatever the archive's size. Only a quote unlike any passage in the archive (absent
from it, or rewritten) runs out of budget; its answer is then the best run scored.
``search`` reports what was done, which the tests use to count work.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

Span = tuple[int, int]

# Stretches of at least this many characters shared by a run and the quote are found
# from seeds (the quote's slices of this length).
SEED = 12
# Slices of the quote looked up in the archive, how long, the places of each taken at
# most, and the votes they may cast in all (rarest slices first).
SLICES = 32
SLICE_CHARS = 10
SLICE_MAX_HITS = 256
MAX_VOTES = 1024
# Best-voted words to start runs at, and words either side of each.
ANCHORS = 6
SLACK = 3
# Every run's bound is checked in archives up to this many characters.
SWEEP_MAX_CHARS = 64_000
# Limits on scoring, whatever the archive.
MAX_SCORED = 512
WORK_BUDGET = 300_000

# Every character ``str.split`` takes for white space, but the space.
_OTHER_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass
class Search:
    """What a search found, and what finding it cost."""

    span: Span
    score: float | None
    """The passage's ratio, or None when not even one run could be scored in budget."""
    scored: int = 0
    """Runs whose ratio was computed."""
    work: int = 0
    """Units of work spent scoring: letter pairs compared, letters and seeds read."""
    exhaustive: bool = False
    """Whether every run that could score higher than ``score`` was scored: the span
    is then the first run of highest ratio in the whole archive."""


def closest_passage(normal: str, piece: str) -> Span:
    """The [start, end) offsets in ``normal`` of the passage of whole words most like ``piece``."""
    return search(normal, piece).span


# --- words -----------------------------------------------------------------------------


class _Words:
    """The words of a text, as the offsets of runs of characters other than white space.

    Runs of words are known by the offset of their first word, so runs compare in the
    order they come in the text. In a text with one space between words (``normal``
    always is) nothing is split beyond the parts asked for.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.spaced = "  " not in text and not any(c in text for c in _OTHER_SPACE)
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        if not self.spaced:
            self._index()
        if self.spaced:
            size = len(text)
            self.first = 1 if text[:1] == " " else 0
            self.stop = size - 1 if size > self.first and text[-1:] == " " else size
        else:
            self.first = self._starts[0] if self._starts else 0
            self.stop = self._ends[-1] if self._ends else 0
        # ``first``: where the first word starts; ``stop``: where the last word ends.

    @property
    def empty(self) -> bool:
        return self.first >= self.stop if self.spaced else not self._starts

    def _index(self) -> None:
        spans = [m.span() for m in re.finditer(r"\S+", self.text)]
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def all(self) -> tuple[list[int], list[int]]:
        """Every word's start and end."""
        if self._starts is None or self._ends is None:
            words = self.text.split()
            cum = list(accumulate(map(len, words)))
            self._ends = [self.first + c + i for i, c in enumerate(cum)]
            self._starts = [e - len(w) for e, w in zip(self._ends, words, strict=True)]
        return self._starts, self._ends

    def word_at(self, offset: int) -> int:
        """The start of the word at ``offset``, or of the next one (the last, at the end)."""
        if not self.spaced:
            starts, ends = self.all()
            k = bisect.bisect_right(ends, offset)
            return starts[min(k, len(starts) - 1)]
        text = self.text
        if offset <= self.first:
            return self.first
        if offset >= self.stop:
            last = self.before(self.stop)
            return last if last is not None else self.first
        if text[offset] == " ":
            return offset + 1
        return text.rfind(" ", 0, offset) + 1

    def after(self, start: int) -> int | None:
        """The start of the word after the one starting at ``start``."""
        if not self.spaced:
            starts, _ = self.all()
            k = bisect.bisect_left(starts, start) + 1
            return starts[k] if k < len(starts) else None
        space = self.text.find(" ", start, self.stop)
        return None if space == -1 else space + 1

    def before(self, start: int) -> int | None:
        """The start of the word before the one starting at ``start`` (or ending there)."""
        if not self.spaced:
            starts, _ = self.all()
            k = bisect.bisect_left(starts, start) - 1
            return starts[k] if k >= 0 else None
        if start <= self.first:
            return None
        return self.text.rfind(" ", 0, start - 1) + 1

    def end(self, start: int, width: int) -> int | None:
        """The end of the run of ``width`` words starting at ``start``; None past the end."""
        if not self.spaced:
            starts, ends = self.all()
            k = bisect.bisect_left(starts, start) + width - 1
            return ends[k] if k < len(ends) else None
        text, stop = self.text, self.stop
        position = start
        for _ in range(width - 1):
            space = text.find(" ", position, stop)
            if space == -1:
                return None
            position = space + 1
        space = text.find(" ", position, stop)
        return stop if space == -1 else space

    def last(self, width: int) -> int:
        """The start of the last run of ``width`` words (the first word, if fewer)."""
        if not self.spaced:
            starts, _ = self.all()
            return starts[max(0, len(starts) - width)]
        start = self.before(self.stop) if self.stop > self.first else self.first
        assert start is not None
        for _ in range(width - 1):
            previous = self.before(start)
            if previous is None:
                break
            start = previous
        return start


# --- exact scores ------------------------------------------------------------------------


class _OverBudget(Exception):
    pass


_Part = tuple[int, int, int, int]


class _Scorer:
    """``difflib`` ratios of runs to one piece, with the work they took counted."""

    def __init__(self, piece: str) -> None:
        self.piece = piece
        self.counts = Counter(piece)
        positions: dict[str, list[int]] = {}
        for j, char in enumerate(piece):
            positions.setdefault(char, []).append(j)
        self.positions = positions
        grams: dict[str, list[int]] = {}
        for j in range(len(piece) - SEED + 1):
            grams.setdefault(piece[j : j + SEED], []).append(j)
        self.grams = grams
        self.work = 0
        self.scored = 0
        self.limit = WORK_BUDGET
        # What the blocks of parts of the archive cover, by (start, end, start in the
        # piece, end in the piece): runs that overlap share most of their parts.
        self.kept: dict[_Part, int] = {}

    def bound(self, text: str) -> float:
        """``SequenceMatcher.quick_ratio``: at least the ratio, from letter counts only."""
        self.work += len(text) // 8
        shared = sum((Counter(text) & self.counts).values())
        return _ratio(shared, len(text) + len(self.piece))

    def ratio(self, text: str, at: int | None = None) -> float | None:
        """``SequenceMatcher(None, text, piece, autojunk=False).ratio()``, or None if it
        could not be computed within the budget. ``text`` is at ``at`` in the archive."""
        try:
            matches = self.matches(text, at)
        except _OverBudget:
            return None
        self.scored += 1
        return _ratio(matches, len(text) + len(self.piece))

    def _spend(self, units: int) -> None:
        self.work += units
        if self.work > self.limit:
            raise _OverBudget

    def matches(self, a: str, at: int | None = None) -> int:
        """How many characters the matching blocks of ``a`` and the piece cover.

        ``a`` is the run at offset ``at`` of the archive, if given: the blocks of a
        part of it that shares no long stretch with the piece are then kept, and
        another run holding the same part counts them without looking again.
        """
        kept = self.kept if at is not None else {}
        at = at or 0
        la, lb = len(a), len(self.piece)
        # The recursion of ``get_matching_blocks``: the longest block (first in ``a``,
        # then in the piece, among the longest), then the parts either side of it. A
        # block of SEED characters or more is a run of seeds along one diagonal, cut
        # to the part searched; a shorter one is looked for letter by letter.
        total = 0
        stack = [(0, la, 0, lb, self._runs(a))]
        while stack:
            alo, ahi, blo, bhi, runs = stack.pop()
            i = j = size = 0
            for ri, rj, rl in runs:
                cut = max(alo - ri, blo - rj, 0)
                length = min(ahi - ri, bhi - rj, rl) - cut
                if length > size or (length == size and (ri + cut, rj + cut) < (i, j)):
                    i, j, size = ri + cut, rj + cut, length
            if size < SEED:
                total += self._gaps(a, alo, ahi, blo, bhi, at, kept)
                continue
            total += size
            if alo < i and blo < j:
                stack.append((alo, i, blo, j, _within(runs, alo, i, blo, j)))
            if i + size < ahi and j + size < bhi:
                right = _within(runs, i + size, ahi, j + size, bhi)
                stack.append((i + size, ahi, j + size, bhi, right))
            self._spend(2 + 3 * len(runs))
        return total

    def _gaps(
        self, a: str, alo: int, ahi: int, blo: int, bhi: int, at: int, kept: dict[_Part, int]
    ) -> int:
        """What the blocks of a part sharing no stretch of SEED characters cover: the
        same recursion, each part's total kept by where it is in the archive."""
        whole = (alo + at, ahi + at, blo, bhi)
        pending: dict[_Part, list[_Part]] = {}
        # Each part is visited twice: to find its block, then, once the parts either
        # side are counted, to add them up.
        stack: list[tuple[int, int, int, int, int]] = [(alo, ahi, blo, bhi, -1)]
        while stack:
            alo, ahi, blo, bhi, size = stack.pop()
            key = (alo + at, ahi + at, blo, bhi)
            if size < 0:
                if key in kept:
                    continue
                i, j, size = self._longest(a, alo, ahi, blo, bhi)
                stack.append((alo, ahi, blo, bhi, size))
                if size:
                    pending[key] = sides = []
                    if alo < i and blo < j:
                        sides.append((alo + at, i + at, blo, j))
                        stack.append((alo, i, blo, j, -1))
                    if i + size < ahi and j + size < bhi:
                        sides.append((i + size + at, ahi + at, j + size, bhi))
                        stack.append((i + size, ahi, j + size, bhi, -1))
            else:
                kept[key] = size + sum(kept[side] for side in pending.pop(key, ()))
        return kept[whole]

    def _longest(self, a: str, alo: int, ahi: int, blo: int, bhi: int) -> tuple[int, int, int]:
        """``SequenceMatcher.find_longest_match`` without junk, for a part sharing no
        stretch of SEED characters: the longest block of ``a[alo:ahi]`` and
        ``piece[blo:bhi]``, the first in ``a`` and then in the piece among the longest.

        Found by length, with ``str.find``: the longest length some slice of ``a`` has
        in the piece (shorter than SEED, so a few tries), then its first slice found."""
        b = self.piece
        rows, across = ahi - alo, bhi - blo
        cost = 2 + across // 64

        def first(length: int) -> tuple[int, int]:
            self._spend(cost * (ahi - length + 1 - alo))
            for i in range(alo, ahi - length + 1):
                j = b.find(a[i : i + length], blo, bhi)
                if j != -1:
                    return i, j
            return -1, -1

        low, high = 0, min(rows, across, SEED - 1)
        found = (alo, blo)
        while low < high:
            middle = (low + high + 1) // 2
            at = first(middle)
            if at[0] == -1:
                high = middle - 1
            else:
                low, found = middle, at
        # ``found`` is from the last length tried that was found: the longest.
        return found[0], found[1], low

    def _runs(self, a: str) -> list[tuple[int, int, int]]:
        """Every stretch of SEED characters or more that ``a`` shares with the piece, as
        (start in ``a``, start in the piece, length), each as long as it goes."""
        grams = self.grams
        last: dict[int, list[int]] = {}
        runs: list[list[int]] = []
        seeds = 0
        for i in range(len(a) - SEED + 1):
            js = grams.get(a[i : i + SEED])
            if js is None:
                continue
            seeds += len(js)
            for j in js:
                run = last.get(i - j)
                if run is not None and run[0] + run[2] - SEED + 1 == i:
                    run[2] += 1
                else:
                    run = [i, j, SEED]
                    runs.append(run)
                    last[i - j] = run
        self._spend(2 * len(a) + len(self.piece) + seeds)
        return [(ri, rj, rl) for ri, rj, rl in runs]


def _within(
    runs: list[tuple[int, int, int]], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int, int]]:
    """The runs that keep at least SEED characters inside the given part."""
    return [
        run
        for run in runs
        if min(ahi - run[0], bhi - run[1], run[2]) - max(alo - run[0], blo - run[1], 0) >= SEED
    ]


def _ratio(matches: int, length: int) -> float:
    # As ``difflib`` computes it, so that equal ratios compare equal.
    return 2.0 * matches / length if length else 1.0


# --- the search ------------------------------------------------------------------------


def search(normal: str, piece: str) -> Search:
    """The first run of words of ``normal`` most like ``piece``, and what finding it cost."""
    words = _Words(normal)
    if words.empty:
        return Search((0, 0), None, exhaustive=True)
    width = max(1, len(piece.split()))
    last = words.last(width)
    if last == words.first:
        # As many words as the piece or fewer: the one run there is.
        end = words.end(last, width)
        return Search((last, words.stop if end is None else end), None, exhaustive=True)
    scorer = _Scorer(piece)
    best = _Best(words, width, scorer)
    if width == 1:
        _one_word(words, best)
        return best.result(exhaustive=True)
    # Highest bound first: a wrong anchor must not spend the budget before a right one.
    anchored = []
    for rank, start in enumerate(_anchored(words, piece, width, last)):
        end = words.end(start, width)
        assert end is not None
        anchored.append((-scorer.bound(normal[start:end]), rank, start, end))
    for bound, _, start, end in sorted(anchored):
        best.offer(start, end, bound=-bound)
    exhaustive = len(normal) <= SWEEP_MAX_CHARS
    if exhaustive:
        for bound, start in _bounds(words, width, scorer):
            if not best.beats(bound, start):
                break
            best.offer(start, bound=bound)
            if best.spent:
                break
    return best.result(exhaustive)


class _Best:
    """The best run so far: highest ratio, then first in the archive."""

    def __init__(self, words: _Words, width: int, scorer: _Scorer) -> None:
        self.words = words
        self.width = width
        self.scorer = scorer
        self.start = -1
        self.end = -1
        self.score = -1.0
        self.known: dict[str, float] = {}
        self.spent = False
        self.fallback: Span | None = None

    def beats(self, bound: float, start: int) -> bool:
        """Whether the run at ``start`` could displace the best with a ratio of ``bound``."""
        return bound > self.score or (bound == self.score and start < self.start)

    def offer(self, start: int, end: int | None = None, bound: float | None = None) -> None:
        """Score the run at ``start`` unless it cannot beat the best or the budget is spent."""
        if self.spent:
            return
        if end is None:
            end = self.words.end(start, self.width)
            assert end is not None
        text = self.words.text[start:end]
        score = self.known.get(text)
        if score is None:
            scorer = self.scorer
            size = len(scorer.piece)
            if not self.beats(_ratio(min(len(text), size), len(text) + size), start):
                return
            if bound is None:
                bound = scorer.bound(text)
            if not self.beats(bound, start):
                return
            if scorer.scored >= MAX_SCORED:
                self.spent = True
                return
            score = scorer.ratio(text, start)
            if score is None:
                self.spent = True
                if self.fallback is None:
                    self.fallback = (start, end)
                return
            self.known[text] = score
        if self.beats(score, start):
            self.start, self.end, self.score = start, end, score

    def result(self, exhaustive: bool) -> Search:
        span, score = (self.start, self.end), self.score
        if self.start < 0:
            assert self.fallback is not None
            span, score = self.fallback, None
        scorer = self.scorer
        return Search(
            span,
            score,
            scored=scorer.scored,
            work=scorer.work,
            exhaustive=exhaustive and not self.spent,
        )


def _anchored(words: _Words, piece: str, width: int, last: int) -> list[int]:
    """Starts of the runs to score first: around the places that slices of the piece
    put it, best-voted first, then first in the archive."""
    votes = _slice_votes(words, piece, last)
    by_word = {word: len(slices) for word, slices in votes.items()}
    order: list[int] = []
    seen: set[int] = set()
    for anchor, _ in sorted(by_word.items(), key=lambda kv: (-kv[1], kv[0]))[:ANCHORS]:
        for start in _around(words, anchor, last):
            if start not in seen:
                seen.add(start)
                order.append(start)
    return order or [words.first]


def _slice_votes(words: _Words, piece: str, last: int) -> dict[int, set[int]]:
    """For each word where the piece could start, the slices of it that put it there.

    Each slice votes once for a word: where the piece would start if the slice is where
    it has it. A start past the last run's, or before the archive, by more than the piece
    could have added there, is no vote. Shorter slices are tried only if no longer one is
    found anywhere.
    """
    votes: dict[int, set[int]] = {}
    reach = SLICE_CHARS + len(piece) // 10
    size = min(SLICE_CHARS, len(piece))
    while not votes and size >= 3:
        # The rarest slices first: they place the piece best. The commonest are left
        # out once enough votes are cast, unless no rarer slice was found at all.
        cast = 0
        for count, offset, hits in sorted(_slice_hits(words.text, piece, size)):
            if cast and cast + count > MAX_VOTES:
                break
            cast += count
            for at in hits:
                at -= offset
                if -reach <= at <= last + reach:
                    word = min(words.word_at(max(at, 0)), last)
                    votes.setdefault(word, set()).add(offset)
        size //= 2
    return votes


def _slice_hits(text: str, piece: str, size: int) -> list[tuple[int, int, list[int]]]:
    """Slices of ``size`` characters spread along the piece that occur in the text: how
    often (up to a limit), where the slice starts in the piece, and where in the text."""
    room = len(piece) - size
    offsets = sorted({round(k * room / (SLICES - 1)) for k in range(SLICES)} if room else {0})
    found = []
    for offset in offsets:
        part = piece[offset : offset + size]
        hits = []
        at = text.find(part)
        while at != -1 and len(hits) < SLICE_MAX_HITS:
            hits.append(at)
            at = text.find(part, at + 1)
        if hits:
            found.append((len(hits), offset, hits))
    return found


def _around(words: _Words, anchor: int, last: int) -> list[int]:
    """A run's start and the starts of the few runs either side of it."""
    around = [anchor]
    start: int | None = anchor
    for _ in range(SLACK):
        start = words.before(start) if start is not None else None
        if start is not None:
            around.append(start)
    start = anchor
    for _ in range(SLACK):
        start = words.after(start) if start is not None else None
        if start is not None and start <= last:
            around.append(start)
    return around


def _bounds(words: _Words, width: int, scorer: _Scorer) -> list[tuple[float, int]]:
    """Every run's ``quick_ratio`` and start, highest first, then first in the archive."""
    text = words.text
    need = scorer.counts
    starts, ends = words.all()
    size = len(scorer.piece)
    # Spaces are left out of the count: between words, a run has one fewer than it has
    # words, and so has the piece. Every other character is counted in and out once.
    spaces = width - 1 if words.spaced else 0
    shared_spaces = min(spaces, need.get(" ", 0)) if words.spaced else 0
    have: dict[str, int] = dict.fromkeys(need, 0)
    if words.spaced:
        have.pop(" ", None)
    shared = 0
    first = last = starts[0]
    out = []
    for k in range(len(starts) - width + 1):
        start, end = starts[k], ends[k + width - 1]
        for char in text[first:start]:
            if char in have:
                count = have[char] - 1
                have[char] = count
                if count < need[char]:
                    shared -= 1
        for char in text[last:end]:
            if char in have:
                count = have[char]
                if count < need[char]:
                    shared += 1
                have[char] = count + 1
        first, last = start, end
        out.append((-_ratio(shared + shared_spaces, end - start + size), start))
    out.sort()
    return [(-bound, start) for bound, start in out]


def _one_word(words: _Words, best: _Best) -> None:
    """Runs of one word: each distinct word is scored once, at its first place."""
    text = words.text
    if words.spaced:
        # Distinct words in the order they first occur; where, only for those scored.
        distinct = list(dict.fromkeys(text.split()))
        places: dict[str, tuple[int, int]] = {}
    else:
        starts, ends = words.all()
        places = {}
        for start, end in zip(reversed(starts), reversed(ends), strict=True):
            places[text[start:end]] = (start, end)
        distinct = sorted(places, key=lambda word: places[word][0])
    size = len(best.scorer.piece)

    def bound(word: str) -> float:
        return _ratio(min(len(word), size), len(word) + size)

    rank = {word: k for k, word in enumerate(distinct)}
    for word in sorted(distinct, key=lambda word: (-bound(word), rank[word])):
        place = places.get(word) or _first_place(text, word)
        if not best.beats(bound(word), place[0]):
            break
        best.offer(*place)
        if best.spent:
            break


def _first_place(text: str, word: str) -> tuple[int, int]:
    """Where ``word`` first occurs as a whole word of a text with one space between words."""
    at = text.find(word)
    while (at > 0 and text[at - 1] != " ") or (
        at + len(word) < len(text) and text[at + len(word)] != " "
    ):
        at = text.find(word, at + 1)
    return at, at + len(word)
