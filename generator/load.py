"""Stage 1: find the profile files and read each into plain Python data.

YAML is *composed* rather than loaded so that every value keeps the line and column
it came from; the located node tree is kept only long enough to convert it, and is
composed again on demand when a later stage needs to point at a value.
"""

from __future__ import annotations

import difflib
import marshal
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

import yaml

from .errors import FactfileError, Location
from .fork import can_fork, in_copy
from .memo import Memo
from .model import KINDS, MAX_ID_LENGTH, REFERENCE_FIELDS, SLUG_RE, Kind, slugify
from .project import Project

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


MAX_PROFILE_BYTES = 1 << 20
MAX_DEPTH = 32
# Only a file with many brackets can nest deeply enough to exhaust libyaml's recursion,
# so only such a file pays for the event-by-event depth check.
_BRACKET_BUDGET = 256
# Block collections nest without brackets ("- - - x", or ever deeper indentation), but
# each level moves its content at least a column right: a line whose indentation and
# block indicators reach this far may nest too deeply, and is checked the same way.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:(?:[-?:]|[&!][^ \t\n]*)[ \t]+)*", re.MULTILINE)


PathKey = tuple[str | int, ...]
Citation = tuple[PathKey, str, str]
"""Where a citation sits in a profile's data, the source it names and its quote."""
Reference = tuple[PathKey, Kind, str]
"""Where a reference sits in a profile's data, the kind it points to and the id."""


