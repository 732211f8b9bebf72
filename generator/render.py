"""Stage 5: the wiki as Markdown pages. This module owns the one Jinja environment.

Profile text is data, never markup. Every value from a profile reaches a page
through one of the filters here, which turn it into inert text for the context it
lands in: Markdown inline text (``text``), an HTML-escaped page title
(``html_title``), or a URL that can only be http(s) (``href``). Templates never
print a profile value raw.
"""

from __future__ import annotations

import html
import json
import marshal
import posixpath
import re
from collections.abc import Callable
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import quote as urlquote

import jinja2

from .diagram import mission_diagram, person_diagram
from .fork import can_fork, in_copy
from .memo import ALWAYS, each
from .model import KINDS, SINGULAR, Claim, DateSpec, Kind
from .tags import tags_for
from .validate import Entry
from .wiki import Ref, Wiki, group_claims, path_from

_R = TypeVar("_R")

# Characters that mean something to Python-Markdown or its extensions anywhere in a
# line (emphasis, links, code, HTML, attribute lists, tables, footnotes, critic marks,
# admonitions). They become numeric character references: shown as themselves, never
# parsed. Hyphens, dots and apostrophes are left alone so that search sees names as
# written.
_MARKDOWN_ACTIVE = frozenset("\\`*_{}[]<>&#|~^=+!$:")
_REFERENCES = str.maketrans({c: f"&#{ord(c)};" for c in _MARKDOWN_ACTIVE})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def text(value: object) -> str:
    """Any value as inline Markdown that renders as exactly that text."""
    return _inline(str(value))


@lru_cache(maxsize=1 << 16)
def _inline(value: str) -> str:
    # Kept by value: a page's title is printed on every page that links to it, and
    # three passes over each string were a sixth of rendering a wiki.
    flat = _SPACES.sub(" ", _CONTROL.sub("", value)).strip()
    return flat.translate(_REFERENCES)


def html_title(value: object) -> str:
    """A page title for MkDocs and the theme, which print it without escaping."""
    return html.escape(_SPACES.sub(" ", _CONTROL.sub("", str(value))).strip(), quote=True)


def href(url: str) -> str:
    """An external link target: only http(s), with anything that could end the link encoded."""
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "#"
    return urlquote(url, safe=":/?#@!$&*+,;=%~-._")


def yaml_string(value: object) -> str:
    """A front-matter value: JSON is YAML, and ASCII-only JSON cannot break out of its quotes."""
    return json.dumps(str(value), ensure_ascii=True)


def period(start: DateSpec | None, end: DateSpec | None) -> str:
    if start is None and end is None:
        return ""
    if end is None:
        return f"from {start.human()}" if start is not None else ""
    if start is None:
        return f"until {end.human()}"
    return f"{start.human()} – {end.human()}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        # Output is Markdown, not HTML: escaping is done per context by the filters below.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        # Templates ship with the package: checking each file's time on every page was
        # a stat per template per page.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        text=text,
        html_title=html_title,
        href=href,
        yaml_string=yaml_string,
    )
    env.globals.update(singular=SINGULAR, kinds=KINDS)
    return env


