"""The CSV files: one per kind of profile, one row per quoted passage, one row per claim.

The files per kind give one row per profile, several values of a field in one cell
(separated by `` | ``, each with how it is known, as on the pages), and next to each
list of related profiles' ids a list of their titles in the same order. claims.csv is
the long form: one claim per row and one value per cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from ..model import KINDS, Claim, Event, Kind, Mission, Person, Ref, claim_value
from ..wiki import Wiki
from .records import ClaimRecord, ref_key

Row = list[object]
Table = tuple[list[str], list[Row]]

# Cells a spreadsheet would read as a formula are prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(row: Row) -> list[str]:
    texts = ["" if value is None else str(value) for value in row]
    return ["'" + text if text.startswith(_FORMULA_START) else text for text in texts]


def to_csv(table: Table) -> bytes:
    head, rows = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    writer.writerows(map(_cells, rows))
    return out.getvalue().encode("utf-8")


def _values(claims: Sequence[Claim]) -> str:
    """Each value once, with how it is known (as on the pages)."""
    seen: list[str] = []
    for claim in claims:
        value = claim_value(claim) + (f" ({claim.qualifier})" if claim.qualifier else "")
        if value not in seen:
            seen.append(value)
    return " | ".join(seen)


def _related(wiki: Wiki, kind: Kind, ids: set[str]) -> list[str]:
    """Related profiles' ids, then their titles in the same order: two cells."""
    ordered = sorted(ids)
    titles = [wiki.title(Ref(kind, id_)) for id_ in ordered]
    return [" | ".join(ordered), " | ".join(titles)]


def _people(wiki: Wiki) -> Table:
    head = ["id", "name", "names", "status", "ages", "countries", "missions", "mission_names"]
    rows: list[Row] = []
    for ref in wiki.refs("people"):
        p = wiki.profile(ref)
        assert isinstance(p, Person)
        rows.append(
            [
                ref.id,
                p.name,
                _values(p.names),
                _values(p.status),
                _values(p.ages),
                _values(p.countries),
                *_related(wiki, "missions", {posting.mission for posting in p.postings}),
            ]
        )
    return head, rows


def _missions(wiki: Wiki) -> Table:
    head = ["id", "name", "kind", "country", "city", "status", "staff", "staff_names"]
    rows: list[Row] = []
    for ref in wiki.refs("missions"):
        m = wiki.profile(ref)
        assert isinstance(m, Mission)
        staff = {edge.origin.id for edge in wiki.incoming(ref) if edge.origin.kind == "people"}
        rows.append(
            [
                ref.id,
                m.name,
                _values(m.mission_kind),
                _values(m.country),
                _values(m.city),
                _values(m.status),
                *_related(wiki, "people", staff),
            ]
        )
    return head, rows


def _events(wiki: Wiki) -> Table:
    head = ["id", "name", "date", "kind", "place", "participants", "participant_names"]
    head += ["missions", "mission_names"]
    rows: list[Row] = []
    for ref in wiki.refs("events"):
        e = wiki.profile(ref)
        assert isinstance(e, Event)
        rows.append(
            [
                ref.id,
                e.name,
                _values([claim]) if (claim := e.date_claim()) else "unknown",
                _values(e.event_kind),
                _values(e.place),
                *_related(wiki, "people", {part.person for part in e.participants}),
                *_related(wiki, "missions", {inv.mission for inv in e.missions}),
            ]
        )
    return head, rows


def _sources(wiki: Wiki) -> Table:
    head = ["id", "title", "outlet", "date", "language", "url", "archive", "sha256", "quotes"]
    rows: list[Row] = []
    for ref in wiki.refs("sources"):
        s = wiki.source(ref.id)
        rows.append(
            [
                ref.id,
                s.title,
                s.outlet,
                str(s.date),
                s.language,
                s.url,
                s.archive,
                s.sha256,
                len(wiki.passages(ref.id)),
            ]
        )
    return head, rows


KIND_TABLES: dict[Kind, Callable[[Wiki], Table]] = {
    "people": _people,
    "missions": _missions,
    "events": _events,
    "sources": _sources,
}
assert tuple(KIND_TABLES) == KINDS


def citations_table(claims: list[ClaimRecord]) -> Table:
    """One row per piece of each quote, with its offsets in the archived text."""
    head = ["claim", "entity", "field", "value", "source", "start", "end", "quote"]
    rows: list[Row] = []
    for record in claims:
        value = record.attributes.get("value", "")
        for cited in record.citations:
            for start, end in cited.spans:
                row = [record.id, ref_key(record.ref), record.field, value, cited.source]
                rows.append([*row, start, end, cited.quote])
    return head, rows


CLAIM_COLUMNS = [
    "claim",
    "profile",
    "profile_name",
    "field",
    "type",
    "value",
    "basis",
    "qualifier",
    "according_to",
    "hedge",
    "inferred",
    "note",
    "date_start",
    "date_end",
    "as_of",
    "role",
    "relation",
    "target",
    "target_name",
    "measure",
    "approximate",
    "citations",
]


def claims_table(wiki: Wiki, claims: list[ClaimRecord]) -> Table:
    """One row per claim, one value per cell."""
    rows: list[Row] = []
    for record in claims:
        claim, d = record.claim, record.details
        target = d.target
        rows.append(
            [
                record.id,
                ref_key(record.ref),
                wiki.title(record.ref),
                record.field,
                type(claim).__name__,
                d.value,
                claim.basis,
                claim.qualifier,
                claim.according_to,
                claim.hedge,
                claim.inferred,
                claim.note,
                d.date_start,
                d.date_end,
                d.as_of,
                d.role,
                d.relation,
                None if target is None else ref_key(target),
                None if target is None else wiki.title(target),
                d.measure,
                None if d.approximate is None else str(d.approximate).lower(),
                len(record.citations),
            ]
        )
    return CLAIM_COLUMNS, rows
