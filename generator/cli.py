"""The ``factfile`` command: the generator's stages for contributors and maintainers."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from .build import Pipeline
from .errors import FactfileError, FactfileErrors, shown
from .model import Kind
from .passage import EmptyQuote, UnknownSource, explain, look_up, paragraphs
from .project import Project
from .scaffold import ScaffoldError, add_source, new_profile
from .schema import stale_schemas, write_schemas

_project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Root of the wiki (the folder holding profiles/, seeds/ and docs/).",
)


def _github(error: FactfileError) -> str:
    """A GitHub Actions annotation, so the error shows on the pull request's diff line."""

    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(value: str) -> str:
        return escape(value).replace(":", "%3A").replace(",", "%2C")

    loc = error.location
    props = [f"file={escape_property(shown(loc.path))}"]
    if loc.line:
        props += [f"line={loc.line}", f"col={loc.col or 1}"]
    # Control characters are shown as escapes, as in the text report; the line breaks
    # between the message and each line of its detail are the annotation's own.
    lines = [error.message, *(error.detail.split("\n") if error.detail else [])]
    message = "\n".join(shown(line) for line in lines)
    return f"::error {','.join(props)},title=factfile::{escape(message)}"


def _report(errors: FactfileErrors, output_format: str) -> None:
    if output_format == "github":
        for error in errors:
            click.echo(_github(error))
    click.echo(errors.report(), err=True)


