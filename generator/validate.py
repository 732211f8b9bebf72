"""Stage 2: turn raw profiles into the typed model and check what spans files.

Each profile is checked against its declared shape (unknown keys, wrong types,
missing fields), then the whole set is checked together: references that point
nowhere, relations typed on both sides, archives that are missing or changed.
Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .errors import FactfileError
from .load import PathKey, RawProfile, suggest
from .memo import ALWAYS, Memo, each
from .model import (
    INVERSE_RELATION,
    KINDS,
    PROFILE_TYPES,
    SINGULAR,
    Kind,
    Person,
    Profile,
    Source,
)
from .project import Project


@dataclass
class Entry:
    """A validated profile together with the file it came from."""

    profile: Profile
    raw: RawProfile

    @property
    def kind(self) -> Kind:
        return self.raw.kind

    @property
    def id(self) -> str:
        return self.raw.id


@dataclass
class Catalog:
    """Every valid profile, by kind and id."""

    entries: dict[Kind, dict[str, Entry]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )

    def get(self, kind: Kind, id_: str) -> Entry | None:
        return self.entries[kind].get(id_)

    def __iter__(self) -> Iterator[Entry]:
        # Chained in C: every stage walks the whole catalog, some more than once.
        return chain.from_iterable([self.entries[kind].values() for kind in KINDS])

    def sources(self) -> dict[str, Source]:
        return {id_: e.profile for id_, e in self.entries["sources"].items()}  # type: ignore[misc]


# --- Shape --------------------------------------------------------------------------------


def check_shape(raw: RawProfile) -> Profile | list[FactfileError]:
    """The typed profile for ``raw``, or every way it departs from its declared shape."""
    model = PROFILE_TYPES[raw.kind]
    try:
        return model.model_validate(raw.data)
    except ValidationError as exc:
        return [_shape_error(raw, model, error) for error in exc.errors()]


def _shape_error(raw: RawProfile, model: type[BaseModel], error: Any) -> FactfileError:
    loc: PathKey = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
    kind = error["type"]
    label = _label(loc)
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        hint = suggest(str(loc[-1]), known)
        where = raw.locate(loc, at_key=True)
        allowed = f"; allowed here: {', '.join(known)}" if known and not hint else ""
        return FactfileError(where, f"unknown key '{loc[-1]}'{hint}{allowed}")
    where = raw.locate(loc)
    if kind == "missing":
        parent = _label(loc[:-1])
        at = f" in {parent}" if parent else ""
        return FactfileError(where, f"missing required key '{loc[-1]}'{at}")
    return FactfileError(where, f"{label}: {_describe(error, loc)}")


def _describe(error: Any, loc: PathKey) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "string_type":
        if isinstance(got, (int, float, bool)) or got is None:
            return f"must be text, not {_yaml_kind(got)}; put it in quotes"
        return f"must be text, not {_yaml_kind(got)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {_yaml_kind(got)}"
    if kind == "bool_type":
        return f"must be true or false, not {_yaml_kind(got)}"
    if kind == "list_type":
        return f"must be a list (one '- ' item per line), not {_yaml_kind(got)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of keys to values, not {_yaml_kind(got)}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
        hint = suggest(str(got), options) if isinstance(got, str) else ""
        return f"must be one of {expected}{hint}"
    if kind == "too_short" and loc and loc[-1] == "cite":
        return "needs at least one citation"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"must be {'at least' if 'ge' in ctx else 'at most'} {bound}, not {got}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        name = loc[-1] if loc else ""
        if name == "sha256":
            return "must be 64 lowercase hexadecimal digits (run: sha256sum seeds/FILE)"
        if name == "archive":
            return "must be a .txt file name in seeds/ (no folders)"
        shown = _short(got)
        return (
            f"{shown} is not a valid id: ids are lowercase ASCII letters and digits "
            "in words joined by single hyphens"
        )
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({_short(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _label(loc: PathKey) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(model: type[BaseModel], loc: PathKey) -> list[str]:
    """Field names of the model nested at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The model class inside ``list[X]``, ``X | None`` and the like."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
        origin = typing.get_origin(item)
        if origin in (list, Union, types.UnionType, typing.Annotated):
            stack.extend(typing.get_args(item))
    return None


# --- Across files -------------------------------------------------------------------------


def check_references(
    catalog: Catalog, present: dict[Kind, set[str]] | None = None, memo: Memo | None = None
) -> list[FactfileError]:
    """Every reference names a profile; one whose file has errors of its own is not
    reported again here."""
    token: object = None
    if memo is not None:
        ids = tuple(frozenset(catalog.entries[kind]) for kind in KINDS)
        known = tuple(frozenset(present[kind]) for kind in KINDS) if present else None
        token = memo.token("ids", (ids, known))
    found = each(
        memo,
        "references",
        list(catalog),
        token,
        lambda entry: _reference_errors(entry, catalog, present),
    )
    return list(chain.from_iterable(found))


def _reference_errors(
    entry: Entry, catalog: Catalog, present: dict[Kind, set[str]] | None
) -> list[FactfileError]:
    errors: list[FactfileError] = []
    for path, target, value in entry.raw.references:
        broken = present is not None and value in present[target]
        if broken and value not in catalog.entries[target]:
            continue
        if value in catalog.entries[target]:
            # A source may cite itself (its credits); a person cannot be their own kin.
            if target == entry.kind and value == entry.id and target != "sources":
                errors.append(
                    FactfileError(
                        entry.raw.locate(path),
                        f"{_label(path)}: a profile cannot refer to itself",
                    )
                )
            continue
        hint = suggest(value, catalog.entries[target])
        errors.append(
            FactfileError(
                entry.raw.locate(path),
                f"{_label(path)}: no {SINGULAR[target]} with id '{value}'{hint} "
                f"(expected profiles/{target}/{value}.yaml)",
            )
        )
    return errors


