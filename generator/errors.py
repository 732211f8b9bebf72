"""The one error type: a message tied to a place in a file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A position in a project file; ``line`` and ``col`` count from 1 (0 means unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


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
        head = f"{self.location}: {self.message}"
        if not self.detail:
            return head
        body = "\n".join("    " + line if line else "" for line in self.detail.splitlines())
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
