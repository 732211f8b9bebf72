"""The published data: factfile.json, the CSV files and each page's JSON-LD, read back from
real ``mkdocs build --strict`` runs of the minimal fixture."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.export.tables import to_csv
from generator.quotes import normalise, pieces

from .conftest import run_mkdocs
from .export_wiki import FORMULA_MISSION, FORMULA_PERSON, export_wiki
from .test_reader_support import HOSTILE, build_minimal

pytestmark = pytest.mark.slow

_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_minimal(tmp_path_factory.mktemp("export") / "wiki")


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_minimal(tmp_path_factory.mktemp("export-ext") / "wiki", extended=True)


def _data(project: Path) -> dict[str, Any]:
    return json.loads((project / "site" / "data" / "factfile.json").read_text(encoding="utf-8"))


def _profiles(project: Path) -> dict[str, dict[str, Any]]:
    """Every profile on disk, read with plain YAML: the expected values come from here."""
    return {
        f"{path.parent.name}/{path.stem}": yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((project / "profiles").glob("*/*.yaml"))
    }


def _claims_in(profile: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (field, item)
        for field, value in profile.items()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict) and "cite" in item
    ]


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", normalise(value))


def test_every_profile_and_claim_is_exported(minimal: Path) -> None:
    data = _data(minimal)
    profiles = _profiles(minimal)
    assert sorted(f"{e['kind']}/{e['id']}" for e in data["entities"]) == sorted(profiles)
    expected = sorted(
        (key, field, len(item["cite"]))
        for key, profile in profiles.items()
        for field, item in _claims_in(profile)
    )
    found = sorted((c["entity"], c["field"], len(c["citations"])) for c in data["claims"])
    assert found == expected


def test_offsets_slice_each_quote_out_of_the_archive(minimal: Path) -> None:
    data = _data(minimal)
    checked = 0
    for claim in data["claims"]:
        for cite in claim["citations"]:
            archive = (minimal / "seeds" / cite["archive"]).read_bytes().decode("utf-8")
            parts = pieces(cite["quote"])
            assert len(cite["offsets"]) == len(parts), cite
            for (start, end), piece in zip(cite["offsets"], parts, strict=True):
                # Only typography and white space may differ between quote and archive.
                assert _compact(archive[start:end]) == _compact(piece), (claim["id"], cite)
                checked += 1
    assert checked == sum(
        len(pieces(c["quote"]))
        for profile in _profiles(minimal).values()
        for _, item in _claims_in(profile)
        for c in item["cite"]
    )


def test_relations_and_disagreements_are_exported(minimal: Path) -> None:
    data = _data(minimal)
    profiles = _profiles(minimal)
    expected = {
        ("family", f"people/{key.split('/')[1]}", f"people/{tie['person']}")
        for key, p in profiles.items()
        for tie in p.get("family", [])
    } | {
        ("posting", key, f"missions/{posting['mission']}")
        for key, p in profiles.items()
        for posting in p.get("postings", [])
    }
    found = {(r["type"], r["from"], r["to"]) for r in data["relations"]}
    assert expected <= found
    ages = [d for d in data["disagreements"] if d["field"] == "ages"]
    assert ages == [{"entity": "people/han-sol-min", "field": "ages", "values": ["47", "48"]}]


@pytest.mark.parametrize("kind", ["people", "missions", "events", "sources"])
def test_one_csv_per_kind_with_a_row_per_profile(minimal: Path, kind: str) -> None:
    text = (minimal / "site" / "data" / f"{kind}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    ids = sorted(p.stem for p in (minimal / "profiles" / kind).glob("*.yaml"))
    assert [row["id"] for row in rows] == ids
    if kind == "people":
        han = next(row for row in rows if row["id"] == "han-sol-min")
        # Each value with how it is known, as on the pages.
        assert han["ages"] == "47 (according to officials) | 48 (according to another paper)"
        assert (han["missions"], han["mission_names"]) == (
            "embassy-in-ruritania",
            "Embassy in Ruritania",
        )


def test_citations_csv_offsets_match_the_json(minimal: Path) -> None:
    data = _data(minimal)
    text = (minimal / "site" / "data" / "citations.csv").read_text(encoding="utf-8")
    rows = {
        (r["claim"], r["source"], int(r["start"]), int(r["end"]))
        for r in csv.DictReader(io.StringIO(text))
    }
    expected = {
        (c["id"], cite["source"], start, end)
        for c in data["claims"]
        for cite in c["citations"]
        for start, end in cite["offsets"]
    }
    assert rows == expected


def test_each_profile_page_has_json_ld_with_citations(minimal: Path) -> None:
    types = {
        "people": "Person",
        "missions": "GovernmentOrganization",
        "events": "Event",
        "sources": "NewsArticle",
    }
    profiles = _profiles(minimal)
    for key, profile in profiles.items():
        kind, id_ = key.split("/")
        html = (minimal / "site" / kind / id_ / "index.html").read_text(encoding="utf-8")
        scripts = _LD.findall(html)
        assert len(scripts) == 1, key
        ld = json.loads(scripts[0])
        assert ld["@context"] == "https://schema.org"
        assert ld["@type"] == "ProfilePage"
        main = ld["mainEntity"]
        assert main["@type"] == types[kind]
        if kind == "sources":
            assert main["headline"] == profile["title"]
            continue
        assert main["name"] == profile["name"]
        cited = {c["source"] for _, item in _claims_in(profile) for c in item["cite"]}
        titles = {profiles[f"sources/{s}"]["title"] for s in cited}
        assert {c["headline"] for c in ld["citation"]} == titles


def test_json_ld_cannot_be_closed_by_profile_text(extended: Path) -> None:
    html = (extended / "site" / "people" / "hostile-person" / "index.html").read_text(
        encoding="utf-8"
    )
    (body,) = _LD.findall(html)
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body)["name"] == HOSTILE
    assert "<script>alert(1)" not in html


def test_data_files_are_byte_for_byte_deterministic(
    minimal: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = build_minimal(tmp_path_factory.mktemp("export-again") / "wiki")
    first = sorted((minimal / "site" / "data").iterdir())
    assert [p.name for p in first] == sorted(p.name for p in (again / "site" / "data").iterdir())
    for path in first:
        assert path.read_bytes() == (again / "site" / "data" / path.name).read_bytes(), path.name


def test_render_gives_a_builder_without_the_plugin_the_same_site(
    minimal: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``factfile render`` writes the pages, downloads and alias redirects under docs/, so
    a strict build without the plugin makes every file the plugin's build makes."""
    bare = build_minimal(tmp_path_factory.mktemp("export-bare") / "wiki")
    shutil.rmtree(bare / "site")
    assert CliRunner().invoke(main, ["render", "--project", str(bare)]).exit_code == 0
    config = yaml.safe_load((bare / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [
        p for p in config["plugins"] if not (isinstance(p, dict) and "factfile" in p)
    ]
    config["not_in_nav"] = "/people/*\n/missions/*\n/events/*\n/sources/*\n/data/*"
    (bare / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_mkdocs(bare)
    assert result.returncode == 0, result.stderr
    with_plugin = {
        p.relative_to(minimal / "site").as_posix() for p in (minimal / "site").rglob("*")
    }
    without = {p.relative_to(bare / "site").as_posix() for p in (bare / "site").rglob("*")}
    assert with_plugin <= without
    compared = 0
    for name in sorted(with_plugin):
        path = minimal / "site" / name
        redirect = name.endswith(".html") and b'http-equiv="refresh"' in path.read_bytes()
        if name.startswith("data/") or redirect:
            assert path.read_bytes() == (bare / "site" / name).read_bytes(), name
            compared += 1
    assert compared >= 6


# --- claims.csv, related profiles' names, formulas --------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wiki(tmp_path_factory.mktemp("export-csv") / "wiki")


def _csv_rows(project: Path, name: str) -> list[dict[str, str]]:
    text = (project / "site" / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _shown(value: object) -> str:
    """A value as a CSV cell shows it: formulas neutralised."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def test_claims_csv_has_one_row_per_claim_and_one_value_per_cell(exported: Path) -> None:
    data = _data(exported)
    titles = {f"{e['kind']}/{e['id']}": e["title"] for e in data["entities"]}
    rows = _csv_rows(exported, "claims.csv")
    assert [row["claim"] for row in rows] == [claim["id"] for claim in data["claims"]]
    for row, claim in zip(rows, data["claims"], strict=True):
        attributes = claim["attributes"]
        assert row["profile"] == claim["entity"]
        assert row["profile_name"] == _shown(titles[claim["entity"]])
        assert (row["field"], row["type"], row["basis"]) == (
            claim["field"],
            claim["type"],
            claim["basis"],
        )
        for qualifier in ("according_to", "hedge", "inferred"):
            assert row[qualifier] == _shown(attributes.get(qualifier)), (row, qualifier)
        assert row["citations"] == str(len(claim["citations"]))
        if "value" in attributes:
            assert row["value"] == _shown(attributes["value"])
        target = next(
            (f"{kind}/{attributes[key]}" for key, kind in _TARGETS.items() if key in attributes),
            "",
        )
        assert row["target"] == target
        assert row["target_name"] == (_shown(titles[target]) if target else "")
    posting = next(row for row in rows if row["claim"] == "people/formula-person#postings/0")
    assert (posting["value"], posting["role"], posting["qualifier"]) == (
        "diplomat",
        "diplomat",
        "according to officials",
    )


_TARGETS = {"person": "people", "mission": "missions", "event": "events"}


def test_related_profiles_are_named_beside_their_ids(exported: Path) -> None:
    data = _data(exported)
    titles = {f"{e['kind']}/{e['id']}": e["title"] for e in data["entities"]}
    columns = {
        "people.csv": [("missions", "mission_names", "missions")],
        "missions.csv": [("staff", "staff_names", "people")],
        "events.csv": [
            ("participants", "participant_names", "people"),
            ("missions", "mission_names", "missions"),
        ],
    }
    named = 0
    for name, pairs in columns.items():
        for row in _csv_rows(exported, name):
            for ids, names, kind in pairs:
                if not row[ids]:
                    assert row[names] == ""
                    continue
                expected = [titles[f"{kind}/{id_}"] for id_ in row[ids].split(" | ")]
                assert row[names] == _shown(" | ".join(expected)), (name, row)
                named += 1
    assert named >= 6


def test_cells_a_spreadsheet_would_read_as_formulas_are_neutralised(exported: Path) -> None:
    people = {row["id"]: row for row in _csv_rows(exported, "people.csv")}
    assert people["formula-person"]["name"] == "'" + FORMULA_PERSON
    assert people["formula-person"]["mission_names"] == "'" + FORMULA_MISSION
    missions = {row["id"]: row for row in _csv_rows(exported, "missions.csv")}
    assert missions["formula-mission"]["name"] == "'" + FORMULA_MISSION
    assert missions["formula-mission"]["staff_names"] == "'" + FORMULA_PERSON
    # What profile text cannot begin with (white space; a carriage return is refused
    # anywhere), a cell is neutralised against too.
    cells = ["=1", "+1", "-1", "@x", "\tx", "a=b", "1-2"]
    text = to_csv((["cell"], [[cell] for cell in cells])).decode("utf-8")
    read = [row["cell"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert read == ["'=1", "'+1", "'-1", "'@x", "'\tx", "a=b", "1-2"]
    assert to_csv((["cell"], [["\rx"]])) == b"cell\n'\rx\n"
