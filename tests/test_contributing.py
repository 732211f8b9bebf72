"""The contributing guide, followed to the letter in a copy of the project.

The commands come from the guide's own code blocks, so the guide cannot drift from
what the commands do.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import FIXTURES, ROOT, copy_project, run_mkdocs

GUIDE = ROOT / "docs" / "contributing.md"
BIN = Path(sys.executable).parent
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(kind: str) -> list[tuple[int, str]]:
    """Each fenced block of ``kind`` in the guide, with its offset in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    return [(m.start(), m.group(2)) for m in BLOCK.finditer(text) if m.group(1) == kind]


def commands(block: str) -> list[str]:
    return [
        line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")
    ]


def argv(command: str) -> list[str]:
    """A guide command as run here: with this environment's executables."""
    words = shlex.split(command)
    if words[0] == "factfile":
        return [str(BIN / "factfile"), *words[1:]]
    raise AssertionError(f"the test does not know how to run: {command}")


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv(command),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_the_guide_shows_each_step_with_its_command() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    shown = [command for _, block in blocks("sh") for command in commands(block)]
    for needed in (
        "factfile add-source ",
        "factfile quote ",
        "factfile new person ",
        "factfile check",
        "mkdocs serve",
    ):
        assert any(c.startswith(needed) for c in shown), needed
    order = [text.index(f"## {n}.") for n in range(1, 5)]
    assert order == sorted(order)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/contributing.md)" in readme
    assert "Contributing: contributing.md" in (ROOT / "mkdocs.yml").read_text("utf-8")


def articles() -> list[tuple[int, str, str]]:
    """Each article the guide shows (a text block that is not a command's output), with
    its offset and the file name it is "saved as" just before it."""
    guide = GUIDE.read_text(encoding="utf-8")
    found = []
    for offset, text in blocks("text"):
        if text.startswith("$ "):
            continue
        names = re.findall(r"saved as\s+`([^`]+\.txt)`", guide[:offset])
        assert names, "an article in the guide without the file it is saved as"
        found.append((offset, names[-1], text))
    return found


def follow_the_guide(project: Path) -> bool:
    """Every step of the guide, in order, in ``project``: each article saved, each profile
    written and each command run where the guide says. Whether it served the site."""
    guide = GUIDE.read_text(encoding="utf-8")
    texts = articles()
    yaml_blocks = blocks("yaml")
    setup = {"python3 -m venv .venv && . .venv/bin/activate", "pip install -e ."}
    served = False
    for offset, block in blocks("sh"):
        # Before each command block, save the articles and write the profiles shown above it.
        for _, name, article in [t for t in texts if t[0] < offset]:
            (project / name).write_text(article, encoding="utf-8")
        texts = [t for t in texts if t[0] >= offset]
        for yaml_offset, content in yaml_blocks:
            if yaml_offset < offset:
                target = re.findall(r"Edit\s+`(profiles/[^`]+\.yaml)`", guide[:yaml_offset])
                assert target, "a profile in the guide without the file it goes in"
                path = project / target[-1]
                assert path.exists(), f"the guide edits {target[-1]} before creating it"
                path.write_text(content, encoding="utf-8")
        yaml_blocks = [(o, c) for o, c in yaml_blocks if o >= offset]
        for command in commands(block):
            if command in setup or command == "factfile --help":
                continue  # this environment is already set up
            if command == "mkdocs serve":
                # Serving is tested in test_serve.py; here the same site is built.
                built = run_mkdocs(project)
                assert built.returncode == 0, built.stderr
                served = True
                continue
            result = run(command, project)
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert not yaml_blocks, "a profile in the guide after the last command"
    assert not texts, "an article in the guide after the last command"
    return served


