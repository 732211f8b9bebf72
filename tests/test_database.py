"""factfile.db, read back with the standard library's ``sqlite3`` from real
``mkdocs build --strict`` runs: every profile, claim, citation and relation in it, its
foreign keys holding, the same bytes from every build, and the queries the data page
documents running as documented."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import Pipeline
from generator.export import data_files
from generator.project import Project

from .export_wiki import export_wiki
from .html_tools import Element, parse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wiki(tmp_path_factory.mktemp("database") / "wiki")


@contextmanager
def _db(project: Path) -> Iterator[sqlite3.Connection]:
    path = project / "site" / "data" / "factfile.db"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        yield db


def _json(project: Path) -> dict[str, Any]:
    return json.loads((project / "site" / "data" / "factfile.json").read_text(encoding="utf-8"))


def _profile(project: Path, key: str) -> dict[str, Any]:
    """A profile read from disk with plain YAML."""
    return yaml.safe_load((project / "profiles" / f"{key}.yaml").read_text(encoding="utf-8"))


def _rows(db: sqlite3.Connection, sql: str, *args: object) -> list[tuple[Any, ...]]:
    return db.execute(sql, args).fetchall()


def _documented(project: Path, language: str) -> list[tuple[str, str]]:
    """Each code block in ``language`` on the built data page, with the heading it comes
    under."""
    page = parse(project / "site" / "reference" / "data" / "index.html")
    found: list[tuple[str, str]] = []
    heading: Element | None = None
    for element in page.elements:
        if element.tag in ("h2", "h3"):
            heading = element
        if element.tag == "code" and element.attrs.get("class") == f"language-{language}":
            assert heading is not None
            # The permalink MkDocs adds to each heading is not part of its text.
            found.append((heading.text.replace("¶", "").strip(), element.text))
    return found


def _documented_sql(project: Path) -> list[tuple[str, str]]:
    return _documented(project, "sql")


def test_every_profile_claim_and_citation_is_in_the_database(wiki: Path) -> None:
    data = _json(wiki)
    with _db(wiki) as db:
        profiles = _rows(db, "SELECT profile, kind, id, title, page, file FROM profiles")
        assert sorted(profiles) == sorted(
            (f"{e['kind']}/{e['id']}", e["kind"], e["id"], e["title"], e["page"], e["profile"])
            for e in data["entities"]
        )
        claims = _rows(db, "SELECT id, profile, field, type, basis, note FROM claims")
        assert sorted(claims) == sorted(
            (c["id"], c["entity"], c["field"], c["type"], c["basis"], c["note"])
            for c in data["claims"]
        )
        citations = _rows(
            db,
            "SELECT c.claim, c.position, c.source, c.quote, c.archived_text, p.piece, "
            "p.start_offset, p.end_offset FROM citations AS c "
            "JOIN quote_pieces AS p ON p.citation = c.id",
        )
        assert sorted(citations) == sorted(
            (c["id"], position, cite["source"], cite["quote"], cite["archived_text"], piece, *pair)
            for c in data["claims"]
            for position, cite in enumerate(c["citations"])
            for piece, pair in enumerate(cite["offsets"])
        )
        relations = _rows(db, "SELECT type, from_profile, to_profile, claim FROM relations")
        assert sorted(relations) == sorted(
            (r["type"], r["from"], r["to"], r["claim"]) for r in data["relations"]
        )


def test_sources_are_as_their_profiles_give_them(wiki: Path) -> None:
    with _db(wiki) as db:
        rows = _rows(db, "SELECT id, title, outlet, date, url, archive, sha256 FROM sources")
    expected = []
    for path in sorted((wiki / "profiles" / "sources").glob("*.yaml")):
        s = _profile(wiki, f"sources/{path.stem}")
        shown = (s["title"], s.get("outlet"), str(s["date"]), s.get("url"))
        expected.append((path.stem, *shown, s["archive"], s["sha256"]))
    assert sorted(rows) == expected


def test_foreign_keys_are_declared_and_hold(wiki: Path) -> None:
    with _db(wiki) as db:
        declared = {
            (table, row[3], row[2], row[4])
            for (table,) in _rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
            for row in _rows(db, f"PRAGMA foreign_key_list({table})")
        }
        assert _rows(db, "PRAGMA foreign_key_check") == []
        assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
        assert _rows(db, "PRAGMA user_version") == [(1,)]
    assert {
        ("claims", "profile", "profiles", "profile"),
        ("claims", "target", "profiles", "profile"),
        ("citations", "claim", "claims", "id"),
        ("citations", "source", "sources", "id"),
        ("quote_pieces", "citation", "citations", "id"),
        ("relations", "from_profile", "profiles", "profile"),
        ("relations", "to_profile", "profiles", "profile"),
        ("relations", "claim", "claims", "id"),
        ("sources", "profile", "profiles", "profile"),
        ("disagreements", "claim", "claims", "id"),
    } <= declared


def test_claims_have_their_typed_details(wiki: Path) -> None:
    han = _profile(wiki, "people/han-sol-min")
    talks = _profile(wiki, "events/talks")
    with _db(wiki) as db:

        def claim(id_: str, columns: str) -> tuple[Any, ...]:
            return db.execute(f"SELECT {columns} FROM claims WHERE id = ?", (id_,)).fetchone()

        ages = [claim(f"people/han-sol-min#ages/{i}", "value, number") for i in (0, 1)]
        assert ages == [(str(a["value"]), a["value"]) for a in han["ages"]]
        (tie,) = han["family"]
        assert claim("people/han-sol-min#family/0", "relation, target, value") == (
            tie["relation"],
            f"people/{tie['person']}",
            tie["relation"],
        )
        (posting,) = han["postings"]
        assert claim("people/han-sol-min#postings/0", "role, target, basis, qualifier") == (
            posting["role"],
            f"missions/{posting['mission']}",
            "attributed",
            f"according to {posting['according_to']}",
        )
        # A range has its two ends; a single date is its own start and end.
        assert talks["date"][0]["value"] == "2024-05/2024-06"
        assert claim("events/talks#date/0", "value, date_start, date_end, basis") == (
            "2024-05/2024-06",
            "2024-05",
            "2024-06",
            "inferred",
        )
        assert claim("events/han-sol-min-defects#date/0", "date_start, date_end") == (
            "2024-05-03",
            "2024-05-03",
        )
        assert claim("missions/embassy-in-ruritania#status/0", "value, date_start") == (
            "closed",
            "2024-06",
        )
        assert claim("events/kim-chol-defects#date/0", "hedge, according_to, basis") == (
            "is believed to",
            "a source",
            "hedged",
        )


def test_views_answer_common_questions(wiki: Path) -> None:
    with _db(wiki) as db:
        # A family tie is stated on one profile and seen from both people.
        assert sorted(_rows(db, "SELECT person, relation, relative FROM family")) == [
            ("people/choe-mi-ran", "spouse", "people/han-sol-min"),
            ("people/han-sol-min", "sibling", "people/hostile-person"),
            ("people/han-sol-min", "spouse", "people/choe-mi-ran"),
            ("people/hostile-person", "sibling", "people/han-sol-min"),
        ]
        assert _rows(db, "SELECT person, status, basis FROM person_status") == [
            ("people/han-sol-min", "defected", "attributed")
        ]
        assert sorted(_rows(db, "SELECT person, mission, role FROM postings"))[0] == (
            "people/formula-person",
            "missions/formula-mission",
            "diplomat",
        )
        assert _rows(
            db, "SELECT profile, field, value FROM disagreements ORDER BY disagreement, value"
        ) == [
            ("people/han-sol-min", "ages", "47"),
            ("people/han-sol-min", "ages", "48"),
            ("events/kim-chol-defects", "date", "2019-03"),
            ("events/kim-chol-defects", "date", "2020"),
        ]
        quotes = _rows(db, "SELECT claim, quote, source_title FROM claim_quotes")
        assert len(quotes) == _rows(db, "SELECT count(*) FROM citations")[0][0]


def test_the_documented_defection_query_returns_every_defection(wiki: Path) -> None:
    """The query the data page gives, exactly as a reader copies it from the built page."""
    queries = dict(_documented_sql(wiki))
    sql = queries["Every defection, with its date and quotes"]
    with _db(wiki) as db:
        cursor = db.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    found = [(r["event"], r["date"], r["basis"], r["quote"]) for r in rows]
    kim = "events/kim-chol-defects"
    # Every event whose kind is a defection (not the closure, not the interview), each
    # date with how it is known and its quote, by date; the undated one last.
    assert found == [
        (kim, "2019-03", "hedged", "is believed to have defected in March 2019"),
        (kim, "2020", "attributed", "Another report put his defection in 2020"),
        ("events/han-sol-min-defects", "2024-05-03", "inferred", "on 3 May"),
        ("events/driver-defects", None, None, None),
    ]
    assert rows[0]["qualifier"] == "according to a source; hedged: “is believed to”"
    assert rows[2]["source_title"] == "Diplomat leaves embassy in Ruritania"
    assert rows[2]["passage"].startswith("sources/test-gazette/#q-")


def test_every_documented_query_runs(wiki: Path) -> None:
    queries = _documented_sql(wiki)
    assert len(queries) >= 6
    with _db(wiki) as db:
        for heading, sql in queries:
            cursor = db.execute(sql)
            assert cursor.description, heading
            cursor.fetchall()


def test_the_database_is_the_same_bytes_from_every_build(
    wiki: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Another ``mkdocs build`` (another process, another hash seed) and an export in
    this process give the very same file."""
    again = export_wiki(tmp_path_factory.mktemp("database-again") / "wiki")
    first = (wiki / "site" / "data" / "factfile.db").read_bytes()
    assert (again / "site" / "data" / "factfile.db").read_bytes() == first
    built = Pipeline(Project.at(again)).render()
    assert data_files(built.wiki)["data/factfile.db"] == first
    assert data_files(built.wiki)["data/factfile.db"] == first


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
def test_the_documented_sqlite3_commands_run(wiki: Path, tmp_path: Path) -> None:
    """The shell commands under "With sqlite3", run as a reader would, with the defection
    query saved as the file they name."""
    shutil.copy(wiki / "site" / "data" / "factfile.db", tmp_path / "factfile.db")
    queries = dict(_documented_sql(wiki))
    sql = queries["Every defection, with its date and quotes"]
    (tmp_path / "defections.sql").write_text(sql, encoding="utf-8")
    (block,) = [code for heading, code in _documented(wiki, "sh") if heading == "With sqlite3"]
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    for command in commands:
        result = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, (command, result.stderr)
    with (tmp_path / "defections.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["event"], row["date"]) for row in rows] == [
        ("events/kim-chol-defects", "2019-03"),
        ("events/kim-chol-defects", "2020"),
        ("events/han-sol-min-defects", "2024-05-03"),
        ("events/driver-defects", ""),
    ]


def test_every_table_column_and_view_is_documented(wiki: Path) -> None:
    """The data page's tables of tables and views name every column and view there is."""
    page = (wiki / "site" / "reference" / "data" / "index.html").read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL):
        cells = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        if cells:
            names = [re.findall(r"<code>([^<]*)</code>", cell) for cell in cells]
            if names[0]:
                documented[names[0][0]] = set(names[-1])
    with _db(wiki) as db:
        objects = _rows(db, "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')")
        for kind, name in objects:
            assert name in documented, name
            if kind == "table":
                columns = {row[1] for row in _rows(db, f"PRAGMA table_info({name})")}
                assert columns <= documented[name], (name, columns - documented[name])
