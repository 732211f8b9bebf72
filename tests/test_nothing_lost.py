"""Nothing is lost: a failed build keeps the last site and every hand-written page, and
the generator writes only inside its own generated folders under docs/."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import Pipeline
from generator.errors import FactfileErrors
from generator.project import GENERATED_DIRS, GENERATED_FILES, Project

from .conftest import FIXTURES, copy_project, run_mkdocs
from .test_broken import snapshot


def minimal(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")


def hand_written(project: Path) -> dict[str, bytes]:
    """Everything under docs/ except the generated folders and files."""
    docs = snapshot(project / "docs")
    return {
        k: v
        for k, v in docs.items()
        if k.split("/")[0] not in GENERATED_DIRS and k not in GENERATED_FILES
    }


def outside_generated(root: Path, project: Path) -> dict[str, bytes]:
    """Everything under ``root`` except the generated folders and files of ``project``'s
    docs/."""
    generated = {
        f"{project.relative_to(root).as_posix()}/docs/{d}" for d in GENERATED_DIRS + GENERATED_FILES
    }
    return {
        k: v
        for k, v in snapshot(root).items()
        if not any(k == g or k.startswith(g + "/") for g in generated)
    }


@pytest.mark.slow
def test_failed_build_keeps_last_site_and_hand_written_pages(tmp_path: Path) -> None:
    project = minimal(tmp_path)
    first = run_mkdocs(project)
    assert first.returncode == 0, first.stderr
    (project / "docs/about.md").write_text("# About\n\nWritten by hand.\n", encoding="utf-8")
    site, docs = snapshot(project / "site"), snapshot(project / "docs")
    assert "people/han-sol-min/index.html" in site
    # The plugin hands MkDocs its pages in memory: docs/ holds only hand-written pages.
    assert not any(name.split("/")[0] in GENERATED_DIRS for name in docs)
    # A later edit breaks a profile: nothing of the last good build may go.
    broken = project / "profiles/people/han-sol-min.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "stauts: []\n", encoding="utf-8")
    result = run_mkdocs(project)
    assert result.returncode != 0
    assert "unknown key 'stauts'" in result.stderr
    assert snapshot(project / "site") == site
    assert snapshot(project / "docs") == docs


def test_build_writes_only_generated_folders(tmp_path: Path) -> None:
    project = minimal(tmp_path)
    (project / "docs/about.md").write_text("# About\n", encoding="utf-8")
    (project / "docs/notes").mkdir()
    (project / "docs/notes/people.md").write_text("# Hand-written\n", encoding="utf-8")
    before = outside_generated(tmp_path, project)
    result = Pipeline(Project.at(project)).build()
    assert result.report is not None and result.report.written
    assert outside_generated(tmp_path, project) == before
    assert (project / "docs/people/han-sol-min.md").is_file()


def test_stale_pages_are_pruned_only_inside_generated_folders(tmp_path: Path) -> None:
    project = minimal(tmp_path)
    Pipeline(Project.at(project)).build()
    (project / "profiles/people/choe-mi-ran.yaml").unlink()
    # With Choe Mi-ran gone, the tie to her must go too for the wiki to be valid.
    han = project / "profiles/people/han-sol-min.yaml"
    text = han.read_text(encoding="utf-8")
    han.write_text(text[: text.index("family:")] + text[text.index("postings:") :], "utf-8")
    event = project / "profiles/events/han-sol-min-defects.yaml"
    lines = event.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "person: choe-mi-ran" in line)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    event.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    before = hand_written(project)
    report = Pipeline(Project.at(project)).build().report
    assert report is not None and "docs/people/choe-mi-ran.md" in report.removed
    assert not (project / "docs/people/choe-mi-ran.md").exists()
    assert hand_written(project) == before


def test_generated_folder_linked_outside_docs_is_never_written_through(tmp_path: Path) -> None:
    project = minimal(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.md").write_text("# Not the generator's\n", encoding="utf-8")
    (project / "docs/people").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path)
    with pytest.raises(FactfileErrors) as raised:
        Pipeline(Project.at(project)).build()
    assert str(raised.value.errors[0]) == (
        "docs/people: generated folder is a link or not a plain folder under docs/: remove it"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_mkdocs_build_neither_publishes_nor_writes_through_a_linked_folder(
    tmp_path: Path,
) -> None:
    project = minimal(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.md").write_text("# Not the generator's\n", encoding="utf-8")
    (project / "docs/people").symlink_to(elsewhere, target_is_directory=True)
    before = outside_generated(tmp_path, project)
    before_elsewhere = snapshot(elsewhere)
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    # The generated folders belong to the generator: what a link puts there is not built.
    site = snapshot(project / "site")
    assert not any("precious" in name for name in site)
    assert "people/han-sol-min/index.html" in site
    assert snapshot(elsewhere) == before_elsewhere
    after = outside_generated(tmp_path, project)

    def outside_site(files: dict[str, bytes]) -> dict[str, bytes]:
        return {k: v for k, v in files.items() if k.split("/")[:2] != ["wiki", "site"]}

    assert outside_site(after) == outside_site(before)


def test_profile_reaching_outside_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    project = minimal(tmp_path)
    people = project / "profiles/people"
    # A reference that is a path, and a profile file that is a link to a file elsewhere.
    choe = people / "choe-mi-ran.yaml"
    choe.write_text(
        choe.read_text(encoding="utf-8")
        + "postings:\n  - mission: ../../../outside\n    role: x\n    cite:\n"
        + "      - source: test-gazette\n        quote: his wife\n",
        encoding="utf-8",
    )
    target = tmp_path / "outside.yaml"
    target.write_text("name: Outside\n", encoding="utf-8")
    (people / "outside.yaml").symlink_to(target)
    before = snapshot(tmp_path)
    with pytest.raises(FactfileErrors) as raised:
        Pipeline(Project.at(project)).build()
    report = raised.value.report()
    assert (
        "profiles/people/choe-mi-ran.yaml:9:14: postings[0].mission: '../../../outside'" in report
    )
    assert "profiles/people/outside.yaml: not a regular file" in report
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "outside.md").exists()


@pytest.mark.slow
def test_a_build_failing_in_strict_mode_leaves_the_last_site(tmp_path: Path) -> None:
    """A failure after MkDocs has begun writing (a warning in strict mode, from a broken
    link in a hand-written page) still leaves the last good site as it was."""
    project = minimal(tmp_path)
    first = run_mkdocs(project)
    assert first.returncode == 0, first.stderr
    site = snapshot(project / "site")
    (project / "docs/index.md").write_text("# Home\n\n[gone](nowhere.md)\n", encoding="utf-8")
    failed = run_mkdocs(project)
    assert failed.returncode != 0
    assert "nowhere.md" in failed.stderr
    assert snapshot(project / "site") == site
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("site")) == ["site"]
    # Fixed, the next build replaces the site.
    (project / "docs/index.md").write_text("# Home again\n", encoding="utf-8")
    again = run_mkdocs(project)
    assert again.returncode == 0, again.stderr
    assert "Home again" in (project / "site/index.html").read_text(encoding="utf-8")
