"""Shared fixtures: real projects on disk, real builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.project import GENERATED_DIRS, Project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_project(dest: Path, *, source: Path = ROOT) -> Path:
    """A copy of a project's inputs (profiles, seeds, hand-written docs, mkdocs.yml)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("profiles", "seeds"):
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
    ignore = shutil.ignore_patterns(*GENERATED_DIRS) if source == ROOT else None
    if (source / "docs").is_dir():
        shutil.copytree(source / "docs", dest / "docs", ignore=ignore)
    else:
        (dest / "docs").mkdir()
        (dest / "docs" / "index.md").write_text("# Test wiki\n", encoding="utf-8")
    config = source / "mkdocs.yml"
    shutil.copy(config if config.exists() else ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def run_mkdocs(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real ``mkdocs build --strict`` of ``project_dir``, with no network needed."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *args],
        cwd=project_dir,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture
def fixture_project(tmp_path: Path) -> Callable[[str], Project]:
    """A copy of ``tests/fixtures/NAME`` in a temporary folder, as a ``Project``."""

    made: list[Path] = []

    def make(name: str) -> Project:
        dest = copy_project(tmp_path / f"{name}-{len(made)}", source=FIXTURES / name)
        made.append(dest)
        return Project.at(dest)

    return make


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project, built once per session with ``mkdocs build --strict``."""
    dest = copy_project(tmp_path_factory.mktemp("project") / "wiki")
    result = run_mkdocs(dest)
    assert result.returncode == 0, result.stderr
    return dest / "site"
