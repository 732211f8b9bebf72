"""What a rebuild may reuse of the last run: cross-file verdicts on unchanged files.

A check across files (does this reference resolve? is this quote in its archive?)
depends on the file and on a state of the whole wiki (the ids that exist, the archives
that can be read). ``Memo.token`` gives each such state a token that stays the very
same object while the state is equal to the last run's; ``Memo.each`` then reuses the
result of every file whose parsed object is the one it saw last time under that token,
so a rebuild after an edit computes only the edited files' results, and never touches
the others' objects at all: at 10,000 profiles, merely visiting each file's cached
result cost more than the whole check of the edited one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")


class Memo:
    """The last value of each whole-wiki state with the token that stands for it, and the
    last results of each check run over every file."""

    def __init__(self) -> None:
        self._states: dict[str, tuple[object, object]] = {}
        self._results: dict[str, tuple[object, Any]] = {}
        self._runs: dict[str, tuple[object, list[Any], list[Any]]] = {}

    def token(self, name: str, value: object) -> object:
        known = self._states.get(name)
        if known is not None and known[0] == value:
            return known[1]
        token = object()
        self._states[name] = (value, token)
        return token

    def reuse(self, name: str, value: object, compute: Callable[[], _T]) -> _T:
        """``compute()``, or what it gave last time if ``value`` is equal to last time's."""
        known = self._results.get(name)
        if known is not None and known[0] == value:
            return known[1]  # type: ignore[no-any-return]
        result = compute()
        self._results[name] = (value, result)
        return result

    def each(
        self, name: str, items: list[_T], token: object, compute: Callable[[_T], _R]
    ) -> list[_R]:
        """``[compute(item) for item in items]``, reusing last time's result for every item
        that is the very same object as then, if ``token`` is too (None is no token: the
        results then depend on a state nothing vouches for, and are not reused)."""
        last = self._runs.get(name)
        if last is None or token is None or last[0] is not token:
            results = [compute(item) for item in items]
        else:
            # The last items are still referenced here, so no new object can share an
            # id with one of them: an equal id is the same object.
            known = dict(zip(map(id, last[1]), last[2], strict=True))
            results = [
                known[key] if (key := id(item)) in known else compute(item) for item in items
            ]
        self._runs[name] = (token, items, results)
        return results


ALWAYS = object()
"""The token of a check that depends on the file alone."""


def each(
    memo: Memo | None, name: str, items: list[_T], token: object, compute: Callable[[_T], _R]
) -> list[_R]:
    """``memo.each``, or a plain run over every item without a memo."""
    if memo is None:
        return [compute(item) for item in items]
    return memo.each(name, items, token, compute)
