"""Where a quote sits in its archived article, for ``factfile quote``.

Matching is ``quotes.py``'s, exactly as the build does it; this module only finds the
source's archive and shows the paragraph around a match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .archives import Archive, read_named
from .errors import FactfileError, FactfileErrors
from .load import read_profile, suggest
from .model import SLUG_RE, Source
from .project import Project
from .quotes import ArchiveText, Span, explain_miss, pieces
from .validate import archive_problem, check_shape

# A block between blank lines longer than this is a whole article with no paragraph
# breaks; show only the lines the match is on.
_MAX_PARAGRAPH = 1500


class UnknownSource(Exception):
    """No source profile has the given id."""


@dataclass(frozen=True)
class Lookup:
    """The outcome of looking for a quote in one source's archive."""

    archive_name: str
    text: ArchiveText
    spans: list[Span] | None

    @property
    def found(self) -> bool:
        return self.spans is not None


def open_source(project: Project, source_id: str) -> tuple[Source, Archive]:
    """The source profile ``source_id`` and its archive, or the errors in the way: the
    archive is read exactly as the build reads it (never through a link)."""
    known = sorted(p.stem for p in (project.profiles_dir / "sources").glob("*.yaml"))
    if not SLUG_RE.match(source_id):
        raise UnknownSource(
            f"'{source_id}' is not a source id: ids are lowercase words joined by hyphens, "
            "the file name under profiles/sources/ without .yaml" + suggest(source_id, known)
        )
    path = project.profiles_dir / "sources" / f"{source_id}.yaml"
    if not path.is_file():
        raise UnknownSource(
            f"no source '{source_id}' ({project.relative(path)} does not exist)"
            + suggest(source_id, known)
        )
    raw = read_profile("sources", path, project)
    if isinstance(raw, list):
        raise FactfileErrors(raw)
    source = check_shape(raw)
    if isinstance(source, list):
        raise FactfileErrors(source)
    assert isinstance(source, Source)
    seeds = read_named(project.seeds_dir, source.archive)
    problem = archive_problem(source, seeds)
    if problem is not None:
        field_name, message = problem
        raise FactfileErrors([FactfileError(raw.locate((field_name,)), message)])
    return source, seeds[source.archive]


class EmptyQuote(Exception):
    """A quote with no words to look for."""


def look_up(project: Project, source_id: str, quote: str) -> Lookup:
    """Place ``quote`` in the archive of ``source_id`` as the build would."""
    if not pieces(quote):
        raise EmptyQuote("has no words to look for")
    _, archive = open_source(project, source_id)
    name = project.relative(project.seeds_dir / archive.name)
    return Lookup(name, archive.text, archive.text.locate(quote))


def paragraphs(lookup: Lookup, mark: Callable[[str], str]) -> list[tuple[int, str]]:
    """Each paragraph holding part of the match, with its first line number and the
    matched words passed through ``mark``."""
    assert lookup.spans is not None
    original = lookup.text.original
    shown: list[tuple[int, int, list[Span]]] = []
    for span in lookup.spans:
        start, end = _paragraph(original, *span)
        if shown and start < shown[-1][1]:
            begin, _, spans = shown[-1]
            shown[-1] = (begin, max(end, shown[-1][1]), [*spans, span])
        else:
            shown.append((start, end, [span]))
    out = []
    for start, end, spans in shown:
        parts, position = [], start
        for span_start, span_end in spans:
            parts += [original[position:span_start], mark(original[span_start:span_end])]
            position = span_end
        parts.append(original[position:end])
        out.append((original.count("\n", 0, start) + 1, "".join(parts)))
    return out


def _paragraph(original: str, start: int, end: int) -> tuple[int, int]:
    """The block between blank lines around ``start:end``, or its lines if that is long."""
    para_start = original.rfind("\n\n", 0, start)
    para_start = 0 if para_start == -1 else para_start + 2
    para_end = original.find("\n\n", end)
    para_end = len(original) if para_end == -1 else para_end
    if para_end - para_start > _MAX_PARAGRAPH:
        para_start = original.rfind("\n", 0, start) + 1
        line_end = original.find("\n", end)
        para_end = len(original) if line_end == -1 else line_end
    return para_start, len(original[:para_end].rstrip("\n"))


def explain(lookup: Lookup, quote: str) -> str:
    """The closest passage to a quote that is not found, and what differs."""
    return explain_miss(lookup.text, quote, lookup.archive_name)
