"""Rebuilds with warm caches: only the pages an edit can reach are re-rendered, and the
result is always exactly what a cold build of the edited wiki gives."""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

from generator.bench import synthesise
from generator.build import Pipeline, reusing
from generator.errors import FactfileErrors
from generator.extras import extra_files
from generator.model import BIDI_CONTROLS, INVISIBLE, KINDS, Person
from generator.project import GENERATED_DIRS, Project
from generator.render import page_paths
from generator.render.views import Views
from generator.reuse.steps import Reuse
from generator.wiki import Ref, Wiki

from .edits import Edits, dump_yaml, load_yaml


def test_isprintable_is_false_for_every_rejected_character() -> None:
    # The text checks skip their per-character walk for printable text: that is only
    # sound if no character they reject is printable.
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        rejected = (
            char in BIDI_CONTROLS
            or char in INVISIBLE
            or unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")
        )
        assert not (rejected and char.isprintable()), hex(code)


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\x07", "\ue000", "\u00ad"])
def test_invisible_characters_are_still_rejected(char: str) -> None:
    with pytest.raises(ValueError, match=f"U\\+{ord(char):04X}"):
        Person.model_validate({"name": f"Kim{char}Chol"})


def _tables(wiki: Wiki) -> dict[str, object]:
    """Everything a wiki derives, in a form two wikis can be compared by."""
    refs = [ref for kind in KINDS for ref in wiki.refs(kind)]
    return {
        "ids": wiki.ids,
        "incoming": {ref: wiki.incoming(ref) for ref in refs},
        "backlinks": {ref: wiki.backlinks(ref) for ref in refs},
        "links": {ref: wiki.links(ref) for ref in refs},
        "passages": {ref.id: wiki.passages(ref.id) for ref in wiki.refs("sources")},
        "disagreements": {ref: wiki.disagreements(ref) for ref in refs},
    }


def test_every_kind_of_edit_gives_what_a_cold_build_gives(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 80)
    project = Project.at(wiki.root)
    pipeline = reusing(project)
    result = pipeline.build()
    before = {**result.pages, **extra_files(result.wiki)}
    for name, edit in Edits(project).all():
        edit()
        result = pipeline.build()
        cold = Pipeline(project).render()
        fresh: dict[str, str | bytes] = {**cold.pages, **extra_files(cold.wiki)}
        assert result.pages == cold.pages, name
        assert _tables(result.wiki) == _tables(cold.wiki), name
        assert result.report is not None
        changed = {page for page, body in fresh.items() if before.get(page) != body}
        assert set(result.report.written) == changed, name
        removed = {page for page in before if page not in fresh}
        assert {p.removeprefix("docs/") for p in result.report.removed} == removed, name
        on_disk = {
            p.relative_to(project.docs_dir).as_posix(): p.read_bytes()
            for p in project.docs_dir.rglob("*")
            if p.is_file() and p.relative_to(project.docs_dir).parts[0] in GENERATED_DIRS
        }
        assert on_disk == {
            page: body.encode("utf-8") if isinstance(body, str) else body
            for page, body in fresh.items()
        }, name
        before = fresh


def test_an_edit_renders_only_the_pages_that_read_what_it_changed(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 80)
    project = Project.at(wiki.root)
    steps = Reuse()
    pipeline = Pipeline(project, steps)
    first = pipeline.render()
    assert set(steps.pages.rendered) == set(page_paths(first.wiki))
    path = project.profiles_dir / "people" / f"{wiki.person_ids[0]}.yaml"
    data = load_yaml(path)
    data["name"] = data["names"][0]["value"] = f"{data['name']} (renamed)"
    dump_yaml(path, data)
    edited = pipeline.render()
    rendered = set(steps.pages.rendered)
    assert f"people/{wiki.person_ids[0]}.md" in rendered
    assert len(rendered) < len(first.pages) / 4
    # Every page that shows the name was rendered again; pages that were not are the
    # same as a cold build's.
    assert {page for page, text in edited.pages.items() if "(renamed)" in text} <= rendered
    assert edited.pages == Pipeline(project).render().pages
    # Nothing changed: nothing is rendered.
    pipeline.render()
    assert steps.pages.rendered == []


