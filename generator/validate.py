"""Stage 2: turn raw profiles into the typed model and check what spans files.

Each profile is checked against its declared shape (unknown keys, wrong types,
missing fields), then the whole set is checked together: references that point
nowhere, relations typed on both sides, archives that are missing or changed.
Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from . import identity, placeholders
from .archives import Archives
from .errors import FactfileError
from .load import RawProfile, suggest
from .model import (
    INVERSE_RELATION,
    KINDS,
    PROFILE_TYPES,
    SINGULAR,
    Basis,
    Citation,
    Claim,
    Edge,
    Kind,
    PathKey,
    Person,
    Profile,
    Ref,
    Source,
    claim_fields,
    stated_edges,
)


@dataclass
class Entry:
    """A validated profile together with the file it came from.

    What later stages read of one profile again and again (its references, citations,
    relations, links) is worked out once per entry, when first asked for.
    """

    profile: Profile
    raw: RawProfile

    @property
    def kind(self) -> Kind:
        return self.raw.kind

    @property
    def id(self) -> str:
        return self.raw.id

    @cached_property
    def ref(self) -> Ref:
        return Ref(self.raw.kind, self.raw.id)

    @cached_property
    def references(self) -> list[tuple[PathKey, Kind, str]]:
        """Every id the profile gives of another profile, with where it sits."""
        return list(self.profile.references())

    @cached_property
    def citations(self) -> list[tuple[PathKey, str, Citation]]:
        """Every citation: where it sits, its claim's field, and itself."""
        return list(self.profile.citations())

    @cached_property
    def edges(self) -> list[Edge]:
        """The relations the profile states."""
        return stated_edges(self.ref, self.profile)

    @cached_property
    def disagreements(self) -> list[tuple[str, list[tuple[str, list[Claim]]]]]:
        """The single-valued fields to which the sources give different values."""
        return self.profile.disagreements()

    @cached_property
    def counts(self) -> tuple[int, int]:
        """How many claims the profile makes, and how many citations back them."""
        claims = sum(len(getattr(self.profile, name)) for name in claim_fields(type(self.profile)))
        return claims, len(self.citations)

    @cached_property
    def bases(self) -> dict[Basis, int]:
        """How many of the profile's claims are stated, attributed, hedged and inferred."""
        found = dict.fromkeys(("stated", "attributed", "hedged", "inferred"), 0)
        for _, _, claim in self.profile.claims():
            found[claim.basis] += 1
        return found

    @cached_property
    def cited_sources(self) -> list[str]:
        """The sources the profile cites, each once, in the order first cited."""
        return list(dict.fromkeys(citation.source for _, _, citation in self.citations))

    @cached_property
    def links(self) -> frozenset[Ref]:
        """The profiles its page links to: what it relates to, and the sources it cites
        (a source citing itself, for its credits, is no link)."""
        cited = {Ref("sources", source) for source in self.cited_sources}
        cited.discard(self.ref)
        return frozenset(edge.target for edge in self.edges) | cited


