"""``factfile bench`` on a small synthetic wiki: every figure is present and sane.

No timing is asserted: the machine's speed is not the code's behaviour. What is
asserted is what the benchmark claims to measure — a wiki that passes every check,
a real MkDocs build with and without the plugin, and an edit that rewrites only the
pages that show the edited profile.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.bench import linking_pages, synthesise
from generator.build import Generator
from generator.cli import main
from generator.errors import FactfileErrors
from generator.fork import Copy
from generator.project import Project
from generator.wiki import Ref

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "profiles": int,
    "generator_s": float,
    "check_s": float,
    "check_inprocess_s": float,
    "mkdocs_s": float,
    "bare_mkdocs_s": float,
    "edit_generator_s": float,
    "edit_pages_rewritten": int,
    "noop_generator_s": float,
    "peak_rss_mb": float,
    "peak_children_rss_mb": float,
    "stages_s": dict,
    "edit_stages_s": dict,
    "pages": int,
    "quotes": int,
    "check_runs_s": list,
    "edit_runs_s": list,
}
STAGES = {"load", "validate", "quotes", "wiki", "render", "write"}


@pytest.mark.slow
def test_bench_json_has_every_figure(tmp_path: Path) -> None:
    keep = tmp_path / "bench"
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--profiles",
            "200",
            "--json",
            "--keep",
            str(keep),
            "--config",
            str(ROOT / "mkdocs.yml"),
            "--mkdocs-runs",
            "2",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key, kind in KEYS.items():
        assert isinstance(figures[key], kind), key
    assert figures["profiles"] == 200
    assert set(figures["stages_s"]) == STAGES
    assert set(figures["edit_stages_s"]) == STAGES
    for key, kind in KEYS.items():
        if kind is float:
            assert figures[key] > 0, key
    # The short figures are the medians of their runs, and so are the two builds.
    for name in ("check", "edit"):
        runs = figures[f"{name}_runs_s"]
        assert len(runs) >= 3 and all(run > 0 for run in runs)
        assert (
            figures[f"{name}_s" if name == "check" else "edit_generator_s"]
            == sorted(runs)[len(runs) // 2]
        )
    for name in ("mkdocs", "bare_mkdocs"):
        runs = figures[f"{name}_runs_s"]
        assert len(runs) == 2 and figures[f"{name}_s"] == sum(runs) / 2
    # 200 profiles and 20 sources, each with a page, plus at least the section indexes.
    assert figures["pages"] >= 200 + 20 + 4
    assert figures["quotes"] >= 4 * 200
    assert 1 <= figures["edit_pages_rewritten"] < figures["pages"] / 10
    assert figures["edit_pages_rewritten"] == figures["edit_pages_linking"] + 1
    # Both MkDocs builds really produced the site, with the same pages.
    wiki = keep / "wiki"
    for site in ("site", "site-bare"):
        assert (wiki / site / "people" / "index.html").is_file()
    built = sorted(p.relative_to(wiki / "site").as_posix() for p in (wiki / "site").rglob("*.html"))
    bare = sorted(
        p.relative_to(wiki / "site-bare").as_posix() for p in (wiki / "site-bare").rglob("*.html")
    )
    # The plugin may add pages of its own (alias addresses); it never loses one.
    assert set(bare) <= set(built)
    for profile in (wiki / "profiles").rglob("*.yaml"):
        kind, stem = profile.parent.name, profile.stem
        assert f"{kind}/{stem}/index.html" in bare
    renamed = yaml.safe_load((wiki / figures["edit_profile"]).read_text(encoding="utf-8"))
    assert renamed["name"].endswith("(renamed)")


def test_synthetic_wiki_passes_every_check(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 100)
    project = Project.at(wiki.root)
    checked = Generator(project).check()
    assert len(checked.people) == wiki.counts["people"] > 0
    assert len(checked.missions) == wiki.counts["missions"] > 0
    assert len(checked.events) == wiki.counts["events"] > 0
    assert len(checked.sources) == wiki.counts["sources"] == 10
    # Every relation the benchmark promises is there.
    assert any(person.family for person in checked.people.values())
    assert all(person.postings for person in checked.people.values())
    assert all(event.participants and event.missions for event in checked.events.values())
    # About five citations per profile, each a quote found in its archive.
    cited = sum(1 for _ in checked.quotes.spans)
    assert cited >= 4 * 100
    # Some quotes rely on what matching forgives: elisions and straight apostrophes
    # for the archives' typographic ones.
    quotes = [quote for _, quote in checked.quotes.spans]
    assert any(" … " in quote for quote in quotes)
    assert any("Korea's" in quote for quote in quotes)


def test_synthesis_is_deterministic(tmp_path: Path) -> None:
    first = synthesise(tmp_path / "a", 60).root
    second = synthesise(tmp_path / "b", 60).root
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_edit_rewrites_only_pages_showing_the_profile(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 100)
    project = Project.at(wiki.root)
    generator = Generator(project)
    first = generator.build()
    target = max(
        wiki.person_ids,
        key=lambda pid: (len(first.wiki.backlinks.get(Ref("people", pid), ())), pid),
    )
    path = project.profiles_dir / "people" / f"{target}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    old_name = data["name"]
    data["name"] = data["names"][0]["value"] = f"{old_name} (renamed)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edited = generator.build()
    assert edited.report is not None
    written = set(edited.report.written)
    # Exactly the pages whose text changed: compared with a cold build of the edited wiki.
    fresh = Generator(project).render().pages
    assert edited.pages == fresh
    changed = {page for page, body in fresh.items() if first.pages.get(page) != body}
    assert written == changed
    # A rename reaches the profile's page and every page that links to it, no other.
    assert written == {f"people/{target}.md"} | linking_pages(fresh, "people", target)
    backlinks = {ref.page for ref, _ in edited.wiki.backlinks[Ref("people", target)]}
    assert backlinks <= written
    assert all(old_name not in fresh[page] or "(renamed)" in fresh[page] for page in written)


def test_rebuild_with_nothing_changed_reuses_the_result_and_sees_archive_edits(
    tmp_path: Path,
) -> None:
    wiki = synthesise(tmp_path / "wiki", 60)
    project = Project.at(wiki.root)
    generator = Generator(project)
    first = generator.build()
    again = generator.build()
    assert again.pages is first.pages
    assert again.report is not None and again.report.written == []
    # A deleted page is noticed even when nothing else changed.
    (project.docs_dir / "people" / f"{wiki.person_ids[0]}.md").unlink()
    assert generator.build().report.written == [f"people/{wiki.person_ids[0]}.md"]
    # An edited archive is noticed although every profile is unchanged.
    archive = sorted(project.seeds_dir.iterdir())[0]
    archive.write_text(archive.read_text(encoding="utf-8") + "Edited.\n", encoding="utf-8")
    with pytest.raises(FactfileErrors, match="sha256"):
        generator.build()


# A good synthetic wiki (None) and every broken-input case.
WIKIS = [None, *sorted(p.name for p in (ROOT / "tests" / "broken").iterdir() if p.is_dir())]


def _wiki(tmp_path: Path, folder: str | None) -> Project:
    """A good synthetic wiki (``folder`` None) or one of the broken fixtures."""
    if folder is None:
        return Project.at(synthesise(tmp_path / "wiki", 60).root)
    return Project.at(ROOT / "tests" / "broken" / folder)


def _read(project: Project) -> tuple[list[tuple[object, ...]], list[str]]:
    from generator.load import load

    loaded = load(project, {})
    profiles = [
        (raw.kind, raw.id, raw.path, raw.text, raw.data, raw.references, raw.citations)
        for raw in loaded.profiles
    ]
    return profiles, [str(error) for error in loaded.errors]


@pytest.mark.parametrize("folder", WIKIS)
def test_reading_on_two_cores_gives_what_one_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str | None
) -> None:
    import generator.load as load_module
    from generator.fork import can_fork

    project = _wiki(tmp_path, folder)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1 << 30)
    alone = _read(project)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1)
    together = _read(project)
    assert together == alone
    # Where this runs, the second reading really used a forked copy.
    if sys.platform == "linux" and (os.cpu_count() or 1) > 1:
        assert can_fork()


def test_check_counts_what_the_wiki_counts(tmp_path: Path) -> None:
    project = Project.at(synthesise(tmp_path / "wiki", 60).root)
    counts = Generator(project).verify().counts()
    wiki = Generator(project).check()
    assert counts == {
        "people": len(wiki.people),
        "missions": len(wiki.missions),
        "events": len(wiki.events),
        "sources": len(wiki.sources),
        "quotes": len(wiki.quotes.spans),
        "passages": sum(len(spans) for spans in wiki.quotes.spans.values()),
    }
    result = CliRunner().invoke(main, ["check", "--project", str(project.root)])
    assert result.exit_code == 0
    assert f"{counts['quotes']} quotes ({counts['passages']} passages) verified" in result.output


def _verified(project: Project) -> tuple[object, list[str]]:
    """What a fresh check finds: the placed quotes, or every error as reported."""
    try:
        verified = Generator(project).verify()
    except FactfileErrors as errors:
        return None, [str(error) for error in errors]
    return verified.quotes.spans, []


@pytest.mark.parametrize("folder", WIKIS)
def test_archives_prepared_while_reading_change_no_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str | None
) -> None:
    # A cold two-core read hashes and prepares every archive before any source is known;
    # a missing, altered, misnamed or unnamed archive must be reported as before.
    import generator.load as load_module
    from generator.fork import can_fork
    from generator.quotes import ArchiveCache

    project = _wiki(tmp_path, folder)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1 << 30)
    alone = _verified(project)
    prepared: list[Path] = []
    prepare_all = ArchiveCache.prepare_all

    def spy(self: ArchiveCache, seeds_dir: Path, digests: dict) -> None:  # type: ignore[type-arg]
        prepared.append(seeds_dir)
        prepare_all(self, seeds_dir, digests)

    monkeypatch.setattr(ArchiveCache, "prepare_all", spy)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1)
    assert _verified(project) == alone
    if can_fork() and load_module.discover(project)[0]:
        assert prepared == [project.seeds_dir]


@pytest.mark.parametrize("folder", WIKIS)
def test_quotes_placed_ahead_change_no_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str | None
) -> None:
    # A cold check places quotes in a forked copy while it validates, matching sources
    # to archives by unvalidated checksums: every verdict must be what it would be.
    import generator.load as load_module
    import generator.quotes as quotes_module
    from generator.fork import can_fork

    project = _wiki(tmp_path, folder)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1 << 30)
    monkeypatch.setattr(quotes_module, "PLACE_AHEAD_MIN_QUOTES", 1 << 30)
    alone = _verified(project)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(quotes_module, "PLACE_AHEAD_MIN_QUOTES", 1)
    placed_here: list[str] = []
    locate = quotes_module.ArchiveText.locate

    def counting(self: quotes_module.ArchiveText, quote: str) -> object:
        placed_here.append(quote)
        return locate(self, quote)

    monkeypatch.setattr(quotes_module.ArchiveText, "locate", counting)
    assert _verified(project) == alone
    if folder is None and can_fork():
        # The copy placed every quote: this process placed none itself.
        assert placed_here == []


def test_work_in_a_forked_copy_comes_back_or_is_none() -> None:
    from generator.fork import can_fork, in_copy

    if not can_fork():
        pytest.skip("no second core or no fork here")
    assert in_copy(lambda: {"placed": [(1, 2)]}).result() == {"placed": [(1, 2)]}
    assert in_copy(lambda: 1 // 0).result() is None
    # A copy no longer wanted is stopped and reaped.
    slow = in_copy(lambda: time.sleep(60))
    started = time.perf_counter()
    slow.discard()
    assert slow.result() is None and time.perf_counter() - started < 10
    # Where children are reaped by someone else, the result is unknown, not an error.
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert in_copy(lambda: 1).result() is None
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_a_failed_copy_is_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.load as load_module

    project = Project.at(synthesise(tmp_path / "wiki", 30).root)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1 << 30)
    alone = _read(project)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(load_module, "can_fork", lambda: True)
    monkeypatch.setattr(load_module, "in_copy", lambda work: Copy(None, None))
    assert _read(project) == alone


def test_rendering_on_two_cores_gives_what_one_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.render as render_module
    from generator.fork import can_fork

    project = Project.at(synthesise(tmp_path / "wiki", 60).root)
    monkeypatch.setattr(render_module, "PARALLEL_MIN_PAGES", 1 << 30)
    alone = Generator(project).render().pages
    monkeypatch.setattr(render_module, "PARALLEL_MIN_PAGES", 1)
    rendered_here: list[str] = []
    render_page = render_module.render_page

    def counting(wiki: object, page: str) -> str:
        rendered_here.append(page)
        return render_page(wiki, page)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "render_page", counting)
    together = Generator(project).render().pages
    assert together == alone
    assert list(together) == list(alone)
    if can_fork():
        # The copy rendered half the profile pages.
        assert len(rendered_here) < len(alone) * 0.6
