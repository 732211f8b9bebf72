"""A wiki's files at a git revision, or in the working tree, read without changing either.

``factfile diff`` and the recent-changes page compare the wiki at two points of its
history. A revision is read with git's plumbing (``ls-tree``, ``cat-file``) into memory:
nothing is checked out, no index or lock is written, and the working tree is only ever
read. Git is run as a subprocess, so nothing beyond git itself is needed.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .project import Project

# Modes of a tree entry: a plain or executable file, and a symbolic link (whose blob is
# the path it points to). Submodules (160000) are no file of the wiki.
_FILE_MODES = frozenset({"100644", "100755"})
_LINK_MODE = "120000"


class GitError(Exception):
    """Git is missing, the folder is not in a repository, or a revision does not exist."""


@dataclass
class Files:
    """The files under profiles/ and seeds/ at one point of the history, by their path
    relative to the project's root (forward slashes)."""

    data: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    """Symbolic links, and where they point: the checks refuse them, so they are kept
    only to be recreated as they were."""

    def only(self, paths: set[str]) -> Files:
        """These files and links alone."""
        return Files(
            {p: d for p, d in self.data.items() if p in paths},
            {p: t for p, t in self.links.items() if p in paths},
        )


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """What ``git ARGS`` prints, run in ``root``; ``GitError`` with git's own reason if it
    fails or git cannot be run."""
    # Reading must take no lock a concurrent `git commit` could trip over, and no
    # user setting may add to what is parsed (signatures in the log, say).
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    command = ["git", "-c", "log.showSignature=false", "-c", "core.quotePath=false", *args]
    try:
        result = subprocess.run(
            command, cwd=root, input=stdin, capture_output=True, env=env, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except OSError as exc:
        raise GitError(f"git cannot be run: {exc.strerror}") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(reason[-1] if reason else f"git {args[0]} failed")
    return result.stdout


def in_repository(root: Path) -> bool:
    """Whether ``root`` is inside a git working tree (``GitError`` if git is missing)."""
    try:
        return git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError as exc:
        if str(exc) == "git is not installed" or str(exc).startswith("git cannot be run"):
            raise
        return False


def resolve(root: Path, revision: str) -> str:
    """The commit a revision names (a branch, a tag, ``HEAD~2``, an id)."""
    if not revision or revision.startswith("-"):
        raise GitError(f"'{revision}' is not a revision")
    try:
        found = git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        if not in_repository(root):
            raise GitError(f"{root} is not in a git repository") from None
        raise GitError(f"'{revision}' is not a commit of this repository") from None
    return found.decode("ascii").strip()


def wiki_dirs(project: Project) -> tuple[str, str]:
    """The folders that hold the wiki, relative to the project's root."""
    return project.profiles_dirname, project.seeds_dirname


def listing(root: Path, commit: str, dirs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Every file under ``dirs`` at ``commit``: its path and (mode, object id)."""
    # Paths are given and printed relative to ``root``, wherever the repository starts.
    out = git(root, "ls-tree", "-r", "-z", commit, "--", *dirs)
    entries: dict[str, tuple[str, str]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split(" ")
        name = path.decode("utf-8", "surrogateescape")
        if kind == "blob" and (mode in _FILE_MODES or mode == _LINK_MODE) and _inside(name):
            entries[name] = (mode, oid)
    return entries


def _inside(path: str) -> bool:
    """A relative path that stays where it is put (git never writes others, but a tree
    can hold them)."""
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def blobs(root: Path, oids: set[str]) -> dict[str, bytes]:
    """The contents of git objects, by id, read in one ``git cat-file`` run."""
    if not oids:
        return {}
    ordered = sorted(oids)
    out = git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in ordered).encode())
    found: dict[str, bytes] = {}
    at = 0
    for oid in ordered:
        end = out.index(b"\n", at)
        header = out[at:end].decode("ascii").split(" ")
        if len(header) != 3:
            raise GitError(f"git object {oid} is missing")
        size = int(header[2])
        found[oid] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return found


def files_from(entries: dict[str, tuple[str, str]], contents: dict[str, bytes]) -> Files:
    """The files of a listing, with the contents read for it."""
    files = Files()
    for path, (mode, oid) in entries.items():
        if oid not in contents:
            continue
        if mode == _LINK_MODE:
            files.links[path] = contents[oid].decode("utf-8", "surrogateescape")
        else:
            files.data[path] = contents[oid]
    return files


def at_revision(project: Project, commit: str) -> Files:
    """The wiki's files at ``commit``."""
    entries = listing(project.root, commit, wiki_dirs(project))
    return files_from(entries, blobs(project.root, {oid for _, oid in entries.values()}))


def working_tree(project: Project) -> Files:
    """The wiki's files as they are on disk, committed or not."""
    files = Files()
    for top in wiki_dirs(project):
        base = project.root / top
        if base.is_symlink():
            files.links[top] = os.readlink(base)
            continue
        for folder, dirnames, filenames in os.walk(base):
            for name in sorted(dirnames + filenames):
                path = Path(folder) / name
                rel = path.relative_to(project.root).as_posix()
                if path.is_symlink():
                    files.links[rel] = os.readlink(path)
                elif path.is_file():
                    files.data[rel] = path.read_bytes()
    return files


def materialise(files: Files, dest: Path) -> None:
    """Write ``files`` under ``dest`` as they were, links included."""
    for rel, data in files.data.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel, points_to in files.links.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # Recreated, never followed: the checks refuse a link without reading it.
        os.symlink(points_to, target)
