"""Stage 2: turn raw profiles into the typed model and check what spans files.

Each profile is checked against its declared shape (unknown keys, wrong types,
missing fields), then the whole set is checked together: references that point
nowhere, relations typed on both sides, archives that are missing or changed.
Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

import hashlib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Union

import yaml
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
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "string_type":
        if isinstance(got, (int, float, bool, bytes)) or got is None:
            return f"must be text, not {_yaml_kind(got, written)}; put it in quotes"
        return f"must be text, not {_yaml_kind(got, written)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(got, str) and _PLAIN_DECIMAL.fullmatch(got):
            return f"must be a whole number, not text ({_short(got)}); write it without quotes"
        number = written if written is not None else got if isinstance(got, str) else None
        advice = _plain_number(number) if number is not None else None
        return advice or f"must be a whole number, not {_yaml_kind(got, written)}"
    if kind == "bool_type":
        return f"must be true or false, not {_yaml_kind(got, written)}"
    if kind == "list_type":
        return f"must be a list (one '- ' item per line), not {_yaml_kind(got, written)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of keys to values, not {_yaml_kind(got, written)}"
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
