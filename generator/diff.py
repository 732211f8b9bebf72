"""Two states of the wiki compared as facts: what a change adds, changes and removes.

A pull request changes YAML; a reviewer judges facts. ``compare`` reads each side's
profile files with the loader and checks each one's shape, as the build does, and needs
nothing more: a side that fails the checks (a quote not in its archive, a dangling
reference, a file that does not parse) is still compared for every file that parses,
and the files that do not are named.

Claims are matched by what they say, never by where they sit in their list:

- the same claim, word for word, is no change wherever it moved;
- the same value of the same field is that claim, whose qualifiers (``according_to``,
  ``hedge``, ``inferred``…) or citations may have changed;
- a claim with the same quotes (or, failing that, the same relation target, one quote
  in common, or a quote made longer or shorter) is that claim with its value changed:
  "old → new";
- what is left was added or removed.

A profile that disappears while another of its kind appears with the same or nearly the
same content was renamed; references to it under its old id are read as references to
the new one, so a rename is one change, not one per profile that points at it.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import FactfileError, FactfileErrors, Location, shown
from .load import MAX_PROFILE_BYTES, parse_bytes
from .model import KINDS, RELATION_OF_CLAIM, Claim, Profile, Ref, claim_fields
from .project import Project
from .render.environment import text as markdown_text
from .revisions import Files, at_revision, materialise, resolve, working_tree
from .validate import Entry, checked_entry

QUALIFIERS: tuple[str, ...] = ("according_to", "hedge", "inferred", "cue_waived", "note")
"""The fields of a claim that say how its value is known, in the order they are shown."""
QUALIFIER_LABELS = {
    "according_to": "according to",
    "hedge": "hedge",
    "inferred": "inferred",
    "cue_waived": "cue waived",
    "note": "note",
}
RENAME_SIMILARITY = 0.6
"""How much of two profiles' content (fields and claims) must be the same for one to be
taken for the other renamed."""
# Comparing every removed profile with every added one costs their product; past this
# many pairs, only identical content counts as a rename.
_MAX_RENAME_PAIRS = 250_000
WORKING_TREE = "the working tree"

Quote = tuple[str, str]
"""A citation: the source's id and the quoted words."""
Change = Literal["added", "removed", "changed"]
Status = Literal["added", "removed", "renamed", "merged", "changed"]


# --- Claims as facts --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Fact:
    """One claim as a review sees it: what it states, how it is known, its quotes."""

    field: str
    value: dict[str, Any]
    """What the claim states (its value, or a relation's target and role), as JSON."""
    qualifiers: dict[str, str]
    quotes: tuple[Quote, ...]
    target: Ref | None = None
    """The profile a relation points at."""
    target_key: str | None = None

    @property
    def key(self) -> str:
        """What the claim states, comparable between the two sides."""
        return json.dumps(self.value, sort_keys=True, ensure_ascii=False)

    @property
    def signature(self) -> str:
        """Everything about the claim, comparable between the two sides."""
        content = [self.value, self.qualifiers, sorted(self.quotes)]
        return json.dumps(content, sort_keys=True, ensure_ascii=False)

    def shown(self) -> str:
        """The claim's value in words: ``47 (as of: 2024)``, ``people/choe-mi-ran
        (relation: spouse)``."""
        if self.target is not None:
            head = f"{self.target.kind}/{self.target.id}"
            rest = {k: v for k, v in self.value.items() if k != self.target_key}
        else:
            head = _plain(self.value.get("value", ""))
            rest = {k: v for k, v in self.value.items() if k != "value"}
        extra = "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in rest.items())
        return f"{head} ({extra})" if extra else head


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


Moved = dict[Ref, str]
"""Renamed profiles: each old ref and the id it has now."""


def _moved(moved: Moved, kind: Any, id_: str) -> str:
    return moved.get(Ref(kind, id_), id_)


