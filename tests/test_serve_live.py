"""``mkdocs serve`` with the factfile plugin rebuilds only what each save changes, and
the site it serves is, file for file, what a cold ``mkdocs build`` of the same files
gives: after every kind of edit the engine's differential tests make, a hand-written
page changed, and a profile broken then fixed.

The site is served in this process as ``mkdocs serve`` does (first build, watches,
``on_serve``), and each save is followed by a call to the server's builder, as its
watcher makes. The cold builds of every state are made at the end, in one process.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.bench import synthesise
from generator.bench.synthetic import mkdocs_configs
from generator.mkdocs_live import LiveSite
from generator.plugin import FactfilePlugin
from generator.project import Project

from .conftest import ROOT
from .edits import Edits
from .live_wiki import SERVE_URL, cold_build, site_differences, start_serving


@dataclass
class Served:
    project: Path
    site: Path
    server: Any
    live: LiveSite
    plugin: FactfilePlugin

    def save(self) -> None:
        """What the server's watcher does after a save: rebuild, then let any work left
        for the background finish (the pages that list many others, and the downloads,
        which the rebuild the plugin then asks for hands over)."""
        self.server.builder()
        self.live.settle()
        if self.plugin.settle():
            self.server.builder()
            self.live.settle()

    def snapshot(self, dest: Path) -> Path:
        """A copy of the inputs, to build cold with the address ``mkdocs serve`` gives."""
        for name in ("profiles", "seeds", "docs", "overrides"):
            if (self.project / name).is_dir():
                shutil.copytree(self.project / name, dest / name)
        config = yaml.safe_load((self.project / "mkdocs.yml").read_text(encoding="utf-8"))
        config["site_url"] = SERVE_URL
        # In the order written: the search index lists the search fields in it.
        text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        (dest / "mkdocs.yml").write_text(text, encoding="utf-8")
        return dest


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    project = synthesise(tmp_path / "wiki", 80).root
    mkdocs_configs(project, ROOT / "mkdocs.yml")
    site = tmp_path / "site"
    monkeypatch.chdir(project)
    server, config = start_serving(project, site)
    plugin = config.plugins["factfile"]
    assert isinstance(plugin, FactfilePlugin)
    live = plugin.live
    assert isinstance(live, LiveSite)
    # As on a large wiki: what lists many pages is rebuilt in the background.
    live.defer_above = 0
    live.defer_grace = 0.0
    try:
        yield Served(project, site, server, live, plugin)
    finally:
        server.observer.stop()
        server.observer.join(timeout=10)
        config.plugins.on_shutdown()


def _edit_home(project: Path) -> Callable[[], None]:
    def edit() -> None:
        home = project / "docs" / "index.md"
        home.write_text(home.read_text(encoding="utf-8") + "\nEdited by hand.\n", "utf-8")

    return edit


@pytest.mark.slow
def test_every_kind_of_edit_serves_the_site_of_a_cold_build(served: Served, tmp_path: Path) -> None:
    edits = [
        *Edits(Project.at(served.project)).all(),
        ("edit a hand-written page", _edit_home(served.project)),
    ]
    states: list[tuple[str, Path, dict[str, bytes]]] = []
    for number, (name, edit) in enumerate(edits):
        edit()
        served.save()
        report = served.live.last
        assert report is not None and report.kind in ("incremental", "unchanged"), (name, report)
        tree = served.snapshot(tmp_path / f"state-{number}")
        states.append((name, tree, _files(served.site)))
    built = cold_build([tree for _, tree, _ in states])
    for name, tree, live in states:
        assert built[tree], name
        shutil.rmtree(served.site)
        _restore(served.site, live)
        assert site_differences(served.site, tree / "site") == [], name


@pytest.mark.slow
def test_a_broken_profile_keeps_the_last_site_and_fixing_it_serves_a_cold_build(
    served: Served, tmp_path: Path
) -> None:
    person = sorted((served.project / "profiles" / "people").iterdir())[0]
    good = person.read_text(encoding="utf-8")
    before = _files(served.site)
    person.write_text(good.replace("quote: ", "quote: not in any article ", 1), "utf-8")
    served.save()
    assert _files(served.site) == before
    person.write_text(good.replace("name: ", "name: Renamed ", 1), "utf-8")
    data = yaml.safe_load(person.read_text(encoding="utf-8"))
    data["names"][0]["value"] = data["name"]
    person.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    served.save()
    report = served.live.last
    assert report is not None and report.kind == "incremental"
    # The renamed person's page and the pages linking to it, not the whole site.
    assert len(report.read) < 40, report.read
    tree = served.snapshot(tmp_path / "fixed")
    assert cold_build([tree])[tree]
    assert site_differences(served.site, tree / "site") == []


@pytest.mark.slow
def test_the_downloads_follow_an_edit_once_its_pages_are_served(served: Served) -> None:
    """The pages an edit changes are served before the seconds-long export of the data
    downloads (held back here until the test lets it go); then a rebuild of its own
    hands the new downloads over."""
    assert served.plugin.background is not None
    served.plugin.background.GRACE = 3600
    person = sorted((served.project / "profiles" / "people").iterdir())[0]
    data = yaml.safe_load(person.read_text(encoding="utf-8"))
    data["name"] = data["names"][0]["value"] = f"{data['name']} Renamed"
    person.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    downloads = served.site / "data" / "factfile.json"
    before = downloads.read_bytes()
    served.server.builder()
    page = served.site / "people" / person.stem / "index.html"
    assert f"{data['name']}" in page.read_text(encoding="utf-8")
    assert downloads.read_bytes() == before
    assert served.plugin.settle()
    served.server.builder()
    assert data["name"].encode("utf-8") in downloads.read_bytes()
    report = served.live.last
    assert report is not None and report.read == []
    assert "data/factfile.json" in report.written


def _files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in site.rglob("*")
        if path.is_file()
    }


def _restore(site: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
