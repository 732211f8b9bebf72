"""factfile.db: the wiki as a SQLite database, for ``sqlite3``, Datasette or any SQL tool.

Built in memory with the standard library's ``sqlite3`` and serialised, so the same
profiles always give the same bytes with the same SQLite: rows go in in one stable order,
indexes are made after them, and the page size is fixed. Every foreign key is declared
and enforced while the file is built.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from ..model import INVERSE_RELATION, KINDS
from ..wiki import Wiki
from .jsondata import relations
from .records import ClaimRecord, page_url, ref_key

USER_VERSION = 1
"""``PRAGMA user_version`` of the file: raised when a table or column changes meaning."""
PAGE_SIZE = 4096

TABLES = """
CREATE TABLE profiles (
    profile TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('people', 'missions', 'events', 'sources')),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    page TEXT NOT NULL,
    file TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    profile TEXT NOT NULL UNIQUE REFERENCES profiles (profile),
    title TEXT NOT NULL,
    outlet TEXT,
    date TEXT,
    date_note TEXT,
    language TEXT NOT NULL,
    translation TEXT,
    url TEXT,
    archive TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    profile TEXT NOT NULL REFERENCES profiles (profile),
    field TEXT NOT NULL,
    position INTEGER NOT NULL,
    type TEXT NOT NULL,
    value TEXT,
    number INTEGER,
    basis TEXT NOT NULL CHECK (basis IN ('stated', 'attributed', 'hedged', 'inferred')),
    qualifier TEXT,
    according_to TEXT,
    hedge TEXT,
    inferred TEXT,
    cue_waived TEXT,
    note TEXT,
    date_start TEXT,
    date_end TEXT,
    as_of TEXT,
    role TEXT,
    relation TEXT,
    target TEXT REFERENCES profiles (profile),
    measure TEXT,
    approximate INTEGER,
    topic TEXT,
    UNIQUE (profile, field, position)
);
CREATE TABLE citations (
    id INTEGER PRIMARY KEY,
    claim TEXT NOT NULL REFERENCES claims (id),
    position INTEGER NOT NULL,
    source TEXT NOT NULL REFERENCES sources (id),
    quote TEXT NOT NULL,
    archived_text TEXT NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    passage TEXT NOT NULL,
    UNIQUE (claim, position)
);
CREATE TABLE quote_pieces (
    citation INTEGER NOT NULL REFERENCES citations (id),
    piece INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    PRIMARY KEY (citation, piece)
);
CREATE TABLE relations (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    from_profile TEXT NOT NULL REFERENCES profiles (profile),
    to_profile TEXT NOT NULL REFERENCES profiles (profile),
    claim TEXT NOT NULL UNIQUE REFERENCES claims (id)
);
CREATE TABLE disagreements (
    disagreement INTEGER NOT NULL,
    profile TEXT NOT NULL REFERENCES profiles (profile),
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    claim TEXT NOT NULL REFERENCES claims (id),
    PRIMARY KEY (disagreement, claim)
);
"""

INDEXES = """
CREATE INDEX claims_by_field ON claims (field, value);
CREATE INDEX claims_by_target ON claims (target);
CREATE INDEX citations_by_source ON citations (source);
CREATE INDEX relations_by_from ON relations (from_profile, type);
CREATE INDEX relations_by_to ON relations (to_profile, type);
CREATE INDEX disagreements_by_profile ON disagreements (profile, field);
"""

# Each family tie is stated once, on either person; the view shows it from both sides.
_INVERSE = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in sorted(INVERSE_RELATION.items()))

VIEWS = f"""
CREATE VIEW claim_quotes AS
SELECT c.id AS claim, c.profile, p.title, c.field, c.value, c.basis, c.qualifier,
       q.source, s.title AS source_title, s.outlet, s.date AS source_date,
       s.url AS source_url, q.quote, q.archived_text, q.passage
FROM claims AS c
JOIN profiles AS p ON p.profile = c.profile
JOIN citations AS q ON q.claim = c.id
JOIN sources AS s ON s.id = q.source;

CREATE VIEW event_dates AS
SELECT e.profile AS event, e.title, d.value AS date, d.date_start, d.date_end,
       d.basis, d.qualifier, d.id AS claim
FROM profiles AS e
LEFT JOIN claims AS d ON d.profile = e.profile AND d.field = 'date'
WHERE e.kind = 'events';

CREATE VIEW person_status AS
SELECT c.profile AS person, p.title, c.value AS status, c.as_of, c.basis, c.qualifier,
       c.id AS claim
FROM claims AS c
JOIN profiles AS p ON p.profile = c.profile
WHERE p.kind = 'people' AND c.field = 'status';

CREATE VIEW postings AS
SELECT c.profile AS person, p.title AS person_title, c.target AS mission,
       m.title AS mission_title, c.role, c.date_start, c.date_end, c.basis, c.qualifier,
       c.id AS claim
FROM claims AS c
JOIN profiles AS p ON p.profile = c.profile
JOIN profiles AS m ON m.profile = c.target
WHERE p.kind = 'people' AND c.field = 'postings';

CREATE VIEW participants AS
SELECT c.profile AS event, e.title AS event_title, c.target AS person,
       p.title AS person_title, c.role, c.basis, c.qualifier, c.id AS claim