def fact_of(name: str, claim: Claim, moved: Moved) -> Fact:
    """A claim of field ``name`` as a fact, references to renamed profiles read as the
    profiles' new ids."""
    dump = claim.model_dump(mode="json", exclude_defaults=True)
    quotes = tuple(
        (_moved(moved, "sources", c["source"]), c["quote"]) for c in dump.pop("cite", [])
    )
    qualifiers = {k: dump.pop(k) for k in QUALIFIERS if k in dump}
    relation = RELATION_OF_CLAIM.get(type(claim))
    if relation is None:
        return Fact(name, dump, qualifiers, quotes)
    target = Ref(relation.target, _moved(moved, relation.target, dump[relation.key]))
    dump[relation.key] = target.id
    return Fact(name, dump, qualifiers, quotes, target, relation.key)


def facts_of(profile: Profile, moved: Moved) -> dict[str, list[Fact]]:
    """Every claim of a profile as a fact, by field, in field order."""
    names = claim_fields(type(profile))
    # Other facts, which every kind has, come after the kind's own fields, as on pages.
    names = tuple(sorted(names, key=lambda name: name == "facts"))
    found: dict[str, list[Fact]] = {name: [] for name in names}
    for name, _, claim in profile.claims():
        found[name].append(fact_of(name, claim, moved))
    return found


def fields_of(profile: Profile) -> dict[str, Any]:
    """The profile's fields that are not claims (a name, a source's title and date)."""
    claims = set(claim_fields(type(profile)))
    return profile.model_dump(mode="json", exclude=claims, exclude_defaults=True)


@dataclass(frozen=True)
class ClaimChange:
    """A claim added, removed, or changed (``old`` → ``new``)."""

    change: Change
    field: str
    old: Fact | None
    new: Fact | None

    @property
    def fact(self) -> Fact:
        found = self.new or self.old
        assert found is not None
        return found

    @property
    def relation(self) -> bool:
        return self.fact.target is not None

    @property
    def value_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.key != self.new.key

    def qualifier_changes(self) -> list[tuple[str, str | None, str | None]]:
        """Each qualifier that differs: its name, old and new text (None: not given)."""
        if self.old is None or self.new is None:
            return []
        old, new = self.old.qualifiers, self.new.qualifiers
        return [(q, old.get(q), new.get(q)) for q in QUALIFIERS if old.get(q) != new.get(q)]

    def citations(self) -> tuple[list[Quote], list[Quote], list[Quote]]:
        """The citations added, removed and kept by a changed claim."""
        old = list(self.old.quotes) if self.old else []
        new = list(self.new.quotes) if self.new else []
        kept = [q for q in new if q in old]
        return [q for q in new if q not in old], [q for q in old if q not in new], kept


_QUOTE_MARKS = re.compile("[\"'“”‘’«»]")


def _words(quote: Quote) -> tuple[str, str]:
    """A quote's source and words, without quotation marks, spacing or case: a quote
    cut shorter or made longer still contains, or is contained in, what it was."""
    return quote[0], " ".join(_QUOTE_MARKS.sub("", quote[1]).split()).casefold()


def _overlap(old: Fact, new: Fact) -> bool:
    """Whether one quote of each is the other, or contains it (same source)."""
    words = [_words(q) for q in new.quotes]
    return any(
        source == other and (text in longer or longer in text)
        for source, text in map(_words, old.quotes)
        for other, longer in words
    )


Same = Callable[[Fact, Fact], bool]
# From the surest match to the loosest; each pairs only what the ones before left.
_MATCHES: tuple[Same, ...] = (
    lambda o, n: o.signature == n.signature,
    lambda o, n: o.key == n.key,
    lambda o, n: bool(o.quotes) and set(o.quotes) == set(n.quotes),
    lambda o, n: o.target is not None and o.target == n.target,
    lambda o, n: bool(set(o.quotes) & set(n.quotes)),
    _overlap,
)