def check_relations(catalog: Catalog, memo: Memo | None = None) -> list[FactfileError]:
    """A family tie is typed once: stating it on both profiles invites the two to drift."""
    errors: list[FactfileError] = []
    stated: dict[tuple[str, str, str], Entry] = {}
    people = list(catalog.entries["people"].values())
    for entry, index, key, mirror in chain.from_iterable(each(memo, "ties", people, ALWAYS, _ties)):
        if mirror in stated or key in stated:
            other = stated.get(mirror) or stated[key]
            errors.append(
                FactfileError(
                    entry.raw.locate(("family", index)),
                    f"family[{index}]: this tie is already stated in {other.raw.path}; "
                    "state each relation once (the other side is shown automatically)",
                )
            )
        else:
            stated[key] = entry
    return errors


_Tie = tuple[Entry, int, tuple[str, str, str], tuple[str, str, str]]


def _ties(entry: Entry) -> list[_Tie]:
    """Each family tie of a person, as stated and as its other side would state it."""
    person = entry.profile
    assert isinstance(person, Person)
    return [
        (
            entry,
            index,
            (entry.id, tie.relation, tie.person),
            (tie.person, INVERSE_RELATION[tie.relation], entry.id),
        )
        for index, tie in enumerate(person.family)
    ]


def check_names(catalog: Catalog, memo: Memo | None = None) -> list[FactfileError]:
    """A named person's page title must be one of the spellings the sources use."""
    people = list(catalog.entries["people"].values())
    return list(chain.from_iterable(each(memo, "names", people, ALWAYS, _name_errors)))


def _name_errors(entry: Entry) -> list[FactfileError]:
    person = entry.profile
    assert isinstance(person, Person)
    spellings = [claim.value for claim in person.names]
    if spellings and person.name not in spellings:
        return [
            FactfileError(
                entry.raw.locate(("name",)),
                f"name '{person.name}' is not one of the spellings under 'names'"
                f"{suggest(person.name, spellings)}",
            )
        ]
    return []


def check_archives(
    catalog: Catalog,
    project: Project,
    digests: dict[Path, tuple[tuple[int, int], str]],
    memo: Memo | None = None,
    archives: object = None,
) -> list[FactfileError]:
    """Each source's archived text exists under seeds/ and has the recorded checksum.

    ``archives`` is a ``memo`` token for the state of seeds/: while it holds, a source
    whose profile is unchanged keeps its verdict.
    """
    found = each(
        memo,
        "archives",
        list(catalog.entries["sources"].values()),
        archives,
        lambda entry: _archive_errors(entry, project, digests),
    )
    return list(chain.from_iterable(found))


def _archive_errors(
    entry: Entry, project: Project, digests: dict[Path, tuple[tuple[int, int], str]]
) -> list[FactfileError]:
    source = entry.profile
    assert isinstance(source, Source)
    path = project.seeds_dir / source.archive
    if not path.is_file():
        available = sorted(p.name for p in project.seeds_dir.glob("*.txt"))
        return [
            FactfileError(
                entry.raw.locate(("archive",)),
                f"archive: no file seeds/{source.archive}{suggest(source.archive, available)}",
            )
        ]
    digest = file_digest(path, digests)
    if digest != source.sha256:
        return [
            FactfileError(
                entry.raw.locate(("sha256",)),
                f"sha256: seeds/{source.archive} has checksum {digest}, not the one recorded; "
                "archived texts are never edited (restore the file, or add the new text "
                "as a new source)",
            )
        ]
    return []


def file_digest(path: Path, cache: dict[Path, tuple[tuple[int, int], str]]) -> str:
    stat = path.stat()
    signature = (stat.st_mtime_ns, stat.st_size)
    cached = cache.get(path)
    if cached and cached[0] == signature:
        return cached[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cache[path] = (signature, digest)
    return digest


def validate(
    raws: list[RawProfile],
    project: Project,
    *,
    digests: dict[Path, tuple[tuple[int, int], str]] | None = None,
    present: dict[Kind, set[str]] | None = None,
    memo: Memo | None = None,
    archives: object = None,
) -> tuple[Catalog, list[FactfileError]]:
    """Check every profile's shape, then everything that spans profiles.

    The per-file result is kept on the raw profile, which the loader reuses for a file
    that has not changed, so an unchanged file is never checked twice. With ``memo``, so
    are its references while the ids that exist stay the same; with ``archives`` (a
    ``memo`` token for the state of seeds/), a source's archive while seeds/ is unchanged.
    """
    catalog = Catalog()
    errors: list[FactfileError] = []
    for raw in raws:
        if raw.checked is None:
            result = check_shape(raw)
            raw.checked = Entry(result, raw) if not isinstance(result, list) else result
        if isinstance(raw.checked, list):
            errors.extend(raw.checked)
        else:
            catalog.entries[raw.kind][raw.id] = raw.checked
    errors.extend(check_references(catalog, present, memo))
    errors.extend(check_relations(catalog, memo))
    errors.extend(check_names(catalog, memo))
    digests = digests if digests is not None else {}
    errors.extend(check_archives(catalog, project, digests, memo, archives))
    return catalog, errors
