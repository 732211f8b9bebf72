"""``factfile bench`` on a small synthetic wiki: every figure is present and sane.

No timing is asserted: the machine's speed is not the code's behaviour. What is
asserted is what the benchmark claims to measure — a wiki that passes every check,
a real MkDocs build with and without the plugin, and an edit that rewrites only the
pages that show the edited profile.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.bench import linking_pages, synthesise
from generator.build import Pipeline, reusing
from generator.cli import main
from generator.errors import FactfileErrors
from generator.model import Event, Person, Ref
from generator.project import Project

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
    "serve_start_s": float,
    "serve_ready_s": float,
    "serve_edit_s": float,
    "serve_edit_runs_s": dict,
    "serve_downloads_s": float,
}
STAGES = {"load", "validate", "quotes", "support", "wiki", "render", "write"}


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
    assert "(renamed)" in renamed["name"]
    # Save to served through a real `mkdocs serve`, for five kinds of edit, the last the
    # median; the kept wiki builds as it is, with its own mkdocs.yml.
    assert len(figures["serve_edit_runs_s"]) == 5
    assert figures["serve_edit_s"] == sorted(figures["serve_edit_runs_s"].values())[2]
    assert figures["serve_ready_s"] >= figures["serve_start_s"]
    # The downloads are brought up to date after the page is served, not before.
    assert figures["serve_downloads_s"] > min(figures["serve_edit_runs_s"].values())
    assert (wiki / "mkdocs.yml").is_file()


def test_synthetic_wiki_passes_every_check(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 100)
    project = Project.at(wiki.root)
    checked = Pipeline(project).wiki()
    profiles = {
        kind: [checked.profile(ref) for ref in checked.refs(kind)]
        for kind in ("people", "missions", "events", "sources")
    }
    assert len(profiles["people"]) == wiki.counts["people"] > 0
    assert len(profiles["missions"]) == wiki.counts["missions"] > 0
    assert len(profiles["events"]) == wiki.counts["events"] > 0
    assert len(profiles["sources"]) == wiki.counts["sources"] == 10
    # Every relation the benchmark promises is there.
    people = [p for p in profiles["people"] if isinstance(p, Person)]
    events = [e for e in profiles["events"] if isinstance(e, Event)]
    assert any(person.family for person in people)
    assert all(person.postings for person in people)
    assert all(event.participants and event.missions for event in events)
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
    generator = reusing(project)
    first = generator.build()
    target = max(
        wiki.person_ids,
        key=lambda pid: (len(first.wiki.backlinks(Ref("people", pid))), pid),
    )
    path = project.profiles_dir / "people" / f"{target}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    old_name = data["name"]
    data["name"] = data["names"][0]["value"] = f"{old_name} (renamed)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edited = generator.build()
    assert edited.report is not None
    # The pages; the data downloads and alias redirects change with any rename too.
    written = {page for page in edited.report.written if page.endswith(".md")}
    # Exactly the pages whose text changed: compared with a cold build of the edited wiki.
    fresh = Pipeline(project).render().pages
    assert edited.pages == fresh
    changed = {page for page, body in fresh.items() if first.pages.get(page) != body}
    assert written == changed
    # A rename reaches the profile's page and every page that links to it, no other.
    assert written == {f"people/{target}.md"} | linking_pages(fresh, "people", target)
    backlinks = {ref.page for ref, _ in edited.wiki.backlinks(Ref("people", target))}
    assert backlinks <= written
    assert all(old_name not in fresh[page] or "(renamed)" in fresh[page] for page in written)


def test_rebuild_with_nothing_changed_reuses_the_result_and_sees_archive_edits(
    tmp_path: Path,
) -> None:
    wiki = synthesise(tmp_path / "wiki", 60)
    project = Project.at(wiki.root)
    generator = reusing(project)
    first = generator.build()
    again = generator.build()
    assert again.pages == first.pages
    assert again.report is not None and again.report.written == []
    # A deleted page is noticed even when nothing else changed.
    (project.docs_dir / "people" / f"{wiki.person_ids[0]}.md").unlink()
    report = generator.build().report
    assert report is not None and report.written == [f"people/{wiki.person_ids[0]}.md"]
    # An edited archive is noticed although every profile is unchanged.
    archive = sorted(project.seeds_dir.iterdir())[0]
    archive.write_text(archive.read_text(encoding="utf-8") + "Edited.\n", encoding="utf-8")
    with pytest.raises(FactfileErrors, match="sha256"):
        generator.build()
