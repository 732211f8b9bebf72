"""Kinds of edit a contributor makes to a wiki, applied to real files on disk.

Shared by the tests that compare an incremental rebuild (of the generator, of a served
site) with a cold build of the same files after each edit. Each edit is written for a
synthetic wiki (``generator.bench.synthesise``), in the order ``Edits.all`` gives: some
undo or build on the one before.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.project import Project


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def dump_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


class Edits:
    """Edits of one synthetic wiki. ``loner`` is a person with no family tie, whom most
    edits change."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.people = project.profiles_dir / "people"
        self.events = project.profiles_dir / "events"
        self.sources = project.profiles_dir / "sources"
        self.missions = project.profiles_dir / "missions"
        self.loner = next(
            p for p in sorted(self.people.iterdir()) if not load_yaml(p).get("family")
        )

    def all(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("add a person", self.add_person),
            ("remove an event", self.remove_event),
            ("retitle a source", self.retitle_source),
            ("shorten a quote", self.shorten_quote),
            ("remove the added person", self.remove_added),
            ("tie a family", self.tie_family),
            ("move a posting", self.move_posting),
            ("make sources differ", self.make_sources_differ),
            ("make them agree again", self.agree_again),
            ("drop a person's roles", self.drop_roles),
            ("rename the mission their row shows", self.rename_their_mission),
            ("post them to the second mission", self.post_them_to_the_second_mission),
            ("hand on mission names", self.hand_on_mission_names),
            ("redate a source", self.redate_source),
            ("redate an event", self.redate_event),
            ("add an event", self.add_event),
            ("untie the family", self.untie_family),
        ]

    def _edit_loner(self, change: Callable[[dict[str, Any]], None]) -> None:
        data = load_yaml(self.loner)
        change(data)
        dump_yaml(self.loner, data)

    def add_person(self) -> None:
        shutil.copy(self.loner, self.people / "added-person.yaml")

    def remove_event(self) -> None:
        sorted(self.events.iterdir())[0].unlink()

    def retitle_source(self) -> None:
        path = sorted(self.sources.iterdir())[0]
        data = load_yaml(path)
        data["title"] = f"{data['title']} (corrected)"
        dump_yaml(path, data)

    def shorten_quote(self) -> None:
        """A quote that now starts one word later moves its passage in the source."""

        def change(data: dict[str, Any]) -> None:
            cite = data["names"][0]["cite"][0]
            cite["quote"] = cite["quote"].split(" ", 1)[1]

        self._edit_loner(change)

    def remove_added(self) -> None:
        (self.people / "added-person.yaml").unlink()

    def tie_family(self) -> None:
        """Both people's pages list the tie; neither linked to the other before."""
        kin = [p for p in sorted(self.people.iterdir()) if p != self.loner][-1].stem

        def change(data: dict[str, Any]) -> None:
            cite = copy.deepcopy(data["names"][0]["cite"])
            data["family"] = [
                {
                    "relation": "sibling",
                    "person": kin,
                    "inferred": "No article says so: an edit made by the tests.",
                    "cite": cite,
                }
            ]

        self._edit_loner(change)

    def move_posting(self) -> None:
        """The old mission loses a staff member and the new one gains one."""
        missions = sorted(p.stem for p in self.missions.iterdir())

        def change(data: dict[str, Any]) -> None:
            current = data["postings"][0]["mission"]
            data["postings"][0]["mission"] = next(m for m in missions if m != current)

        self._edit_loner(change)

    def make_sources_differ(self) -> None:
        """A second, different status: the page and the disagreements page change."""

        def change(data: dict[str, Any]) -> None:
            claim = copy.deepcopy(data["status"][0])
            claim["value"] = "detained" if claim["value"] != "detained" else "missing"
            claim["inferred"] = "No article says so: an edit made by the tests."
            data["status"].append(claim)

        self._edit_loner(change)

    def agree_again(self) -> None:
        self._edit_loner(lambda data: data.update(status=data["status"][:1]))

    def drop_roles(self) -> None:
        """With no role stated, the people index shows the person's first mission instead."""
        self._edit_loner(lambda data: data.pop("roles", None))

    def rename_their_mission(self) -> None:
        """The people index row of someone else shows this mission's name."""
        mission = load_yaml(self.loner)["postings"][0]["mission"]
        path = self.missions / f"{mission}.yaml"
        data = load_yaml(path)
        data["name"] = f"{data['name']} (renamed)"
        dump_yaml(path, data)

    def redate_event(self) -> None:
        """Its participants' and missions' timelines put it somewhere else."""
        path = sorted(self.events.iterdir())[2]
        data = load_yaml(path)
        data["date"][0]["value"] = "1999-12-31"
        data["date"][0]["inferred"] = "No article says so: an edit made by the tests."
        dump_yaml(path, data)

    def add_event(self) -> None:
        path = sorted(self.events.iterdir())[3]
        shutil.copy(path, self.events / "added-event.yaml")

    def untie_family(self) -> None:
        self._edit_loner(lambda data: data.pop("family"))

    def post_them_to_the_second_mission(self) -> None:
        second = sorted(path.stem for path in self.missions.iterdir())[1]
        self._edit_loner(lambda data: data["postings"][0].update(mission=second))

    def hand_on_mission_names(self) -> None:
        """In one rebuild, the mission before theirs goes, theirs takes its name and a new
        one after it takes theirs: the names of all missions, in order, are as before,
        but their row must now show the other name."""
        theirs = load_yaml(self.loner)["postings"][0]["mission"]
        ids = sorted(path.stem for path in self.missions.iterdir())
        before = ids[ids.index(theirs) - 1]
        assert ids.index(theirs) > 0 and f"{theirs}-zz" not in ids
        mine, gone = (
            load_yaml(self.missions / f"{theirs}.yaml"),
            load_yaml(self.missions / f"{before}.yaml"),
        )
        dump_yaml(self.missions / f"{theirs}-zz.yaml", mine)
        dump_yaml(self.missions / f"{theirs}.yaml", {**mine, "name": gone["name"]})
        (self.missions / f"{before}.yaml").unlink()
        for path in [*self.people.iterdir(), *self.events.iterdir()]:
            text = path.read_text(encoding="utf-8")
            if before in text:
                path.write_text(text.replace(before, f"{theirs}-zz"), encoding="utf-8")

    def redate_source(self) -> None:
        """Every citation of the source shows its date."""
        path = sorted(self.sources.iterdir())[1]
        data = load_yaml(path)
        data["date"] = "1999-12-31"
        dump_yaml(path, data)
