"""The wiki as data: one JSON file, one CSV per kind, and schema.org JSON-LD per page.

Everything here is derived from the typed wiki, in a stable order with sorted keys,
so the same profiles always give the same bytes. Each citation carries the character
offsets of its quote in the archived text exactly as stored, so a reader can check
any fact against the archive without this software.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .model import (
    KINDS,
    Claim,
    DateSpec,
    Event,
    Kind,
    Mission,
    Person,
    Profile,
    Ref,
    Source,
    claim_value,
)
from .wiki import Wiki

FORMAT = "factfile/1"
DATA_DIR = "data"
JSON_FILE = f"{DATA_DIR}/factfile.json"
CSV_FILES: dict[str, str] = {kind: f"{DATA_DIR}/{kind}.csv" for kind in KINDS} | {
    "citations": f"{DATA_DIR}/citations.csv"
}
DATA_PATHS = (JSON_FILE, *CSV_FILES.values())
"""The path in the site of every data file ``data_files`` gives."""

# Cells a spreadsheet would read as a formula are prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def claim_id(ref: Ref, field: str, index: int) -> str:
    """A claim's stable name: its page, field and position, e.g. ``people/x#names/0``."""
    return f"{ref.kind}/{ref.id}#{field}/{index}"


def _citation(wiki: Wiki, source: str, quote: str) -> dict[str, Any]:
    spans = wiki.quotes.get(source, quote)
    return {
        "source": source,
        "archive": wiki.source(source).archive,
        "quote": quote,
        "archived_text": wiki.quotes.texts[source].excerpt(spans, quote),
        "offsets": [[start, end] for start, end in spans],
    }


def _claim(wiki: Wiki, ref: Ref, field: str, index: int, claim: Claim) -> dict[str, Any]:
    attributes = claim.model_dump(mode="json", exclude={"cite", "note"})
    return {
        "id": claim_id(ref, field, index),
        "entity": f"{ref.kind}/{ref.id}",
        "field": field,
        "type": type(claim).__name__,
        "basis": claim.basis,
        "attributes": attributes,
        "note": claim.note,
        "citations": [_citation(wiki, c.source, c.quote) for c in claim.cite],
    }


def _entity(wiki: Wiki, ref: Ref) -> dict[str, Any]:
    profile = wiki.profile(ref)
    plain = {
        name: value
        for name, value in profile.model_dump(mode="json").items()
        if not isinstance(value, list)
    }
    return {
        "kind": ref.kind,
        "id": ref.id,
        "title": wiki.title(ref),
        "page": f"{ref.kind}/{ref.id}/",
        "profile": wiki.path_of(ref),
        "fields": plain,
    }


def _relations(wiki: Wiki) -> list[dict[str, Any]]:
    """Every stated relation, from the profile stating it to the one it names."""
    relations: list[dict[str, Any]] = []
    edges = sorted(
        (edge for edges in wiki.incoming_edges.values() for edge in edges),
        key=lambda edge: (edge.origin, edge.relation.field, edge.position),
    )
    for edge in edges:
        attributes = edge.claim.model_dump(mode="json", exclude={"cite", "note", edge.relation.key})
        relations.append(
            {
                "type": edge.relation.name,
                "from": f"{edge.origin.kind}/{edge.origin.id}",
                "to": f"{edge.target.kind}/{edge.target.id}",
                "attributes": attributes,
                "claim": claim_id(edge.origin, edge.relation.field, edge.position),
            }
        )
    return relations


def factfile_data(wiki: Wiki) -> dict[str, Any]:
    """The whole wiki as one JSON-ready structure (its shape is documented on the site)."""
    entities: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for kind in KINDS:
        for ref in sorted(wiki.refs(kind)):
            entities.append(_entity(wiki, ref))
            for field, index, claim in wiki.profile(ref).claims():
                claims.append(_claim(wiki, ref, field, index, claim))
    return {
        "format": FORMAT,
        "entities": entities,
        "claims": claims,
        "relations": _relations(wiki),
        "disagreements": [
            {
                "entity": f"{ref.kind}/{ref.id}",
                "field": field,
                "values": [value for value, _ in groups],
            }
            for kind in KINDS
            for ref in wiki.refs(kind)
            for field, groups in wiki.profile(ref).disagreements()
        ],
    }


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _values(claims: list[Any]) -> str:
    """Each value once, with how it is known (as on the pages)."""
    seen: list[str] = []
    for claim in claims:
        value = claim_value(claim) + (f" ({claim.qualifier})" if claim.qualifier else "")
        if value not in seen:
            seen.append(value)
    return " | ".join(seen)


