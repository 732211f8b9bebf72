"""What a page reads of the wiki, recorded while it renders.

The wiki's accessors call ``read(key)`` for each thing they hand out: a profile (its
``Ref``), the list of a kind's profiles, the relations and citations pointing at a
profile. Outside ``recording()`` that costs one context-variable lookup and records
nothing. ``reuse.pages`` records each page's reads and, after an edit, renders again
exactly the pages that read something the edit changed: no table of what each template
shows is kept by hand.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_reads: ContextVar[set[Hashable] | None] = ContextVar("factfile_reads", default=None)


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
