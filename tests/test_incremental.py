"""Rebuilds with warm caches: only the pages an edit can reach are re-rendered, and the
result is always exactly what a cold build of the edited wiki gives."""

from __future__ import annotations

import copy
import os
import shutil
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.bench import synthesise
from generator.build import Pipeline, reusing
from generator.errors import FactfileErrors
from generator.extras import extra_files
from generator.model import BIDI_CONTROLS, INVISIBLE, KINDS, Person
from generator.project import GENERATED_DIRS, Project
from generator.render import page_paths
from generator.reuse.steps import Reuse
from generator.wiki import Wiki


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


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edits(project: Project) -> list[tuple[str, Callable[[], None]]]:
    people = project.profiles_dir / "people"
    events = project.profiles_dir / "events"
    sources = project.profiles_dir / "sources"
    loner = next(p for p in sorted(people.iterdir()) if not _load(p).get("family"))

    def add_person() -> None:
        shutil.copy(loner, people / "added-person.yaml")

    def remove_event() -> None:
        sorted(events.iterdir())[0].unlink()

    def retitle_source() -> None:
        path = sorted(sources.iterdir())[0]
        data = _load(path)
        data["title"] = f"{data['title']} (corrected)"
        _dump(path, data)

    def shorten_quote() -> None:
        # A quote that now starts one word later moves its passage in the source.
        data = _load(loner)
        cite = copy.deepcopy(data["names"][0]["cite"])[0]
        cite["quote"] = cite["quote"].split(" ", 1)[1]
        _dump(loner, data)

    def remove_added() -> None:
        (people / "added-person.yaml").unlink()

    others = [p for p in sorted(people.iterdir()) if p != loner]

    def tie_family() -> None:
        # Both people's pages list the tie; neither linked to the other before.
        data = _load(loner)
        kin = others[-1].stem
        cite = copy.deepcopy(data["names"][0]["cite"])
        data["family"] = [{"relation": "sibling", "person": kin, "cite": cite}]
        _dump(loner, data)

    def move_posting() -> None:
        # The old mission loses a staff member and the new one gains one.
        data = _load(loner)
        missions = sorted(p.stem for p in (project.profiles_dir / "missions").iterdir())
        current = data["postings"][0]["mission"]
        data["postings"][0]["mission"] = next(m for m in missions if m != current)
        _dump(loner, data)

    def make_sources_differ() -> None:
        # A second, different status: the page and the disagreements page change.
        data = _load(loner)
        claim = copy.deepcopy(data["status"][0])
        claim["value"] = "detained" if claim["value"] != "detained" else "missing"
        data["status"].append(claim)
        _dump(loner, data)

    def agree_again() -> None:
        data = _load(loner)
        data["status"] = data["status"][:1]
        _dump(loner, data)

    def drop_roles() -> None:
        # With no role stated, the people index shows the person's first mission instead.
        data = _load(loner)
        data.pop("roles", None)
        _dump(loner, data)

    def rename_their_mission() -> None:
        # The people index row of someone else shows this mission's name.
        mission = _load(loner)["postings"][0]["mission"]
        path = project.profiles_dir / "missions" / f"{mission}.yaml"
        data = _load(path)
        data["name"] = f"{data['name']} (renamed)"
        _dump(path, data)

    def redate_event() -> None:
        # Its participants' and missions' timelines put it somewhere else.
        path = sorted(events.iterdir())[2]
        data = _load(path)
        data["date"][0]["value"] = "1999-12-31"
        _dump(path, data)

    def add_event() -> None:
        path = sorted(events.iterdir())[3]
        shutil.copy(path, events / "added-event.yaml")

    def untie_family() -> None:
        data = _load(loner)
        data.pop("family")
        _dump(loner, data)

    def post_them_to_the_second_mission() -> None:
        data = _load(loner)
        data["postings"][0]["mission"] = sorted(
            path.stem for path in (project.profiles_dir / "missions").iterdir()
        )[1]
        _dump(loner, data)

    def hand_on_mission_names() -> None:
        # In one rebuild, the mission before theirs goes, theirs takes its name and a new
        # one after it takes theirs: the names of all missions, in order, are as before,
        # but their row must now show the other name.
        missions = project.profiles_dir / "missions"
        theirs = _load(loner)["postings"][0]["mission"]
        ids = sorted(path.stem for path in missions.iterdir())
        before = ids[ids.index(theirs) - 1]
        assert ids.index(theirs) > 0 and f"{theirs}-zz" not in ids
        mine, gone = _load(missions / f"{theirs}.yaml"), _load(missions / f"{before}.yaml")
        _dump(missions / f"{theirs}-zz.yaml", mine)
        _dump(missions / f"{theirs}.yaml", {**mine, "name": gone["name"]})
        (missions / f"{before}.yaml").unlink()
        for path in [*people.iterdir(), *events.iterdir()]:
            text = path.read_text(encoding="utf-8")
            if before in text:
                path.write_text(text.replace(before, f"{theirs}-zz"), encoding="utf-8")

    def redate_source() -> None:
        # Every citation of the source shows its date.
        path = sorted(sources.iterdir())[1]
        data = _load(path)
        data["date"] = "1999-12-31"
        _dump(path, data)

    return [
        ("add a person", add_person),
        ("remove an event", remove_event),
        ("retitle a source", retitle_source),
        ("shorten a quote", shorten_quote),
        ("remove the added person", remove_added),
        ("tie a family", tie_family),
        ("move a posting", move_posting),
        ("make sources differ", make_sources_differ),
        ("make them agree again", agree_again),
        ("drop a person's roles", drop_roles),
        ("rename the mission their row shows", rename_their_mission),
        ("post them to the second mission", post_them_to_the_second_mission),
        ("hand on mission names", hand_on_mission_names),
        ("redate a source", redate_source),
        ("redate an event", redate_event),
        ("add an event", add_event),
        ("untie the family", untie_family),
    ]


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
    for name, edit in _edits(project):
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
    data = _load(path)
    data["name"] = data["names"][0]["value"] = f"{data['name']} (renamed)"
    _dump(path, data)
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
    name = _load(path)["name"]
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
    data = _load(source)
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
        _dump(source, {**data, "archive": archive})
        with pytest.raises(FactfileErrors) as raised:
            pipeline.build()
        assert f"(seeds/{archive})" in str(raised.value)
