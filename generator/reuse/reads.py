"""What a page reads of the wiki, recorded while it renders.

The wiki's accessors call ``read(key)`` for each thing they hand out: a profile (its
``Ref``), the list of a kind's profiles, the relations and citations pointing at a
profile. Outside ``recording()`` that costs one context-variable lookup and records
nothing. ``reuse.pages`` records each page's reads and, after an edit, renders again
exactly the pages that read something the edit changed: no table of what each template
shows is kept by hand.

Within a page, a part made for each of many profiles (a row of an index) can be kept
the same way (``kept``): made again only if something it read changed, its reads
counted as the page's when it is reused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_reads: ContextVar[set[Hashable] | None] = ContextVar("factfile_reads", default=None)


@dataclass(frozen=True)
class Kept:
    """A text, and every key read while it was made."""

    text: str
    reads: frozenset[Hashable]


# The parts of the page being rendered: last time's, the keys changed since, this time's.
_Parts = tuple[Mapping[Hashable, Kept], set[Hashable] | None, dict[Hashable, Kept]]
_parts: ContextVar[_Parts | None] = ContextVar("factfile_parts", default=None)


def read(key: Hashable) -> None:
    """Note that the page being rendered read ``key``."""
    reads = _reads.get()
    if reads is not None:
        reads.add(key)


@contextmanager
def recording() -> Iterator[set[Hashable]]:
    """Collect every key read inside the block; an enclosing recording sees them too."""
    reads: set[Hashable] = set()
    outer = _reads.get()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)
        if outer is not None:
            outer.update(reads)


@contextmanager
def keeping(
    last: Mapping[Hashable, Kept], changed: set[Hashable] | None
) -> Iterator[dict[Hashable, Kept]]:
    """Let ``kept`` reuse ``last``'s parts that read none of ``changed`` (None: every
    key may have changed) inside the block; yields the parts made or reused in it."""
    made: dict[Hashable, Kept] = {}
    token = _parts.set((last, changed, made))
    try:
        yield made
    finally:
        _parts.reset(token)


def kept(key: Hashable, make: Callable[[], str]) -> str:
    """``make()``, or the text it gave last time for ``key`` if nothing it read has
    changed since; outside ``keeping``, always ``make()``.

    Only for a part that is all in its text: a reused part does not run ``make``, so
    anything ``make`` would do beside returning it (adding a footnote to the page, say)
    would be lost.
    """
    parts = _parts.get()
    if parts is None:
        return make()
    last, changed, made = parts
    known = last.get(key)
    if known is not None and changed is not None and known.reads.isdisjoint(changed):
        outer = _reads.get()
        if outer is not None:
            outer.update(known.reads)
    else:
        with recording() as reads:
            text = make()
        known = Kept(text, frozenset(reads))
    made[key] = known
    return known.text