class PageContext:
    """Helpers bound to the page being rendered, so links come out relative to it."""

    def __init__(self, wiki: Wiki, page: str) -> None:
        self.wiki = wiki
        self.page = page
        self._folder = posixpath.dirname(page)

    def url(self, ref: Ref, anchor: str = "") -> str:
        target = path_from(self._folder, ref)
        return f"{target}#{anchor}" if anchor else target

    def link(self, ref: Ref) -> str:
        return f"[{text(self.wiki.title(ref))}]({self.url(ref)})"

    def person(self, id_: str) -> str:
        return self.link(Ref("people", id_))

    def mission(self, id_: str) -> str:
        return self.link(Ref("missions", id_))

    def event(self, id_: str) -> str:
        return self.link(Ref("events", id_))

    def source(self, id_: str) -> str:
        return self.link(Ref("sources", id_))

    def citation(self, source_id: str, quote: str) -> str:
        """A quote in a ``<q>`` element and a link to where the source page lists it."""
        use = self.wiki.quote_use(source_id, quote)
        label = self._source_label(source_id)
        target = self.url(Ref("sources", source_id), use.anchor)
        return f"<q>{text(use.quote)}</q> — [{label}]({target})"

    def _source_label(self, source_id: str) -> str:
        """A source's outlet and date as inline Markdown, once per wiki."""
        labels = self.wiki.memo.setdefault("source labels", {})
        label = labels.get(source_id)
        if label is None:
            label = labels[source_id] = text(source_label(self.wiki.sources[source_id]))
        return label  # type: ignore[no-any-return]

    # --- Claims -------------------------------------------------------------------------

    def value(self, claim: Any) -> str:
        """A claim's value as Markdown, in the words that suit its type."""
        kind = type(claim).__name__
        if kind == "AgeClaim":
            stated = f" (as of {claim.as_of.human()})" if claim.as_of else ""
            return f"{claim.value} years old{stated}"
        if kind == "StatusClaim":
            stated = f" (as of {claim.as_of.human()})" if claim.as_of else ""
            return f"{STATUS_LABELS.get(claim.value, claim.value)}{stated}"
        if kind == "MissionStatusClaim":
            stated = f" ({claim.date.human()})" if claim.date else ""
            return f"{claim.value.capitalize()}{stated}"
        if kind == "FamilyTie":
            return f"{RELATION_LABELS[claim.relation]}: {self.person(claim.person)}"
        if kind == "Posting":
            when = period(claim.start, claim.end)
            return f"{self.mission(claim.mission)} — {text(claim.role)}" + (
                f", {when}" if when else ""
            )
        if kind == "Participation":
            return f"{self.person(claim.person)} — {text(claim.role)}"
        if kind == "MissionInvolvement":
            role = f" — {text(claim.role)}" if claim.role else ""
            return f"{self.mission(claim.mission)}{role}"
        if kind == "Figure":
            about = "about " if claim.approximate else ""
            stated = f" (as of {claim.as_of.human()})" if claim.as_of else ""
            return f"{text(claim.measure)}: **{about}{claim.value:,}**{stated}"
        if kind == "DateClaim":
            return claim.value.human()
        if kind in ("KindClaim", "EventKindClaim"):
            return text(claim.value.replace("-", " ").capitalize())
        return text(claim.value)

    def cites(self, claim: Claim, indent: str) -> list[str]:
        lines = [f"{indent}- {self.citation(c.source, c.quote)}" for c in claim.cite]
        if claim.note:
            lines.append(f"{indent}- *Editor's note:* {text(claim.note)}")
        return lines

    def claims(self, claims: list[Any]) -> str:
        """Each claim as a list item with its citations nested under it."""
        lines: list[str] = []
        for claim in claims:
            lines.append(f"- {self.value(claim)}")
            lines.extend(self.cites(claim, "    "))
        return "\n".join(lines)

    def single(self, claims: list[Any]) -> str:
        """A one-value fact; when sources give different values, every value and its quotes."""
        groups = group_claims(claims)
        if len(groups) <= 1:
            return self.claims(claims)
        lines = ['!!! warning "Sources differ"', ""]
        lines.append("    The sources give different values. Each is shown with its quotes.")
        lines.append("")
        for _, members in groups:
            lines.append(f"    - {self.value(members[0])}")
            for claim in members:
                lines.extend(self.cites(claim, "        "))
        return "\n".join(lines)

    # --- Relations computed by the wiki ----------------------------------------------------

    def family(self, person_id: str) -> str:
        lines: list[str] = []
        for link in self.wiki.family.get(person_id, []):
            lines.append(f"- {RELATION_LABELS[link.relation]}: {self.person(link.person)}")
            lines.extend(self.cites(link.claim, "    "))
        return "\n".join(lines)

    def staff(self, mission_id: str) -> str:
        lines: list[str] = []
        for person_id, posting in self.wiki.staff.get(mission_id, []):
            when = period(posting.start, posting.end)
            lines.append(
                f"- {self.person(person_id)} — {text(posting.role)}" + (f", {when}" if when else "")
            )
            lines.extend(self.cites(posting, "    "))
        return "\n".join(lines)

    def _event_lines(self, items: list[tuple[str, Any]], describe: Callable[[Any], str]) -> str:
        lines: list[str] = []
        for event_id, claim in items:
            when = self.wiki.event_date(event_id).human()
            lines.append(f"- **{when}** — {self.event(event_id)}{describe(claim)}")
            lines.extend(self.cites(claim, "    "))
        return "\n".join(lines)

    def person_events(self, person_id: str) -> str:
        return self._event_lines(
            self.wiki.person_events.get(person_id, []), lambda part: f" — as {text(part.role)}"
        )

    def mission_events(self, mission_id: str) -> str:
        return self._event_lines(
            self.wiki.mission_events.get(mission_id, []),
            lambda inv: f" — {text(inv.role)}" if inv.role else "",
        )

    def source_quotes(self, source_id: str) -> str:
        """Each quote in article order, anchored, with the pages that cite it."""
        blocks: list[str] = []
        for use in self.wiki.source_quotes.get(source_id, []):
            where = ", ".join(f"{a}–{b}" for a, b in use.spans)
            blocks.append(
                f'<blockquote class="ff-quote" id="{use.anchor}">{html.escape(use.quote)}'
                "</blockquote>"
            )
            citers = " · ".join(
                f"{self.link(c.ref)} ({FIELD_LABELS.get(c.field, c.field).lower()})"
                for c in use.cited_by
            )
            blocks.append(f"Characters {where}. Cited by: {citers}")
        return "\n\n".join(blocks)

    # --- Index pages -------------------------------------------------------------------

    def sorted_refs(self, kind: Kind) -> list[Ref]:
        """A kind's profiles in title order."""
        return self._ordered(kind, "title order", lambda ref, p: (p.heading.casefold(), ref.id))

    def _ordered(
        self, kind: Kind, name: str, key: Callable[[Ref, Any], tuple[Any, ...]]
    ) -> list[Ref]:
        """A kind's profiles sorted by ``key``; the sort itself runs in C."""
        found = self.wiki.memo.get((name, kind))
        if found is None:
            keyed = self._per_profile(kind, name, ALWAYS, lambda ref, p: (key(ref, p), ref))
            found = self.wiki.memo[(name, kind)] = [ref for _, ref in sorted(keyed.values())]
        return found  # type: ignore[no-any-return]

    def _state(self, name: str, value: object) -> object:
        """A memo token for a state of the wiki rows depend on (see ``_per_profile``); its
        value must name each profile it takes something from."""
        return self.wiki.runs.token(name, value) if self.wiki.runs is not None else None

    def _per_profile(
        self, kind: Kind, name: str, token: object, compute: Callable[[Ref, Any], _R]
    ) -> dict[str, _R]:
        """``compute(ref, profile)`` for every profile of a kind, by id, once per wiki.

        ``compute`` may depend on other profiles only through what ``token`` stands for
        (see memo.py): the result for a profile whose file is unchanged is then carried
        over from the last build, and an edit computes only the edited profiles' results.
        """
        found = self.wiki.memo.get((name, kind, "by id"))
        if found is None:
            entries = self.wiki.catalog.entries[kind]
            results = each(
                self.wiki.runs,
                f"{name} of {kind}",
                list(entries.values()),
                token,
                lambda entry: compute(Ref(kind, entry.id), entry.profile),
            )
            found = self.wiki.memo[(name, kind, "by id")] = dict(zip(entries, results, strict=True))
        return found  # type: ignore[no-any-return]

    def summary_single(self, claims: list[Any]) -> str:
        groups = group_claims(claims)
        if not groups:
            return "—"
        shown = " / ".join(self.value(members[0]) for _, members in groups)
        return f"{shown} (sources differ)" if len(groups) > 1 else shown

    def summary_role(self, person: Any) -> str:
        if person.roles:
            return text(person.roles[0].value)
        if person.postings:
            posting = person.postings[0]
            return f"{text(posting.role)}, {self.mission(posting.mission)}"
        return "—"

    def summary_status(self, person: Any) -> str:
        return self.summary_single(person.status)

    def people_rows(self) -> str:
        """The people index's table rows, one per person in title order."""
        # A row shows the person and, when it names no role, their first mission's name.
        titles = self._state(
            "mission titles",
            [(id_, mission.heading) for id_, mission in self.wiki.missions.items()],
        )
        rows = self._per_profile("people", self.page, titles, self._person_row)
        return "\n".join([rows[ref.id] for ref in self.sorted_refs("people")])

    def _person_row(self, ref: Ref, person: Any) -> str:
        return f"| {self.link(ref)} | {self.summary_role(person)} | {self.summary_status(person)} |"

    def mission_rows(self, refs: list[Ref]) -> str:
        """Rows of the missions index for one country; each shows only its own mission."""
        rows = self._per_profile("missions", self.page, ALWAYS, self._mission_row)
        return "\n".join([rows[ref.id] for ref in refs])

    def _mission_row(self, ref: Ref, mission: Any) -> str:
        return (
            f"| {self.link(ref)} | {self.summary_single(mission.mission_kind)} "
            f"| {self.summary_single(mission.city)} | {self.summary_single(mission.status)} |"
        )

    def event_rows(self, refs: list[Ref]) -> str:
        """Lines of the timeline for one year; each shows only its own event."""
        rows = self._per_profile("events", self.page, ALWAYS, self._event_row)
        return "\n".join([rows[ref.id] for ref in refs])

    def _event_row(self, ref: Ref, event: Any) -> str:
        return f"- **{event.when().human()}** — {self.link(ref)}"

    def source_rows(self) -> str:
        """This page's table of sources in title order: the sources index's rows, or the
        statistics page's quoted passages per source."""
        counts = self._state(
            "quote counts", [(id_, len(uses)) for id_, uses in self.wiki.source_quotes.items()]
        )
        rows = self._per_profile("sources", self.page, counts, self._source_row)
        return "\n".join([rows[ref.id] for ref in self.sorted_refs("sources")])

    def _source_row(self, ref: Ref, source: Any) -> str:
        count = len(self.wiki.source_quotes.get(ref.id, ()))
        if self.page == "reference/statistics.md":
            return f"| {self.link(ref)} | {count} |"
        outlet = text(source.outlet or "Not shown")
        date = source.date.human() if source.date.known else "Unknown"
        return f"| {self.link(ref)} | {outlet} | {date} | {count} |"

    def missions_by_country(self) -> list[tuple[str, list[Ref]]]:
        countries = self._per_profile(
            "missions",
            "country",
            ALWAYS,
            lambda ref, mission: " / ".join(sorted({claim.value for claim in mission.country})),
        )
        groups: dict[str, list[Ref]] = {}
        for ref in self.sorted_refs("missions"):
            groups.setdefault(countries[ref.id] or "Country not stated", []).append(ref)
        return sorted(groups.items(), key=lambda item: item[0].casefold())

    def events_by_year(self) -> list[tuple[str, list[Ref]]]:
        refs = self._ordered(
            "events",
            "date order",
            lambda ref, event: (event.when().sort_key(), event.heading, ref.id),
        )
        years = self._per_profile("events", "year", ALWAYS, lambda ref, event: event.when().year)
        groups: dict[str, list[Ref]] = {}
        for ref in refs:
            year = years[ref.id]
            groups.setdefault(str(year) if year is not None else "Date unknown", []).append(ref)
        return list(groups.items())

    # --- Timelines and diagrams of one page -----------------------------------------------

    def timeline(self, ref: Ref) -> str:
        """The dated things that involve a person or mission, earliest first, undated last."""
        entries: list[tuple[tuple[int, int, int, int], int, str, str]] = []

        def add(date: DateSpec | None, line: str) -> None:
            known = date if date is not None and date.known else None
            when = known.human() if known is not None else "Date unknown"
            key = known.sort_key() if known is not None else (1, 0, 0, 0)
            entries.append((key, len(entries), when, line))

        profile = self.wiki.profile(ref)
        if ref.kind == "people":
            for posting in getattr(profile, "postings", []):
                span = period(posting.start, posting.end)
                add(
                    posting.start or posting.end,
                    f"Posted to {self.mission(posting.mission)} as {text(posting.role)}"
                    + (f" ({span})" if span else ""),
                )
            for event_id, part in self.wiki.person_events.get(ref.id, []):
                add(
                    self.wiki.event_date(event_id), f"{self.event(event_id)} — as {text(part.role)}"
                )
            for claim in getattr(profile, "status", []):
                if claim.as_of is not None:
                    add(claim.as_of, f"Status: {self.value(claim)}")
        elif ref.kind == "missions":
            for person_id, posting in self.wiki.staff.get(ref.id, []):
                span = period(posting.start, posting.end)
                add(
                    posting.start or posting.end,
                    f"{self.person(person_id)} posted here as {text(posting.role)}"
                    + (f" ({span})" if span else ""),
                )
            for event_id, inv in self.wiki.mission_events.get(ref.id, []):
                role = f" — {text(inv.role)}" if inv.role else ""
                add(self.wiki.event_date(event_id), f"{self.event(event_id)}{role}")
            for claim in getattr(profile, "status", []):
                if claim.date is not None:
                    add(claim.date, f"Status: {self.value(claim)}")
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        return "\n".join(f"- **{when}** — {line}" for _, _, when, line in entries)

    def diagram(self, ref: Ref) -> str:
        """An inline SVG of the page's relations, wrapped in one raw HTML block."""
        if ref.kind == "people":
            drawing = person_diagram(self.wiki, ref.id, RELATION_LABELS)
        elif ref.kind == "missions":
            drawing = mission_diagram(self.wiki, ref.id)
        else:
            drawing = ""
        return f'<div class="ff-diagram-wrap">{drawing}</div>' if drawing else ""

    # --- Reference pages -----------------------------------------------------------------

    def disagreement_items(self) -> list[tuple[Ref, str, str]]:
        """(page, field, Markdown of every value with its quotes) for each disagreement."""
        items: list[tuple[Ref, str, str]] = []
        for found in sorted(
            self.wiki.disagreements,
            key=lambda d: (self.wiki.title(d.ref).casefold(), d.ref, d.field),
        ):
            lines: list[str] = []
            for _, members in found.values:
                lines.append(f"- {self.value(members[0])}")
                for claim in members:
                    lines.extend(self.cites(claim, "    "))
            items.append((found.ref, FIELD_LABELS.get(found.field, found.field), "\n".join(lines)))
        return items

    def statistics(self) -> dict[str, Any]:
        """Counts for the statistics page, all derived from the wiki."""
        claims = citations = verified_claims = 0
        placed = self.wiki.quotes.spans

        def counts(entry: Entry) -> tuple[int, int, int]:
            cited, keys = _claim_citations(entry.raw.derived, entry.profile)
            verified = sum(all(key in placed for key in claim) for claim in cited)
            return len(cited), len(keys), verified

        # A profile's counts hold while its file and the placing of quotes are unchanged.
        found = each(
            self.wiki.runs, "claim counts", list(self.wiki.catalog), self.wiki.quotes.token, counts
        )
        claims = sum(map(itemgetter(0), found))
        citations = sum(map(itemgetter(1), found))
        verified_claims = sum(map(itemgetter(2), found))
        profiles = {kind: len(self.wiki.refs(kind)) for kind in KINDS}
        quotes = sum(len(uses) for uses in self.wiki.source_quotes.values())
        share = f"{100 * verified_claims / claims:.1f}%" if claims else "—"
        return {
            "profiles": profiles,
            "total_profiles": sum(profiles.values()),
            "claims": claims,
            "citations": citations,
            "quotes": quotes,
            "verified_claims": verified_claims,
            "verified_share": share,
            "disagreements": len(self.wiki.disagreements),
        }

    def figure_items(self) -> list[tuple[Ref, Any]]:
        """Every figure an article reports, with the event or mission that records it."""
        items: list[tuple[Ref, Any]] = []
        kinds: tuple[Kind, ...] = ("events", "missions")
        for kind in kinds:
            figures = self._per_profile(kind, "figures", ALWAYS, lambda ref, p: p.figures)
            items.extend(
                (ref, claim) for ref in self.sorted_refs(kind) for claim in figures[ref.id]
            )
        return items

    def mission_figures(self) -> str:
        """Figures about the missions abroad, where a reader of the missions index looks."""
        lines: list[str] = []
        for ref, claim in self.figure_items():
            if claim.topic == "missions":
                lines.append(f"- {self.value(claim)} — {self.link(ref)}")
                lines.extend(self.cites(claim, "    "))
        return "\n".join(lines)

    def backlinks(self, ref: Ref) -> str:
        items = sorted(self.wiki.backlinks.get(ref, ()), key=lambda item: (item[0], item[1]))
        return "\n".join(
            f"- {self.link(other)} ({SINGULAR[other.kind]}, {via})" for other, via in items
        )