@pytest.mark.slow
def test_following_the_guide_builds_a_page_for_the_new_person(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki")
    guide = GUIDE.read_text(encoding="utf-8")
    article_name = re.search(r"saved as\s+`([^`]+\.txt)`", guide)
    assert article_name is not None
    article = blocks("text")[0][1]
    assert follow_the_guide(project)

    page = (project / "site/people/pak-un-ju/index.html").read_text(encoding="utf-8")
    assert "Pak Un-ju" in page
    assert "The foreign ministry gave his age as 52." in page
    source = (project / "profiles/sources/graustark-courier-envoy.yaml").read_text("utf-8")
    assert "archive: graustark-envoy.txt" in source
    assert (project / article_name.group(1)).read_text(encoding="utf-8") == article
    assert (project / "seeds/graustark-envoy.txt").read_text(encoding="utf-8") == article


MERGED = "profiles/people/diplomat-missing-in-graustark-unnamed.yaml"


@pytest.mark.slow
def test_merging_as_the_guide_shows_leaves_the_old_address_leading_to_the_named_person(
    tmp_path: Path,
) -> None:
    # In a small wiki of its own, so that the steps are tested whatever the real wiki's state.
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    assert follow_the_guide(project)
    section = GUIDE.read_text(encoding="utf-8").split(
        "\n## Merging an unnamed profile into a named one\n"
    )[1]
    # The unnamed profile is only a name and where it went, and its address leads on.
    merged = yaml.safe_load((project / MERGED).read_text(encoding="utf-8"))
    assert merged == {"name": "Diplomat missing in Graustark (unnamed)", "merged_into": "pak-un-ju"}
    address = "people/diplomat-missing-in-graustark-unnamed/"
    assert f"<http://127.0.0.1:8000/{address}>" in section
    old = (project / "site" / address / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../pak-un-ju/">' in old
    assert "was merged into <a" in old
    pak = (project / "site/people/pak-un-ju/index.html").read_text(encoding="utf-8")
    assert "Named by the foreign ministry as the diplomat missing" in pak
    assert "Possibly the same person" not in pak
    people = (project / "site/people/index.html").read_text(encoding="utf-8")
    assert "Diplomat missing in Graustark" not in people
    # A reference to the old id gets the message the guide shows.
    shown = re.search(r"^    (person '.*was merged into.*)$", section, re.MULTILINE)
    assert shown is not None
    event = project / "profiles/events/han-sol-min-defects.yaml"
    text = event.read_text(encoding="utf-8")
    assert "  - person: choe-mi-ran\n" in text
    event.write_text(
        text.replace("  - person: choe-mi-ran\n", f"  - person: {Path(MERGED).stem}\n"), "utf-8"
    )
    checked = run("factfile check", project)
    assert checked.returncode == 1
    assert f"participants[1].person: {shown.group(1)}\n" in checked.stderr


def test_the_guide_shows_real_output_for_a_missing_quote(tmp_path: Path) -> None:
    """Each text block that starts with a ``$ factfile`` prompt shows what it prints."""
    project = copy_project(tmp_path / "wiki")
    guide = GUIDE.read_text(encoding="utf-8")
    name = re.search(r"saved as\s+`([^`]+\.txt)`", guide)
    assert name is not None
    texts = blocks("text")
    (project / name.group(1)).write_text(texts[0][1], encoding="utf-8")
    add = next(c for _, b in blocks("sh") for c in commands(b) if "add-source" in c)
    assert run(add, project).returncode == 0
    shown = [block for _, block in texts if block.startswith("$ factfile ")]
    assert shown
    for block in shown:
        command, _, expected = block.partition("\n")
        result = run(command.removeprefix("$ "), project)
        assert result.stdout + result.stderr == expected


# --- Pull-request checks --------------------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"


def readme_commands() -> set[str]:
    """Every command the README shows, in code blocks or inline, split at ``&&``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"`([^`\n]+)`", readme))
    for _, block in re.findall(r"^```(\w*)\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL):
        shown.update(line for line in block.splitlines() if line and not line.startswith("#"))
    return shown | {part.strip() for command in shown for part in command.split("&&")}


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def run_steps(data: dict[str, Any]) -> list[dict[str, str]]:
    jobs = data["jobs"]
    assert isinstance(jobs, dict) and jobs
    return [step for job in jobs.values() for step in job["steps"] if "run" in step]


# The README's two commands for a fresh machine: install exactly the locked versions
# (pip's hash-checking mode takes no editable install, hence the second pip), then serve
# the site or run the tests.
SERVE = (
    "pip install --require-hashes -r requirements/site.txt && pip install --no-deps -e . "
    "&& mkdocs serve"
)
TEST = (
    "pip install --require-hashes -r requirements/test.txt && pip install --no-deps -e . && pytest"
)


def quick_start() -> list[str]:
    """The command lines of the code blocks under the README's "Quick start" heading."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return [
        line
        for _, block in re.findall(r"^```(\w*)\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
        for line in block.splitlines()
        if line and not line.startswith("#")
    ]


def test_the_readme_sets_up_a_fresh_machine_with_two_commands() -> None:
    assert quick_start() == [SERVE, TEST]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands[-1] == TEST
    # Nothing else is installed with pip: CI has what a contributor's fresh machine has.
    assert [c for c in commands if "pip " in c] == [TEST]


def test_pull_request_checks_run_the_readme_commands() -> None:
    data = workflow("checks.yml")
    assert "pull_request" in data["on"]
    runs = [step["run"].strip() for step in run_steps(data)]
    known = readme_commands()
    # The README's test command, exactly, and the guide's check in CI form.
    assert TEST in known
    assert TEST in runs
    for command in (
        "factfile check --format github",
        "factfile schema --check",
        "ruff check .",
        "ruff format --check .",
        "mkdocs build --strict",
        "pytest tests/test_properdocs.py",
    ):
        assert command in runs, command
    chromium = [r for r in runs if "apt-get" in r]
    assert chromium and "install -y -q chromium" in chromium[0]
    assert runs.index(chromium[0]) < runs.index(TEST)
    # Every installation comes from the lock.
    installs = [r for r in runs if "pip install" in r and r != TEST]
    assert installs and set(installs) == {
        "pip install --require-hashes -r requirements/test.txt",
        "pip install --no-deps -e .",
    }
    for command in runs:
        if "apt-get" not in command:
            assert command in known, f"checks.yml runs {command!r}, which the README does not show"


def test_publish_builds_from_main_and_deploys_to_pages() -> None:
    data = workflow("publish.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    runs = [step["run"].strip() for step in run_steps(data)]
    assert runs == [
        "pip install --require-hashes -r requirements/site.txt",
        "pip install --no-deps -e .",
        "mkdocs build --strict",
    ]
    assert all(command in readme_commands() for command in runs)
    assert " && ".join(runs[:2]) in SERVE
    uses = [step.get("uses", "") for job in data["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    # Only the job that deploys may write to Pages, and it may do nothing else.
    assert data["permissions"] == {"contents": "read"}
    jobs = data["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_pre_commit_hook_runs_factfile_check(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "factfile-check")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert hook["entry"] in readme_commands()
    # The entry really is the check: it passes a good project and fails a broken one.
    project = copy_project(tmp_path / "wiki", source=ROOT / "tests/fixtures/minimal")
    assert run(hook["entry"], project).returncode == 0
    (project / "profiles/people/choe-mi-ran.yaml").write_text("name: [\n", encoding="utf-8")
    failed = run(hook["entry"], project)
    assert failed.returncode == 1
    assert "profiles/people/choe-mi-ran.yaml:" in failed.stderr
