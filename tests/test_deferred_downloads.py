"""The data downloads made where no one waits for them (``deferred_downloads``): in a
forked copy during a build, in a thread while serving. Whichever way, the files are
exactly those of a plain export, and a copy that fails or is stopped costs nothing but
the time to export in the process itself."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator import deferred_downloads
from generator.build import Pipeline
from generator.deferred_downloads import AlongsidePages, InBackground, InCopy, can_fork
from generator.export import DATA_PATHS, data_files
from generator.project import Project
from generator.wiki import Wiki

from .conftest import FIXTURES, copy_project

forking = pytest.mark.skipif(not can_fork(), reason="needs fork and a second core")


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Wiki:
    project = copy_project(
        tmp_path_factory.mktemp("downloads") / "wiki", source=FIXTURES / "minimal"
    )
    return Pipeline(Project(project)).render().wiki


def _site(site: Path) -> dict[str, bytes]:
    return {path: (site / path).read_bytes() for path in DATA_PATHS}


@forking
def test_a_build_exports_in_a_copy_and_writes_what_a_plain_export_gives(
    wiki: Wiki, tmp_path: Path
) -> None:
    alongside = AlongsidePages(wiki, str(tmp_path))
    assert alongside.copy._pid is not None  # the copy runs while the pages would be built
    placed = alongside.placeholders()
    assert sorted(placed) == sorted(DATA_PATHS)
    assert all(Path(path).read_bytes() == b"" for path in placed.values())
    alongside.write()
    assert _site(tmp_path) == data_files(wiki)


def test_without_a_copy_the_build_exports_in_the_process(
    wiki: Wiki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_downloads, "can_fork", lambda: False)
    alongside = AlongsidePages(wiki, str(tmp_path))
    assert alongside.copy._pid is None
    alongside.placeholders()
    alongside.write()
    assert _site(tmp_path) == data_files(wiki)


@forking
def test_a_copy_that_fails_gives_nothing_and_the_export_is_done_here(
    wiki: Wiki, tmp_path: Path
) -> None:
    def fail() -> dict[str, bytes]:
        raise RuntimeError("the copy failed")

    assert InCopy(fail).result() is None
    alongside = AlongsidePages(wiki, str(tmp_path))
    alongside.copy.discard()
    alongside.copy = InCopy(fail)
    alongside.write()
    assert _site(tmp_path) == data_files(wiki)


@forking
def test_a_copy_of_a_failed_build_is_stopped() -> None:
    started = threading.Event()
    copy = InCopy(lambda: (started.wait(), {})[1])  # never returns in the copy
    pid = copy._pid
    assert pid is not None
    copy.discard()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # stopped and reaped: no such child any more
    assert copy.result() is None


def test_a_thread_running_rules_out_a_copy() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        thread.join()


def test_serving_exports_the_newest_wiki_only_and_says_when_done(wiki: Wiki) -> None:
    done = threading.Event()
    background = InBackground(done.set)
    background.GRACE = 3600
    older = Wiki(wiki.catalog, wiki.quotes)
    background.want(older)
    background.want(wiki)  # a second save before the first export started
    assert background.settle()
    assert done.is_set()
    ready = background.take()
    assert ready is not None and ready[0] == data_files(wiki)
    assert background.take() is None
    background.want(wiki)  # the same wiki again: nothing to do
    assert not background.settle()


def test_a_whole_build_makes_the_export_under_way_unneeded(wiki: Wiki) -> None:
    background = InBackground(lambda: None)
    background.GRACE = 3600
    background.want(wiki)
    background.have(Wiki(wiki.catalog, wiki.quotes))
    assert not background.settle()
    assert background.take() is None