@dataclass
class RawProfile:
    """One profile file, read but not yet validated."""

    kind: Kind
    id: str
    path: str
    text: str
    data: dict[str, Any]
    checked: Any = field(default=None, repr=False, compare=False)
    """The validator's verdict on this file's shape (its catalog entry, or the errors),
    kept while the file is unchanged."""
    references: list[Reference] = field(default_factory=list, repr=False, compare=False)
    """Every reference to another profile in ``data``, in document order."""
    citations: list[Citation] = field(default_factory=list, repr=False, compare=False)
    """Every citation in ``data``, in document order."""
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Walks over ``data`` (references, citations) by name, kept while the file is unchanged:
    a rebuild then walks only the files that changed."""
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
    found: list[Found] = []
    errors: list[FactfileError] = []
    base = project.profiles_dir
    if not base.is_dir():
        errors.append(FactfileError(Location(project.relative(base)), "profiles folder not found"))
        return found, errors
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.name in KINDS and not entry.is_dir(follow_symlinks=False):
            errors.append(
                FactfileError(
                    Location(_shown(project, Path(entry.path))),
                    "not a plain folder: profiles/" + entry.name + "/ must be a folder of "
                    "profiles, not a file or a link",
                )
            )
        elif entry.name not in KINDS or not entry.is_dir(follow_symlinks=False):
            errors.append(
                FactfileError(
                    Location(project.relative(Path(entry.path))),
                    f"unexpected entry in profiles/: put profiles in one of "
                    f"{', '.join(k + '/' for k in KINDS)}{suggest(entry.name, KINDS)}",
                )
            )
    for kind in KINDS:
        folder = base / kind
        # A linked folder is reported above; its files, which live elsewhere, are not read.
        if folder.is_symlink() or not folder.is_dir():
            continue
        # Plain strings from here: a rebuild lists every file, and a Path for each was
        # most of the time a rebuild spent finding them.
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if name.endswith(".yaml") and entry.is_file(follow_symlinks=False):
                found.append((kind, entry.path, name[: -len(".yaml")]))
            elif entry.is_symlink() or not entry.is_file():
                errors.append(
                    FactfileError(
                        Location(_shown(project, Path(entry.path))),
                        "not a regular file: profiles are plain .yaml files, one per entity",
                    )
                )
            elif name.endswith(".yml"):
                errors.append(
                    FactfileError(
                        Location(project.relative(Path(entry.path))),
                        "rename to .yaml: profiles end in .yaml",
                    )
                )
            else:
                errors.append(
                    FactfileError(
                        Location(project.relative(Path(entry.path))),
                        "unexpected file: profiles are .yaml files",
                    )
                )
    return found, errors


_NAME = attrgetter("name")
Found = tuple[Kind, str, str]
"""A profile file: its kind, path and the id its name gives."""


def check_ids(files: list[Found], project: Project) -> list[FactfileError]:
    """File names are ids: each must be a slug, unique within its kind even ignoring case."""
    errors: list[FactfileError] = []
    seen: dict[tuple[Kind, str], str] = {}
    for kind, path, stem in files:
        problem = slug_problem(stem)
        if problem or (kind, stem.casefold()) in seen:
            # Resolving a path costs a system call per folder: only for a file in error.
            where = Location(project.relative(Path(path)), 1, 1)
        if problem:
            better = slugify(stem)
            # A suggestion that silently drops a letter would name a different id.
            kept = sum(c.isalnum() for c in better) == sum(c.isalnum() for c in stem)
            hint = f" (rename it {better}.yaml)" if better and kept and better != stem else ""
            errors.append(
                FactfileError(where, f"file name '{stem}' is not a valid id: it {problem}{hint}")
            )
        folded = stem.casefold()
        other = seen.get((kind, folded))
        if other is not None:
            errors.append(
                FactfileError(
                    where,
                    f"id '{stem}' collides with '{project.relative(Path(other))}' "
                    "on case-insensitive file systems",
                )
            )
        else:
            seen[(kind, folded)] = path
    return errors


def read_profile(
    kind: Kind, path: Path | str, project: Project, rel: str | None = None
) -> RawProfile | list[FactfileError]:
    """Read one file into a ``RawProfile``, or the errors that prevent it.

    ``rel`` is the path as shown in messages, when the caller already knows it.
    """
    rel = rel if rel is not None else project.relative(Path(path))
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_PROFILE_BYTES:
                return [
                    FactfileError(
                        Location(rel, 1, 1),
                        f"file is {size:,} bytes: a profile may be at most "
                        f"{MAX_PROFILE_BYTES:,} bytes",
                    )
                ]
            data = handle.read()
    except OSError as exc:
        return [FactfileError(Location(rel), f"cannot read file: {exc.strerror}")]
    text_or_error = decode(data, rel)
    if isinstance(text_or_error, FactfileError):
        return [text_or_error]
    return parse(kind, _stem(path), rel, text_or_error)


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
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context and not exc.problem_mark else ""
        opened = exc.context_mark
        unclosed = any(word in (exc.context or "") for word in ("quoted scalar", "flow"))
        problem_at = exc.problem_mark
        moved = (
            opened is not None
            and problem_at is not None
            and (opened.line, opened.column) != (problem_at.line, problem_at.column)
        )
        if unclosed and moved:
            # libyaml notices an unclosed quote or bracket only where the file ends;
            # the place to fix is where it was opened.
            what = (exc.context or "").removeprefix("while ").removeprefix("parsing ")
            context = f" ({what} that starts here)" if what else ""
            mark = opened
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [FactfileError(Location(rel, line, col), f"YAML syntax error: {problem}{context}")]
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
    if errors:
        return errors
    raw = RawProfile(kind=kind, id=id_, path=rel, text=text, data=data)
    # Found here, while parsing, so that a cold read on two cores walks on two cores too.
    _walk(data, (), raw.references, raw.citations)
    return raw


def _walk(data: Any, path: PathKey, refs: list[Reference], cites: list[Citation] | None) -> None:
    """Appends to two lists rather than nesting generators; ``cites`` is None inside a
    citation, whose parts are not citations of their own."""
    if type(data) is dict:
        if cites is not None:
            source, quote = data.get("source"), data.get("quote")
            if type(source) is str and type(quote) is str:
                cites.append((path, source, quote))
                cites = None
        for key, value in data.items():
            target = REFERENCE_FIELDS.get(key)
            if target is not None and type(value) is str:
                refs.append(((*path, key), target, value))
            elif type(value) is dict or type(value) is list:
                _walk(value, (*path, key), refs, cites)
    elif type(data) is list:
        for index, item in enumerate(data):
            if type(item) is dict or type(item) is list:
                _walk(item, (*path, index), refs, cites)


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
    # A child that is plain text can be taken as is when no alias check and no depth
    # check applies to it.
    inline = seen is None and depth < MAX_DEPTH - 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, rel, errors)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            errors.append(FactfileError(_mark(rel, node), f"unsupported YAML tag {node.tag}"))
            return None
        return [
            # Most values are plain text: taken here rather than by a call per value.
            item.value
            if inline and item.__class__ is _ScalarNode and item.tag == _STR_TAG
            else _convert(item, rel, errors, seen, depth + 1)
            for item in node.value
        ]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            errors.append(FactfileError(_mark(rel, node), f"unsupported YAML tag {node.tag}"))
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not (key_node.__class__ is _ScalarNode and key_node.tag == _STR_TAG):
                errors.append(FactfileError(_mark(rel, key_node), "keys must be plain text"))
                continue
            key = key_node.value
            if key in result:
                errors.append(FactfileError(_mark(rel, key_node), f"duplicate key '{key}'"))
                continue
            if inline and value_node.__class__ is _ScalarNode and value_node.tag == _STR_TAG:
                result[key] = value_node.value
            else:
                result[key] = _convert(value_node, rel, errors, seen, depth + 1)
        return result
    errors.append(FactfileError(_mark(rel, node), "unsupported YAML node"))
    return None


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


def load(
    project: Project,
    cache: dict[str, tuple[tuple[int, int], RawProfile]] | None = None,
    while_waiting: Callable[[], object] | None = None,
    memo: Memo | None = None,
) -> Loaded:
    """Read every profile; a file unchanged since the cached read is not parsed again.

    ``while_waiting`` is work that needs no profile, done while a second process reads
    the other half of a cold wiki (see ``_read_all``); otherwise it is not called. With
    ``memo``, the file names are checked again only when the set of files changes.
    """
    files, errors = discover(project)
    if memo is not None:
        errors.extend(memo.reuse("file names", files, lambda: check_ids(files, project)))
    else:
        errors.extend(check_ids(files, project))
    ids: dict[Kind, set[str]] = {kind: set() for kind in KINDS}
    for kind, _, id_ in files:
        ids[kind].add(id_)
    read: list[RawProfile | list[FactfileError] | None] = [None] * len(files)
    jobs: list[_Job] = []
    signatures: list[tuple[int, int] | None] = []
    # Discovered files are never links, so only their folder needs resolving.
    folders: dict[str, str] = {}
    cache = cache if cache is not None else {}
    for position, (kind, path, _) in enumerate(files):
        signature = _signature(path)
        cached = cache.get(path)
        if cached is not None and cached[0] == signature:
            read[position] = cached[1]
            continue
        parent, name = os.path.split(path)
        folder = folders.get(parent)
        if folder is None:
            folder = folders[parent] = project.relative(Path(parent))
        jobs.append((position, kind, path, f"{folder}/{name}"))
        signatures.append(signature)
    for (position, _, path, _), signature, result in zip(
        jobs, signatures, _read_all(jobs, project, while_waiting), strict=True
    ):
        read[position] = result
        if signature is not None and isinstance(result, RawProfile):
            cache[path] = (signature, result)
    profiles: list[RawProfile] = []
    if jobs:
        for result in read:
            if isinstance(result, RawProfile):
                profiles.append(result)
            elif result is not None:
                errors.extend(result)
    else:
        profiles = read  # type: ignore[assignment]  # every file came from the cache
    return Loaded(profiles, errors, ids)


_Job = tuple[int, Kind, str, str]
"""A file to read: its place among the discovered files, kind, path and shown path."""

# Below this many files to parse, starting a second process costs more than it saves.
PARALLEL_MIN_FILES = 2000


def _read_all(
    jobs: list[_Job], project: Project, while_waiting: Callable[[], object] | None = None
) -> list[RawProfile | list[FactfileError]]:
    """``read_profile`` for every job, in order; a cold read of many files uses two cores.

    Parsing is most of a cold check. A forked copy of this process parses half the
    files while this one parses the rest; sending the plain results back costs a tenth
    of parsing them.
    """
    if len(jobs) < PARALLEL_MIN_FILES or not can_fork():
        return _read_some(jobs, project)
    # Every other file, so that both halves hold as many of each kind (and size).
    mine, theirs = jobs[0::2], jobs[1::2]
    later = in_copy(lambda: _packed(_read_some(theirs, project)))
    read = _read_some(mine, project)
    # The copy finishes later than this process (it must also send its results back):
    # time this one would spend waiting.
    if while_waiting is not None:
        while_waiting()
    packed = later.result()
    # If the copy died (out of memory, say), its half is read here instead.
    other = _read_some(theirs, project) if packed is None else _unpacked(packed)
    results: list[RawProfile | list[FactfileError]] = [[]] * len(jobs)
    results[0::2], results[1::2] = read, other
    return results


def _packed(read: list[RawProfile | list[FactfileError]]) -> bytes:
    """What a copy reads, as bytes to send back.

    Parsed profiles are plain data, which ``marshal`` writes and reads in half the time
    ``pickle`` takes; errors, which are rare, are pickled.
    """
    return marshal.dumps(
        [
            (raw.kind, raw.id, raw.path, raw.text, raw.data, raw.references, raw.citations)
            if isinstance(raw, RawProfile)
            else pickle.dumps(raw)
            for raw in read
        ]
    )


def _unpacked(data: bytes) -> list[RawProfile | list[FactfileError]]:
    return [
        pickle.loads(item)
        if isinstance(item, bytes)
        else RawProfile(*item[:5], references=item[5], citations=item[6])
        for item in marshal.loads(data)
    ]


def _read_some(jobs: list[_Job], project: Project) -> list[RawProfile | list[FactfileError]]:
    return [read_profile(kind, path, project, rel) for _, kind, path, rel in jobs]


def _signature(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