def match(old: list[Fact], new: list[Fact]) -> list[ClaimChange]:
    """The changes from one field's claims to the same field's claims on the other side."""
    old_left, new_left = list(old), list(new)
    changes: list[ClaimChange] = []
    for level, same in enumerate(_MATCHES):
        for o in list(old_left):
            n = next((n for n in new_left if same(o, n)), None)
            if n is None:
                continue
            old_left.remove(o)
            new_left.remove(n)
            if level > 0:
                changes.append(ClaimChange("changed", o.field, o, n))
    changes += [ClaimChange("added", n.field, None, n) for n in new_left]
    changes += [ClaimChange("removed", o.field, o, None) for o in old_left]
    return changes


# --- Profiles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """A field that is not a claim (a name, a source's title), old → new (None: absent)."""

    field: str
    old: Any
    new: Any


@dataclass
class ProfileChange:
    """What changed in one profile, under the id it has on the newer side."""

    ref: Ref
    title: str
    status: Status
    path: str
    renamed_from: Ref | None = None
    merged_into: Ref | None = None
    fields: list[FieldChange] = field(default_factory=list)
    claims: list[ClaimChange] = field(default_factory=list)


def merged_into(profile: Profile) -> str | None:
    """The id of the profile this one says it was merged into, if it says so.

    The hook for merges: the model has no ``merged_into`` field yet. Once a profile kind
    has one, a profile that gains it is reported as merged into that profile rather than
    as changed, and references to it that now name that profile are no change of fact,
    with no other change to this module.
    """
    target = getattr(profile, "merged_into", None)
    return target if isinstance(target, str) else None


def profile_change(
    ref: Ref, old: Entry | None, new: Entry | None, moved: Moved, renamed_from: Ref | None = None
) -> ProfileChange:
    """How a profile changed (``old`` None: added; ``new`` None: removed)."""
    status: Status = "added" if old is None else "removed" if new is None else "changed"
    if renamed_from is not None:
        status = "renamed"
    present = new or old
    assert present is not None
    change = ProfileChange(ref, present.profile.heading, status, present.raw.path, renamed_from)
    target = merged_into(new.profile) if new is not None else None
    if target is not None and (old is None or merged_into(old.profile) != target):
        change.status, change.merged_into = "merged", Ref(ref.kind, target)
    olds = facts_of(old.profile, moved) if old is not None else {}
    news = facts_of(new.profile, {}) if new is not None else {}
    for name in dict.fromkeys([*news, *olds]):
        change.claims += match(olds.get(name, []), news.get(name, []))
    old_fields = fields_of(old.profile) if old is not None else {}
    new_fields = fields_of(new.profile) if new is not None else {}
    for name in dict.fromkeys([*new_fields, *old_fields]):
        if old_fields.get(name) != new_fields.get(name):
            change.fields.append(FieldChange(name, old_fields.get(name), new_fields.get(name)))
    return change


def _content(entry: Entry) -> Counter[str]:
    """A profile's content as comparable lines: each field, each claim."""
    lines = Counter(
        f"{k}={json.dumps(v, sort_keys=True)}" for k, v in fields_of(entry.profile).items()
    )
    for name, facts in facts_of(entry.profile, {}).items():
        lines.update(f"{name}:{fact.signature}" for fact in facts)
    return lines


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """The share of two profiles' content lines that they have in common."""
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 1.0


def renames(removed: dict[Ref, Entry], added: dict[Ref, Entry]) -> dict[Ref, Ref]:
    """Which removed profile became which added one: same kind, (nearly) same content."""
    found: dict[Ref, Ref] = {}
    for kind in KINDS:
        gone = {ref: _content(e) for ref, e in removed.items() if ref.kind == kind}
        came = {ref: _content(e) for ref, e in added.items() if ref.kind == kind}
        if len(gone) * len(came) > _MAX_RENAME_PAIRS:
            same = {_frozen(lines): ref for ref, lines in sorted(came.items(), reverse=True)}
            pairs = [(1.0, old, same[_frozen(c)]) for old, c in gone.items() if _frozen(c) in same]
        else:
            pairs = [
                (similarity(g, c), old, new) for old, g in gone.items() for new, c in came.items()
            ]
        taken: set[Ref] = set()
        for score, old, new in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
            if score >= RENAME_SIMILARITY and old not in found and new not in taken:
                found[old] = new
                taken.add(new)
    return found


