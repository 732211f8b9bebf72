"""factfile.json: the whole wiki as one JSON document (its shape is documented on the
data page)."""

from __future__ import annotations

import json
from typing import Any

from ..model import KINDS, Ref
from ..wiki import Wiki
from .records import ClaimRecord, claim_id, page_url, ref_key

FORMAT = "factfile/1"


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
        "page": page_url(ref),
        "profile": wiki.path_of(ref),
        "fields": plain,
    }


def _claim(record: ClaimRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "entity": ref_key(record.ref),
        "field": record.field,
        "type": type(record.claim).__name__,
        "basis": record.claim.basis,
        "attributes": record.attributes,
        "note": record.claim.note,
        "citations": [
            {
                "source": cited.source,
                "archive": cited.archive,
                "quote": cited.quote,
                "archived_text": cited.archived_text,
                "offsets": [[start, end] for start, end in cited.spans],
            }
            for cited in record.citations
        ],
    }


def relations(wiki: Wiki) -> list[dict[str, Any]]:
    """Every stated relation, from the profile stating it to the one it names."""
    found: list[dict[str, Any]] = []
    edges = sorted(
        (edge for kind in KINDS for ref in wiki.refs(kind) for edge in wiki.incoming(ref)),
        key=lambda edge: (edge.origin, edge.relation.field, edge.position),
    )
    for edge in edges:
        attributes = edge.claim.model_dump(mode="json", exclude={"cite", "note", edge.relation.key})
        found.append(
            {
                "type": edge.relation.name,
                "from": ref_key(edge.origin),
                "to": ref_key(edge.target),
                "attributes": attributes,
                "claim": claim_id(edge.origin, edge.relation.field, edge.position),
            }
        )
    return found


def disagreements(wiki: Wiki) -> list[dict[str, Any]]:
    return [
        {
            "entity": ref_key(ref),
            "field": field,
            "values": [value for value, _ in groups],
        }
        for kind in KINDS
        for ref in wiki.refs(kind)
        for field, groups in wiki.disagreements(ref)
    ]


def factfile_data(wiki: Wiki, claims: list[ClaimRecord]) -> dict[str, Any]:
    """The whole wiki as one JSON-ready structure."""
    return {
        "format": FORMAT,
        "entities": [_entity(wiki, ref) for kind in KINDS for ref in wiki.refs(kind)],
        "claims": [_claim(record) for record in claims],
        "relations": relations(wiki),
        "disagreements": disagreements(wiki),
    }


def to_json(data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode("utf-8")
