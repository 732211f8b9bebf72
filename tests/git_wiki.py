"""A real git repository of a small wiki (tests/fixtures/minimal), committed step by step.

Each step is one kind of change a review or the recent-changes page must show as facts:
a qualifier that changes, a profile renamed (and the references to it), a value that
changes with the same quotes, a list reordered, a profile removed, and a commit that
leaves the wiki failing the checks.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .conftest import FIXTURES, copy_project


def git_env(home: Path) -> dict[str, str]:
    """An environment in which git ignores the machine's settings and signs as a tester."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_AUTHOR_NAME": "A Tester",
        "GIT_AUTHOR_EMAIL": "tester@example.invalid",
        "GIT_COMMITTER_NAME": "A Tester",
        "GIT_COMMITTER_EMAIL": "tester@example.invalid",
    }


@dataclass
class Repo:
    root: Path
    env: dict[str, str]

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def commit(self, message: str, date: str) -> str:
        """Commit everything as it is, at ``date`` (ISO 8601); the new commit's id."""
        env = {**self.env, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(["git", "add", "-A"], cwd=self.root, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.root, env=env, check=True)
        return self.git("rev-parse", "HEAD").strip()

    def edit(self, rel: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Change one profile's data; the YAML is written anew (its form changes too)."""
        path = self.root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")


def new_repo(root: Path) -> Repo:
    """The minimal wiki in a new repository, committed once on ``main``."""
    copy_project(root, source=FIXTURES / "minimal")
    repo = Repo(root, git_env(root.parent / f"{root.name}-home"))
    repo.git("init", "-q", "-b", "main")
    repo.commit("Start the wiki with Han Sol-min's defection", "2024-01-01T09:00:00+09:00")
    return repo


HAN = "profiles/people/han-sol-min.yaml"
CHOE = "profiles/people/choe-mi-ran.yaml"
EVENT = "profiles/events/han-sol-min-defects.yaml"
MISSION = "profiles/missions/embassy-in-ruritania.yaml"


def qualifier_change(repo: Repo) -> str:
    """Han Sol-min's status: the same value, now attributed to "the ministry"."""

    def hedge(data: dict[str, Any]) -> None:
        data["status"][0]["according_to"] = "the ministry"

    repo.edit(HAN, hedge)
    return repo.commit("Han Sol-min's status is the ministry's word", "2024-02-01T09:00:00+09:00")


def rename(repo: Repo) -> str:
    """Choe Mi-ran's profile under a new id, and the references to it."""
    repo.git("mv", CHOE, "profiles/people/choe-mi-ran-wife.yaml")
    for rel in (HAN, EVENT):
        repo.replace(rel, "person: choe-mi-ran\n", "person: choe-mi-ran-wife\n")
    return repo.commit("Give Choe Mi-ran a clearer id", "2024-03-01T09:00:00+09:00")


def value_change(repo: Repo) -> str:
    """The mission closed in 2024, not June 2024: the same claim, the same quote; and the
    list of Han Sol-min's names reordered, which is no change."""

    def redate(data: dict[str, Any]) -> None:
        data["status"][0]["date"] = "2024"

    def reorder(data: dict[str, Any]) -> None:
        data["names"].reverse()

    repo.edit(MISSION, redate)
    repo.edit(HAN, reorder)
    return repo.commit("The closure is dated to the year", "2024-04-01T09:00:00+09:00")


def removal(repo: Repo) -> str:
    """The event goes (nothing refers to it)."""
    (repo.root / EVENT).unlink()
    return repo.commit("Remove the defection event", "2024-05-01T09:00:00+09:00")


BROKEN = "profiles/people/broken.yaml"


def failing(repo: Repo) -> str:
    """A profile that does not parse, and a role whose quote is not in the article: the
    wiki now fails the checks."""
    (repo.root / BROKEN).write_text("name: [Unclosed\n", encoding="utf-8")

    def misquote(data: dict[str, Any]) -> None:
        data["roles"] = [
            {
                "value": "envoy",
                "according_to": "officials",
                "cite": [{"source": "test-gazette", "quote": "an envoy of the republic"}],
            }
        ]

    repo.edit(HAN, misquote)
    return repo.commit("Add a role, and a profile left unfinished", "2024-06-01T09:00:00+09:00")


def repair(repo: Repo) -> str:
    """The unfinished profile goes and the role cites words the article has: the wiki
    passes the checks again."""
    (repo.root / BROKEN).unlink()

    def requote(data: dict[str, Any]) -> None:
        data["roles"] = [
            {
                "value": "diplomat",
                "according_to": "officials",
                "cite": [{"source": "test-gazette", "quote": "A diplomat named Han Sol-min"}],
            }
        ]

    repo.edit(HAN, requote)
    return repo.commit("Finish the profiles", "2024-07-01T09:00:00+09:00")


STEPS = (qualifier_change, rename, value_change, removal, failing, repair)


def history_repo(root: Path) -> tuple[Repo, list[str]]:
    """The wiki through every step, and the commits in order (the first is the start)."""
    repo = new_repo(root)
    commits = [repo.git("rev-parse", "HEAD").strip()]
    for step in STEPS:
        commits.append(step(repo))
    return repo, commits