def _frozen(lines: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(lines.items()))


# --- Reading each side ----------------------------------------------------------------


@dataclass
class Side:
    """One of the two states compared: a revision, or the working tree."""

    name: str
    """The revision as given (``main``, ``HEAD~1``), or "the working tree"."""
    commit: str | None = None
    skipped: list[FactfileError] = field(default_factory=list)
    """Why each file that changed but could not be read was not compared."""
    problems: list[FactfileError] | None = None
    """What ``factfile check`` finds on this side; None when it was not run."""

    @property
    def label(self) -> str:
        if not self.commit:
            return self.name
        if self.commit.startswith(self.name) or self.name.startswith(self.commit[:7]):
            return self.commit[:7]  # named by its id already
        return f"{self.name} ({self.commit[:7]})"


@dataclass
class _Read:
    entries: dict[Ref, Entry] = field(default_factory=dict)
    present: set[Ref] = field(default_factory=set)
    """Every profile with a file, readable or not."""
    errors: list[FactfileError] = field(default_factory=list)


def profile_ref(project: Project, path: str) -> Ref | None:
    """The profile a path holds, if it is one (``profiles/<kind>/<id>.yaml``)."""
    prefix = project.profiles_dirname + "/"
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix) :].split("/")
    if len(parts) != 2 or parts[0] not in KINDS:
        return None
    name = parts[1]
    if name.startswith(".") or not name.endswith(".yaml"):
        return None
    return Ref(parts[0], name.removesuffix(".yaml"))  # type: ignore[arg-type]


def read_entry(ref: Ref, path: str, data: bytes) -> Entry | list[FactfileError]:
    """One profile file read and checked against its shape, as the build does."""
    if len(data) > MAX_PROFILE_BYTES:
        return [FactfileError(Location(path, 1, 1), "file is too large to be a profile")]
    raw = parse_bytes(ref.kind, ref.id, path, data)
    return raw if isinstance(raw, list) else checked_entry(raw)


def _read(project: Project, files: Files, other: Files) -> _Read:
    """The profiles of ``files`` whose file differs from ``other``'s."""
    read = _Read()
    for path in sorted(files.data.keys() | files.links.keys()):
        ref = profile_ref(project, path)
        if ref is None:
            continue
        read.present.add(ref)
        data = files.data.get(path)
        if data is not None and data == other.data.get(path):
            continue  # the same bytes say the same facts
        result = (
            read_entry(ref, path, data)
            if data is not None
            else [FactfileError(Location(path), "not a regular file: a link is never read")]
        )
        if isinstance(result, list):
            read.errors.extend(result)
        else:
            read.entries[ref] = result
    return read


# --- The comparison -----------------------------------------------------------------------


@dataclass
class Diff:
    """Everything that changed between two sides, as facts."""

    base: Side
    head: Side
    profiles: list[ProfileChange] = field(default_factory=list)
    archives: list[tuple[Change, str]] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        """Profiles by status; claims, relations and citations by change."""
        found: Counter[str] = Counter()
        for profile in self.profiles:
            found[f"profiles {profile.status}"] += 1
            for claim in profile.claims:
                noun = "relations" if claim.relation else "claims"
                found[f"{noun} {claim.change}"] += 1
                if claim.change == "changed":
                    added, removed, _ = claim.citations()
                    found["citations added"] += len(added)
                    found["citations removed"] += len(removed)
        for change, _ in self.archives:
            found[f"archives {change}"] += 1
        return found

    def __bool__(self) -> bool:
        return bool(self.profiles or self.archives)


