"""Stage 1: find the profile files and read each into plain Python data.

YAML is *composed* rather than loaded so that every value keeps the line and column
it came from; the located node tree is kept only long enough to convert it, and is
composed again on demand when a later stage needs to point at a value.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import FactfileError, Location
from .model import KINDS, MAX_ID_LENGTH, SLUG_RE, Kind, PathKey, slugify
from .project import Project
from .syntax import cut_by_comments, syntax_error

_TAG = "tag:yaml.org,2002:"
_STR_TAG, _SEQ_TAG, _MAP_TAG = f"{_TAG}str", f"{_TAG}seq", f"{_TAG}map"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_INT_TAG = f"{_TAG}int"
# A count is written in plain decimal digits. YAML 1.1 also reads 017 as octal 15, 1:20 as
# 80 (in base 60), 0x1F, 0b101, 4_7 and +5 as numbers, so the profile would say something
# other than what it shows; and a number of thousands of digits cannot even be printed.
# Anything else YAML reads as a whole number is kept as the bytes written: no field
# accepts bytes, so validation reports it, as written, wherever it is.
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")

# libyaml is ten times faster than the pure-Python parser; fall back when it is absent.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader with tag resolution cut to what the safe schema needs.

    The composer asks for a tag for every node; the inherited resolver also walks path
    resolvers, which the safe schema has none of. Those calls were a third of reading
    a profile. The tags are the same: plain scalars go through the same implicit
    resolvers, in the same order.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is _ScalarNode:
            if implicit[0]:
                table = self.yaml_implicit_resolvers
                for tag, regexp in table.get(value[:1] if value else "", ()):
                    if regexp.match(value):
                        return tag  # type: ignore[no-any-return]
                for tag, regexp in table.get(None, ()):
                    if regexp.match(value):
                        return tag  # type: ignore[no-any-return]
            return _STR_TAG
        return _SEQ_TAG if kind is _SequenceNode else _MAP_TAG


# The one file beside the kinds' folders: ids that were renamed (see identity.py).
RENAMED_FILE = "redirects.yaml"
MAX_PROFILE_BYTES = 1 << 20
MAX_DEPTH = 32
# Only a file with many brackets can nest deeply enough to exhaust libyaml's recursion,
# so only such a file pays for the event-by-event depth check.
_BRACKET_BUDGET = 256
# Block collections nest without brackets ("- - - x", or ever deeper indentation), but
# each level moves its content at least a column right: a line whose indentation and
# block indicators reach this far may nest too deeply, and is checked the same way.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:(?:[-?:]|[&!][^ \t\n]*)[ \t]+)*", re.MULTILINE)


@dataclass
class RawProfile:
    """One profile file, read but not yet validated."""

    kind: Kind
    id: str
    path: str
    text: str
    data: dict[str, Any]
    _tree: yaml.Node | None = field(default=None, repr=False, compare=False)

    def tree(self) -> yaml.Node | None:
        if self._tree is None:
            try:
                self._tree = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                return None
        return self._tree

    def locate(self, key: PathKey, *, at_key: bool = False) -> Location:
        """The line and column of the value at ``key`` (or of its last key, with ``at_key``).

        A key that does not exist (a missing required field) resolves to the nearest
        mapping that does, which is where the contributor must add it.
        """
        node = self.tree()
        mark = node.start_mark if node is not None else None
        for part in key:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == part
                    ),
                    None,
                )
                if found is None:
                    break
                key_node, node = found
                mark = key_node.start_mark if at_key and part == key[-1] else node.start_mark
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        if mark is None:
            return Location(self.path, 1, 1)
        return Location(self.path, mark.line + 1, mark.column + 1)


def suggest(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" hint, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def suggest_among(word: str, choices: Mapping[str, tuple[str, str]]) -> str:
    """A "did you mean" hint from words that stand for ids: each of ``choices`` (an id,
    a name or spelling as a slug, an old id) maps to the id it stands for and why it does
    (empty for the id itself). The hint names the id, and the why."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return ""
    id_, why = choices[close[0]]
    return f" (did you mean '{id_}', {why}?)" if why else f" (did you mean '{id_}'?)"


def slug_problem(stem: str) -> str | None:
    if stem == "index":
        # Its page would be the section's index page (people/index.md), which it replaced.
        return "is reserved for the index page of each kind"
    if len(stem) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if not SLUG_RE.match(stem):
        foreign = next((c for c in stem if not c.isascii() and c.isalnum()), None)
        # A Cyrillic or Greek letter can look exactly like a Latin one: name it.
        look = (
            f" (it contains '{foreign}', U+{ord(foreign):04X} "
            f"{unicodedata.name(foreign, 'a non-ASCII letter')})"
            if foreign
            else ""
        )
        return "must be lowercase ASCII letters and digits in words joined by single hyphens" + look
    return None


