"""Ids that are no longer a profile's own: profiles merged into others, and renamed ids.

A profile whose subject turns out to be another profile's is merged into it: it keeps
its file with only its ``name`` and ``merged_into: <id>``. A profile whose id changes
(its file renamed) leaves its old id in ``profiles/redirects.yaml``, by kind::

    people:
      old-id: new-id

Either way the old id keeps its address, a page that leads to the profile it is now
(``extras.py``); a reference to it is an error that names that profile; and "did you
mean" suggestions for an unknown id draw on these old ids, and on profiles' names and
spellings, as well as on their ids.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import FactfileError, Location
from .load import RENAMED_FILE, RawProfile, parse_bytes, read_bytes, slug_problem, suggest_among
from .model import KINDS, SINGULAR, Kind, Person, slugify
from .project import Project

if TYPE_CHECKING:
    from .validate import Catalog, Entry

REDIRECTS = RENAMED_FILE


@dataclass
class Renamed:
    """The ids listed in profiles/redirects.yaml: by kind, each old id and its new one."""

    ids: dict[Kind, dict[str, str]] = field(default_factory=lambda: {k: {} for k in KINDS})
    raw: RawProfile | None = None
    """The file as read, to locate its entries in messages."""

    def locate(self, kind: Kind, old: str, *, at_key: bool = False) -> Location:
        assert self.raw is not None
        return self.raw.locate((kind, old), at_key=at_key)


def read_renamed(project: Project) -> tuple[Renamed, list[FactfileError]]:
    """profiles/redirects.yaml, read and checked for shape; empty if there is none."""
    path = project.profiles_dir / REDIRECTS
    rel = f"{project.profiles_dirname}/{REDIRECTS}"
    if not os.path.lexists(path):
        return Renamed(), []
    if path.is_symlink() or not path.is_file():
        return Renamed(), [FactfileError(Location(rel), "not a regular file: make it a plain file")]
    data = read_bytes(path, rel)
    if isinstance(data, FactfileError):
        return Renamed(), [data]
    raw = parse_bytes("people", "redirects", rel, data)
    if isinstance(raw, list):
        return Renamed(), raw
    return _table(raw)


def _table(raw: RawProfile) -> tuple[Renamed, list[FactfileError]]:
    renamed = Renamed(raw=raw)
    errors: list[FactfileError] = []
    for kind, table in raw.data.items():
        if kind not in KINDS:
            errors.append(
                FactfileError(
                    raw.locate((kind,), at_key=True),
                    f"unknown kind '{kind}': list renamed ids under {', '.join(KINDS)}",
                )
            )
            continue
        if table is None:
            continue
        if not isinstance(table, dict):
            errors.append(
                FactfileError(raw.locate((kind,)), f"{kind}: must be lines of 'old-id: new-id'")
            )
            continue
        for old, new in table.items():
            problem = _entry_problem(old, new)
            if problem is not None:
                at_key = problem.startswith("old")
                errors.append(FactfileError(raw.locate((kind, old), at_key=at_key), problem))
            else:
                renamed.ids[kind][old] = new
    return renamed, errors


def _entry_problem(old: str, new: object) -> str | None:
    problem = slug_problem(old)
    if problem:
        return f"old id '{old}' is not an id: it {problem}"
    if not isinstance(new, str) or slug_problem(new):
        return f"{old}: the new id must be an id (a file name under profiles/, without .yaml)"
    if new == old:
        return f"{old}: an id renamed to itself"
    return None


def merged_into(entry: Entry) -> str | None:
    """The id of the profile ``entry`` was merged into, if it was."""
    target = getattr(entry.profile, "merged_into", None)
    return target if isinstance(target, str) else None


# --- Checks ---------------------------------------------------------------------------------


def reference_problem(catalog: Catalog, entry: Entry, kind: Kind, value: str) -> str | None:
    """What is wrong with a reference to ``value`` that is no longer a profile's id."""
    merged = catalog.merged[kind].get(value)
    if merged is not None:
        target = merged_into(merged)
        if target == entry.id and kind == entry.kind:
            return f"'{value}' was merged into this profile: remove this reference to it"
        return f"{SINGULAR[kind]} '{value}' was merged into '{target}': refer to '{target}'"
    new = catalog.renamed.ids[kind].get(value)
    if new is not None:
        return f"'{value}' was renamed '{new}' (profiles/{REDIRECTS}): refer to '{new}'"
    return None