def compare(project: Project, old: Files, new: Files, base: Side, head: Side) -> Diff:
    """The facts that differ between two sets of the wiki's files."""
    olds, news = _read(project, old, new), _read(project, new, old)
    base.skipped, head.skipped = olds.errors, news.errors
    removed = {r: e for r, e in olds.entries.items() if r not in news.present}
    added = {r: e for r, e in news.entries.items() if r not in olds.present}
    renamed = renames(removed, added)
    moved: Moved = {old_ref: new_ref.id for old_ref, new_ref in renamed.items()}
    moved.update(_merges(olds, news))
    changes = [
        profile_change(ref, entry, news.entries[ref], moved)
        for ref, entry in olds.entries.items()
        if ref in news.entries
    ]
    changes += [profile_change(n, removed[o], added[n], moved, o) for o, n in renamed.items()]
    changes += [profile_change(r, e, None, moved) for r, e in removed.items() if r not in renamed]
    taken = set(renamed.values())
    changes += [profile_change(r, None, e, moved) for r, e in added.items() if r not in taken]
    kept = [c for c in changes if c.status != "changed" or c.claims or c.fields]
    kept.sort(key=lambda c: (KINDS.index(c.ref.kind), c.ref.id))
    return Diff(base, head, kept, _archives(project, old, new))


def _merges(olds: _Read, news: _Read) -> Moved:
    """Profiles that were merged into another: references to them on the older side are
    read as references to the profile they were merged into, as for a rename."""
    found: Moved = {}
    for ref, entry in news.entries.items():
        target = merged_into(entry.profile)
        before = olds.entries.get(ref)
        if target is not None and (before is None or merged_into(before.profile) != target):
            found[ref] = target
    return found


def _archives(project: Project, old: Files, new: Files) -> list[tuple[Change, str]]:
    prefix = project.seeds_dirname + "/"
    paths = {
        p for p in old.data.keys() | new.data.keys() if p.startswith(prefix) and p.count("/") == 1
    }
    found: list[tuple[Change, str]] = []
    for path in sorted(paths):
        if path not in old.data:
            found.append(("added", path))
        elif path not in new.data:
            found.append(("removed", path))
        elif old.data[path] != new.data[path]:
            found.append(("changed", path))
    return found


def problems(project: Project, files: Files | None) -> list[FactfileError]:
    """What ``factfile check`` finds: in the project itself (``files`` None), or in a
    temporary copy of ``files``."""
    if files is None:
        return _checked(project)
    with tempfile.TemporaryDirectory(prefix="factfile-diff-") as folder:
        root = Path(folder).resolve()
        materialise(files, root)
        copy = Project(
            root, profiles_dirname=project.profiles_dirname, seeds_dirname=project.seeds_dirname
        )
        return _checked(copy)


def _checked(project: Project) -> list[FactfileError]:
    from .build import Pipeline

    try:
        Pipeline(project).check()
    except FactfileErrors as errors:
        return list(errors)
    return []


def diff(project: Project, base: str, head: str | None = None, *, check: bool = True) -> Diff:
    """The facts that differ between revision ``base`` and revision ``head`` (the working
    tree if None). With ``check``, each side is also put through every check.

    Raises ``GitError`` when git is missing, the project is not in a repository, or a
    revision does not name a commit.
    """
    base_side = Side(base, resolve(project.root, base))
    old = at_revision(project, base_side.commit or "")
    if head is None:
        head_side, new = Side(WORKING_TREE), working_tree(project)
    else:
        head_side = Side(head, resolve(project.root, head))
        new = at_revision(project, head_side.commit or "")
    if check:
        base_side.problems = problems(project, old)
        head_side.problems = problems(project, None if head is None else new)
    return compare(project, old, new, base_side, head_side)