def _shown(project: Project, path: Path) -> str:
    """A path inside the project as the contributor sees it, even if it is a link."""
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return project.relative(path)


def discover(project: Project) -> tuple[list[Found], list[FactfileError]]:
    """Every profile file, by kind, in a stable order; and every stray file or folder."""
    base = project.profiles_dir
    if not base.is_dir():
        return [], [FactfileError(Location(project.relative(base)), "profiles folder not found")]
    errors = _stray_entries(project)
    found: list[Found] = []
    for kind in KINDS:
        folder = base / kind
        # A linked folder is reported above; its files, which live elsewhere, are not read.
        if folder.is_symlink() or not folder.is_dir():
            continue
        shown = project.relative(folder)
        # Plain strings from here: a rebuild lists every file, and a Path for each was
        # most of the time a rebuild spent finding them.
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.name.endswith(".yaml") and entry.is_file(follow_symlinks=False):
                name = entry.name
                found.append(Found(kind, entry.path, name[: -len(".yaml")], f"{shown}/{name}"))
            else:
                errors.append(_stray_file(project, entry))
    return found, errors


def _stray_entries(project: Project) -> list[FactfileError]:
    """Whatever in profiles/ is not one of the kinds' plain folders."""
    errors: list[FactfileError] = []
    for entry in sorted(os.scandir(project.profiles_dir), key=_NAME):
        if entry.name.startswith(".") or (
            entry.name in KINDS and entry.is_dir(follow_symlinks=False)
        ):
            continue
        if entry.name == RENAMED_FILE:
            continue  # the renamed ids (identity.py), checked where it is read
        if entry.name in KINDS:
            message = (
                f"not a plain folder: profiles/{entry.name}/ must be a folder of profiles, "
                "not a file or a link"
            )
            errors.append(FactfileError(Location(_shown(project, Path(entry.path))), message))
        else:
            message = (
                f"unexpected entry in profiles/: put profiles in one of "
                f"{', '.join(k + '/' for k in KINDS)}{suggest(entry.name, KINDS)}"
            )
            errors.append(FactfileError(Location(project.relative(Path(entry.path))), message))
    return errors


def _stray_file(project: Project, entry: os.DirEntry[str]) -> FactfileError:
    """What is wrong with a file in a kind's folder that is not a profile."""
    if entry.is_symlink() or not entry.is_file():
        return FactfileError(
            Location(_shown(project, Path(entry.path))),
            "not a regular file: profiles are plain .yaml files, one per entity",
        )
    where = Location(project.relative(Path(entry.path)))
    if entry.name.endswith(".yml"):
        return FactfileError(where, "rename to .yaml: profiles end in .yaml")
    return FactfileError(where, "unexpected file: profiles are .yaml files")


_NAME = attrgetter("name")


class Found(NamedTuple):
    """A profile file: its kind, path, the id its name gives, and its path as messages
    show it (relative to the project)."""

    kind: Kind
    path: str
    id: str
    shown: str


def check_ids(files: list[Found]) -> list[FactfileError]:
    """File names are ids: each must be a slug, unique within its kind even ignoring case."""
    errors: list[FactfileError] = []
    seen: dict[tuple[Kind, str], str] = {}
    for kind, _, stem, shown in files:
        problem = slug_problem(stem)
        other = seen.setdefault((kind, stem.casefold()), shown)
        if not problem and other == shown:
            continue
        where = Location(shown, 1, 1)
        if problem:
            errors.append(
                FactfileError(
                    where, f"file name '{stem}' is not a valid id: it {problem}{_rename_hint(stem)}"
                )
            )
        if other != shown:
            errors.append(
                FactfileError(
                    where, f"id '{stem}' collides with '{other}' on case-insensitive file systems"
                )
            )
    return errors


def _rename_hint(stem: str) -> str:
    better = slugify(stem)
    # A suggestion that silently drops a letter would name a different id.
    kept = sum(c.isalnum() for c in better) == sum(c.isalnum() for c in stem)
    return f" (rename it {better}.yaml)" if better and kept and better != stem else ""


def read_profile(
    kind: Kind, path: Path | str, project: Project, rel: str | None = None
) -> RawProfile | list[FactfileError]:
    """Read one file into a ``RawProfile``, or the errors that prevent it.

    ``rel`` is the path as shown in messages, when the caller already knows it.
    """
    rel = rel if rel is not None else project.relative(Path(path))
    return read_found(Found(kind, str(path), _stem(path), rel))


