"""Incremental rebuilds while serving (``generator.mkdocs_live``) give a cold build's site.

A small test wiki with the project's real theme configuration gets its generated pages
in memory from ``tests/live_hooks.py``. Its first build is MkDocs' own, as in
``mkdocs serve``; the live-reload server is MkDocs' own too (not bound to a port), its
builder replaced by the LiveSite as the hooks' ``on_serve`` does. After each kind of
edit the test calls that builder and compares every file of the site with a cold
``mkdocs build`` of the same files.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import random
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
from mkdocs.livereload import LiveReloadServer

from generator.mkdocs_live import LiveSite, RebuildReport

from .live_wiki import (
    ROOT,
    atomic_write,
    cold_build,
    make_project,
    mkdocs_serve,
    person_page,
    person_title,
    person_uri,
    read_pages,
    site_differences,
    site_files,
    snapshot_tree,
    start_serving,
    synthetic_pages,
    write_pages,
    write_yaml,
)

PEOPLE = 8
SOURCES = 3


@dataclass
class LiveWiki:
    """A test wiki served in this process as ``mkdocs serve`` would, without a socket."""

    project: Path
    site: Path
    server: Any
    live: LiveSite
    mode: str = "at once"

    def rebuild(self) -> RebuildReport:
        """Call the server's builder, wait for any work it left for the background, and
        report both as one."""
        deferred_before = self.live.last_deferred
        self.server.builder()
        self.live.settle()
        report = self.live.last
        assert report is not None
        deferred = self.live.last_deferred
        if deferred is not None and deferred is not deferred_before:
            assert deferred.kind in ("deferred", "failed"), deferred
            report = dataclasses.replace(
                report,
                kind="failed" if deferred.kind == "failed" else report.kind,
                read=report.read + deferred.read,
                rendered=report.rendered + deferred.rendered,
                written=report.written + deferred.written,
            )
        return report

    def pages(self) -> dict[str, str]:
        return read_pages(self.project)

    def edit_pages(self, change: Callable[[dict[str, str]], object]) -> None:
        pages = self.pages()
        change(pages)
        write_pages(self.project, pages)

    def edit_doc(self, name: str, text: str | None) -> None:
        path = self.project / "docs" / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")

    def doc_count(self) -> int:
        return len(self.pages()) + len(list((self.project / "docs").rglob("*.md")))


def serve_in_process(project: Path, site: Path, *, defer_above: int | None = None) -> LiveWiki:
    """What ``mkdocs serve`` does up to serving: first build, then watches and on_serve."""
    server, config = start_serving(project, site)
    # MkDocs keeps a hooks file in config.plugins as its module, though typed as a plugin.
    hooks = cast(ModuleType, config.plugins["live_hooks.py"])
    live = hooks.live()
    assert isinstance(live, LiveSite)
    live.defer_above = defer_above
    return LiveWiki(project, site, server, live)


@pytest.fixture
def wiki(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveWiki]:
    """The test wiki, served; with ``indirect`` parameter ``deferred``, pages that list
    others are rebuilt in the background as on a large wiki, and with ``all deferred``
    every page to read too (as index pages larger than ``big_page`` are)."""
    mode = getattr(request, "param", "at once")
    project = make_project(tmp_path / "wiki", synthetic_pages(PEOPLE, SOURCES))
    served = serve_in_process(
        project, tmp_path / "site", defer_above=None if mode == "at once" else 0
    )
    served.mode = mode
    served.live.defer_grace = 0.0
    if mode == "all deferred":
        served.live.big_page = 0
    try:
        yield served
    finally:
        served.server.observer.stop()
        served.server.observer.join(timeout=10)


# --- Edits -------------------------------------------------------------------------------


def replace_in(pages: dict[str, str], uri: str, old: str, new: str) -> None:
    assert old in pages[uri], (uri, old)
    pages[uri] = pages[uri].replace(old, new)


def person_text(number: int, *, links_to: int = 1) -> str:
    text = person_page(number, PEOPLE, SOURCES, random.Random(number))
    return text + f"\n- Friend of [{person_title(links_to)}]({person_uri(links_to)[7:]})\n"


def add_person(pages: dict[str, str], number: int, *, links_to: int = 1) -> None:
    pages[person_uri(number)] = person_text(number, links_to=links_to)
    row = f"| [{person_title(number)}]({person_uri(number)[7:]}) | Diplomat |\n"
    pages["people/index.md"] += row


def remove_person(pages: dict[str, str], number: int, *, relink_to: int = 0) -> None:
    del pages[person_uri(number)]
    gone = person_uri(number)[7:]
    for uri in list(pages):
        text = pages[uri]
        text = text.replace(f"[{person_title(number)}]({gone})", f"[Someone]({gone})")
        pages[uri] = text.replace(gone, person_uri(relink_to)[7:])


@dataclass
class Step:
    name: str
    edit: Callable[[LiveWiki], object]
    ok: bool = True
    check: Callable[[LiveWiki, RebuildReport], None] | None = None


def read_exactly(*uris: str) -> Callable[[LiveWiki, RebuildReport], None]:
    def check(wiki: LiveWiki, report: RebuildReport) -> None:
        assert report.kind == "incremental"
        assert sorted(report.read) == sorted(uris)

    return check


def read_including(*uris: str) -> Callable[[LiveWiki, RebuildReport], None]:
    def check(wiki: LiveWiki, report: RebuildReport) -> None:
        assert report.kind == "incremental"
        assert set(uris) <= set(report.read), report.read

    return check


def rendered_everything(wiki: LiveWiki, report: RebuildReport) -> None:
    assert report.kind == "incremental"
    assert len(report.rendered) == wiki.doc_count()
    assert "404.html" in report.written


def was_full(wiki: LiveWiki, report: RebuildReport) -> None:
    assert report.kind == "full", report


TAGS_PAGE = "reference/tags.md"


STEPS = [
    Step(
        "a generated page's text",
        lambda w: w.edit_pages(
            lambda p: replace_in(p, person_uri(3), "A diplomat posted", "A diplomat once posted")
        ),
        check=read_exactly(person_uri(3)),
    ),
    Step(
        "a generated page's title (shown by the tags index)",
        lambda w: w.edit_pages(
            lambda p: p.__setitem__(
                person_uri(4), p[person_uri(4)].replace("Person 00004", "Person Four")
            )
        ),
        check=read_exactly(person_uri(4), TAGS_PAGE),
    ),
    Step(
        "a generated page's tags",
        lambda w: w.edit_pages(
            lambda p: replace_in(p, person_uri(5), "tags:\n", 'tags:\n  - "returned"\n')
        ),
        check=read_exactly(person_uri(5), TAGS_PAGE),
    ),
    Step(
        "a generated page added",
        lambda w: w.edit_pages(lambda p: add_person(p, 8)),
        check=read_exactly(person_uri(8), "people/index.md", TAGS_PAGE),
    ),
    Step(
        "a generated page removed, and the links to it",
        lambda w: w.edit_pages(lambda p: remove_person(p, 2)),
        check=read_including("people/index.md", TAGS_PAGE),
    ),
    Step(
        "a hand-written page",
        lambda w: w.edit_doc(
            "contributing.md", "# Contributing\n\nEdit a profile and save it.\n\n## Style\n"
        ),
        check=read_exactly("contributing.md"),
    ),
    Step(
        "a link to a missing page (strict mode fails)",
        lambda w: w.edit_pages(
            lambda p: replace_in(
                p, person_uri(6), "## Relations\n", "## Relations\n\n- [Who](person-00099.md)\n"
            )
        ),
        ok=False,
    ),
    Step(
        "the missing page added: the page linking to it is read again",
        lambda w: w.edit_pages(lambda p: add_person(p, 99)),
        check=read_including(person_uri(6), person_uri(99)),
    ),
    Step(
        "a page removed while another still links to it (strict mode fails)",
        lambda w: w.edit_pages(lambda p: p.pop(person_uri(99))),
        ok=False,
    ),
    Step(
        "the page put back",
        lambda w: w.edit_pages(lambda p: p.__setitem__(person_uri(99), person_text(99))),
        check=read_including(person_uri(6), person_uri(99)),
    ),
    Step(
        "a link to a missing anchor (strict mode fails)",
        lambda w: w.edit_pages(
            lambda p: replace_in(
                p,
                person_uri(7),
                "## Relations\n",
                "## Relations\n\n- [Q](../sources/source-0000.md#q-999)\n",
            )
        ),
        ok=False,
    ),
    Step(
        "the anchor fixed",
        lambda w: w.edit_pages(lambda p: replace_in(p, person_uri(7), "#q-999", "#q-5")),
        check=read_exactly(person_uri(7)),
    ),
    Step(
        "the heading of a page the nav names by its heading: every page shows it",
        lambda w: w.edit_pages(
            lambda p: replace_in(p, "reference/about.md", "# About this wiki", "# About the wiki")
        ),
        check=rendered_everything,
    ),
    Step(
        "the title of the tags index: every tagged page links to it",
        lambda w: w.edit_pages(
            lambda p: replace_in(p, TAGS_PAGE, 'title: "Tags"', 'title: "Tag index"')
        ),
        check=read_including(TAGS_PAGE),
    ),
    Step(
        "several at once: text, tags, a new page, a hand-written page, a stylesheet",
        lambda w: (
            w.edit_pages(
                lambda p: (
                    replace_in(p, person_uri(1), "number 1 of", "number one of"),
                    replace_in(p, person_uri(0), "tags:\n", 'tags:\n  - "unnamed"\n'),
                    add_person(p, 100, links_to=3),
                )
            ),
            w.edit_doc(
                "index.md", "# Live rebuild test wiki\n\nSee [the people](people/index.md).\n"
            ),
            (w.project / "docs" / "assets" / "factfile.css").write_text(
                "body { color: #111; }\n", encoding="utf-8"
            ),
        ),
        check=read_including(person_uri(1), person_uri(0), person_uri(100), "index.md"),
    ),
    Step(
        "a hand-written page added outside the nav, and linked",
        lambda w: (
            w.edit_doc("notes.md", "# Notes\n\nA page of notes.\n"),
            w.edit_doc("index.md", "# Live rebuild test wiki\n\nSee [the notes](notes.md).\n"),
        ),
        check=read_exactly("notes.md", "index.md"),
    ),
    Step(
        "the hand-written page removed, and its link",
        lambda w: (
            w.edit_doc("notes.md", None),
            w.edit_doc("index.md", "# Live rebuild test wiki\n\nNo notes.\n"),
        ),
        check=read_exactly("index.md"),
    ),
    Step(
        "mkdocs.yml: the whole site is rebuilt",
        lambda w: write_yaml(
            w.project / "mkdocs.yml",
            {**_yaml(w.project / "mkdocs.yml"), "site_description": "Rebuilt from scratch"},
        ),
        check=was_full,
    ),
    Step(
        "a text edit after the whole rebuild is incremental again",
        lambda w: w.edit_pages(
            lambda p: replace_in(p, person_uri(3), "once posted", "twice posted")
        ),
        check=read_exactly(person_uri(3)),
    ),
]


def _yaml(path: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("wiki", ["at once", "deferred", "all deferred"], indirect=True)
def test_every_kind_of_edit_gives_the_site_of_a_cold_build(wiki: LiveWiki, tmp_path: Path) -> None:
    checkpoints: list[tuple[str, Path, Path]] = []
    for number, step in enumerate(STEPS):
        before = site_files(wiki.site)
        step.edit(wiki)
        report = wiki.rebuild()
        if not step.ok:
            assert report.kind == "failed", f"{step.name}: {report}"
            if wiki.mode != "all deferred":
                assert site_files(wiki.site) == before, f"{step.name}: the site changed"
            # Read in the background, a page's warning fails only the background part:
            # what was served first stays (see "Deferred work" in mkdocs_live).
            continue
        assert report.kind in ("incremental", "full"), f"{step.name}: {report}"
        if step.check is not None:
            step.check(wiki, report)
        tree = snapshot_tree(wiki.project, tmp_path / f"cold-{number:02d}")
        shutil.copytree(wiki.site, tmp_path / f"live-{number:02d}")
        checkpoints.append((step.name, tmp_path / f"live-{number:02d}", tree))

    built = cold_build([tree for _, _, tree in checkpoints])
    for name, live_site, tree in checkpoints:
        assert built[tree], f"{name}: the cold build failed"
        assert site_differences(live_site, tree / "site") == [], name


def test_a_text_edit_reads_renders_and_writes_only_its_page(wiki: LiveWiki) -> None:
    uri = person_uri(3)
    wiki.edit_pages(lambda p: replace_in(p, uri, "A diplomat posted", "A diplomat once posted"))
    report = wiki.rebuild()
    assert report.kind == "incremental"
    assert report.read == [uri]
    assert report.rendered == [uri]
    assert sorted(report.written) == ["people/person-00003/index.html", "search/search_index.json"]
    assert report.deleted == []
    html = (wiki.site / "people" / "person-00003" / "index.html").read_text(encoding="utf-8")
    assert "A diplomat once posted" in html


def test_saving_without_a_change_rebuilds_nothing(wiki: LiveWiki) -> None:
    before = site_files(wiki.site)
    page = wiki.project / "pages" / person_uri(3)
    atomic_write(page, page.read_text(encoding="utf-8"))
    wiki.edit_doc("contributing.md", (wiki.project / "docs" / "contributing.md").read_text())
    assert wiki.rebuild().kind == "unchanged"
    assert site_files(wiki.site) == before


@pytest.mark.parametrize("wiki", ["at once", "deferred", "all deferred"], indirect=True)
def test_a_failed_rebuild_is_redone_by_the_next_one(wiki: LiveWiki, tmp_path: Path) -> None:
    """Edits made while the site fails to build all show once it builds again."""
    wiki.edit_pages(
        lambda p: (
            replace_in(p, person_uri(1), "## Relations\n", "## Relations\n\n- [X](nowhere.md)\n"),
            replace_in(p, person_uri(2), "tags:\n", 'tags:\n  - "returned"\n'),
            replace_in(p, "reference/about.md", "# About this wiki", "# About us"),
        )
    )
    assert wiki.rebuild().kind == "failed"
    wiki.edit_pages(lambda p: replace_in(p, person_uri(5), "number 5", "number five"))
    assert wiki.rebuild().kind == "failed"
    wiki.edit_pages(lambda p: replace_in(p, person_uri(1), "- [X](nowhere.md)\n", ""))
    report = wiki.rebuild()
    assert report.kind == "incremental"
    assert len(report.rendered) == wiki.doc_count()  # the nav changed while failing
    tree = snapshot_tree(wiki.project, tmp_path / "cold")
    assert cold_build([tree]) == {tree: True}
    assert site_differences(wiki.site, tree / "site") == []


@pytest.mark.parametrize("wiki", ["deferred"], indirect=True)
def test_an_edit_while_the_background_rebuild_runs_gives_the_cold_build_site(
    wiki: LiveWiki, tmp_path: Path
) -> None:
    """A new change cancels the background rebuild of the tags index (while it waits for
    more changes, or between pages; if it already finished, its files are moved in
    first); the site ends up the same either way."""
    trees = []
    for grace, (a, b) in zip((0.5, 0.0), ((5, 6), (2, 3)), strict=True):
        wiki.live.defer_grace = grace
        wiki.edit_pages(
            lambda p, a=a: replace_in(p, person_uri(a), "tags:\n", 'tags:\n  - "returned"\n')
        )
        wiki.server.builder()  # leaves the tags index to the background
        assert wiki.live.last is not None and wiki.live.last.read == [person_uri(a)]
        wiki.edit_pages(lambda p, b=b: replace_in(p, person_uri(b), f"number {b}", "number x"))
        wiki.server.builder()
        wiki.live.settle()
        trees.append(snapshot_tree(wiki.project, tmp_path / f"cold-{grace}"))
        shutil.copytree(wiki.site, tmp_path / f"live-{grace}")
    assert cold_build(trees) == {tree: True for tree in trees}
    for grace, tree in zip((0.5, 0.0), trees, strict=True):
        assert site_differences(tmp_path / f"live-{grace}", tree / "site") == []


def test_a_failed_whole_rebuild_keeps_the_last_good_site(wiki: LiveWiki, tmp_path: Path) -> None:
    before = site_files(wiki.site)
    config = _yaml(wiki.project / "mkdocs.yml")
    write_yaml(wiki.project / "mkdocs.yml", {**config, "strict": "not a boolean"})
    report = wiki.rebuild()
    assert report.kind == "failed"
    assert site_files(wiki.site) == before
    assert not list(tmp_path.glob("site.last-good*"))
    write_yaml(wiki.project / "mkdocs.yml", {**config, "site_description": "Back"})
    assert wiki.rebuild().kind == "full"
    wiki.edit_pages(lambda p: replace_in(p, person_uri(3), "A diplomat", "One diplomat"))
    assert wiki.rebuild().kind == "incremental"
    tree = snapshot_tree(wiki.project, tmp_path / "cold")
    assert cold_build([tree]) == {tree: True}
    assert site_differences(wiki.site, tree / "site") == []


def test_new_generated_pages_go_where_a_cold_build_puts_them() -> None:
    from mkdocs.structure.files import File

    from generator.mkdocs_live import _insert_page, _known_order

    def page(uri: str, generated: bool = True) -> File:
        file = File(uri, None if generated else "docs", "site", True)
        file.generated_by = "plugin" if generated else None
        return file

    docs = [page("index.md", False), page("about.md", False)]
    generated = [page("a/index.md"), page("a/b.md"), page("data.json"), page("c/d.md")]
    key = _known_order(docs + generated, generated)
    assert key is not None
    _insert_page(generated, page("a/c.md"), key)
    _insert_page(generated, page("a/a.md"), key)
    _insert_page(generated, page("e.md"), key)
    pages = [file.src_uri for file in generated if file.src_uri.endswith(".md")]
    assert pages == sorted(pages, key=lambda uri: key(page(uri)))
    assert _known_order(docs + generated[::-1], generated[::-1]) is None
    assert _known_order([generated[0], *docs], generated[:1]) is None


def test_a_plugin_not_known_to_be_safe_makes_every_rebuild_whole(tmp_path: Path) -> None:
    project = make_project(tmp_path / "wiki", synthetic_pages(PEOPLE, SOURCES))
    (project / "other_hooks.py").write_text(
        "def on_page_markdown(markdown, **kwargs):\n    return markdown\n", encoding="utf-8"
    )
    config = _yaml(project / "mkdocs.yml")
    write_yaml(project / "mkdocs.yml", {**config, "hooks": ["live_hooks.py", "other_hooks.py"]})
    wiki = serve_in_process(project, tmp_path / "site")
    try:
        assert wiki.live._model is not None
        assert "other_hooks.py" in wiki.live._model.unsafe
        wiki.edit_pages(lambda p: replace_in(p, person_uri(3), "A diplomat", "One diplomat"))
        report = wiki.rebuild()
        assert report.kind == "full"
        assert "One diplomat" in (wiki.site / "people/person-00003/index.html").read_text()
    finally:
        wiki.server.observer.stop()
        wiki.server.observer.join(timeout=10)


# --- The file watcher --------------------------------------------------------------------


def test_serving_watches_with_the_native_observer_and_records_changed_paths(
    wiki: LiveWiki,
) -> None:
    from watchdog.observers.inotify import InotifyObserver

    server = wiki.server
    assert isinstance(server.observer, InotifyObserver)
    assert server.observer.is_alive()
    assert set(server._watched_paths) == {
        str(wiki.project / "docs"),
        str(wiki.project / "mkdocs.yml"),
        str(wiki.project / "pages"),
    }
    assert server.build_delay == wiki.live.build_delay
    (wiki.project / "docs" / "contributing.md").write_text("# Contributing\n\nNew.\n")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with wiki.live._events_lock:
            if str(wiki.project / "docs" / "contributing.md") in wiki.live._events:
                break
        time.sleep(0.01)
    else:
        pytest.fail("the change was not reported")
    assert server._want_rebuild  # MkDocs' own handler saw it too
    report = wiki.rebuild()
    assert report.read == ["contributing.md"]


def test_files_on_shared_or_network_file_systems_are_polled() -> None:
    from generator.mkdocs_live import _inotify_may_miss

    mountinfo = (
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "40 27 0:50 / /work/shared rw,relatime - fuse.grpcfuse grpcfuse rw\n"
        "41 27 0:51 / /mnt/nfs rw,relatime shared:5 - nfs4 server:/x rw\n"
        "42 27 0:52 / /mnt/my\\040disk rw - ext4 /dev/vdb rw\n"
    )
    assert not _inotify_may_miss("/work/wiki/docs", mountinfo)
    assert _inotify_may_miss("/work/shared/wiki/docs", mountinfo)
    assert _inotify_may_miss("/mnt/nfs/wiki", mountinfo)
    assert not _inotify_may_miss("/mnt/my disk/wiki", mountinfo)
    assert not _inotify_may_miss("/work/sharedness", mountinfo)


# --- The internals relied on -------------------------------------------------------------
# One test per part of the list in generator/mkdocs_live.py's docstring: a failure names
# the assumption an upgrade broke.


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def _in_order(source: str, *needles: str) -> bool:
    """Whether ``needles`` occur in ``source`` in this order, ignoring how code is wrapped."""
    source = re.sub(r"\s+", "", source)
    position = 0
    for needle in needles:
        position = source.find(re.sub(r"\s+", "", needle), position)
        if position < 0:
            return False
    return True


def test_the_mkdocs_build_internals_relied_on_are_still_there() -> None:
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config.defaults import MkDocsConfig

    assert _parameters(mkdocs_build._populate_page) == ["page", "config", "files", "dirty"]
    assert _parameters(mkdocs_build._build_page) == [
        "page",
        "config",
        "doc_files",
        "nav",
        "env",
        "dirty",
        "excluded",
    ]
    assert _parameters(mkdocs_build._build_template) == [
        "name",
        "template",
        "files",
        "config",
        "nav",
    ]
    page_source = inspect.getsource(mkdocs_build._build_page)
    assert "page.file.abs_dest_path" in page_source
    assert "utils.write_file(" in page_source
    assert "config._current_page = page" in page_source
    assert "config._current_page = page" in inspect.getsource(mkdocs_build._populate_page)
    assert MkDocsConfig._current_page is None
    theme_source = inspect.getsource(mkdocs_build._build_theme_template)
    assert _in_order(
        theme_source,
        "_build_template(",
        "os.path.join(config.site_dir, template_name)",
        "sitemap.xml",
        "get_build_timestamp(",
        "gzip.GzipFile(fileobj=f, filename=gz_filename, mode='wb', mtime=timestamp)",
    )
    assert "jinja2.Template(file.content_string)" in inspect.getsource(
        mkdocs_build._build_extra_template
    )
    assert _in_order(
        inspect.getsource(mkdocs_build.build),
        "config.plugins.on_config(",
        "config.plugins.on_pre_build(",
        "files = get_files(config)",
        "files.add_files_from_theme(env, config)",
        "files = config.plugins.on_files(files, config=config)",
        "set_exclusions(files, config)",
        "nav = get_navigation(files, config)",
        "nav = config.plugins.on_nav(nav, config=config, files=files)",
        "files.documentation_pages(inclusion=inclusion)",
        "Page(None, file, config)",
        "_populate_page(file.page, config, files, dirty)",
        "env = config.plugins.on_env(env, config=config, files=files)",
        "files.copy_static_files(dirty=dirty, inclusion=inclusion)",
        "config.theme.static_templates",
        "config.extra_templates",
        "_build_page(",
        "file.page.validate_anchor_links(files=files, log_level=log_level)",
        "config.plugins.on_post_build(config=config)",
        "warning_counter.get_counts()",
    )


def test_the_mkdocs_files_pages_and_navigation_internals_relied_on_are_still_there() -> None:
    from mkdocs.structure import nav as mkdocs_nav
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    assert isinstance(inspect.getattr_static(File, "abs_dest_path"), functools.cached_property)
    assert inspect.getattr_static(File, "content_string").fset is not None
    assert inspect.getattr_static(File, "content_bytes").fset is not None
    assert "self._src_uris.get(" in inspect.getsource(Files.get_file_from_path)
    assert "self.files.get_file_from_path(" in inspect.getsource(
        sys.modules[Page.__module__]._RelativePathTreeprocessor.path_to_url
    )
    assert _parameters(Page.validate_anchor_links) == ["self", "files", "log_level"]
    assert "links_to_anchors" in inspect.getsource(Page.render)
    assert "page = file.page" in inspect.getsource(mkdocs_nav._data_to_navigation)
    assert "Page(None, file, config)" in inspect.getsource(mkdocs_nav.get_navigation)


def test_the_live_reload_server_and_plugin_internals_relied_on_are_still_there() -> None:
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs.config import config_options
    from mkdocs.plugins import PluginCollection

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=".")
    for name in ("builder", "build_delay", "observer", "_watched_paths", "_watch_refs"):
        assert hasattr(server, name), name
    assert _parameters(server.watch) == ["path", "func", "recursive"]
    assert _parameters(server.unwatch) == ["path"]
    build_loop = inspect.getsource(LiveReloadServer._build_loop)
    assert _in_order(
        build_loop,
        "with self._rebuild_cond:",
        "self._rebuild_cond.wait_for(lambda: self._want_rebuild or self._shutdown",
        "self._want_rebuild = False",
        "self.builder()",
    )
    assert "self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)" in (
        inspect.getsource(LiveReloadServer._serve_request)
    )
    assert "self.observer.start()" in inspect.getsource(LiveReloadServer.serve)
    serve_source = inspect.getsource(mkdocs_serve.serve)
    assert _in_order(serve_source, "def builder(config", "if config is None:", "get_config()")
    assert _in_order(serve_source, "builder(config)", "config.plugins.on_serve(")
    collection = PluginCollection()
    observer = LiveSite()._observer
    collection["observer"] = observer
    assert observer.on_page_context in collection.events["page_context"]
    assert "hasattr(plugin, 'on_startup')" in inspect.getsource(config_options.Plugins.load_plugin)


def test_the_material_search_internals_relied_on_are_still_there() -> None:
    from material.plugins.search.plugin import SearchIndex, SearchPlugin

    from generator.mkdocs_live import _dump, _SearchAdapter

    assert "self.search_index.add_entry_from_context(page)" in inspect.getsource(
        SearchPlugin.on_page_context
    )
    assert _in_order(
        inspect.getsource(SearchPlugin.on_post_build),
        'os.path.join(config.site_dir, "search")',
        '"search_index.json"',
        "generate_search_index(self.search_index_prev)",
    )
    index = SearchIndex(lang=["en"], separator="[\\s]+", pipeline=[], fields={})
    index.entries = [{"location": "a/", "title": "Ä", "text": "<p>x</p>", "tags": ["t"]}, {}]
    plugin = SearchPlugin()
    plugin.search_index = index
    plugin.search_index_prev = None
    expected = index.generate_search_index(None).encode("utf-8")
    fragments = [_dump(entry).encode() for entry in index.entries]
    assert _SearchAdapter(plugin).document(fragments) == expected


def test_the_material_tags_internals_relied_on_are_still_there() -> None:
    from material.plugins.tags.plugin import TagsPlugin
    from material.plugins.tags.renderer import Renderer
    from material.plugins.tags.structure.listing import Listing
    from material.plugins.tags.structure.listing.manager import ListingManager
    from material.plugins.tags.structure.mapping.manager import MappingManager
    from material.plugins.tags.structure.mapping.storage import MappingStorage

    assert _in_order(
        inspect.getsource(TagsPlugin.on_env),
        "self.listings.populate_all(self.mappings, Renderer(env, config))",
        "if self.config.export:",
        "os.path.join(config.site_dir, self.config.export_file)",
        "MappingStorage(self.config)",
        "storage.save(path, self.mappings)",
    )
    assert "self.mappings.add(page, markdown)" in inspect.getsource(TagsPlugin.on_page_markdown)
    assert "self.data[page.url] = mapping" in inspect.getsource(MappingManager.add)
    assert "self.data.add(Listing(page, id, config))" in inspect.getsource(ListingManager.add)
    assert _parameters(Listing) == ["page", "id", "config"]
    assert _parameters(Renderer) == ["env", "config"]
    assert _parameters(MappingStorage.save) == ["self", "path", "mappings"]


def test_material_page_templates_do_not_read_the_list_of_all_pages() -> None:
    import material

    templates = Path(material.__file__).parent / "templates"
    pages_variable = re.compile(r"(?<![.\w])pages\b")
    for template in [templates / "main.html", templates / "base.html", templates / "404.html"]:
        assert not pages_variable.search(template.read_text(encoding="utf-8")), template
    for template in (templates / "partials").rglob("*.html"):
        assert not pages_variable.search(template.read_text(encoding="utf-8")), template


# --- End to end: a real `mkdocs serve` -----------------------------------------------------


@pytest.mark.slow
def test_mkdocs_serve_shows_an_edit_at_once_and_serves_a_cold_build_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "wiki", synthetic_pages(PEOPLE, SOURCES))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    page = "people/person-00003/"
    env = {"TMPDIR": str(temporary), "PYTHONPATH": str(ROOT)}
    with mkdocs_serve(project, startup=120, env=env) as served:
        assert "A diplomat posted" in served.get(page)

        mark = len(served.log())
        pages = read_pages(project)
        replace_in(pages, person_uri(3), "A diplomat posted", "A diplomat once posted")
        write_pages(project, pages)
        served.wait_for_page(page, "A diplomat once posted", 30)
        served.wait_for_log(r"Rebuilt 1 page from Markdown", mark, 30)
        assert "Building documentation" not in served.log()[mark:]
        time.sleep(1.0)  # reading files while rebuilding must not start another rebuild
        assert served.log()[mark:].count("Detected file changes") == 1, served.log()[mark:]

        # A broken link fails the rebuild in strict mode; the last good site is served.
        mark = len(served.log())
        replace_in(pages, person_uri(3), "## Relations\n", "## Relations\n\n- [X](nowhere.md)\n")
        write_pages(project, pages)
        served.wait_for_log(r"Still serving the last good site", mark, 30)
        assert "A diplomat once posted" in served.get(page)

        mark = len(served.log())
        replace_in(pages, person_uri(3), "- [X](nowhere.md)\n", "- [Y](person-00001.md)\n")
        write_pages(project, pages)
        served.wait_for_page(page, "person-00001/", 30)
        served.wait_for_log(r"Reloading browsers", mark, 30)

        (site,) = temporary.glob("mkdocs_*")
        tree = snapshot_tree(project, tmp_path / "cold", site_url=served.url)
        assert cold_build([tree]) == {tree: True}
        assert site_differences(site, tree / "site") == []
    assert "Traceback" not in served.log(), served.log()


def test_the_test_wiki_pages_are_what_they_claim(tmp_path: Path) -> None:
    """The edits above rely on these facts of the synthetic pages."""
    pages = synthetic_pages(PEOPLE, SOURCES)
    assert person_uri(99) not in pages
    assert "A diplomat posted" in pages[person_uri(3)]
    assert "<!-- material/tags -->" in pages[TAGS_PAGE]