class _Commands(click.Group):
    """The commands; ``bench``, a tool for maintainers in a package of its own, is
    imported only when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "bench"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "bench":
            from .bench.command import bench

            return bench
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factfile")
def main() -> None:
    """Check and render a fact-file wiki: YAML profiles whose every fact cites a
    verbatim quote from an archived article.

    \b
    Example:
      factfile check            # every check the site build makes, in a second
      factfile render           # write the generated Markdown under docs/
    """


@main.command()
@_project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="'github' also prints GitHub Actions annotations for pull requests.",
)
def check(project_dir: Path, output_format: str) -> None:
    """Run every check the build makes, without building the site.

    Profiles' shape, references between them, archive checksums and every quote.
    Prints each problem as path:line:col: message, all at once; exits 1 on any.

    \b
    Example:
      factfile check
      factfile check --format github
    """
    # Kept referenced until the process ends: see _end.
    pipeline = Pipeline(Project.at(project_dir))
    try:
        verified = pipeline.check()
    except FactfileErrors as errors:
        _report(errors, output_format)
        _end(1)
    counts = verified.counts()
    click.echo(
        f"OK: {counts['people']} people, {counts['missions']} missions, "
        f"{counts['events']} events, {counts['sources']} sources; "
        f"{counts['quotes']} quotes ({counts['passages']} passages) verified; claims: "
        f"{counts['stated']} stated, {counts['attributed']} attributed, "
        f"{counts['hedged']} hedged, {counts['inferred']} inferred."
    )
    _end(0)


def _end(code: int) -> NoReturn:
    """Exit with ``code``; as the ``factfile`` command, without freeing what the run built.

    A large wiki's parsed profiles, models and quote tables are millions of objects:
    freeing them one by one at exit took a tenth of a second or more of a check, for
    memory the operating system reclaims at once anyway. Only when this process was
    started as the command (its main script runs this module's ``main``): called from
    Python — a test's ``CliRunner``, another program — it exits as usual, raising
    ``SystemExit``.
    """
    if getattr(sys.modules.get("__main__"), "main", None) is not main:
        sys.exit(code)
    # os._exit skips the interpreter's own flushing of buffered output.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@main.command()
@_project_option
def render(project_dir: Path) -> None:
    """Write the generated Markdown pages under docs/ without building the site.

    Lets any MkDocs-compatible builder build the pages. Stale pages are removed and
    unchanged ones left untouched. Nothing is written if any check fails.

    \b
    Example:
      factfile render && mkdocs build
    """
    try:
        result = Pipeline(Project.at(project_dir)).build()
    except FactfileErrors as errors:
        _report(errors, "text")
        sys.exit(1)
    report = result.report
    assert report is not None
    click.echo(
        f"{len(result.pages)} pages: {len(report.written)} written, "
        f"{report.unchanged} unchanged, {len(report.removed)} removed."
    )


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {shown(message)}", err=True)
    sys.exit(1)


@main.command()
@_project_option
@click.argument("source_id", metavar="SOURCE")
@click.argument("text")
def quote(project_dir: Path, source_id: str, text: str) -> None:
    """Find TEXT in the archived article of SOURCE, as the build checks quotes.

    SOURCE is a source id (a file name under profiles/sources/, without .yaml).
    When TEXT is there, prints the paragraph around it (in a long paragraph, the
    sentences around it) with the match marked [[like this]] and exits 0;
    otherwise prints the closest passage and what differs, and exits 1.
    Only typography is forgiven: quote marks, dashes, spaces and line breaks.

    \b
    Example:
      factfile quote yonhap-interview-ri-il-gyu "a former counselor of political affairs"
    """
    project = Project.at(project_dir)
    try:
        lookup = look_up(project, source_id, text)
    except UnknownSource as exc:
        raise click.BadParameter(str(exc), param_hint="SOURCE") from None
    except EmptyQuote as exc:
        raise click.BadParameter(str(exc), param_hint="TEXT") from None
    except FactfileErrors as errors:
        _report(errors, "text")
        sys.exit(1)
    if lookup.found:
        click.echo(f"Found in {lookup.archive_name}:")
        for line, paragraph in paragraphs(lookup, _mark):
            click.echo(f"\nline {line}:")
            click.echo(paragraph)
        return
    click.echo(f"Not found in {lookup.archive_name} (source '{source_id}'):", err=True)
    for line in explain(lookup, text).splitlines():
        click.echo(f"    {line}", err=True)
    sys.exit(1)


def _mark(words: str) -> str:
    # Brackets survive copying and pipes; the colour only helps on a terminal.
    return click.style(f"[[{words}]]", bold=True, fg="green")


_KIND_DIRS: dict[str, Kind] = {"person": "people", "mission": "missions", "event": "events"}


@main.command()
@_project_option
@click.argument("kind", type=click.Choice(list(_KIND_DIRS)))
@click.argument("name")
def new(project_dir: Path, kind: str, name: str) -> None:
    """Start a profile of KIND for NAME: writes profiles/<kind>/<id>.yaml.

    The id is NAME in lowercase ASCII words joined by hyphens. The file explains each
    field in comments and has one fact whose citation you fill in. An existing file is
    never replaced.

    \b
    Example:
      factfile new person "Ri Il-gyu"       # writes profiles/people/ri-il-gyu.yaml
      factfile new mission "North Korean embassy in Cuba"
      factfile new event "Ri Il-gyu defects from the embassy in Cuba"
    """
    project = Project.at(project_dir)
    try:
        path = new_profile(project, _KIND_DIRS[kind], name)
    except ScaffoldError as exc:
        _fail(str(exc))
    except FactfileErrors as errors:
        _report(errors, "text")
        sys.exit(1)
    click.echo(f"Wrote {project.relative(path)}: replace each REPLACE placeholder, then run")
    click.echo("  factfile check")


@main.command("add-source")
@_project_option
@click.argument(
    "article", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE"
)
@click.option("--title", required=True, help="The headline, as the article shows it.")
@click.option("--outlet", help="The publisher, as the article shows it.")
@click.option(
    "--date",
    help="Publication date, only as precisely as known: YYYY, YYYY-MM or YYYY-MM-DD. "
    "Left out, it is 'unknown'.",
)
@click.option("--url", help="The article's address, if known.")
@click.option("--language", default="en", show_default=True, help="Language of the text.")
@click.option(
    "--id", "source_id", help="The source's id; by default made from the outlet and title."
)
@click.option("--archive", help="File name under seeds/; by default FILE's name, or <id>.txt.")
def add_source_command(
    project_dir: Path,
    article: Path,
    title: str,
    outlet: str | None,
    date: str | None,
    url: str | None,
    language: str,
    source_id: str | None,
    archive: str | None,
) -> None:
    """Archive the article text in FILE under seeds/ and write its source profile.

    The text is copied byte for byte and its SHA-256 recorded, so the build notices
    any later change. An existing archive with different text, or an existing source
    profile, is never replaced; nothing is written if any value is wrong.

    \b
    Example:
      factfile add-source ~/article.txt --outlet "Yonhap" \\
          --title "Defector says he was a counselor in Cuba" --date 2024-07 \\
          --url https://example.org/article --id yonhap-interview-ri-il-gyu
    """
    project = Project.at(project_dir)
    try:
        seed, profile = add_source(
            project,
            article,
            title=title,
            outlet=outlet,
            date=date,
            url=url,
            language=language,
            source_id=source_id,
            archive=archive,
        )
    except ScaffoldError as exc:
        _fail(str(exc))
    except FactfileErrors as errors:
        _report(errors, "text")
        sys.exit(1)
    click.echo(f"Archived {project.relative(seed)} and wrote {project.relative(profile)}.")
    click.echo(f'Cite it as "source: {profile.stem}"; find quotes with')
    click.echo(f'  factfile quote {profile.stem} "words from the article"')


@main.command()
@_project_option
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if any schema file differs from the model.",
)
def schema(project_dir: Path, check_only: bool) -> None:
    """Write the JSON Schema of each profile kind to schema/<kind>.schema.json.

    Generated from the typed model (generator/model.py), never edited by hand: editors
    use them to complete and check profiles as you type.

    \b
    Example:
      factfile schema            # after changing generator/model.py
      factfile schema --check    # in CI: fails if the files are out of date
    """
    root = Project.at(project_dir).root
    if check_only:
        stale = stale_schemas(root)
        for path in stale:
            click.echo(
                f"{path.relative_to(root).as_posix()}: out of date with generator/model.py; "
                "run: factfile schema",
                err=True,
            )
        sys.exit(1 if stale else 0)
    written = write_schemas(root)
    for path in written:
        click.echo(f"Wrote {path.relative_to(root).as_posix()}")
    if not written:
        click.echo("Schemas are up to date.")


# Comfortably under the 1 MiB GitHub accepts for a step's job summary.
_SUMMARY_LIMIT = 900_000


@main.command("diff")
@_project_option
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="'markdown' for a pull request's job summary, 'json' for programs.",
)
def diff_command(project_dir: Path, base: str, head: str | None, output_format: str) -> None:
    """Compare the wiki at git revision BASE with HEAD, as facts rather than YAML.

    HEAD is a revision too; left out, it is the working tree, committed or not. Lists,
    profile by profile, the claims added, changed (old → new, and how each is known:
    according_to, hedge, inferred) and removed, with their quotes; citations and
    relations added and removed; profiles added, removed and renamed. A side that fails
    the checks is said so at the top and compared for every file that parses. Nothing
    is checked out or written.

    \b
    Example:
      factfile diff main                        # main against your working tree
      factfile diff HEAD~3 HEAD --format json
      factfile diff --format markdown origin/main HEAD
    """
    # Imported here: `factfile check`, which runs far more often, need not load them.
    from .diff import as_json, as_markdown, as_text, diff
    from .revisions import GitError

    try:
        result = diff(Project.at(project_dir), base, head)
    except GitError as exc:
        _fail(str(exc))
    if output_format == "markdown":
        report = as_markdown(result, limit=_SUMMARY_LIMIT)
    else:
        report = as_json(result) if output_format == "json" else as_text(result)
    click.echo(report, nl=False)
