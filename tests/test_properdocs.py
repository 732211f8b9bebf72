"""ProperDocs, the continuation of MkDocs 1.6, builds the very same site as MkDocs.

ProperDocs loads MkDocs plugins and themes, so the `factfile` plugin and Material run
unchanged under it. The two builds may differ only where each tool names itself: the
generator meta tag of every page. Both builds get the same SOURCE_DATE_EPOCH, so the
sitemaps carry the same date; everything else must match byte for byte.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from .conftest import copy_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_spec("properdocs") is None, reason="properdocs is not installed"),
]

GENERATOR = re.compile(rb'<meta name="generator" content="([^"]*)">')


def build(tool: str, project: Path, site: Path) -> list[str]:
    """Build ``project`` into ``site`` with ``tool``; the generator names its pages give."""
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": "1767225600",  # 2026-01-01, the same date for both builds
        "NO_MKDOCS_2_WARNING": "1",
        "DISABLE_MKDOCS_2_WARNING": "true",
    }
    command = [sys.executable, "-m", tool, "build", "--strict", "-f", "mkdocs.yml", "-d", site]
    result = subprocess.run(
        command, cwd=project, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, f"{tool} build failed:\n{result.stderr}"
    pages = sorted(site.rglob("*.html"))
    assert pages, f"{tool} built no pages"
    return sorted({m.decode() for p in pages for m in GENERATOR.findall(p.read_bytes())})


def normalised(path: Path) -> bytes:
    """The file's bytes, with the tool's name in the generator meta tag blanked out."""
    data = path.read_bytes()
    if path.suffix == ".html":
        data = GENERATOR.sub(b'<meta name="generator" content="">', data)
    return data


def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki")
    by_mkdocs, by_properdocs = tmp_path / "mkdocs-site", tmp_path / "properdocs-site"
    mkdocs_names = build("mkdocs", project, by_mkdocs)
    properdocs_names = build("properdocs", project, by_properdocs)

    # Each build really was made by its own tool: the one difference allowed.
    assert len(mkdocs_names) == 1 and mkdocs_names[0].startswith("mkdocs-1."), mkdocs_names
    assert len(properdocs_names) == 1 and "ProperDocs" in properdocs_names[0], properdocs_names

    files = sorted(p.relative_to(by_mkdocs) for p in by_mkdocs.rglob("*") if p.is_file())
    others = sorted(p.relative_to(by_properdocs) for p in by_properdocs.rglob("*") if p.is_file())
    assert files == others
    assert any(f.name == "sitemap.xml" for f in files)
    differ = [f for f in files if normalised(by_mkdocs / f) != normalised(by_properdocs / f)]
    assert not differ, f"{len(differ)} of {len(files)} files differ, first {differ[0]}"