INDEX_TITLES: dict[Kind, str] = {
    "people": "People",
    "missions": "Missions",
    "events": "Timeline of events",
    "sources": "Sources",
}
STATUS_LABELS = {
    "defected": "Defected",
    "attempted": "Attempted to defect",
    "missing": "Missing",
    "caught": "Caught trying to flee",
    "detained": "Detained",
    "returned": "Returned to North Korea",
    "in-post": "In post",
    "deceased": "Deceased",
    "unknown": "Unknown",
}
FIELD_LABELS = {
    "status": "Status",
    "ages": "Age",
    "mission_kind": "Kind",
    "country": "Host country",
    "city": "City",
    "event_kind": "Kind",
    "date": "Date",
    "place": "Place",
    "outcome": "Outcome",
    "names": "Names",
    "roles": "Roles",
    "affiliations": "Affiliations",
    "countries": "Countries",
    "family": "Family",
    "postings": "Postings",
    "participants": "Participants",
    "missions": "Missions involved",
    "figures": "Figures",
    "facts": "Other facts",
}
# Extra pages about the whole wiki, generated under docs/reference/.
REFERENCE_PAGES: dict[str, str] = {
    "reference/disagreements.md": "Where sources differ",
    "reference/statistics.md": "Statistics",
    "reference/tags.md": "Tags",
    "reference/data.md": "Data downloads",
}
RELATION_LABELS = {
    "spouse": "Spouse",
    "child": "Child",
    "parent": "Parent",
    "sibling": "Sibling",
    "parent-in-law": "Parent-in-law",
    "child-in-law": "Child-in-law",
}


