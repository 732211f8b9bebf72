"""Alias addresses: ``people/<spelling>/`` leads to the person's page; and the old
address of a merged or renamed profile leads to the profile it is now.

A person is written many ways ("Ri Il-gyu", "Ri Il Kyu"); each spelling whose slug
differs from the page's id gets a small static page that sends the reader on with
a meta refresh and a plain link. No script and no request anywhere else.
"""

from __future__ import annotations

import html

from .identity import former_ids
from .model import Person, slugify
from .wiki import Wiki

RESERVED = frozenset({"index", "tags", "search", "assets", "data"})


def alias_targets(wiki: Wiki) -> dict[str, str]:
    """Alias slug → person id, for every spelling that names exactly one person and is
    neither a person's id nor otherwise taken."""
    claimed: dict[str, set[str]] = {}
    # An old id keeps its own address (identity.py): no spelling takes it.
    people = set(wiki.ids["people"]) | {old for kind, old, _, _ in former_ids(wiki.catalog)}
    for ref in wiki.refs("people"):
        person = wiki.profile(ref)
        assert isinstance(person, Person)
        person_id = ref.id
        for spelling in [person.name, *(claim.value for claim in person.names)]:
            slug = slugify(spelling)
            if slug and slug != person_id:
                claimed.setdefault(slug, set()).add(person_id)
    return {
        slug: next(iter(owners))
        for slug, owners in sorted(claimed.items())
        if len(owners) == 1 and slug not in people and slug not in RESERVED
    }


def redirect_page(title: str, target_url: str, lead: str = "This spelling leads to") -> str:
    """A static page that sends the reader to ``target_url`` (relative to this page);
    ``lead`` is the plain text before the link."""
    url = html.escape(target_url, quote=True)
    name = html.escape(title, quote=True)
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{name}</title>\n"
        f'<link rel="canonical" href="{url}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        "</head>\n"
        "<body>\n"
        f"<h1>{name}</h1>\n"
        f'<p>{html.escape(lead)} <a href="{url}">{name}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    )


def moved_page(title: str, target_url: str, old: str, how: str) -> str:
    """The page at the old address of a profile ``old`` that was merged into, or renamed,
    the profile titled ``title``."""
    if how == "merged":
        lead = f"This profile ({old}) was merged into"
    else:
        lead = f"This profile ({old}) is now"
    return redirect_page(title, target_url, lead)
