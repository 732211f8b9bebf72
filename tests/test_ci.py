"""The lock in requirements/ and the workflows that install from it.

A fresh machine installs exactly what CI tested only if the lock satisfies
pyproject.toml, pins every package with its hashes and was made as the README says; and
the workflows stay trustworthy only if every action is pinned to a commit and every job
has no more permissions and no more time than it needs.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

REQUIREMENTS = ROOT / "requirements"
WORKFLOWS = ROOT / ".github" / "workflows"


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def locked(name: str) -> list[tuple[Requirement, list[str]]]:
    """Each pin of ``requirements/<name>.txt`` with its hashes."""
    text = (REQUIREMENTS / f"{name}.txt").read_text(encoding="utf-8")
    pins = []
    for line in text.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement, *hashes = line.split(" --hash=")
        pins.append((Requirement(requirement.strip()), [h.strip() for h in hashes]))
    return pins


def direct(extra: str | None = None) -> list[Requirement]:
    project = pyproject()["project"]
    if extra is None:
        return [Requirement(r) for r in project["dependencies"]]
    return [Requirement(r) for r in project["optional-dependencies"][extra]]


@pytest.mark.parametrize("name", ["site", "test"])
def test_every_locked_package_is_pinned_with_its_hashes(name: str) -> None:
    pins = locked(name)
    assert pins
    for requirement, hashes in pins:
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", requirement
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), requirement


@pytest.mark.parametrize(("name", "extras"), [("site", []), ("test", ["test"])])
def test_the_lock_satisfies_pyproject(name: str, extras: list[str]) -> None:
    """Every direct dependency is locked, at a version its range in pyproject allows."""
    pins: dict[str, list[Requirement]] = {}
    for requirement, _ in locked(name):
        pins.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    wanted = direct() + [r for extra in extras for r in direct(extra)]
    for requirement in wanted:
        found = pins.get(canonicalize_name(requirement.name))
        assert found, f"{requirement.name} is not in requirements/{name}.txt"
        for pin in found:
            (version,) = (s.version for s in pin.specifier)
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements/{name}.txt pins {pin}, outside {requirement}"
            )


def test_the_site_lock_pins_what_the_test_lock_pins() -> None:
    """Serving the site and running the tests use the very same versions."""
    test = {str(r) for r, _ in locked("test")}
    assert {str(r) for r, _ in locked("site")} <= test


def test_the_lock_was_made_with_the_readme_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Dependencies\n", 1)[1].split("\n## ", 1)[0]
    (refresh,) = re.findall(r"^uv pip compile .*$", section, re.MULTILINE)
    made = []
    for name in ("test", "site"):
        header = (REQUIREMENTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()[1]
        made.append(header.removeprefix("#").strip())
    # uv records the command without --upgrade, which only tells it not to keep old pins.
    assert [c.strip().replace(" --upgrade", "") for c in refresh.split("&&")] == made


# --- Workflows ---------------------------------------------------------------------------

USES = re.compile(r"^\s*(?:- )?uses: (\S+)(.*)$", re.MULTILINE)
PINNED = re.compile(r"[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}")


def workflows() -> list[Path]:
    found = sorted(WORKFLOWS.glob("*.yml"))
    assert found
    return found


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@pytest.mark.parametrize("path", workflows(), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    """A tag can be moved to other code; a commit cannot. The comment says which release."""
    uses = USES.findall(path.read_text(encoding="utf-8"))
    assert uses
    for action, comment in uses:
        assert PINNED.fullmatch(action), f"{path.name}: {action} is not pinned to a commit"
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), f"{path.name}: {action}{comment}"


@pytest.mark.parametrize("path", workflows(), ids=lambda p: p.name)
def test_every_job_has_a_time_limit_and_least_permissions(path: Path) -> None:
    data = load(path)
    assert data["permissions"] == {"contents": "read"}
    for name, job in data["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 60, name
        if path.name == "publish.yml" and name == "deploy":
            assert job["permissions"] == {"pages": "write", "id-token": "write"}
        else:
            assert job["permissions"] == {"contents": "read"}, name


def caches_pip(step: dict[str, Any]) -> bool:
    uses, given = step.get("uses", ""), step.get("with", {})
    if uses.startswith("actions/setup-python@"):
        return given.get("cache") == "pip"
    return uses.startswith("actions/cache@") and "~/.cache/pip" in given.get("path", "")


@pytest.mark.parametrize("path", workflows(), ids=lambda p: p.name)
def test_every_job_that_installs_with_pip_caches_its_downloads(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        steps = job["steps"]
        if any("pip install" in step.get("run", "") for step in steps):
            assert any(caches_pip(step) for step in steps), f"{path.name}: job {name}"


def test_drift_runs_weekly_against_the_newest_and_the_lowest_releases() -> None:
    data = load(WORKFLOWS / "drift.yml")
    # Scheduled and by hand only: drift shows as a red scheduled run, never on a pull request.
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = data["on"]["schedule"]
    assert schedule["cron"].split()[2:] == ["*", "*", "1"]
    runs = {
        name: [step["run"].strip() for step in job["steps"] if "run" in step]
        for name, job in data["jobs"].items()
    }
    assert set(runs) == {"newest", "lowest"}
    assert "pip install --upgrade -e '.[test]'" in runs["newest"]
    assert "uv pip install --system --resolution lowest-direct -e '.[test]'" in runs["lowest"]
    for commands in runs.values():
        assert not any("requirements/" in c for c in commands), "drift must ignore the lock"
        for check in ("ruff check .", "ruff format --check .", "pytest", "mkdocs build --strict"):
            assert check in commands