CitedClaims = tuple[list[tuple[tuple[str, str], ...]], list[tuple[str, str]]]


def _claim_citations(derived: dict[str, Any], profile: Any) -> CitedClaims:
    """(source, quote) of each citation, claim by claim and all together.

    Kept while the file is unchanged, so the statistics page, which every edit
    re-renders, walks only the edited profiles' claims.
    """
    found = derived.get("claim_citations")
    if found is None:
        per_claim: list[tuple[tuple[str, str], ...]] = []
        for name in type(profile).model_fields:
            values = getattr(profile, name)
            for claim in values if isinstance(values, list) else []:
                if isinstance(claim, Claim):
                    per_claim.append(tuple((c.source, c.quote) for c in claim.cite))
        found = derived["claim_citations"] = (per_claim, [k for keys in per_claim for k in keys])
    return found  # type: ignore[no-any-return]


def source_label(source: Any) -> str:
    name = source.outlet or source.title
    when = source.date.human() if source.date.known else "date unknown"
    return f"{name}, {when}"


_BLANK_RUNS = re.compile(r"\n{3,}")


def _page(wiki: Wiki, template: str, page: str, **values: Any) -> str:
    ctx = PageContext(wiki, page)
    out = environment().get_template(template).render(wiki=wiki, ctx=ctx, Ref=Ref, **values)
    # Sections left out leave blank lines behind; one blank line is all Markdown needs.
    return _BLANK_RUNS.sub("\n\n", out).rstrip("\n") + "\n"


