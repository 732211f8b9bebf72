"""Same input, same bytes: two builds of one wiki give identical sites.

The two builds run in different folders, so nothing may depend on where the wiki
sits on disk either. Only the sitemaps are left out: MkDocs stamps them with the
build date.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator.build import Pipeline
from generator.project import Project

from .conftest import FIXTURES, copy_project, run_mkdocs
from .test_broken import snapshot
from .test_hostile import WIKI

DATED = {"sitemap.xml", "sitemap.xml.gz"}


def site_files(site: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(site).items() if Path(k).name not in DATED}


def first_difference(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    if a.keys() != b.keys():
        return f"files differ: {sorted(a.keys() ^ b.keys())[:5]}"
    for name in sorted(a):
        if a[name] != b[name]:
            return name
    return ""


@pytest.mark.slow
@pytest.mark.parametrize("wiki", [FIXTURES / "minimal", WIKI], ids=["minimal", "hostile"])
def test_two_builds_give_identical_sites(wiki: Path, tmp_path: Path) -> None:
    sites = []
    for name in ("first", "second-in-another-folder"):
        project = copy_project(tmp_path / name / "wiki", source=wiki)
        result = run_mkdocs(project)
        assert result.returncode == 0, result.stderr
        sites.append(site_files(project / "site"))
        time.sleep(1.1)  # a timestamp in the output would now differ
    first, second = sites
    assert len(first) > 20
    assert first_difference(first, second) == ""


def test_rebuild_in_place_rewrites_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=WIKI)
    first = Pipeline(Project.at(project)).build()
    docs = snapshot(project / "docs")
    stamps = {p: p.stat().st_mtime_ns for p in (project / "docs").rglob("*.md")}
    # A fresh generator, as a new process would have: no cache to hide a difference.
    second = Pipeline(Project.at(project)).build()
    assert first.pages == second.pages
    assert second.report is not None
    assert second.report.written == [] and second.report.removed == []
    assert snapshot(project / "docs") == docs
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_rendering_ignores_file_order_on_disk(tmp_path: Path) -> None:
    # Directory listings come in whatever order the file system likes; touch files in
    # reverse so that order and timestamps differ from the first copy's.
    one = copy_project(tmp_path / "one", source=WIKI)
    two = copy_project(tmp_path / "two", source=WIKI)
    for offset, path in enumerate(sorted((two / "profiles").rglob("*.yaml"), reverse=True)):
        os.utime(path, ns=(10**18 + offset, 10**18 + offset))
    pages_one = Pipeline(Project.at(one)).render().pages
    pages_two = Pipeline(Project.at(two)).render().pages
    assert pages_one == pages_two
