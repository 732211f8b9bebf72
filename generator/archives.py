"""Stage 1b: read the archived articles under seeds/.

Every plain file in seeds/ is read and hashed, so a source can be checked against the
SHA-256 it records. Only regular files are read: a link (to /etc/passwd, say) or a
device is never opened, hashed, quoted in an error or exported; it is refused with a
reason that the source naming it reports. Texts are prepared for quote matching only
when a source names them.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .quotes import ArchiveText

# An archive is one article of some kilobytes; anything far larger is not an article.
MAX_ARCHIVE_BYTES = 8 << 20


@dataclass
class Archive:
    """One file in seeds/: its checksum and text, or why it cannot be used."""

    name: str
    sha256: str = ""
    data: bytes = field(default=b"", repr=False)
    problem: str = ""
    """Empty when the file was read; otherwise what is wrong (a link, unreadable...)."""
    _text: ArchiveText | None = field(default=None, repr=False)

    @property
    def text(self) -> ArchiveText:
        """The text prepared for matching quotes (once per archive)."""
        if self._text is None:
            self._text = ArchiveText.of(self.data.decode("utf-8", errors="replace"))
        return self._text


Archives = dict[str, Archive]
"""Every file in seeds/ by name."""

DirEntry = os.DirEntry[str]
ReadArchive = Callable[[DirEntry], Archive]
"""Reads one entry of seeds/ into an ``Archive``."""


def read_archives(seeds_dir: Path, read: ReadArchive | None = None) -> Archives:
    """Every file in ``seeds_dir`` by name; an empty mapping if there is no such folder.

    ``read`` reads one entry (``read_archive`` unless given: the reuse of unchanged
    archives plugs in here).
    """
    read = read or read_archive
    try:
        with os.scandir(seeds_dir) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return {}
    return {entry.name: read(entry) for entry in entries if not entry.name.startswith(".")}


def read_named(seeds_dir: Path, name: str) -> Archives:
    """The one file ``name`` in ``seeds_dir``, as ``read_archives`` would read it; empty
    if there is no such file."""
    try:
        with os.scandir(seeds_dir) as listing:
            return {entry.name: read_archive(entry) for entry in listing if entry.name == name}
    except OSError:
        return {}


def read_archive(entry: DirEntry) -> Archive:
    """One entry of seeds/, read only if it is a regular file of a sane size."""
    try:
        # The link itself, never what it points at.
        info = entry.stat(follow_symlinks=False)
    except OSError as exc:
        return Archive(entry.name, problem=f"cannot be read ({exc.strerror})")
    if stat.S_ISLNK(info.st_mode):
        return Archive(entry.name, problem="is a link: archives must be plain files in seeds/")
    if not stat.S_ISREG(info.st_mode):
        return Archive(entry.name, problem="is not a plain file")
    try:
        # O_NOFOLLOW: the file cannot be swapped for a link between the check and here.
        fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_ARCHIVE_BYTES + 1)
    except OSError as exc:
        return Archive(entry.name, problem=f"cannot be read ({exc.strerror})")
    if len(data) > MAX_ARCHIVE_BYTES:
        return Archive(
            entry.name, problem=f"is larger than {MAX_ARCHIVE_BYTES:,} bytes: not an article"
        )
    return Archive(entry.name, hashlib.sha256(data).hexdigest(), data)
