"""Stage 6: write generated pages into their folders under docs/ (and the few generated
files at its top, such as the feed), and only there.

A page is rewritten only when its bytes change, so MkDocs' dirty builds and the
live-reload watcher see just the pages an edit touched; pages whose profile is
gone are removed. Nothing outside the generated folders is ever touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from .errors import FactfileError, FactfileErrors, Location
from .project import GENERATED_DIRS, GENERATED_FILES, Project


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


@lru_cache(maxsize=1 << 16)
def _checked_target(docs: str, page: str) -> str:
    """The file for a page path, refusing any path that could leave a generated folder."""
    # Plain strings and a memo: the same pages are written on every rebuild, and making
    # and checking a Path for each was most of a rebuild's writing time.
    pure = PurePosixPath(page)
    if page in GENERATED_FILES:
        return os.path.join(docs, page)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or len(pure.parts) < 2
        or pure.parts[0] not in GENERATED_DIRS
        or "\\" in page
    ):
        raise FactfileErrors([FactfileError(Location(page), "refusing to write outside docs/")])
    return os.path.join(docs, *pure.parts)


def _check_folders(project: Project) -> None:
    """A generated folder that is a link, or resolves elsewhere, is never written through."""
    docs = project.docs_dir.resolve()
    problems = []
    for folder in project.generated_dirs():
        if folder.is_symlink() or (folder.exists() and folder.resolve().parent != docs):
            problems.append(
                FactfileError(
                    # Named as it sits in the wiki, not where a link leads.
                    Location(folder.relative_to(project.root).as_posix()),
                    "generated folder is a link or not a plain folder under docs/: remove it",
                )
            )
    if problems:
        raise FactfileErrors(problems)


def write_pages(
    project: Project,
    pages: dict[str, str] | dict[str, str | bytes],
    written: dict[str, str | bytes] | None = None,
) -> WriteReport:
    """Write every page whose file differs from its text; remove pages no longer generated.

    ``written`` maps each page to the text last written there (or found there), and is
    kept up to date: a page whose text is the same and whose file still exists is not
    read back. A file edited by hand behind the generator's back is only noticed by a
    fresh ``written``; a deleted one always is.
    """
    report = WriteReport()
    known: dict[str, str | bytes] = written if written is not None else {}
    _check_folders(project)
    docs = str(project.docs_dir)
    existing = _existing_files(project)
    targets = {_checked_target(docs, page): page for page in pages}
    made: set[str] = set()
    for path in sorted(targets):
        page = targets[path]
        text = pages[page]
        if path in existing and known.get(page) == text:
            report.unchanged += 1
            continue
        data = text.encode("utf-8") if isinstance(text, str) else text
        try:
            with open(path, "rb") as handle:
                same = handle.read() == data
        except OSError:
            same = False
        if same:
            known[page] = text
            report.unchanged += 1
            continue
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        atomic_write(path, data)
        known[page] = text
        report.written.append(page)
    for path in sorted(existing - targets.keys(), reverse=True):
        os.unlink(path)
        report.removed.append(project.relative(Path(path)))
    for page in known.keys() - pages.keys():
        del known[page]
    if report.removed:
        _remove_empty_folders(project)
    return report


def _existing_files(project: Project) -> set[str]:
    """Every file now in the generated folders, and each generated file that exists."""
    found = {
        os.path.join(project.docs_dir, name)
        for name in GENERATED_FILES
        if (project.docs_dir / name).is_symlink() or (project.docs_dir / name).is_file()
    }
    for folder in project.generated_dirs():
        if folder.is_dir():
            for dirpath, _, filenames in os.walk(folder):
                prefix = dirpath + os.sep  # os.path.join per file was half this walk
                found.update(prefix + name for name in filenames)
    return found


def _remove_empty_folders(project: Project) -> None:
    """Folders left empty by removed pages."""
    for folder in project.generated_dirs():
        if not folder.is_dir():
            continue
        for dirpath, dirnames, _ in os.walk(folder, topdown=False):
            for name in dirnames:
                sub = os.path.join(dirpath, name)
                if not os.listdir(sub):
                    os.rmdir(sub)


def atomic_write(path: str, data: bytes) -> None:
    # A reader (MkDocs, the watcher) never sees a half-written page. The temporary name
    # is this process's own; one left behind by a crashed run is stepped over.
    folder, name = os.path.split(path)
    for attempt in range(100):
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name beside {path}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
