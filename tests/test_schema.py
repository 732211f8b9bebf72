"""The editor schemas: generated from the model, checked in, and true of every profile."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from generator.cli import main
from generator.load import RawProfile, parse
from generator.model import KINDS, SINGULAR, Kind, json_schema
from generator.schema import schema_path, schema_text, stale_schemas

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def profile_data(kind: Kind, path: Path) -> Any:
    """A profile as the build reads it (dates kept as written, as an editor sees them)."""
    raw = parse(kind, path.stem, path.name, path.read_text(encoding="utf-8"))
    assert isinstance(raw, RawProfile), raw
    return raw.data


def validator(kind: Kind) -> Validator:
    schema = json.loads(schema_path(ROOT, kind).read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def profiles(root: Path) -> list[tuple[Kind, Path]]:
    return [
        (kind, path) for kind in KINDS for path in sorted((root / "profiles" / kind).glob("*.yaml"))
    ]


def test_checked_in_schemas_match_the_model() -> None:
    for kind in KINDS:
        path = schema_path(ROOT, kind)
        assert path.read_text(encoding="utf-8") == schema_text(kind), (
            f"{path.relative_to(ROOT)} is out of date: run factfile schema"
        )
        assert json.loads(path.read_text(encoding="utf-8")) == json_schema(kind)
    result = CliRunner().invoke(main, ["schema", "--check", "--project", str(ROOT)])
    assert result.exit_code == 0, result.output


def test_schema_check_fails_on_drift_and_schema_rewrites(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["schema", "--check", "--project", str(tmp_path)])
    assert missing.exit_code == 1
    assert all(f"schema/{SINGULAR[k]}.schema.json" in missing.stderr for k in KINDS)

    written = runner.invoke(main, ["schema", "--project", str(tmp_path)])
    assert written.exit_code == 0, written.output
    for kind in KINDS:
        assert schema_path(tmp_path, kind).read_bytes() == schema_path(ROOT, kind).read_bytes()
    assert runner.invoke(main, ["schema", "--check", "--project", str(tmp_path)]).exit_code == 0

    person = schema_path(tmp_path, "people")
    drifted = json.loads(person.read_text(encoding="utf-8"))
    del drifted["properties"]["names"]
    person.write_text(json.dumps(drifted, indent=2) + "\n", encoding="utf-8")
    stale = runner.invoke(main, ["schema", "--check", "--project", str(tmp_path)])
    assert stale.exit_code == 1
    assert "schema/person.schema.json: out of date" in stale.stderr
    assert "mission.schema.json" not in stale.stderr
    assert stale_schemas(tmp_path) == [person]
    again = runner.invoke(main, ["schema", "--project", str(tmp_path)])
    assert again.output.strip() == "Wrote schema/person.schema.json"
    assert stale_schemas(tmp_path) == []


def test_vscode_maps_each_profile_folder_to_an_existing_schema() -> None:
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping: dict[str, list[str]] = settings["yaml.schemas"]
    for schema in mapping:
        assert (ROOT / schema).resolve().is_file(), schema
    for kind in KINDS:
        schema = f"./schema/{SINGULAR[kind]}.schema.json"
        assert mapping.get(schema) == [f"profiles/{kind}/*.yaml"], schema
    # Every real profile is covered by exactly one mapping.
    for kind, path in profiles(ROOT):
        rel = path.relative_to(ROOT).as_posix()
        matching = [
            s for s, globs in mapping.items() if any(fnmatch.fnmatch(rel, g) for g in globs)
        ]
        assert matching == [f"./schema/{SINGULAR[kind]}.schema.json"], rel


@pytest.mark.parametrize("root", [ROOT, FIXTURES / "minimal"], ids=["real", "fixture"])
def test_every_profile_validates_against_its_schema(root: Path) -> None:
    found = profiles(root)
    assert len(found) >= 4
    for kind, path in found:
        errors = list(validator(kind).iter_errors(profile_data(kind, path)))
        assert not errors, f"{path}: {[e.message for e in errors]}"


def test_profiles_schema_comments_point_at_their_schema() -> None:
    for kind, path in profiles(ROOT):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        if match is None:
            continue
        assert (path.parent / match.group(1)).resolve() == schema_path(ROOT, kind), path


@pytest.mark.parametrize(
    ("kind", "change", "complaint"),
    [
        ("people", {"nickname": "x"}, "Additional properties"),
        ("people", {"names": [{"value": "X", "cite": []}]}, "should be non-empty"),
        (
            "people",
            {"names": [{"value": "X", "cite": [{"source": "Bad Id", "quote": "q"}]}]},
            "does not match",
        ),
        (
            "people",
            {"status": [{"value": "fled", "cite": [{"source": "s", "quote": "q"}]}]},
            "is not one of",
        ),
        (
            "events",
            {"date": [{"value": "May 2024", "cite": [{"source": "s", "quote": "q"}]}]},
            "does not match",
        ),
        ("sources", {"sha256": "abc"}, "does not match"),
    ],
)
def test_schema_rejects_what_the_build_rejects(
    tmp_path: Path, kind: Kind, change: dict[str, Any], complaint: str
) -> None:
    original = next(path for k, path in profiles(FIXTURES / "minimal") if k == kind)
    data = profile_data(kind, original) | change
    errors = [e.message for e in validator(kind).iter_errors(data)]
    assert any(complaint in message for message in errors), errors
    # The build agrees: the same change is an error from `factfile check` too.
    project = tmp_path / "wiki"
    shutil.copytree(FIXTURES / "minimal", project)
    (project / "profiles" / kind / original.name).write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1, result.output