@dataclass
class Catalog:
    """Every valid profile, by kind and id; and the files whose shape is wrong."""

    entries: dict[Kind, dict[str, Entry]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    rejected: list[RawProfile] = field(default_factory=list)
    """Profiles left out for their shape. They are in no page, but the quotes they cite
    are still checked (``verify.place_rejected``): a shape error must not hide them."""
    merged: dict[Kind, dict[str, Entry]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    """Profiles merged into others (``merged_into``): no page of their own, only their old
    address leading to the other's (``identity.py``)."""
    renamed: identity.Renamed = field(default_factory=identity.Renamed)
    """The ids listed in profiles/redirects.yaml, which lead to their new ids."""
    _names: dict[Kind, dict[str, tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def names_of(self, kind: Kind) -> dict[str, tuple[str, str]]:
        """What an id of ``kind`` may be mistaken for (``identity.names``), worked out once."""
        found = self._names.get(kind)
        if found is None:
            found = self._names[kind] = identity.names(self, kind)
        return found

    def __iter__(self) -> Iterator[Entry]:
        # Chained in C: every stage walks the whole catalog, some more than once.
        return chain.from_iterable([self.entries[kind].values() for kind in KINDS])


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
    if kind == "merged_profile":
        field_name = error["ctx"]["field"]
        return FactfileError(raw.locate((field_name,), at_key=True), error["msg"])
    where = raw.locate(loc)
    if kind == "missing":
        parent = _label(loc[:-1])
        at = f" in {parent}" if parent else ""
        return FactfileError(where, f"missing required key '{loc[-1]}'{at}")
    return FactfileError(where, f"{label}: {_describe(error, loc, _written(raw, loc))}")


def _written(raw: RawProfile, loc: PathKey) -> str | None:
    """The value at ``loc`` as the file writes it, when YAML read it as something other
    than text: ``017``, ``1:20`` and ``yes`` are shown so, not as 15, 80 and true."""
    node = raw.tree()
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            node = next(
                (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part),
                None,
            )
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if 0 <= part < len(node.value) else None
        else:
            return None
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:str" and node.value:
        return node.value  # type: ignore[no-any-return]
    return None


def _describe(error: Any, loc: PathKey, written: str | None = None) -> str:
    """Pydantic's error in words that say what to write instead; ``written`` is the value
    as the file writes it, when YAML read it as something other than text."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind in _SIMPLE:
        return _SIMPLE[kind].format(got=_yaml_kind(got, written))
    if kind == "string_type":
        quote = (
            "; put it in quotes"
            if isinstance(got, int | float | bool | bytes) or got is None
            else ""
        )
        return f"must be text, not {_yaml_kind(got, written)}{quote}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _not_whole_number(got, written)
    if kind == "literal_error" and got == placeholders.VALUE:
        return placeholders.value_message(ctx.get("expected", ""))
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
        hint = suggest(str(got), options) if isinstance(got, str) else ""
        return f"must be one of {expected}{hint}"
    if kind == "too_short" and loc and loc[-1] == "cite":
        return "needs at least one citation"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        bound = f"{bound:,}" if isinstance(bound, int) else bound
        shown = _clip(written) if written else got
        return f"must be {'at least' if 'ge' in ctx else 'at most'} {bound}, not {shown}"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return _pattern_problem(loc[-1] if loc else "", got)
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _not_whole_number(got: Any, written: str | None) -> str:
    if isinstance(got, str) and _PLAIN_DECIMAL.fullmatch(got):
        return f"must be a whole number, not text ({_short(got)}); write it without quotes"
    number = written if written is not None else got if isinstance(got, str) else None
    advice = _plain_number(number) if number is not None else None
    return advice or f"must be a whole number, not {_yaml_kind(got, written)}"


# Pydantic error types whose message needs only what was written.
_SIMPLE = {
    "bool_type": "must be true or false, not {got}",
    "list_type": "must be a list (one '- ' item per line), not {got}",
    "model_type": "must be a mapping of keys to values, not {got}",
    "dict_type": "must be a mapping of keys to values, not {got}",
    "model_attributes_type": "must be a mapping of keys to values, not {got}",
    "string_too_short": "must not be empty",
}


def _pattern_problem(name: str | int, got: Any) -> str:
    if name == "sha256":
        return "must be 64 lowercase hexadecimal digits (run: sha256sum seeds/FILE)"
    if name == "archive":
        return "must be a .txt file name in seeds/ (no folders)"
    return (
        f"{_short(got)} is not a valid id: ids are lowercase ASCII letters and digits "
        "in words joined by single hyphens"
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_PREFIXED = re.compile(r"[-+]?0(?:x[0-9a-f]+|o[0-7]+|b[01]+)", re.IGNORECASE)
_SEXAGESIMAL = re.compile(r"[-+]?[0-9]+(?::[0-5]?[0-9])+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?", re.IGNORECASE)
# No count has more digits than this; a longer number is not worked out, only refused.
_MAX_DIGITS = 18


def _plain_number(text: str) -> str | None:
    """What to write for a number written other than in plain decimal digits (``017``,
    ``0x1F``, ``4_7``, ``1:20``, ``1e3``), or for one too long to be a count."""
    if _PLAIN_DECIMAL.fullmatch(text):
        digits = len(text.lstrip("-"))
        return f"'{_clip(text)}' is too large ({digits:,} digits)" if digits > _MAX_DIGITS else None
    what = f"'{_clip(text)}' is not a plain decimal number"
    bare = text.replace("_", "")
    short = len(bare) <= 2 * _MAX_DIGITS
    value: int | None = None
    if _DECIMAL.fullmatch(bare) or _PREFIXED.fullmatch(bare):
        # 017 is the decimal digits with a leading zero (YAML 1.1 reads it as octal 15).
        value = int(bare, 10 if _DECIMAL.fullmatch(bare) else 0) if short else None
    elif _SEXAGESIMAL.fullmatch(bare):
        if not short:
            return f"{what}: write the number in decimal digits"
        total = 0
        for part in bare.lstrip("+-").split(":"):
            total = total * 60 + int(part)
        sign = "-" if bare.startswith("-") else ""
        return (
            f"{what} (YAML 1.1 reads it as {sign}{total}, in base 60): "
            "write the number in decimal digits"
        )
    elif _FLOAT.fullmatch(bare) and short:
        number = float(bare)
        if not number.is_integer():
            return None  # not a whole number at all, which the caller says
        value = int(number)
    else:
        return None
    if value is None or abs(value) >= 10**_MAX_DIGITS:
        return f"{what}: write the number in decimal digits"
    return f"{what}: write {value}"


def _yaml_kind(value: Any, written: str | None = None) -> str:
    if value is None:
        return "empty"
    shown = _clip(written) if written else None
    if isinstance(value, bool):
        return f"true/false ({shown or str(value).lower()})"
    if isinstance(value, bytes):  # a number in a form the loader does not read: see load.py
        return f"a number ({shown or _clip(value.decode('utf-8', 'replace'))})"
    if isinstance(value, (int, float)):
        return f"a number ({shown or value})"
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


def field_label(loc: PathKey) -> str:
    """Where a value sits, as messages write it: ``names[0].cite[1].quote``."""
    return _label(loc)


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


def reference_errors(
    entry: Entry, catalog: Catalog, present: dict[Kind, set[str]]
) -> list[FactfileError]:
    """Every reference of one profile names a profile; one whose file has errors of its own
    (it is in ``present`` but not in the catalog) is not reported again here."""
    errors: list[FactfileError] = []
    for path, target, value in entry.references:
        known = catalog.entries[target]
        if value in known:
            # A source may cite itself (its credits); a person cannot be their own kin.
            if target == entry.kind and value == entry.id and target != "sources":
                errors.append(
                    FactfileError(
                        entry.raw.locate(path), f"{_label(path)}: a profile cannot refer to itself"
                    )
                )
        elif value == placeholders.SOURCE and target == "sources":
            message = placeholders.source_message(_label(path), known)
            errors.append(FactfileError(entry.raw.locate(path), message))
        elif (former := identity.reference_problem(catalog, entry, target, value)) is not None:
            errors.append(FactfileError(entry.raw.locate(path), f"{_label(path)}: {former}"))
        elif value not in present[target]:
            errors.append(
                FactfileError(
                    entry.raw.locate(path),
                    f"{_label(path)}: no {SINGULAR[target]} with id '{value}'"
                    f"{identity.suggest_profile(catalog, target, value)} "
                    f"(expected profiles/{target}/{value}.yaml)",
                )
            )
    return errors


def check_relations(catalog: Catalog) -> list[FactfileError]:
    """A family tie is typed once: stating it on both profiles invites the two to drift."""
    errors: list[FactfileError] = []
    stated: dict[tuple[str, str, str], Entry] = {}
    for entry in catalog.entries["people"].values():
        person = entry.profile
        assert isinstance(person, Person)
        for index, tie in enumerate(person.family):
            key = (entry.id, tie.relation, tie.person)
            mirror = (tie.person, INVERSE_RELATION[tie.relation], entry.id)
            other = stated.get(mirror) or stated.get(key)
            if other is not None:
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


def name_errors(entry: Entry) -> list[FactfileError]:
    """A named person's page title must be one of the spellings the sources use."""
    person = entry.profile
    if not isinstance(person, Person):
        return []
    spellings = [claim.value for claim in person.names]
    if not spellings or person.name in spellings:
        return []
    return [
        FactfileError(
            entry.raw.locate(("name",)),
            f"name '{person.name}' is not one of the spellings under 'names'"
            f"{suggest(person.name, spellings)}",
        )
    ]


def minor_errors(entry: Entry) -> list[FactfileError]:
    """What is published of a child rests on what the sources state of them: no status
    that the editors inferred, or that a source only hedges (see the editorial policy)."""
    person = entry.profile
    if not isinstance(person, Person) or not person.minor_when_reported:
        return []
    return [
        FactfileError(
            entry.raw.locate(("status", index)),
            f"status[{index}]: a person reported as a child carries no {claim.basis} status: "
            "publish only what a source states of them (see the editorial policy)",
        )
        for index, claim in enumerate(person.status)
        if claim.basis in ("inferred", "hedged")
    ]


def archive_errors(entry: Entry, archives: Archives) -> list[FactfileError]:
    """A source's archived text is a readable file under seeds/ with the recorded checksum."""
    source = entry.profile
    if not isinstance(source, Source):
        return []
    problem = archive_problem(source, archives)
    if problem is None:
        return []
    field_name, message = problem
    return [FactfileError(entry.raw.locate((field_name,)), message)]


def archive_problem(source: Source, archives: Archives) -> tuple[str, str] | None:
    """What is wrong with a source's archive, as (field, message); None if it is usable."""
    archive = archives.get(source.archive)
    if archive is None:
        hint = suggest(source.archive, [name for name in archives if name.endswith(".txt")])
        return "archive", f"archive: no file seeds/{source.archive}{hint}"
    if archive.problem:
        return "archive", f"archive: seeds/{source.archive} {archive.problem}"
    if archive.sha256 != source.sha256:
        return "sha256", (
            f"sha256: seeds/{source.archive} has checksum {archive.sha256}, not the one "
            "recorded; archived texts are never edited (restore the file, or add the new "
            "text as a new source)"
        )
    return None


def checked_entry(raw: RawProfile) -> Entry | list[FactfileError]:
    """The catalog entry of a raw profile, or every way it departs from its shape."""
    result = check_shape(raw)
    return Entry(result, raw) if not isinstance(result, list) else result


def catalog_of(
    raws: list[RawProfile],
    shape: Callable[[RawProfile], Entry | list[FactfileError]],
    renamed: identity.Renamed | None = None,
) -> tuple[Catalog, list[FactfileError]]:
    """The catalog of every profile whose shape is right (``shape`` checks one), with the
    ids that were ``renamed``, and the errors of the rest."""
    catalog = Catalog(renamed=renamed or identity.Renamed())
    errors: list[FactfileError] = []
    for raw in raws:
        result = shape(raw)
        if isinstance(result, list):
            errors.extend(result)
            catalog.rejected.append(raw)
        elif identity.merged_into(result) is not None:
            catalog.merged[raw.kind][raw.id] = result
        else:
            catalog.entries[raw.kind][raw.id] = result
    return catalog, errors


def cross_checks(
    catalog: Catalog, present: dict[Kind, set[str]], archives: Archives
) -> list[FactfileError]:
    """Everything that spans profiles: references, merged and renamed ids, relations
    stated twice, names, archives."""
    errors = [e for entry in catalog for e in reference_errors(entry, catalog, present)]
    errors.extend(identity.identity_errors(catalog, present))
    errors.extend(check_relations(catalog))
    for entry in catalog.entries["people"].values():
        errors.extend(name_errors(entry) + minor_errors(entry))
    for entry in catalog.entries["sources"].values():
        errors.extend(archive_errors(entry, archives))
    return errors