def render(
    wiki: Wiki, only: set[str] | None = None, previous: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Every generated page by its path under docs/, and the profile each page comes from.

    With ``only``, just those pages are rendered and every other page keeps its text
    from ``previous`` (the caller vouches that it cannot have changed).
    """
    if only is not None and previous is None:
        raise ValueError("rendering only some pages needs the previous pages")
    order: list[str] = []
    origins: dict[str, str] = {}
    for kind in KINDS:
        for ref in wiki.refs(kind):
            order.append(ref.page)
            origins[ref.page] = wiki.path_of(ref)
        order.append(f"{kind}/index.md")
    order.extend(REFERENCE_PAGES)
    texts = _render_pages(wiki, order if only is None else [p for p in order if p in only])
    pages = {page: texts[page] if page in texts else previous[page] for page in order}  # type: ignore[index]
    return pages, origins


# Below this many pages to render, forking a second process costs more than it saves.
PARALLEL_MIN_PAGES = 2000


def _render_pages(wiki: Wiki, todo: list[str]) -> dict[str, str]:
    """``render_page`` for each page; many pages on two cores.

    A forked copy renders every other profile page and sends back their texts. This
    process renders the rest, and every page about the whole wiki: those compute the
    views of the wiki (orders, rows, counts) that later rebuilds reuse, so they must be
    computed here.
    """
    if len(todo) < PARALLEL_MIN_PAGES or not can_fork():
        return {page: render_page(wiki, page) for page in todo}
    whole = [page for page in todo if page in REFERENCE_PAGES or page.endswith("/index.md")]
    profiles = [
        page for page in todo if not (page in REFERENCE_PAGES or page.endswith("/index.md"))
    ]
    theirs = profiles[1::2]
    later = in_copy(lambda: marshal.dumps([render_page(wiki, page) for page in theirs]))
    texts = {page: render_page(wiki, page) for page in [*profiles[0::2], *whole]}
    packed = later.result()
    # If the copy died, its pages are rendered here instead.
    their_texts = (
        marshal.loads(packed) if packed is not None else [render_page(wiki, p) for p in theirs]
    )
    texts.update(zip(theirs, their_texts, strict=True))
    return texts


def _about_whole_wiki(page: str) -> bool:
    return page in REFERENCE_PAGES or page.endswith("/index.md")


def render_page(wiki: Wiki, page: str) -> str:
    """The text of one generated page, named by its path under docs/."""
    title = REFERENCE_PAGES.get(page)
    if title is not None:
        template = posixpath.basename(page).removesuffix(".md") + ".md.j2"
        return _page(wiki, template, page, title=title)
    kind, name = page.split("/", 1)
    if kind not in KINDS:
        raise KeyError(page)
    if name == "index.md":
        return _page(wiki, f"{kind}-index.md.j2", page, title=INDEX_TITLES[kind])  # type: ignore[index]
    return _profile_page(wiki, Ref(kind, name.removesuffix(".md")))  # type: ignore[arg-type]


def _profile_page(wiki: Wiki, ref: Ref) -> str:
    return _page(
        wiki,
        f"{SINGULAR[ref.kind]}.md.j2",
        ref.page,
        ref=ref,
        p=wiki.profile(ref),
        title=wiki.title(ref),
        tags=tags_for(wiki, ref),
    )
