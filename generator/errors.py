"""The one error type: a message tied to a place in a file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. A key,
# a file name or an archive's text quoted in a message could otherwise move a terminal's
# cursor, make a link (ESC ] 8), or start a line of its own that an editor or a CI log
# takes for another error, or for a workflow command such as ``::warning``.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(text: str) -> str:
    """``text`` with each control character written as a visible escape: ``\\n``,
    ``\\x1b``, ``\\u2028``."""
    if text.isprintable():  # most messages: nothing to look for
        return text
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass(frozen=True, order=True)
class Location:
    """A position in a project file; ``line`` and ``col`` count from 1 (0 means unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return shown(self.path)
        return f"{shown(self.path)}:{self.line}:{self.col or 1}"


@dataclass(frozen=True)
class FactfileError:
    """One problem a contributor must fix, with where and, optionally, how.

    ``detail`` holds extra lines (such as the closest passage to a missing quote);
    they are printed indented under the ``path:line:col: message`` line.
    """

    location: Location
    message: str
    detail: str = ""

    def __str__(self) -> str:
        head = f"{self.location}: {shown(self.message)}"
        if not self.detail:
            return head
        # The detail's own lines are kept; any other line break in them is escaped.
        body = "\n".join("    " + shown(line) if line else "" for line in self.detail.split("\n"))
        return f"{head}\n{body}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.message)


class FactfileErrors(Exception):
    """Raised once, after a stage has collected every problem it found."""

    def __init__(self, errors: Iterable[FactfileError]) -> None:
        self.errors: list[FactfileError] = sorted(set(errors), key=FactfileError.sort_key)
        super().__init__(self.report())

    def __iter__(self) -> Iterator[FactfileError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def report(self) -> str:
        count = len(self.errors)
        lines = [str(error) for error in self.errors]
        lines.append(f"{count} error{'s' if count != 1 else ''} found.")
        return "\n".join(lines)
