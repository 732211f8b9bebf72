"""Shared fixtures: real projects on disk, real builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

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
    assets = dest / "docs" / "assets"
    if not assets.exists() and (ROOT / "docs" / "assets").is_dir():
        # The site's own styles, so a test wiki loads exactly what a reader's browser would.
        shutil.copytree(ROOT / "docs" / "assets", assets)
    if not (dest / "overrides").exists() and (ROOT / "overrides").is_dir():
        # The theme's overrides that mkdocs.yml names (custom_dir).
        shutil.copytree(ROOT / "overrides", dest / "overrides")
    config = source / "mkdocs.yml"
    if config.exists():
        shutil.copy(config, dest / "mkdocs.yml")
    else:
        _write_config_for(dest)
    return dest


def _nav_filtered(entries: list[Any], docs: Path) -> list[Any]:
    kept: list[Any] = []
    for entry in entries:
        ((title, target),) = entry.items() if isinstance(entry, dict) else (("", entry),)
        if isinstance(target, list):
            kept.append({title: _nav_filtered(target, docs)})
        elif target.split("/")[0] in GENERATED_DIRS or (docs / target).is_file():
            kept.append(entry)
    return kept


def _write_config_for(project: Path) -> None:
    """The project's own mkdocs.yml, less navigation entries for hand-written pages a
    fixture does not have (a fixture's docs/ usually holds only a home page)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["nav"] = _nav_filtered(config.get("nav", []), project / "docs")
    (project / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


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


def build_site(project_dir: Path) -> Path:
    """``project_dir``'s site, built by a real ``mkdocs build --strict`` that must pass."""
    result = run_mkdocs(project_dir)
    assert result.returncode == 0, result.stderr
    return project_dir / "site"


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
    return build_site(copy_project(tmp_path_factory.mktemp("project") / "wiki"))
