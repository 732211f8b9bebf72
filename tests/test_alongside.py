"""The work done beside MkDocs (``alongside``): a build's pipeline in a forked copy that
hands each page over as MkDocs reads it, and the downloads of an edit in a thread.
Whichever way, the site is exactly that of a build doing everything in one process; a
copy that fails costs only the time to do its work in the process itself; and a finding
of the checks still fails the build and leaves site/ as it was."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator import alongside
from generator.alongside import Copy, InBackground, PagesAlongside, can_fork
from generator.build import Pipeline
from generator.export import data_files
from generator.project import Project
from generator.wiki import Wiki

from .conftest import FIXTURES, copy_project, run_mkdocs

forking = pytest.mark.skipif(not can_fork(), reason="needs fork and a second core")


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _build_here(project: Path, site: Path) -> None:
    """A real MkDocs build in this process, as ``mkdocs build --strict`` makes it."""
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The fixture wiki's site, built with everything in MkDocs' own process."""
    project = copy_project(tmp_path_factory.mktemp("one") / "wiki", source=FIXTURES / "minimal")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACTFILE_ONE_PROCESS", "1")
        assert not can_fork()
        _build_here(project, project / "site")
    return _tree(project / "site")


@forking
@pytest.mark.slow
def test_a_build_with_the_pipeline_in_a_copy_makes_the_same_site(
    one_process: dict[str, bytes], tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    assert _tree(project / "site") == one_process


@forking
def test_a_copy_failing_part_way_leaves_the_work_to_the_process(
    one_process: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy sends the list of pages and two of them, then dies: the rest of the
    pages, the downloads and the checks are made here, and the site is the same."""
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    started: list[int] = []
    sent_all = PagesAlongside._send_all

    def dying(self: PagesAlongside, pipeline: Pipeline, send: alongside.Send) -> None:
        count = 0

        def send_then_die(message: object) -> None:
            nonlocal count
            send(message)
            count += 1
            if count == 3:
                os._exit(1)

        sent_all(self, pipeline, send_then_die)

    original = PagesAlongside.__init__

    def counted(self: PagesAlongside, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        started.append(int(self.copy.started))

    monkeypatch.setattr(PagesAlongside, "_send_all", dying)
    monkeypatch.setattr(PagesAlongside, "__init__", counted)
    _build_here(project, project / "site")
    assert started == [1]
    assert _tree(project / "site") == one_process


@pytest.mark.slow
def test_a_value_saying_more_than_its_quote_fails_the_build_after_the_pages(
    tmp_path: Path,
) -> None:
    """The support rules run after the pages are handed over; what they find still
    fails the build, told as ``factfile check`` tells it, with site/ left as it was."""
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    assert run_mkdocs(project).returncode == 0
    before = _tree(project / "site")
    person = project / "profiles" / "people" / "han-sol-min.yaml"
    text = person.read_text(encoding="utf-8")
    assert "according_to:" in text
    person.write_text(
        "\n".join(line for line in text.splitlines() if "according_to:" not in line) + "\n",
        encoding="utf-8",
    )
    result = run_mkdocs(project)
    assert result.returncode != 0
    assert "profiles/people/han-sol-min.yaml:" in result.stderr
    assert "say who with according_to:" in result.stderr
    assert "site/ was left as it was" in result.stderr
    assert _tree(project / "site") == before
    assert not (project / "site.building").exists()


# --- The copy itself ---------------------------------------------------------------------


@forking
def test_a_copy_sends_in_order_and_then_nothing() -> None:
    def work(send: alongside.Send) -> None:
        for number in range(1000):
            send((number, "x" * number))

    copy = Copy(work)
    assert copy.started
    assert [copy.receive() for _ in range(1000)] == [(n, "x" * n) for n in range(1000)]
    assert copy.receive() is None
    assert copy.receive() is None


@forking
def test_a_copy_that_fails_sends_nothing_more_and_is_stopped() -> None:
    release = threading.Event()

    def work(send: alongside.Send) -> None:
        send("first")
        release.wait()  # never set in the copy: it would wait for ever

    copy = Copy(work)
    pid = copy._pid
    assert pid is not None and copy.receive() == "first"
    copy.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # stopped and reaped
    assert copy.receive() is None


def test_a_thread_running_or_the_setting_rules_out_a_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not can_fork()
        assert not Copy(lambda send: send(1)).started
    finally:
        release.set()
        thread.join()
    monkeypatch.setenv("FACTFILE_ONE_PROCESS", "1")
    assert not can_fork()


# --- Downloads -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Wiki:
    project = copy_project(tmp_path_factory.mktemp("dl") / "wiki", source=FIXTURES / "minimal")
    return Pipeline(Project(project)).render().wiki


def test_serving_exports_the_newest_wiki_only_and_says_when_done(wiki: Wiki) -> None:
    done = threading.Event()
    background = InBackground(done.set)
    background.GRACE = 3600
    background.want(Wiki(wiki.catalog, wiki.quotes))
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
