"""``factfile diff``: the wiki at two revisions of a real git repository, compared as facts.

Each commit of ``git_wiki.history_repo`` makes one kind of change; the report must show
it as a reviewer thinks of it (a value old → new, a qualifier changed, a profile renamed
or removed), and nothing that is no change of fact (a list reordered, YAML rewritten).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import diff as diff_module
from generator.diff import Fact, as_markdown, diff, match
from generator.project import Project

from .conftest import FIXTURES, ROOT, copy_project
from .git_wiki import BROKEN, CHOE, HAN, Repo, history_repo, new_repo
from .test_contributing import GUIDE, blocks, commands, run

BIN = Path(sys.executable).parent


def factfile(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ``factfile`` command, run in ``root``."""
    return subprocess.run(
        [str(BIN / "factfile"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def report(root: Path, *revisions: str) -> dict[str, Any]:
    result = factfile(root, "diff", "--format", "json", *revisions)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def profile(data: dict[str, Any], ref: str) -> dict[str, Any]:
    (found,) = [p for p in data["profiles"] if f"{p['kind']}/{p['id']}" == ref]
    return found


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, list[str]]:
    return history_repo(tmp_path_factory.mktemp("history") / "wiki")


def test_a_qualifier_change_is_the_same_claim_known_another_way(
    history: tuple[Repo, list[str]],
) -> None:
    repo, commits = history
    data = report(repo.root, commits[0], commits[1])
    (han,) = data["profiles"]
    assert (han["id"], han["status"]) == ("han-sol-min", "changed")
    (claim,) = han["claims"]
    assert claim["change"] == "changed" and claim["field"] == "status"
    assert not claim["value_changed"]
    assert claim["qualifiers"] == [
        {"qualifier": "according_to", "old": "the foreign ministry", "new": "the ministry"}
    ]
    # Shown with its quotes.
    assert claim["new"]["quotes"] == [{"source": "test-gazette", "quote": "after the defection"}]
    assert data["base"]["checks"] == data["head"]["checks"] == "passed"


def test_a_rename_is_one_change_not_a_removal_and_an_addition(
    history: tuple[Repo, list[str]],
) -> None:
    repo, commits = history
    data = report(repo.root, commits[1], commits[2])
    (moved,) = data["profiles"]
    assert moved["status"] == "renamed"
    assert (moved["id"], moved["renamed_from"]) == ("choe-mi-ran-wife", "people/choe-mi-ran")
    assert moved["claims"] == [] and moved["fields"] == []
    # Han Sol-min's family tie and the event's participant now name the new id: that is
    # the rename, not a change of their facts.
    assert [p["id"] for p in data["profiles"]] == ["choe-mi-ran-wife"]
    text = factfile(repo.root, "diff", commits[1], commits[2]).stdout
    assert "people/choe-mi-ran-wife (Choe Mi-ran), renamed from people/choe-mi-ran" in text


def test_a_value_edit_with_the_same_quotes_shows_old_and_new_and_reordering_is_no_change(
    history: tuple[Repo, list[str]],
) -> None:
    repo, commits = history
    data = report(repo.root, commits[2], commits[3])
    # Han Sol-min's names were reordered and his file rewritten: no change of fact.
    (mission,) = data["profiles"]
    assert mission["id"] == "embassy-in-ruritania"
    (claim,) = mission["claims"]
    assert claim["change"] == "changed" and claim["value_changed"]
    assert claim["old"]["value"] == {"value": "closed", "date": "2024-06"}
    assert claim["new"]["value"] == {"value": "closed", "date": "2024"}
    assert claim["qualifiers"] == [] and claim["citations_added"] == []
    text = factfile(repo.root, "diff", commits[2], commits[3]).stdout
    assert "~ status: closed (date: 2024-06) → closed (date: 2024)" in text
    assert (
        "“was closed in June after the defection, according to the foreign ministry” "
        "(test-gazette)" in text
    )


def test_a_value_edit_is_paired_with_the_claim_of_the_same_quotes_first() -> None:
    """Two claims share a quote and both values change: each pairs with the claim whose
    quotes are all the same, not with the first that shares one quote."""
    q1, q2 = ("gazette", "first words"), ("gazette", "shared words")

    def fact(value: str, *quotes: tuple[str, str]) -> Fact:
        return Fact("roles", {"value": value}, {}, quotes)

    old = [fact("counsellor", q1, q2), fact("envoy", q2)]
    new = [fact("special envoy", q2), fact("political counsellor", q1, q2)]
    pairs = [(c.old and c.old.shown(), c.new and c.new.shown()) for c in match(old, new)]
    assert pairs == [("counsellor", "political counsellor"), ("envoy", "special envoy")]


def test_a_quote_made_longer_still_pairs_the_claim_it_backs() -> None:
    before = Fact("facts", {"value": "Visited the city."}, {}, (("rfa", "“who visited the city”"),))
    after = Fact(
        "facts",
        {"value": "Recently visited Vladivostok."},
        {"according_to": "RFA"},
        (("rfa", "said Kang,  who visited the city recently"),),
    )
    elsewhere = Fact(
        "facts", {"value": "Visited the city."}, {}, (("yonhap", "who visited the city"),)
    )
    (changed,) = match([before], [after])
    assert changed.change == "changed" and changed.value_changed
    assert [c.change for c in match([elsewhere], [after])] == ["added", "removed"]


def test_a_removed_profile_lists_the_facts_and_relations_that_go_with_it(
    history: tuple[Repo, list[str]],
) -> None:
    repo, commits = history
    data = report(repo.root, commits[3], commits[4])
    (event,) = data["profiles"]
    assert (event["id"], event["status"]) == ("han-sol-min-defects", "removed")
    removed = {(c["field"], c["old"]["shown"]) for c in event["claims"]}
    assert ("participants", "people/choe-mi-ran-wife (role: family member)") in removed
    assert ("date", "2024-05-03") in removed
    assert all(c["change"] == "removed" for c in event["claims"])
    assert data["summary"]["relations removed"] == 3
    assert data["summary"]["claims removed"] == 2


def test_a_side_that_fails_the_checks_is_said_so_and_compared_for_what_parses(
    history: tuple[Repo, list[str]],
) -> None:
    repo, commits = history
    data = report(repo.root, commits[4], commits[5])
    head = data["head"]
    assert head["checks"] == "failed" and data["base"]["checks"] == "passed"
    assert any("quote not found" in p for p in head["problems"])
    assert [s.split(":")[0] for s in head["skipped"]] == [BROKEN]
    (han,) = data["profiles"]
    (role,) = han["claims"]
    assert (role["change"], role["field"], role["new"]["shown"]) == ("added", "roles", "envoy")
    # The reader learns it first, in every format; the other way round it is the base.
    text = factfile(repo.root, "diff", commits[4], commits[5]).stdout.splitlines()
    assert text[1].startswith(f"! Checks fail at {commits[5]} (") or text[1].startswith(
        f"! Checks fail at {commits[5][:7]}"
    )
    markdown = factfile(repo.root, "diff", "--format", "markdown", commits[5], commits[4])
    assert markdown.returncode == 0
    first = markdown.stdout.split("\n\n")[1]
    assert first.startswith(f"**⚠ Checks fail at {commits[5][:7]}: 2 errors;")
    assert "- **removed** `roles`: envoy" in markdown.stdout


def test_the_working_tree_is_the_default_head_and_is_only_read(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    repo.replace(HAN, "value: 48", "value: 49")
    (repo.root / "profiles/people/pak-un-ju.yaml").write_text(
        (repo.root / CHOE).read_text("utf-8").replace("Choe Mi-ran", "Pak Un-ju"), "utf-8"
    )
    status = repo.git("status", "--porcelain")
    index = repo.root / ".git" / "index"
    stamp = index.stat().st_mtime_ns
    files = {
        p: p.read_bytes() for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    data = report(repo.root, "main")
    assert data["head"]["label"] == "the working tree" and data["head"]["commit"] is None
    han = profile(data, "people/han-sol-min")
    (age,) = han["claims"]
    assert (age["old"]["shown"], age["new"]["shown"]) == ("48", "49")
    assert profile(data, "people/pak-un-ju")["status"] == "added"
    # The copy said Choe Mi-ran's words about Pak Un-ju: both sides' checks ran.
    assert data["head"]["checks"] == "failed"
    # Not even git's index was written (which `git status` itself may do, so it comes last).
    assert index.stat().st_mtime_ns == stamp
    assert repo.git("status", "--porcelain") == status
    after = {
        p: p.read_bytes() for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    assert after == files


def test_nothing_changed_says_so(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    result = factfile(repo.root, "diff", "HEAD")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["Both pass the checks.", "", "No facts changed."]


def test_profile_text_in_the_markdown_report_is_inert(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    hostile = (
        "<script>alert(1)</script> [x](javascript:alert(1)) **b** www.example.com "
        "a@b.example :smile: $x$"
    )
    repo.replace(HAN, "value: Han Sol Min\n", f"value: {json.dumps(hostile)}\n")
    result = factfile(repo.root, "diff", "--format", "markdown", "HEAD")
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "alert" in x and "names" in x)
    for active in ("<script", "](", "**b**", "www.example", "@b", ":smile:", "$x$"):
        assert active not in line, (active, line)


def test_a_summary_too_large_for_a_job_summary_is_cut_at_a_profile(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    (repo.root / "profiles/events/han-sol-min-defects.yaml").unlink()
    result = diff(Project.at(repo.root), "HEAD", check=False)
    full = as_markdown(result)
    cut = as_markdown(result, limit=len(full) - 10)
    assert len(cut) < len(full)
    assert "more section" in cut and "run `factfile diff` locally" in cut


def test_a_profile_that_gains_merged_into_is_reported_as_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model has no ``merged_into`` field yet; ``diff.merged_into`` is where it is read.
    Here a profile whose facts were moved into another says so by its name."""
    repo = new_repo(tmp_path / "wiki")
    repo.replace(CHOE, "name: Choe Mi-ran", "name: Choe Mi-ran (see Han Sol-min)")
    # The event now names the profile she was merged into: no change of its facts.
    repo.replace(
        "profiles/events/han-sol-min-defects.yaml", "person: choe-mi-ran", "person: han-sol-min"
    )
    monkeypatch.setattr(
        diff_module,
        "merged_into",
        lambda p: "han-sol-min" if "(see Han Sol-min)" in getattr(p, "name", "") else None,
    )
    result = diff(Project.at(repo.root), "HEAD", check=False)
    (choe,) = result.profiles
    assert choe.status == "merged" and choe.merged_into is not None
    assert choe.merged_into.id == "han-sol-min"
    assert "merged into people/han-sol-min" in diff_module.as_text(result)


def test_bad_input_gets_a_message_and_never_a_traceback(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    unknown = factfile(repo.root, "diff", "no-such-branch")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: 'no-such-branch' is not a commit of this repository\n"
    option = factfile(repo.root, "diff", "--", "--output=/tmp/x")
    assert option.returncode == 1 and "is not a revision" in option.stderr
    outside = copy_project(tmp_path / "not-a-repo", source=FIXTURES / "minimal")
    result = factfile(outside, "diff", "main")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "is not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr
    no_git = {**os.environ, "PATH": str(tmp_path / "empty")}
    missing = factfile(repo.root, "diff", "main", env=no_git)
    assert missing.returncode == 1 and missing.stderr == "error: git is not installed\n"


# --- The guide's walkthrough ---------------------------------------------------------------

REVIEWING = "## Reviewing a pull request with factfile diff"


def console_commands(after: int) -> list[tuple[str, str]]:
    """Each ``$ command`` of the guide's console blocks after ``after``, with the output
    shown under it (empty when none is shown)."""
    found: list[tuple[str, str]] = []
    for offset, block in blocks("console"):
        if offset < after:
            continue
        for chunk in ("\n" + block).split("\n$ ")[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def follow_the_guide(project: Path) -> None:
    """Steps 1 to 3 of the guide: the article archived, the person written."""
    guide = GUIDE.read_text(encoding="utf-8")
    saved = re.search(r"saved as\s+`([^`]+\.txt)`", guide)
    assert saved is not None
    (project / saved.group(1)).write_text(blocks("text")[0][1], encoding="utf-8")
    steps = ("factfile add-source ", "factfile new person ")
    done: set[str] = set()
    for _, block in blocks("sh"):
        for command in commands(block):
            # Only the first of each: later sections of the guide save other articles.
            step = next((s for s in steps if command.startswith(s)), None)
            if step is not None and step not in done:
                done.add(step)
                assert run(command, project).returncode == 0, command
    profile = re.findall(r"Edit `(profiles/people/[^`]+\.yaml)`", guide)[0]
    (project / profile).write_text(blocks("yaml")[0][1], encoding="utf-8")
    (project / saved.group(1)).unlink()  # as the guide allows


def test_the_guide_shows_what_factfile_diff_prints(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    follow_the_guide(repo.root)
    guide = GUIDE.read_text(encoding="utf-8")
    shown = console_commands(guide.index(REVIEWING))
    assert [command.split(" --")[0] for command, _ in shown] == ["factfile diff main"] * 3
    for command, expected in shown:
        result = run(command, repo.root)
        assert result.returncode == 0, result.stderr
        assert result.stdout
        if expected:
            # Commit ids differ from one repository to the next.
            got = re.sub(r"\(([0-9a-f]{7})\)", "(1a2b3c4)", result.stdout)
            assert got == expected, got
    assert "(docs/contributing.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_pull_requests_get_the_facts_in_their_job_summary(tmp_path: Path) -> None:
    """The workflow's own command, run as GitHub runs it: in a clone whose ``origin`` has
    the base branch, with the step's summary file to append to."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/checks.yml").read_text("utf-8"))
    steps = workflow["jobs"]["checks"]["steps"]
    (step,) = [s for s in steps if s.get("run", "").startswith("factfile diff ")]
    assert "pull_request" in step["if"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    upstream = new_repo(tmp_path / "upstream")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(upstream.root), str(clone)], check=True, env=upstream.env
    )
    pull = Repo(clone, upstream.env)
    pull.replace(HAN, "according_to: the foreign ministry", "according_to: the ministry")
    pull.commit("Han Sol-min's status is the ministry's word", "2024-02-01T09:00:00+09:00")
    summary = tmp_path / "summary.md"
    summary.write_text("Earlier steps' summary\n", encoding="utf-8")
    env = {**pull.env, "GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        ["bash", "-c", step["run"]], cwd=clone, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("Earlier steps' summary\n## Facts changed from origin/main (")
    assert "- **changed** `status`: defected" in written
    assert "  - according to: the foreign ministry → the ministry" in written