def read_bytes(path: Path | str, rel: str) -> bytes | FactfileError:
    """A profile file's bytes, or why they cannot be had (too large, unreadable)."""
    try:
        with open(path, "rb") as handle:
            # One byte past the limit is enough to know; a file growing meanwhile is not
            # read beyond it.
            data = handle.read(MAX_PROFILE_BYTES + 1)
            size = max(os.fstat(handle.fileno()).st_size, len(data))
    except OSError as exc:
        return FactfileError(Location(rel), f"cannot read file: {exc.strerror}")
    if len(data) > MAX_PROFILE_BYTES:
        return FactfileError(
            Location(rel, 1, 1),
            f"file is {size:,} bytes: a profile may be at most {MAX_PROFILE_BYTES:,} bytes",
        )
    return data


def parse_bytes(kind: Kind, id_: str, rel: str, data: bytes) -> RawProfile | list[FactfileError]:
    """A profile's bytes as a ``RawProfile``, or every error that prevents it."""
    text_or_error = decode(data, rel)
    if isinstance(text_or_error, FactfileError):
        return [text_or_error]
    return parse(kind, id_, rel, text_or_error)


def _stem(path: Path | str) -> str:
    """The id a profile file names: its file name without ``.yaml``."""
    return os.path.basename(path)[: -len(".yaml")]


def decode(data: bytes, rel: str) -> str | FactfileError:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return FactfileError(
            Location(rel, line, col),
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}): save it as UTF-8",
        )
    return text.removeprefix("\ufeff")


def parse(kind: Kind, id_: str, rel: str, text: str) -> RawProfile | list[FactfileError]:
    """Parse YAML text into plain data, reporting syntax and structure problems with marks."""
    try:
        if text.count("[") + text.count("{") > _BRACKET_BUDGET or _deep_block(text):
            too_deep = _too_deep(text, rel)
            if too_deep:
                return [too_deep]
        tree = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return [syntax_error(text, rel, exc)]
    except yaml.reader.ReaderError as exc:
        return [_reader_error(text, rel, exc)]
    except yaml.YAMLError as exc:
        return [FactfileError(Location(rel, 1, 1), f"YAML error: {exc}")]
    if tree is None:
        return [FactfileError(Location(rel, 1, 1), "profile is empty")]
    if not isinstance(tree, yaml.MappingNode):
        return [FactfileError(_mark(rel, tree), "a profile must be a mapping of keys to values")]
    errors: list[FactfileError] = []
    data = _convert(tree, rel, errors, set() if "*" in text else None, 0)
    if "#" in text:
        for place, message in cut_by_comments(text, tree):
            errors.append(FactfileError(Location(rel, place.line + 1, place.column + 1), message))
    if errors:
        return errors
    return RawProfile(kind=kind, id=id_, path=rel, text=text, data=data)