def identity_errors(catalog: Catalog, present: dict[Kind, set[str]]) -> list[FactfileError]:
    """Every merged profile and renamed id leads to a profile that is there, in one step."""
    errors: list[FactfileError] = []
    for kind in KINDS:
        for id_, entry in catalog.merged[kind].items():
            target = merged_into(entry)
            assert target is not None
            problem = _target_problem(catalog, present, kind, id_, target)
            if problem is not None:
                errors.append(FactfileError(entry.raw.locate(("merged_into",)), problem))
        for old, new in catalog.renamed.ids[kind].items():
            problem = (
                f"'{old}' is listed as renamed, but profiles/{kind}/{old}.yaml is there: "
                "remove the file or this line"
                if old in present[kind]
                else _target_problem(catalog, present, kind, old, new)
            )
            if problem is not None:
                errors.append(FactfileError(catalog.renamed.locate(kind, old), problem))
    return errors


def _target_problem(
    catalog: Catalog, present: dict[Kind, set[str]], kind: Kind, old: str, new: str
) -> str | None:
    """What is wrong with ``new`` as the profile ``old`` now leads to."""
    if new == old:
        return f"'{old}' cannot be merged into itself"
    if new in catalog.entries[kind]:
        return None
    further = catalog.merged[kind].get(new)
    onward = merged_into(further) if further is not None else catalog.renamed.ids[kind].get(new)
    if onward is not None:
        return f"'{new}' is itself now '{onward}': lead '{old}' to '{onward}'"
    if new in present[kind]:
        return None  # a file with errors of its own, reported there
    return (
        f"no {SINGULAR[kind]} with id '{new}'{suggest_profile(catalog, kind, new)} "
        f"(expected profiles/{kind}/{new}.yaml)"
    )


# --- "Did you mean" -------------------------------------------------------------------------


def suggest_profile(catalog: Catalog, kind: Kind, word: str) -> str:
    """A "did you mean" hint for an unknown id of ``kind``: the closest of the ids, the
    names and spellings of the profiles, and the ids that used to exist, each leading to
    the profile it names now."""
    return suggest_among(word, catalog.names_of(kind))


def names(catalog: Catalog, kind: Kind) -> dict[str, tuple[str, str]]:
    """Every word an id may be mistaken for, as a slug, with the id it leads to and why
    (empty for the id itself)."""
    found: dict[str, tuple[str, str]] = {id_: (id_, "") for id_ in catalog.entries[kind]}
    for slug, target, why in _other_names(catalog, kind):
        if slug and target in catalog.entries[kind]:
            found.setdefault(slug, (target, why))
    return found


def _other_names(catalog: Catalog, kind: Kind) -> Iterator[tuple[str, str, str]]:
    for id_, entry in catalog.entries[kind].items():
        heading = entry.profile.heading
        yield slugify(heading), id_, f"titled '{heading}'"
        if isinstance(entry.profile, Person):
            for claim in entry.profile.names:
                yield slugify(claim.value), id_, f"also spelled '{claim.value}'"
    for old, entry in catalog.merged[kind].items():
        target = merged_into(entry) or ""
        yield old, target, f"into which '{old}' was merged"
        yield slugify(entry.profile.heading), target, f"into which '{old}' was merged"
    for old, new in catalog.renamed.ids[kind].items():
        yield old, new, f"formerly '{old}'"


def former_ids(catalog: Catalog) -> Iterator[tuple[Kind, str, str, str]]:
    """Each id that leads to another profile now: its kind, the old id, the profile it
    leads to, and how (merged or renamed). Only those that lead to a profile there."""
    for kind in KINDS:
        for old, entry in sorted(catalog.merged[kind].items()):
            target = merged_into(entry)
            if target in catalog.entries[kind]:
                yield kind, old, target, "merged"
        for old, new in sorted(catalog.renamed.ids[kind].items()):
            if new in catalog.entries[kind] and old not in catalog.merged[kind]:
                yield kind, old, new, "renamed"