# --- Reports --------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One change in words: a sign (+ added, - removed, ~ changed), what changed (a field
    name), its value, and the lines under it (how it is known, its quotes).

    Labels are the product's own words; values come from profiles and are escaped by
    each report for where they land. Each detail line is a (label, value) pair too.
    ``note`` says in a few words how the value is known, or what of that changed, for
    reports that leave the quotes out.
    """

    sign: str
    label: str
    value: str
    detail: tuple[tuple[str, str], ...] = ()
    note: str = ""


def _quote(quote: Quote) -> tuple[str, str]:
    return ("", f"“{quote[1]}” ({quote[0]})")


def _marked(mark: str, quote: Quote) -> tuple[str, str]:
    return (mark, _quote(quote)[1])


def _how_known(fact: Fact) -> str:
    """A fact's qualifiers in a few words (the editors' reasoning only named)."""
    words = {
        "according_to": lambda v: f"according to {v}",
        "hedge": lambda v: f"hedged: “{v}”",
        "inferred": lambda v: "inferred by the editors",
    }
    return "; ".join(words[k](v) for k, v in fact.qualifiers.items() if k in words)


def _what_changed(claim: ClaimChange) -> str:
    """The qualifiers and citations a changed claim changed, in a few words."""
    parts = []
    for name, old, new in claim.qualifier_changes():
        if name in ("according_to", "hedge"):
            parts.append(f"{QUALIFIER_LABELS[name]}: {old or '(none)'} → {new or '(none)'}")
        else:
            parts.append(f"{QUALIFIER_LABELS[name]} {_verb(old, new)}")
    added, removed, _ = claim.citations()
    for count, verb in ((len(added), "added"), (len(removed), "removed")):
        if count:
            parts.append(f"{count} citation{'s' if count != 1 else ''} {verb}")
    return "; ".join(parts)


def _verb(old: str | None, new: str | None) -> str:
    return "added" if old is None else "removed" if new is None else "changed"


def claim_line(claim: ClaimChange) -> Line:
    """A claim change in words, with how it is known and its quotes."""
    fact = claim.fact
    if claim.change != "changed":
        sign = "+" if claim.change == "added" else "-"
        detail = [(f"{QUALIFIER_LABELS[k]}: ", v) for k, v in fact.qualifiers.items()]
        detail += [_quote(q) for q in fact.quotes]
        return Line(sign, claim.field, fact.shown(), tuple(detail), _how_known(fact))
    assert claim.old is not None and claim.new is not None
    value = claim.new.shown()
    if claim.value_changed:
        value = f"{claim.old.shown()} → {value}"
    lines = [
        (f"{QUALIFIER_LABELS[name]}: ", f"{old or '(none)'} → {new or '(none)'}")
        for name, old, new in claim.qualifier_changes()
    ]
    added, removed, kept = claim.citations()
    lines += [_quote(q) for q in kept] + [_marked("citation added: ", q) for q in added]
    lines += [_marked("citation removed: ", q) for q in removed]
    return Line("~", claim.field, value, tuple(lines), _what_changed(claim))


def _value(value: Any) -> str:
    return _plain(value) if not isinstance(value, dict | list) else json.dumps(value)


def field_line(change: FieldChange) -> Line:
    if change.old is None:
        return Line("+", change.field, _value(change.new))
    if change.new is None:
        return Line("-", change.field, _value(change.old))
    return Line("~", change.field, f"{_value(change.old)} → {_value(change.new)}")


def profile_lines(profile: ProfileChange) -> list[Line]:
    """Every change to one profile, fields first, claims in field order."""
    lines = [*map(field_line, profile.fields), *map(claim_line, profile.claims)]
    if not lines and profile.renamed_from is not None:
        # References to it under the old id are read as references to it: no change.
        lines.append(Line("", "", "no other change"))
    return lines


def profile_status(profile: ProfileChange) -> str:
    """What happened to the profile, in words ("" when only its content changed)."""
    if profile.renamed_from is not None and profile.merged_into is not None:
        was = profile.renamed_from
        return f"renamed from {was.kind}/{was.id}, merged into {profile.merged_into.id}"
    if profile.renamed_from is not None:
        return f"renamed from {profile.renamed_from.kind}/{profile.renamed_from.id}"
    if profile.merged_into is not None:
        target = profile.merged_into
        return f"merged into {target.kind}/{target.id}"
    return "" if profile.status == "changed" else profile.status


_SUMMARY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("profiles", ("changed", "added", "removed", "renamed", "merged")),
    ("claims", ("added", "changed", "removed")),
    ("relations", ("added", "changed", "removed")),
    ("citations", ("added", "removed")),
    ("archives", ("added", "changed", "removed")),
)


def summary(result: Diff) -> str:
    """The counts of what changed, in one line."""
    counts = result.counts()
    parts = []
    for noun, changes in _SUMMARY:
        found = [f"{counts[f'{noun} {c}']} {c}" for c in changes if counts[f"{noun} {c}"]]
        if found:
            parts.append(f"{noun}: {', '.join(found)}")
    return "; ".join(parts) if parts else "no facts changed"


_SHOWN_PROBLEMS = 10


def side_notes(result: Diff) -> list[tuple[Side, str, list[FactfileError], int]]:
    """What the reader must know before the facts: each side that fails the checks, and
    files that could not be read. Each note (with ``{side}`` where the side's name goes)
    with the errors shown under it, and how many more there are."""
    notes: list[tuple[Side, str, list[FactfileError], int]] = []
    for side in (result.base, result.head):
        if side.problems:
            count = len(side.problems)
            words = f"{count} error{'s' if count != 1 else ''}"
            note = f"Checks fail at {{side}}: {words}; facts are compared for the files that parse"
            shown_here = side.problems[:_SHOWN_PROBLEMS]
            notes.append((side, note, shown_here, count - len(shown_here)))
        if side.skipped:
            notes.append(
                (side, "Not compared: files that cannot be read at {side}", side.skipped, 0)
            )
    return notes


def _note(note: str, label: str) -> str:
    return note.replace("{side}", label, 1)


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def _checks_line(result: Diff) -> str | None:
    sides = (result.base, result.head)
    if any(side.problems is None for side in sides) or any(side.problems for side in sides):
        return None
    return "Both pass the checks."


def _labelled(label: str, value: str) -> str:
    return f"{label}: {value}" if label else value


def as_text(result: Diff) -> str:
    """The report for a terminal."""
    out = [f"Facts changed from {result.base.label} to {result.head.label}"]
    for side, note, errors, more in side_notes(result):
        out.append(f"! {_note(note, side.label)}.")
        out += [f"    {line}" for error in errors for line in str(error).split("\n")]
        out += [f"    … and {more} more"] if more else []
    checks = _checks_line(result)
    if checks:
        out.append(checks)
    out += ["", _capital(summary(result)) + "."]
    for profile in result.profiles:
        status = profile_status(profile)
        out += ["", f"{profile.ref.kind}/{profile.ref.id} ({profile.title})"]
        out[-1] += f", {status}" if status else ""
        for line in profile_lines(profile):
            out.append(f"  {line.sign or ' '} {_labelled(line.label, line.value)}")
            out += [f"      {label}{value}" for label, value in line.detail]
    if result.archives:
        out += ["", "archives:"] + [f"  {_SIGNS[c]} {path}" for c, path in result.archives]
    return "\n".join(shown(line) for line in out) + "\n"


_SIGNS = {"added": "+", "removed": "-", "changed": "~"}
_WORDS = {"+": "added", "-": "removed", "~": "changed"}
KIND_TITLES = {"people": "People", "missions": "Missions", "events": "Events", "sources": "Sources"}


def inert(value: str) -> str:
    """Text as GitHub-flavoured Markdown that shows exactly that text: no markup, no
    HTML, and no link made of an address or an e-mail written in it."""
    escaped = markdown_text(value).replace("@", "&#64;")
    # GitHub makes a link of any "www." in running text.
    return escaped.replace("www.", "www&#46;").replace("WWW.", "WWW&#46;")


def _code(value: str) -> str:
    """Text as a Markdown code span, which shows every character as it is (an error
    message, an id): fenced by more backticks than it holds in a row."""
    flat = " ".join(value.split())
    fence = "`" * (max(map(len, re.findall("`+", flat)), default=0) + 1)
    pad = " " if flat.startswith(("`", " ")) or flat.endswith(("`", " ")) else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def as_markdown(result: Diff, limit: int | None = None) -> str:
    """The report for a pull request's job summary, within ``limit`` characters."""
    out = [f"## Facts changed from {inert(result.base.label)} to {inert(result.head.label)}", ""]
    for side, note, errors, more in side_notes(result):
        out += [f"**⚠ {_note(note, inert(side.label))}.**", ""]
        out += [f"- {_code(f'{e.location}: {e.message}')}" for e in errors]
        out += [f"- … and {more} more", ""] if more else [""]
    checks = _checks_line(result)
    if checks:
        out += [checks, ""]
    out += [_capital(summary(result)) + ".", ""]
    body = _markdown_profiles(result)
    if result.archives:
        body.append(["### Archives", ""] + [f"- {c}: {_code(p)}" for c, p in result.archives])
    text = "\n".join(out)
    for index, section in enumerate(body):
        chunk = "\n".join(section) + "\n"
        if limit is not None and len(text) + len(chunk) > limit - 200:
            left = len(body) - index
            text += f"\n… {left} more section{'s' if left != 1 else ''} not shown here: "
            text += "run `factfile diff` locally to see everything.\n"
            break
        text += "\n" + chunk
    return text.rstrip("\n") + "\n"


def _markdown_profiles(result: Diff) -> list[list[str]]:
    """One section per profile, under a heading per kind."""
    sections: list[list[str]] = []
    kind = None
    for profile in result.profiles:
        lines: list[str] = []
        if profile.ref.kind != kind:
            kind = profile.ref.kind
            lines += [f"### {KIND_TITLES[kind]}", ""]
        status = profile_status(profile)
        heading = f"#### {inert(profile.title)} ({_code(f'{kind}/{profile.ref.id}')})"
        lines += [heading + (f", {inert(status)}" if status else ""), ""]
        for line in profile_lines(profile):
            word = f"**{_WORDS[line.sign]}** " if line.sign else ""
            label = f"{_code(line.label)}: " if line.label else ""
            lines.append(f"- {word}{label}{inert(line.value)}")
            lines += [f"  - {label}{inert(value)}" for label, value in line.detail]
        sections.append(lines)
    return sections


def _fact_json(fact: Fact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {
        "shown": fact.shown(),
        "value": fact.value,
        "target": f"{fact.target.kind}/{fact.target.id}" if fact.target else None,
        "qualifiers": fact.qualifiers,
        "quotes": _quotes_json(fact.quotes),
    }


def _quotes_json(quotes: Iterable[Quote]) -> list[dict[str, str]]:
    return [{"source": source, "quote": quote} for source, quote in quotes]


def _claim_json(claim: ClaimChange) -> dict[str, Any]:
    added, removed, _ = claim.citations()
    return {
        "change": claim.change,
        "field": claim.field,
        "relation": claim.relation,
        "old": _fact_json(claim.old),
        "new": _fact_json(claim.new),
        "value_changed": claim.value_changed,
        "qualifiers": [
            {"qualifier": name, "old": old, "new": new}
            for name, old, new in claim.qualifier_changes()
        ],
        "citations_added": _quotes_json(added) if claim.change == "changed" else [],
        "citations_removed": _quotes_json(removed) if claim.change == "changed" else [],
    }


def _ref(ref: Ref | None) -> str | None:
    return f"{ref.kind}/{ref.id}" if ref is not None else None


def _side_json(side: Side) -> dict[str, Any]:
    checks = "not run" if side.problems is None else "failed" if side.problems else "passed"
    return {
        "revision": side.name if side.name != WORKING_TREE else None,
        "commit": side.commit,
        "label": side.label,
        "checks": checks,
        "problems": [str(e) for e in side.problems or []],
        "skipped": [str(e) for e in side.skipped],
    }


def as_json(result: Diff) -> str:
    """The report for programs: every change, with its values, qualifiers and quotes."""
    data = {
        "base": _side_json(result.base),
        "head": _side_json(result.head),
        "summary": dict(sorted(result.counts().items())),
        "profiles": [
            {
                "kind": p.ref.kind,
                "id": p.ref.id,
                "title": p.title,
                "path": p.path,
                "status": p.status,
                "renamed_from": _ref(p.renamed_from),
                "merged_into": _ref(p.merged_into),
                "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in p.fields],
                "claims": [_claim_json(c) for c in p.claims],
            }
            for p in result.profiles
        ],
        "archives": [{"change": c, "path": p} for c, p in result.archives],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
