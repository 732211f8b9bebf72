"""Tokens that let a rebuild reuse what it decided about an unchanged file.

A check across files (does this reference resolve? is this quote in its archive?)
depends on the file and on something about the whole wiki (the ids that exist, the
archives that can be read). Each result is kept on the file's raw profile with a token
for that whole-wiki state; while the state is equal to the last run's, the token is the
very same object, so an unchanged file's result is reused by one identity test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


class Memo:
    """The last value of each whole-wiki state, with the token that stands for it."""

    def __init__(self) -> None:
        self._states: dict[str, tuple[object, object]] = {}
        self._results: dict[str, tuple[object, Any]] = {}

    def reuse(self, name: str, value: object, compute: Callable[[], _T]) -> _T:
        """``compute()``, or what it gave last time if ``value`` is equal to last time's."""
        known = self._results.get(name)
        if known is not None and known[0] == value:
            return known[1]  # type: ignore[no-any-return]
        result = compute()
        self._results[name] = (value, result)
        return result

    def token(self, name: str, value: object) -> object:
        known = self._states.get(name)
        if known is not None and known[0] == value:
            return known[1]
        token = object()
        self._states[name] = (value, token)
        return token


def recall(derived: dict[str, Any], name: str, token: object | None) -> Any:
    """The result kept under ``name`` for ``token``, or None (never with no token)."""
    if token is None:
        return None
    kept = derived.get(name)
    if kept is not None and kept[0] is token:
        return kept[1]
    return None


def keep(derived: dict[str, Any], name: str, token: object | None, result: Any) -> Any:
    if token is not None:
        derived[name] = (token, result)
    return result
