"""Where a fact-file project keeps its parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import KINDS

# Folders under docs/ that the generator owns: it creates, rewrites and prunes files
# there and nowhere else. Everything else under docs/ is written by hand.
GENERATED_DIRS: tuple[str, ...] = (*KINDS, "reference", "data")
# Files at the top of docs/ that the generator owns in the same way.
GENERATED_FILES: tuple[str, ...] = ("changes.xml",)


@dataclass(frozen=True)
class Project:
    """The folders of one fact-file wiki, all relative to its root, and how many of its
    latest commits the recent-changes page shows."""

    root: Path
    profiles_dirname: str = "profiles"
    seeds_dirname: str = "seeds"
    docs_dirname: str = "docs"
    changes_shown: int = 20

    @classmethod
    def at(cls, root: str | Path, **kwargs: Any) -> Project:
        return cls(Path(root).resolve(), **kwargs)

    @property
    def profiles_dir(self) -> Path:
        return self.root / self.profiles_dirname

    @property
    def seeds_dir(self) -> Path:
        return self.root / self.seeds_dirname

    @property
    def docs_dir(self) -> Path:
        return self.root / self.docs_dirname

    def generated_dirs(self) -> list[Path]:
        return [self.docs_dir / name for name in GENERATED_DIRS]

    def relative(self, path: Path) -> str:
        """A path as shown in messages: relative to the root, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
