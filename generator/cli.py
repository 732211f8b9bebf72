"""The ``factfile`` command: the generator's stages for contributors and maintainers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .build import Generator
from .errors import FactfileError, FactfileErrors
from .project import Project

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
    props = [f"file={escape_property(loc.path)}"]
    if loc.line:
        props += [f"line={loc.line}", f"col={loc.col or 1}"]
    message = error.message + (f"\n{error.detail}" if error.detail else "")
    return f"::error {','.join(props)},title=factfile::{escape(message)}"


def _report(errors: FactfileErrors, output_format: str) -> None:
    if output_format == "github":
        for error in errors:
            click.echo(_github(error))
    click.echo(errors.report(), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    try:
        wiki = Generator(Project.at(project_dir)).check()
    except FactfileErrors as errors:
        _report(errors, output_format)
        sys.exit(1)
    quotes = sum(len(uses) for uses in wiki.quotes.spans.values())
    click.echo(
        f"OK: {len(wiki.people)} people, {len(wiki.missions)} missions, "
        f"{len(wiki.events)} events, {len(wiki.sources)} sources; "
        f"{len(wiki.quotes.spans)} quotes ({quotes} passages) verified."
    )


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
        result = Generator(Project.at(project_dir)).build()
    except FactfileErrors as errors:
        _report(errors, "text")
        sys.exit(1)
    report = result.report
    assert report is not None
    click.echo(
        f"{len(result.pages)} pages: {len(report.written)} written, "
        f"{report.unchanged} unchanged, {len(report.removed)} removed."
    )
