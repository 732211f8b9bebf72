"""The pipeline's steps, reusing what has not changed since the last run.

Every reuse is keyed on content, never on a file's time alone:

- a profile file's parsed and checked profile, while its bytes are the same (a file is
  read again only when its size, modification or change time or inode moved: the change
  time cannot be set back by hand, so a same-size edit that restores the old
  modification time is still read; its bytes are then compared);
- an archive's prepared text and the places of the quotes found in it, while its bytes
  are the same;
- a page's text, while nothing it read of the wiki when it was last rendered has
  changed (``pages.py``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from .. import archives, load, validate
from ..build import Steps
from ..errors import FactfileError
from ..output import WriteReport, write_pages
from ..project import Project
from ..wiki import Wiki
from .pages import PageReuse

Signature = tuple[int, int, int, int]


def _signature(info: os.stat_result) -> Signature:
    return (info.st_mtime_ns, info.st_size, info.st_ctime_ns, info.st_ino)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass
class _File:
    signature: Signature
    digest: bytes
    shown: str
    result: load.RawProfile | list[FactfileError]


@dataclass
class _Shape:
    raw: load.RawProfile
    """Held so that the key, its ``id``, cannot be taken by another object."""
    result: validate.Entry | list[FactfileError]


class Reuse(Steps):
    """Steps that reuse every result whose inputs are unchanged since the last run."""

    def __init__(self) -> None:
        self._files: dict[str, _File] = {}
        self._shapes: dict[int, _Shape] = {}
        self._archives: dict[str, tuple[Signature, archives.Archive]] = {}
        self.pages = PageReuse()
        # What was last written at each page, so an unchanged page is not read back.
        self._written: dict[str, str | bytes] = {}

    def read(self, found: load.Found, shown: str) -> load.RawProfile | list[FactfileError]:
        kind, path, id_ = found
        try:
            signature = _signature(os.stat(path))
        except OSError:
            return load.read_found(found, shown)
        known = self._files.get(path)
        if known is not None and known.signature == signature and known.shown == shown:
            return known.result
        data = load.read_bytes(path, shown)
        if isinstance(data, FactfileError):
            self._files.pop(path, None)
            return [data]
        digest = _digest(data)
        if known is not None and known.digest == digest and known.shown == shown:
            known.signature = signature
            return known.result
        result = load.parse_bytes(kind, id_, shown, data)
        self._files[path] = _File(signature, digest, shown, result)
        return result

    def shape(self, raw: load.RawProfile) -> validate.Entry | list[FactfileError]:
        known = self._shapes.get(id(raw))
        if known is not None and known.raw is raw:
            return known.result
        result = validate.checked_entry(raw)
        self._shapes[id(raw)] = _Shape(raw, result)
        return result

    def read_archive(self, entry: archives.DirEntry) -> archives.Archive:
        try:
            signature = _signature(entry.stat(follow_symlinks=False))
        except OSError:
            return archives.read_archive(entry)
        known = self._archives.get(entry.name)
        if known is not None and known[0] == signature:
            return known[1]
        archive = archives.read_archive(entry)
        if known is not None and not archive.problem and known[1].sha256 == archive.sha256:
            # The same bytes: keep the prepared text and the quotes already placed in it.
            archive = known[1]
        self._archives[entry.name] = (signature, archive)
        return archive

    def render(self, wiki: Wiki) -> dict[str, str]:
        self._forget_unused(wiki)
        return self.pages.render(wiki)

    def write(self, project: Project, files: dict[str, str | bytes]) -> WriteReport:
        return write_pages(project, files, self._written)

    def _forget_unused(self, wiki: Wiki) -> None:
        """Drop what no current file or archive holds any more."""
        current = {id(entry.raw) for entry in wiki.catalog}
        self._shapes = {key: value for key, value in self._shapes.items() if key in current}
        shown = {entry.raw.path for entry in wiki.catalog}
        self._files = {
            path: known
            for path, known in self._files.items()
            if known.shown in shown or isinstance(known.result, list)
        }