def test_an_index_rendered_again_makes_again_only_the_rows_an_edit_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wiki = synthesise(tmp_path / "wiki", 80)
    project = Project.at(wiki.root)
    pipeline = Pipeline(project, Reuse())
    pipeline.render()
    made: list[str] = []
    make_row = Views._person_row

    def counted(views: Views, ref: Ref) -> str:
        made.append(ref.id)
        return make_row(views, ref)

    monkeypatch.setattr(Views, "_person_row", counted)
    person = wiki.person_ids[0]
    path = project.profiles_dir / "people" / f"{person}.yaml"
    data = load_yaml(path)
    data["name"] = data["names"][0]["value"] = f"{data['name']} (renamed)"
    dump_yaml(path, data)
    edited = pipeline.render()
    assert made == [person]
    # The index shows every person, the renamed one in its new place, as a cold build.
    monkeypatch.undo()
    assert edited.pages["people/index.md"] == Pipeline(project).render().pages["people/index.md"]
    assert "(renamed)" in edited.pages["people/index.md"]


def test_unchanged_pages_are_not_read_back(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 40)
    project = Project.at(wiki.root)
    pipeline = reusing(project)
    pipeline.build()
    page = project.docs_dir / "people" / f"{wiki.person_ids[1]}.md"
    page.write_text("edited by hand\n", encoding="utf-8")
    report = pipeline.build().report
    assert report is not None
    # Known text and an existing file: trusted without reading it back.
    assert report.written == []
    # A fresh pipeline reads every file and restores the page.
    report = Pipeline(project).build().report
    assert report is not None and report.written == [f"people/{wiki.person_ids[1]}.md"]


def test_a_same_size_edit_that_restores_the_modification_time_is_seen(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 40)
    project = Project.at(wiki.root)
    pipeline = reusing(project)
    pipeline.render()
    path = project.profiles_dir / "people" / f"{wiki.person_ids[0]}.yaml"
    text = path.read_text(encoding="utf-8")
    before = path.stat()
    name = load_yaml(path)["name"]
    same_size = name[:-1] + ("X" if name[-1] != "X" else "Y")
    # The title and its spelling under names; the quotes keep the name as archived.
    edited = text.replace(f"name: {name}\n", f"name: {same_size}\n").replace(
        f"- value: {name}\n", f"- value: {same_size}\n"
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    page = pipeline.render().pages[f"people/{wiki.person_ids[0]}.md"]
    assert same_size in page


def test_a_rebuild_names_the_archive_a_source_now_points_at(tmp_path: Path) -> None:
    # Two archives with the same bytes: pointing a source at the other changes no verdict,
    # but a quote that is not found must be reported against the archive now named.
    wiki = synthesise(tmp_path / "wiki", 40)
    project = Project.at(wiki.root)
    source = sorted((project.profiles_dir / "sources").iterdir())[0]
    data = load_yaml(source)
    shutil.copy(project.seeds_dir / data["archive"], project.seeds_dir / "same-text.txt")
    citer = next(
        path
        for path in sorted((project.profiles_dir / "people").iterdir())
        if f"source: {source.stem}" in path.read_text(encoding="utf-8")
    )
    text = citer.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("quote:"))
    citer.write_text(text.replace(line, line.split(":")[0] + ": words no article has"))
    pipeline = reusing(project)
    for archive in (data["archive"], "same-text.txt"):
        dump_yaml(source, {**data, "archive": archive})
        with pytest.raises(FactfileErrors) as raised:
            pipeline.build()
        assert f"(seeds/{archive})" in str(raised.value)