FROM claims AS c
JOIN profiles AS e ON e.profile = c.profile
JOIN profiles AS p ON p.profile = c.target
WHERE e.kind = 'events' AND c.field = 'participants';

CREATE VIEW family AS
SELECT c.profile AS person, p.title AS person_title, c.relation, c.target AS relative,
       r.title AS relative_title, c.basis, c.qualifier, c.id AS claim
FROM claims AS c
JOIN profiles AS p ON p.profile = c.profile
JOIN profiles AS r ON r.profile = c.target
WHERE p.kind = 'people' AND c.field = 'family'
UNION ALL
SELECT c.target, r.title, CASE c.relation {_INVERSE} END, c.profile, p.title,
       c.basis, c.qualifier, c.id
FROM claims AS c
JOIN profiles AS p ON p.profile = c.profile
JOIN profiles AS r ON r.profile = c.target
WHERE p.kind = 'people' AND c.field = 'family';
"""


def _profiles(wiki: Wiki) -> Iterator[tuple[object, ...]]:
    for kind in KINDS:
        for ref in wiki.refs(kind):
            row = (ref_key(ref), ref.kind, ref.id, wiki.title(ref), page_url(ref))
            yield (*row, wiki.path_of(ref))


def _source_rows(wiki: Wiki) -> list[tuple[object, ...]]:
    rows = []
    for ref in wiki.refs("sources"):
        s = wiki.source(ref.id)
        date = str(s.date) if s.date.known else None
        text = (s.title, s.outlet, date, s.date_note, s.language, s.translation, s.url)
        rows.append((ref.id, ref_key(ref), *text, s.archive, s.sha256))
    return rows


def _claim_row(record: ClaimRecord) -> tuple[object, ...]:
    claim, d = record.claim, record.details
    return (
        record.id,
        ref_key(record.ref),
        record.field,
        record.index,
        type(claim).__name__,
        d.value,
        d.number,
        claim.basis,
        claim.qualifier or None,
        claim.according_to,
        claim.hedge,
        claim.inferred,
        claim.cue_waived,
        claim.note,
        d.date_start,
        d.date_end,
        d.as_of,
        d.role,
        d.relation,
        None if d.target is None else ref_key(d.target),
        d.measure,
        None if d.approximate is None else int(d.approximate),
        d.topic,
    )


def _citation_rows(
    claims: Sequence[ClaimRecord],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    citations: list[tuple[object, ...]] = []
    pieces: list[tuple[object, ...]] = []
    for record in claims:
        for position, cited in enumerate(record.citations):
            number = len(citations) + 1
            words = (cited.quote, cited.archived_text)
            place = (cited.spans[0][0], cited.spans[-1][1], cited.passage)
            citations.append((number, record.id, position, cited.source, *words, *place))
            pieces.extend((number, piece, s, e) for piece, (s, e) in enumerate(cited.spans))
    return citations, pieces


def _disagreement_rows(wiki: Wiki, claims: Sequence[ClaimRecord]) -> list[tuple[object, ...]]:
    # Disagreements group the very claim objects of the profiles: find their records by
    # identity, not by equality (two claims can be written alike).
    ids = {id(record.claim): record.id for record in claims}
    rows: list[tuple[object, ...]] = []
    number = 0
    for kind in KINDS:
        for ref in wiki.refs(kind):
            for field, groups in wiki.disagreements(ref):
                number += 1
                for value, grouped in groups:
                    rows.extend(
                        (number, ref_key(ref), field, value, ids[id(claim)]) for claim in grouped
                    )
    return rows


def _fill(db: sqlite3.Connection, wiki: Wiki, claims: Sequence[ClaimRecord]) -> None:
    db.executemany("INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?)", _profiles(wiki))
    db.executemany(f"INSERT INTO sources VALUES ({', '.join('?' * 11)})", _source_rows(wiki))
    db.executemany(
        f"INSERT INTO claims VALUES ({', '.join('?' * 23)})", (_claim_row(r) for r in claims)
    )
    citations, pieces = _citation_rows(claims)
    db.executemany("INSERT INTO citations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", citations)
    db.executemany("INSERT INTO quote_pieces VALUES (?, ?, ?, ?)", pieces)
    db.executemany(
        "INSERT INTO relations (type, from_profile, to_profile, claim) VALUES (?, ?, ?, ?)",
        ((r["type"], r["from"], r["to"], r["claim"]) for r in relations(wiki)),
    )
    db.executemany(
        "INSERT INTO disagreements VALUES (?, ?, ?, ?, ?)", _disagreement_rows(wiki, claims)
    )


def database(wiki: Wiki, claims: Sequence[ClaimRecord]) -> bytes:
    """The bytes of factfile.db."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute(f"PRAGMA user_version = {USER_VERSION}")
        # A row naming a profile, claim or source that is not there stops the build.
        db.execute("PRAGMA foreign_keys = ON")
        db.executescript(TABLES)
        db.execute("BEGIN")
        _fill(db, wiki, claims)
        db.execute("COMMIT")
        db.executescript(INDEXES + VIEWS)
        # Pages filled as far as they go, in key order: the smallest file, and its layout
        # depends only on its rows.
        db.execute("VACUUM")
        return db.serialize()
    finally:
        db.close()
