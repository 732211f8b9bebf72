"""The generator end to end on a fixture wiki: what it writes, rewrites and removes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import Pipeline, reusing
from generator.errors import FactfileErrors
from generator.model import DateSpec
from generator.project import Project

from .conftest import run_mkdocs


def test_render_writes_one_page_per_profile_and_an_index_per_kind(
    fixture_project: Callable[[str], Project],
) -> None:
    project = fixture_project("minimal")
    result = Pipeline(project).build()
    written = sorted(result.report.written) if result.report else []
    assert "people/han-sol-min.md" in written
    assert "people/choe-mi-ran.md" in written
    assert "missions/embassy-in-ruritania.md" in written
    assert "events/han-sol-min-defects.md" in written
    assert "sources/test-gazette.md" in written
    for kind in ("people", "missions", "events", "sources"):
        assert (project.docs_dir / kind / "index.md").is_file()
    assert result.origins["people/han-sol-min.md"] == "profiles/people/han-sol-min.yaml"


def test_reverse_relations_are_computed_not_typed(
    fixture_project: Callable[[str], Project],
) -> None:
    project = fixture_project("minimal")
    Pipeline(project).build()
    wife = (project.docs_dir / "people" / "choe-mi-ran.md").read_text(encoding="utf-8")
    # The tie is typed only on Han's profile; Choe's page shows it too, with its quote.
    assert "[Han Sol-min](han-sol-min.md) — spouse" in wife
    assert "<q>taking his wife, Choe Mi-ran, with him</q>" in wife
    mission = (project.docs_dir / "missions" / "embassy-in-ruritania.md").read_text("utf-8")
    assert "## Staff" in mission and "[Han Sol-min](../people/han-sol-min.md)" in mission
    assert "[Han Sol-min leaves the embassy in Ruritania](../events/han-sol-min-defects.md)" in (
        project.docs_dir / "people" / "han-sol-min.md"
    ).read_text("utf-8")


def test_disagreeing_sources_are_both_shown(fixture_project: Callable[[str], Project]) -> None:
    project = fixture_project("minimal")
    Pipeline(project).build()
    page = (project.docs_dir / "people" / "han-sol-min.md").read_text(encoding="utf-8")
    # Where the value is shown, every value, said to differ there (not in a box atop).
    (age,) = [line for line in page.splitlines() if "47 years old" in line and "<dd" in line]
    assert "48 years old" in age and "*(sources differ)*" in age
    assert "!!! warning" not in page


def test_unchanged_pages_are_not_rewritten_and_stale_ones_are_removed(
    fixture_project: Callable[[str], Project],
) -> None:
    project = fixture_project("minimal")
    generator = reusing(project)
    generator.build()
    page = project.docs_dir / "missions" / "embassy-in-ruritania.md"
    before = page.stat().st_mtime_ns
    again = generator.build()
    assert again.report is not None and again.report.written == []
    assert page.stat().st_mtime_ns == before
    # Editing one profile rewrites it and the pages that show it, not everything.
    profile = project.profiles_dir / "people" / "choe-mi-ran.yaml"
    profile.write_text(
        profile.read_text("utf-8").replace("name: Choe Mi-ran", "name: Choe Mi-ran\n"), "utf-8"
    )
    text = profile.read_text("utf-8").replace(
        "names:\n",
        "roles:\n  - value: wife\n    according_to: officials\n    cite:\n"
        "      - source: test-gazette\n"
        "        quote: taking his wife\nnames:\n",
    )
    profile.write_text(text, "utf-8")
    edited = generator.build()
    assert edited.report is not None
    assert "people/choe-mi-ran.md" in edited.report.written
    assert "missions/embassy-in-ruritania.md" not in edited.report.written
    # A deleted profile's page goes away.
    stale = project.docs_dir / "people" / "choe-mi-ran.md"
    (project.profiles_dir / "events" / "han-sol-min-defects.yaml").unlink()
    Pipeline(project).build()
    assert not (project.docs_dir / "events" / "han-sol-min-defects.md").exists()
    assert stale.exists()


def test_hand_written_pages_are_never_touched(fixture_project: Callable[[str], Project]) -> None:
    project = fixture_project("minimal")
    notes = project.docs_dir / "notes.md"
    notes.write_text("# Notes\n", encoding="utf-8")
    Pipeline(project).build()
    assert notes.read_text(encoding="utf-8") == "# Notes\n"


def test_two_builds_give_identical_pages(fixture_project: Callable[[str], Project]) -> None:
    first = Pipeline(fixture_project("minimal")).render().pages
    second = Pipeline(fixture_project("minimal")).render().pages
    assert first == second


def test_errors_stop_before_anything_is_written(fixture_project: Callable[[str], Project]) -> None:
    project = fixture_project("minimal")
    profile = project.profiles_dir / "people" / "choe-mi-ran.yaml"
    profile.write_text(profile.read_text("utf-8").replace("his wife", "her husband"), "utf-8")
    with pytest.raises(FactfileErrors):
        Pipeline(project).build()
    assert not (project.docs_dir / "people").exists()


@pytest.mark.slow
def test_a_failed_mkdocs_build_leaves_the_last_good_site(
    fixture_project: Callable[[str], Project],
) -> None:
    project = fixture_project("minimal")
    first = run_mkdocs(project.root)
    assert first.returncode == 0, first.stderr
    site = project.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    profile = project.profiles_dir / "people" / "choe-mi-ran.yaml"
    profile.write_text(profile.read_text("utf-8").replace("his wife", "her husband"), "utf-8")
    (project.profiles_dir / "missions" / "extra.yaml").write_text("name: [unclosed\n", "utf-8")
    failed = run_mkdocs(project.root)
    assert failed.returncode != 0
    # Every error is reported, located, before MkDocs aborts.
    assert "profiles/people/choe-mi-ran.yaml:7:16: quote not found" in failed.stderr
    assert "profiles/missions/extra.yaml:1:7: YAML syntax error" in failed.stderr
    assert "Traceback" not in failed.stderr
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize(
    ("raw", "human", "iso"),
    [
        (2019, "2019", "2019"),
        ("2023-11", "November 2023", "2023-11"),
        ("2024-05-03", "3 May 2024", "2024-05-03"),
        ("2019/2020-02", "2019 – February 2020", "2019/2020-02"),
        ("unknown", "Date unknown", "unknown"),
    ],
)
def test_dates_keep_their_precision(raw: object, human: str, iso: str) -> None:
    date = DateSpec.parse(raw)
    assert date.human() == human
    assert str(date) == iso


@pytest.mark.parametrize("raw", ["2023-13", "2023-02-30", "May 2023", "2024/2023", True, 3.5])
def test_bad_dates_are_rejected(raw: object) -> None:
    with pytest.raises(ValueError):
        DateSpec.parse(raw)


def test_paths_outside_generated_folders_are_refused(tmp_path: Path) -> None:
    from generator.output import write_pages

    project = Project.at(tmp_path)
    (tmp_path / "docs").mkdir()
    for page in ("../escape.md", "people/../../escape.md", "/etc/passwd", "index.md"):
        with pytest.raises(FactfileErrors):
            write_pages(project, {page: "x"})
    assert not (tmp_path / "escape.md").exists()
    assert not (tmp_path / "docs" / "index.md").exists()


def test_a_shape_error_does_not_hide_the_same_files_quote_errors(
    fixture_project: Callable[[str], Project],
) -> None:
    project = fixture_project("minimal")
    profile = project.profiles_dir / "people" / "choe-mi-ran.yaml"
    text = profile.read_text("utf-8")
    # An unknown key leaves the profile out of the catalog; its quote still misses.
    broken = text.replace("name: Choe Mi-ran\n", "name: Choe Mi-ran\nnickname: Mi-ran\n", 1)
    broken = broken.replace("quote: his wife, Choe Mi-ran", "quote: his wife, Choe Mi-ren")
    profile.write_text(broken, "utf-8")
    line = broken.splitlines().index("        quote: his wife, Choe Mi-ren") + 1
    expected = [
        "profiles/people/choe-mi-ran.yaml:2:1: unknown key 'nickname' (did you mean 'name'?)",
        f"profiles/people/choe-mi-ran.yaml:{line}:16: quote not found in source 'test-gazette' "
        "(seeds/article.txt)",
    ]
    generator = reusing(project)
    for pipeline in (Pipeline(project), generator, generator):
        with pytest.raises(FactfileErrors) as raised:
            pipeline.check()
        assert [f"{e.location}: {e.message}" for e in raised.value.errors] == expected
    # Fixing the quote in the file that is still out of the catalog is seen at once.
    profile.write_text(broken.replace("Mi-ren", "Mi-ran"), "utf-8")
    with pytest.raises(FactfileErrors) as raised:
        generator.check()
    assert [f"{e.location}: {e.message}" for e in raised.value.errors] == expected[:1]
