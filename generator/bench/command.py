"""``factfile bench``: how the generator and the site build scale with the size of a wiki."""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import yaml

from ..build import Built, Pipeline, reusing
from ..project import Project
from ..wiki import Ref
from . import serve
from .synthetic import _dump, _Loader, linking_pages, mkdocs_configs, synthesise

# How many times the short measurements (check, edit) are made; the median is reported.
REPEATS = 5


def _timed_run(args: list[str], cwd: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise click.ClickException(
            f"{' '.join(args[1:])} failed ({done.returncode}):\n{done.stderr[-4000:]}"
        )
    return elapsed


def _clear_generated(project: Project) -> None:
    for folder in project.generated_dirs():
        shutil.rmtree(folder, ignore_errors=True)


# --- The benchmark -----------------------------------------------------------------------


def _rename(path: Path) -> None:
    """Change one person's name everywhere it is stated: their page and every link to it."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    renamed = f"{data['name']} (renamed)"
    data["name"] = renamed
    data["names"][0]["value"] = renamed
    _dump(path, data)


def run_bench(
    profiles: int,
    *,
    mkdocs: bool = True,
    base_config: Path | None = None,
    keep: Path | None = None,
    mkdocs_runs: int = 3,
) -> dict[str, Any]:
    """Synthesise a wiki of ``profiles`` profiles and measure every stage; the figures."""
    workdir = Path(tempfile.mkdtemp(prefix="factfile-bench-")) if keep is None else keep
    try:
        root = workdir / "wiki"
        start = time.perf_counter()
        wiki = synthesise(root, profiles)
        figures: dict[str, Any] = {
            "profiles": profiles,
            "counts": wiki.counts,
            "synthesise_s": time.perf_counter() - start,
        }
        project = Project.at(root)
        pipeline = reusing(project)
        built = _measure_generator(pipeline, figures)
        _measure_check(project, figures)
        start = time.perf_counter()
        pipeline.build()
        figures["noop_generator_s"] = time.perf_counter() - start
        target = _measure_edits(pipeline, built, wiki.person_ids, figures)
        # A wiki `mkdocs build` and `mkdocs serve` run on as they are (kept with --keep).
        with_plugin, bare = mkdocs_configs(root, base_config)
        if mkdocs:
            _measure_mkdocs(project, with_plugin, bare, mkdocs_runs, figures)
            _clear_generated(project)
            event = sorted(built.wiki.ids["events"])[0]
            figures.update(serve.measure(root, with_plugin, target, event))
        figures.update(_peak_memory())
        return figures
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _measure_generator(pipeline: Pipeline, figures: dict[str, Any]) -> Built:
    """A cold build, stage by stage."""
    start = time.perf_counter()
    built = pipeline.build()
    figures["generator_s"] = time.perf_counter() - start
    figures["stages_s"] = dict(built.timings)
    figures["pages"] = len(built.pages)
    seeds = pipeline.project.seeds_dir
    figures["archive_bytes"] = sum(p.stat().st_size for p in seeds.iterdir())
    figures["quotes"] = len(built.wiki.quotes.spans)
    return built


def _measure_check(project: Project, figures: dict[str, Any]) -> None:
    """``factfile check`` in this process and, as a contributor runs it, in new ones."""
    start = time.perf_counter()
    Pipeline(project).check()
    figures["check_inprocess_s"] = time.perf_counter() - start
    # Short runs swing most on a shared machine: each is made several times, and the
    # median reported with every run.
    command = [sys.executable, "-c", "from generator.cli import main; main()", "check"]
    figures["check_runs_s"] = [
        _timed_run([*command, "--project", str(project.root)], project.root) for _ in range(REPEATS)
    ]
    figures["check_s"] = statistics.median(figures["check_runs_s"])


def _measure_edits(
    pipeline: Pipeline, built: Built, person_ids: list[str], figures: dict[str, Any]
) -> str:
    """Renames of the person most linked to: the edit that reaches the most pages; the
    person's id."""
    target = max(person_ids, key=lambda pid: (len(built.wiki.backlinks(Ref("people", pid))), pid))
    edits: list[tuple[float, dict[str, float], Built]] = []
    for _ in range(REPEATS):
        _rename(pipeline.project.profiles_dir / "people" / f"{target}.yaml")
        start = time.perf_counter()
        edited = pipeline.build()
        edits.append((time.perf_counter() - start, dict(edited.timings), edited))
    figures["edit_runs_s"] = [seconds for seconds, _, _ in edits]
    median = sorted(edits, key=lambda edit: edit[0])[len(edits) // 2]
    figures["edit_generator_s"], figures["edit_stages_s"], edited = median
    assert edited.report is not None
    figures["edit_profile"] = f"profiles/people/{target}.yaml"
    figures["edit_pages_rewritten"] = len(
        [page for page in edited.report.written if page.endswith(".md")]
    )
    figures["edit_pages_linking"] = len(linking_pages(edited.pages, "people", target))
    return target


def _measure_mkdocs(
    project: Project, with_plugin: Path, bare: Path, runs: int, figures: dict[str, Any]
) -> None:
    """``mkdocs build`` with the plugin against a bare build of the same pages."""
    root = project.root
    build = [sys.executable, "-m", "mkdocs", "build", "-q", "-f"]
    # In turn, so that a slow spell of the machine weighs on both alike.
    figures["bare_mkdocs_runs_s"], figures["mkdocs_runs_s"] = [], []
    for _ in range(runs):
        # The bare build reads the pages `factfile render` writes; the plugin's build
        # makes them in memory, so it starts without them.
        Pipeline(project).build()
        figures["bare_mkdocs_runs_s"].append(_timed_run([*build, str(bare)], root))
        _clear_generated(project)
        figures["mkdocs_runs_s"].append(_timed_run([*build, str(with_plugin)], root))
    figures["bare_mkdocs_s"] = statistics.median(figures["bare_mkdocs_runs_s"])
    figures["mkdocs_s"] = statistics.median(figures["mkdocs_runs_s"])
    figures["generator_overhead"] = figures["mkdocs_s"] / figures["bare_mkdocs_s"] - 1


def _peak_memory() -> dict[str, float]:
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # Linux reports kilobytes; macOS reports bytes.
    scale = 1 / (1 << 20) if sys.platform == "darwin" else 1 / 1024
    return {
        "peak_rss_mb": round(usage_self * scale, 1),
        "peak_children_rss_mb": round(usage_children * scale, 1),
    }


def _runs(figures: dict[str, Any], name: str, places: int = 2) -> str:
    runs = figures.get(f"{name}_runs_s", [])
    if len(runs) < 2:
        return ""
    return f"   (median of {len(runs)}: {', '.join(f'{run:.{places}f}' for run in runs)})"


def table(figures: dict[str, Any]) -> str:
    """The figures as an aligned plain-text table."""
    counts = figures["counts"]
    rows: list[tuple[str, str]] = [
        (
            "profiles",
            f"{figures['profiles']:,} ({counts['people']:,} people, "
            f"{counts['missions']:,} missions, {counts['events']:,} events) "
            f"+ {counts['sources']:,} sources",
        ),
        (
            "pages / quotes",
            f"{figures['pages']:,} pages, {figures['quotes']:,} quotes, "
            f"{figures['archive_bytes'] / 1e6:.1f} MB of archives",
        ),
        ("generator, cold", f"{figures['generator_s']:.2f} s"),
    ]
    rows += [(f"  {name}", f"{seconds:.3f} s") for name, seconds in figures["stages_s"].items()]
    rows += [
        ("factfile check (new process)", f"{figures['check_s']:.2f} s{_runs(figures, 'check')}"),
        ("check (new pipeline, warm process)", f"{figures['check_inprocess_s']:.2f} s"),
        ("generator, nothing changed", f"{figures['noop_generator_s']:.3f} s"),
        (
            "generator, one profile renamed",
            f"{figures['edit_generator_s']:.3f} s{_runs(figures, 'edit', 3)}",
        ),
    ]
    rows += [
        (f"  {name}", f"{seconds:.3f} s") for name, seconds in figures["edit_stages_s"].items()
    ]
    rows.append(
        (
            "  pages rewritten",
            f"{figures['edit_pages_rewritten']} of {figures['pages']:,} "
            f"(its own and {figures['edit_pages_linking']} that link to it)",
        )
    )
    if "mkdocs_s" in figures:
        rows += [
            (
                "mkdocs build, factfile plugin",
                f"{figures['mkdocs_s']:.1f} s{_runs(figures, 'mkdocs', 1)}",
            ),
            (
                "mkdocs build, plugin off (floor)",
                f"{figures['bare_mkdocs_s']:.1f} s{_runs(figures, 'bare_mkdocs', 1)}",
            ),
            ("generator overhead", f"{figures['generator_overhead']:+.1%}"),
            ("mkdocs serve, first build", f"{figures['serve_start_s']:.1f} s"),
            ("  then ready for edits", f"{figures['serve_ready_s']:.1f} s"),
            (
                "mkdocs serve, save to page served",
                f"{figures['serve_edit_s']:.2f} s   (median of "
                f"{len(figures['serve_edit_runs_s'])}: "
                + ", ".join(f"{v:.2f}" for v in figures["serve_edit_runs_s"].values())
                + ")",
            ),
        ]
        rows += [
            (f"  {name}", f"{seconds:.2f} s")
            for name, seconds in figures["serve_edit_runs_s"].items()
        ]
        rows.append(
            ("  then the data downloads (background)", f"{figures['serve_downloads_s']:.2f} s")
        )
    rows += [
        ("peak memory, this process", f"{figures['peak_rss_mb']:.0f} MB"),
        ("peak memory, largest child", f"{figures['peak_children_rss_mb']:.0f} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


@click.command()
@click.option(
    "--profiles",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=10),
    help="People, missions and events to synthesise (plus one source per ten).",
)
@click.option(
    "--mkdocs/--no-mkdocs",
    default=True,
    show_default=True,
    help="Also time mkdocs build, with the plugin and bare, and mkdocs serve.",
)
@click.option(
    "--config",
    "base_config",
    type=click.Path(dir_okay=False, path_type=Path),
    default="mkdocs.yml",
    show_default=True,
    help="The MkDocs settings to build the synthetic wiki with.",
)
@click.option(
    "--mkdocs-runs",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many times to make each MkDocs build, in turn; the medians are reported.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the synthetic wiki to this new folder and keep it.",
)
def bench(
    profiles: int,
    mkdocs: bool,
    base_config: Path,
    mkdocs_runs: int,
    as_json: bool,
    keep: Path | None,
) -> None:
    """Measure the generator and the site build on a synthetic wiki of a given size.

    Times each stage, `factfile check`, a one-profile edit with warm caches, and,
    unless --no-mkdocs, a full `mkdocs build` against a bare one of the same pages
    without the plugin, then a real `mkdocs serve`: its first build and, for edits of
    several kinds, the time from saving a file to the changed page being served.

    \b
    Example:
      factfile bench --profiles 1000 --no-mkdocs
      factfile bench --json > bench.json
    """
    if keep is not None and keep.exists():
        raise click.BadParameter(f"{keep} already exists", param_hint="--keep")
    figures = run_bench(
        profiles,
        mkdocs=mkdocs,
        base_config=base_config.resolve(),
        keep=keep.resolve() if keep else None,
        mkdocs_runs=mkdocs_runs,
    )
    if as_json:
        click.echo(json.dumps(figures, indent=2, sort_keys=True))
    else:
        click.echo(table(figures))