def _reader_error(text: str, rel: str, exc: yaml.reader.ReaderError) -> FactfileError:
    # The reader reports a character offset only; turn it into the line and column.
    before = text[: exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    name = unicodedata.name(char, "control character")
    return FactfileError(
        Location(rel, line, col),
        f"YAML does not allow the character U+{ord(char):04X} ({name}) in a file: remove it",
    )


def _deep_block(text: str) -> bool:
    # Lengths of plain strings, in C: a match object per line cost a sixth of reading.
    return max(map(len, _BLOCK_PREFIX.findall(text)), default=0) > MAX_DEPTH


def _too_deep(text: str, rel: str) -> FactfileError | None:
    """Where ``text`` first nests deeper than ``MAX_DEPTH``, if it does.

    libyaml stops at its own nesting limit, which differs between releases and words its
    message its own way; the pure-Python parser has none. So when libyaml gives up, the
    pure-Python parser finds where our limit is passed (it stops right there), and the
    message is the same whatever PyYAML does.
    """
    try:
        return _deeper_than_limit(text, rel, _Loader)
    except yaml.YAMLError as libyaml_error:
        try:
            too_deep = _deeper_than_limit(text, rel, yaml.SafeLoader)
        except yaml.YAMLError:
            raise libyaml_error from None
        if too_deep is None:
            raise
        return too_deep


def _deeper_than_limit(text: str, rel: str, loader: Any) -> FactfileError | None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return FactfileError(_mark(rel, event), f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _mark(rel: str, node: Any) -> Location:
    mark = node.start_mark
    return Location(rel, mark.line + 1, mark.column + 1)


def _convert(
    node: yaml.Node, rel: str, errors: list[FactfileError], seen: set[int] | None, depth: int
) -> Any:
    """Plain data for ``node``; ``seen`` tracks nodes met so far, or is None when the text
    has no alias (no ``*``) and so cannot hand back a node twice."""
    # The profile's own mapping is the first level, as the event-by-event check counts.
    if depth >= MAX_DEPTH:
        errors.append(FactfileError(_mark(rel, node), f"nested more than {MAX_DEPTH} levels deep"))
        return None
    if seen is not None:
        if id(node) in seen:
            # The composer hands back the very same node for an alias; expanding aliases
            # is how a few lines become gigabytes ("billion laughs"), and profiles never
            # need them.
            errors.append(
                FactfileError(
                    _mark(rel, node),
                    "YAML anchors and aliases (&name, *name) are not allowed in profiles",
                )
            )
            return None
        seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, rel, errors)
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        expected = _SEQ_TAG if isinstance(node, yaml.SequenceNode) else _MAP_TAG
        if node.tag != expected:
            errors.append(FactfileError(_mark(rel, node), f"unsupported YAML tag {node.tag}"))
            return None
        if isinstance(node, yaml.SequenceNode):
            return _sequence(node, rel, errors, seen, depth)
        return _mapping(node, rel, errors, seen, depth)
    errors.append(FactfileError(_mark(rel, node), "unsupported YAML node"))
    return None


def _plain_text(node: yaml.Node, seen: set[int] | None, depth: int) -> bool:
    """Whether a child is plain text to take as is: no alias check and no depth check
    applies to it. Most values are; taking them here spares a call per value."""
    return (
        seen is None
        and depth < MAX_DEPTH - 1
        and node.__class__ is _ScalarNode
        and node.tag == _STR_TAG
    )


def _sequence(
    node: yaml.SequenceNode,
    rel: str,
    errors: list[FactfileError],
    seen: set[int] | None,
    depth: int,
) -> list[Any]:
    return [
        item.value
        if _plain_text(item, seen, depth)
        else _convert(item, rel, errors, seen, depth + 1)
        for item in node.value
    ]


def _mapping(
    node: yaml.MappingNode,
    rel: str,
    errors: list[FactfileError],
    seen: set[int] | None,
    depth: int,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not (key_node.__class__ is _ScalarNode and key_node.tag == _STR_TAG):
            errors.append(FactfileError(_mark(rel, key_node), "keys must be plain text"))
            continue
        key = key_node.value
        if key in result:
            errors.append(FactfileError(_mark(rel, key_node), f"duplicate key '{key}'"))
        elif _plain_text(value_node, seen, depth):
            result[key] = value_node.value
        else:
            result[key] = _convert(value_node, rel, errors, seen, depth + 1)
    return result


def _scalar(node: yaml.ScalarNode, rel: str, errors: list[FactfileError]) -> Any:
    tag = node.tag
    if tag == _STR_TAG:
        return node.value  # most values: nothing to construct
    if tag not in _SCALAR_TAGS:
        errors.append(
            FactfileError(
                _mark(rel, node), f"unsupported YAML tag {tag}: write plain text, numbers or dates"
            )
        )
        return None
    if tag == _INT_TAG:
        text = node.value
        return int(text) if _PLAIN_INT.fullmatch(text) else text.encode()
    try:
        if tag.endswith(":float"):
            return _constructor.construct_yaml_float(node)
        if tag.endswith(":bool"):
            return _constructor.construct_yaml_bool(node)
        if tag.endswith(":null"):
            return None
    except (ValueError, yaml.YAMLError):
        errors.append(FactfileError(_mark(rel, node), f"cannot read the value '{node.value}'"))
        return None
    # Strings, and timestamps kept as written: dates are parsed by the model, which knows
    # about month and year precision.
    return node.value


@dataclass
class Loaded:
    """The result of reading every profile file."""

    profiles: list[RawProfile]
    errors: list[FactfileError]
    ids: dict[Kind, set[str]]
    """Every id that has a file, readable or not: a reference to a broken file is not
    also reported as dangling."""


def read_all(
    files: list[Found], read: Callable[[Found], RawProfile | list[FactfileError]]
) -> Loaded:
    """Every discovered file read (by ``read``) into a profile, or its errors."""
    ids: dict[Kind, set[str]] = {kind: set() for kind in KINDS}
    profiles: list[RawProfile] = []
    errors: list[FactfileError] = []
    for found in files:
        ids[found.kind].add(found.id)
        result = read(found)
        if isinstance(result, RawProfile):
            profiles.append(result)
        else:
            errors.extend(result)
    return Loaded(profiles, errors, ids)


def read_found(found: Found) -> RawProfile | list[FactfileError]:
    """One discovered file as a profile, or the errors that prevent it."""
    data = read_bytes(found.path, found.shown)
    if isinstance(data, FactfileError):
        return [data]
    return parse_bytes(found.kind, found.id, found.shown, data)
