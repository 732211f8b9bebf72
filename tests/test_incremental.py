"""Rebuilds with warm caches: only the pages an edit can reach are re-rendered, and the
result is always exactly what a cold build of the edited wiki gives."""

from __future__ import annotations

import copy
import shutil
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator import fieldref
from generator import render as render_module
from generator.bench import synthesise
from generator.build import Generator
from generator.errors import FactfileErrors
from generator.export import DATA_PATHS
from generator.model import BIDI_CONTROLS, INVISIBLE, Person
from generator.plugin import _derived
from generator.project import Project
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
    tables: dict[str, object] = {
        name: {key: value for key, value in getattr(wiki, name).items() if value}
        for name in (
            "people",
            "missions",
            "events",
            "sources",
            "family",
            "staff",
            "person_events",
            "mission_events",
            "backlinks",
            "links",
            "source_quotes",
        )
    }
    tables["disagreements"] = wiki.disagreements
    tables["sources order"] = list(wiki.source_quotes)
    tables["quote uses"] = {
        (source, quote): wiki.quote_use(source, quote) for source, quote in wiki.quotes.spans
    }
    return tables


def _snapshot(wiki: Wiki) -> dict[str, object]:
    """``_tables`` with every set and list copied, so later changes to them show."""
    return {
        name: {
            key: frozenset(value) if isinstance(value, set) else tuple(value)
            for key, value in table.items()
        }
        if isinstance(table, dict) and name != "quote uses"
        else table
        for name, table in _tables(wiki).items()
    }


def test_every_kind_of_edit_gives_what_a_cold_build_gives(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 80)
    project = Project.at(wiki.root)
    generator = Generator(project)
    result = generator.build()
    before = result.pages
    for name, edit in _edits(project):
        edit()
        # The next wiki is derived from this one, which must stay as it was.
        previous, as_it_was = result.wiki, _snapshot(result.wiki)
        result = generator.build()
        assert _snapshot(previous) == as_it_was, name
        cold = Generator(project).render()
        fresh = cold.pages
        assert result.pages == fresh, name
        assert _tables(result.wiki) == _tables(cold.wiki), name
        assert result.report is not None
        changed = {page for page, body in fresh.items() if before.get(page) != body}
        assert set(result.report.written) == changed, name
        removed = {page for page in before if page not in fresh}
        assert {p.removeprefix("docs/") for p in result.report.removed} == removed, name
        on_disk = {
            p.relative_to(project.docs_dir).as_posix(): p.read_text(encoding="utf-8")
            for p in project.docs_dir.rglob("*.md")
            if p.relative_to(project.docs_dir).parts[0] != "index.md"
        }
        assert {k: v for k, v in on_disk.items() if k in fresh} == fresh, name
        before = fresh


def test_an_edit_renders_only_the_pages_it_can_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wiki = synthesise(tmp_path / "wiki", 80)
    project = Project.at(wiki.root)
    generator = Generator(project)
    first = generator.build()
    rendered: list[str] = []
    original = render_module._page

    def counting(wiki_: object, template: str, page: str, **values: object) -> str:
        rendered.append(page)
        return original(wiki_, template, page, **values)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "_page", counting)
    path = project.profiles_dir / "people" / f"{wiki.person_ids[0]}.yaml"
    data = _load(path)
    data["name"] = data["names"][0]["value"] = f"{data['name']} (renamed)"
    _dump(path, data)
    edited = generator.build()
    assert f"people/{wiki.person_ids[0]}.md" in rendered
    assert len(rendered) < len(first.pages) / 4
    # Pages not re-rendered keep their text object from the previous run.
    kept = [
        page
        for page in edited.pages
        if page not in rendered and page in first.pages and page != fieldref.PAGE
    ]
    assert kept and all(edited.pages[page] is first.pages[page] for page in kept)


def test_unchanged_pages_are_not_read_back(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 40)
    project = Project.at(wiki.root)
    generator = Generator(project)
    generator.build()
    page = project.docs_dir / "people" / f"{wiki.person_ids[1]}.md"
    # Make the generator re-render every page, so the write stage sees them all.
    generator._previous = None
    generator._last = None
    page.write_text("edited by hand\n", encoding="utf-8")
    report = generator.build().report
    assert report is not None
    # Known text and an existing file: trusted without reading it back.
    assert report.written == []
    # A fresh generator reads every file and restores the page.
    report = Generator(project).build().report
    assert report is not None and report.written == [f"people/{wiki.person_ids[1]}.md"]


def test_downloads_and_aliases_are_computed_once_per_wiki(tmp_path: Path) -> None:
    wiki = synthesise(tmp_path / "wiki", 40)
    project = Project.at(wiki.root)
    generator = Generator(project)
    first = generator.build().wiki
    again = generator.build().wiki
    assert again is first
    files, aliases = _derived(first).downloads, _derived(first).aliases
    assert files and list(files) == list(DATA_PATHS)
    assert _derived(again).downloads is files
    assert _derived(again).aliases is aliases
    (project.profiles_dir / "events" / sorted(wiki.root.glob("profiles/events/*"))[0].name).unlink()
    changed = generator.build().wiki
    assert _derived(changed).downloads is not files


def test_memo_reuses_only_the_same_objects_under_the_same_state() -> None:
    from generator.memo import Memo

    memo = Memo()
    computed: list[str] = []

    def compute(item: list[str]) -> str:
        computed.append(item[0])
        return item[0].upper()

    a, b, c = ["a"], ["b"], ["c"]
    state = memo.token("ids", {"a", "b"})
    assert memo.each("check", [a, b], state, compute) == ["A", "B"]
    # The same state (an equal value gives the very same token): only the new object runs.
    same = memo.token("ids", {"b", "a"})
    assert same is state
    assert memo.each("check", [a, ["b"], c], same, compute) == ["A", "B", "C"]
    assert computed == ["a", "b", "b", "c"]
    # Another state: everything runs again.
    assert memo.each("check", [a], memo.token("ids", {"a"}), compute) == ["A"]
    assert computed[-1] == "a"
    # No token: nothing is reused.
    computed.clear()
    memo.each("check", [a], None, compute)
    memo.each("check", [a], None, compute)
    assert computed == ["a", "a"]


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
    generator = Generator(project)
    for archive in (data["archive"], "same-text.txt"):
        _dump(source, {**data, "archive": archive})
        with pytest.raises(FactfileErrors) as raised:
            generator.build()
        assert f"(seeds/{archive})" in str(raised.value)