def _rows(wiki: Wiki, kind: Kind) -> tuple[list[str], list[list[object]]]:
    refs = wiki.refs(kind)
    if kind == "people":
        head = ["id", "name", "names", "status", "ages", "countries", "missions"]
        rows: list[list[object]] = []
        for ref in refs:
            p = wiki.profile(ref)
            assert isinstance(p, Person)
            missions = sorted({posting.mission for posting in p.postings})
            rows.append(
                [
                    ref.id,
                    p.name,
                    _values(p.names),
                    _values(p.status),
                    _values(p.ages),
                    _values(p.countries),
                    " | ".join(missions),
                ]
            )
        return head, rows
    if kind == "missions":
        head = ["id", "name", "kind", "country", "city", "status", "staff"]
        rows = []
        for ref in refs:
            m = wiki.profile(ref)
            assert isinstance(m, Mission)
            staff = sorted(
                {edge.origin.id for edge in wiki.incoming(ref) if edge.origin.kind == "people"}
            )
            rows.append(
                [
                    ref.id,
                    m.name,
                    _values(m.mission_kind),
                    _values(m.country),
                    _values(m.city),
                    _values(m.status),
                    " | ".join(staff),
                ]
            )
        return head, rows
    if kind == "events":
        head = ["id", "name", "date", "kind", "place", "participants", "missions"]
        rows = []
        for ref in refs:
            e = wiki.profile(ref)
            assert isinstance(e, Event)
            rows.append(
                [
                    ref.id,
                    e.name,
                    _values([claim]) if (claim := e.date_claim()) else "unknown",
                    _values(e.event_kind),
                    _values(e.place),
                    " | ".join(sorted({part.person for part in e.participants})),
                    " | ".join(sorted({inv.mission for inv in e.missions})),
                ]
            )
        return head, rows
    head = ["id", "title", "outlet", "date", "language", "url", "archive", "sha256", "quotes"]
    rows = []
    for ref in refs:
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


def _citation_rows(data: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    head = ["claim", "entity", "field", "value", "source", "start", "end", "quote"]
    rows: list[list[object]] = []
    for claim in data["claims"]:
        value = claim["attributes"].get("value", "")
        for cite in claim["citations"]:
            for start, end in cite["offsets"]:
                rows.append(
                    [
                        claim["id"],
                        claim["entity"],
                        claim["field"],
                        value,
                        cite["source"],
                        start,
                        end,
                        cite["quote"],
                    ]
                )
    return head, rows


def _csv(head: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def data_files(wiki: Wiki) -> dict[str, str]:
    """Every published data file by its path in the site."""
    data = factfile_data(wiki)
    files = {JSON_FILE: _json(data)}
    for kind in KINDS:
        files[CSV_FILES[kind]] = _csv(*_rows(wiki, kind))
    files[CSV_FILES["citations"]] = _csv(*_citation_rows(data))
    return files


# --- schema.org JSON-LD ------------------------------------------------------------------


def _source_work(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "NewsArticle", "headline": source.title}
    if source.outlet:
        work["publisher"] = {"@type": "Organization", "name": source.outlet}
    if source.date.known:
        work["datePublished"] = str(source.date)
    if source.url:
        work["url"] = source.url
    return work


def _cited_sources(wiki: Wiki, profile: Profile) -> list[dict[str, Any]]:
    ids = sorted({citation.source for _, _, citation in profile.citations()})
    return [_source_work(wiki.source(id_)) for id_ in ids]


def _firm(claims: list[Any]) -> list[Any]:
    """The claims schema.org may state as facts: those the sources state or report. Its
    vocabulary has no way to say "inferred" or "hedged", so such values are left out."""
    return [claim for claim in claims if claim.basis in ("stated", "attributed")]


def _first(claims: list[Any]) -> str | None:
    firm = _firm(claims)
    return str(firm[0].value) if firm else None


def json_ld(wiki: Wiki, ref: Ref) -> dict[str, Any]:
    """A schema.org description of one profile, citing the articles it rests on."""
    profile = wiki.profile(ref)
    data: dict[str, Any] = {"@context": "https://schema.org", "name": wiki.title(ref)}
    if isinstance(profile, Person):
        data["@type"] = "Person"
        names = sorted({claim.value for claim in _firm(profile.names)} - {profile.name})
        if names:
            data["alternateName"] = names
        role = _first(profile.roles)
        if role:
            data["jobTitle"] = role
        missions = sorted({posting.mission for posting in profile.postings})
        if missions:
            data["affiliation"] = [
                {"@type": "GovernmentOrganization", "name": wiki.title(Ref("missions", id_))}
                for id_ in missions
            ]
    elif isinstance(profile, Mission):
        kinds = {claim.value for claim in _firm(profile.mission_kind)}
        data["@type"] = "GovernmentOrganization"
        if kinds == {"embassy"}:
            data["additionalType"] = "https://schema.org/Embassy"
        country = _first(profile.country)
        if country:
            data["location"] = {"@type": "Place", "name": country}
    elif isinstance(profile, Event):
        data["@type"] = "Event"
        dated = profile.date_claim()
        when = dated.value if dated is not None and _firm([dated]) else DateSpec(None, None)
        if when.start is not None:
            data["startDate"] = when.start.iso()
            if when.is_range and when.end is not None:
                data["endDate"] = when.end.iso()
        place = _first(profile.place)
        if place:
            data["location"] = {"@type": "Place", "name": place}
    else:
        assert isinstance(profile, Source)
        data.update(_source_work(profile))
        data["name"] = profile.title
        return data
    data["citation"] = _cited_sources(wiki, profile)
    return data


def script_json(data: object) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` escaped so that no text in
    it can close the element or open a comment."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return (
        raw.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def json_ld_script(wiki: Wiki, ref: Ref) -> str:
    return f'<script type="application/ld+json">{script_json(json_ld(wiki, ref))}</script>'


def page_refs(wiki: Wiki) -> dict[str, Ref]:
    """Each profile page (path under docs/) and the profile it shows."""
    return {ref.page: ref for kind in KINDS for ref in wiki.refs(kind)}
