"""Which pages the profiles changed between two builds can reach.

A profile page shows its own profile and, of every page it links to or that links to
it, no more than that page's title, dates, kinds and relations to it. So when some
profiles change, the pages whose text can change are the pages of those profiles,
their neighbours in the previous wiki and in the new one (both directions: a link
that disappears changes the page it pointed at too), and the pages about the whole
wiki (section indexes and reference pages). Everything else can reuse its last text;
tests compare the result with a cold build.

Two things travel further than a neighbour. A passage quoted by several profiles is
shown in the words of its first citer, so when that changes, every page citing the
passage is affected too. And a source's name and date show with every citation of it,
including citations of a claim shown on a neighbour's page, so a changed source reaches
its citers' neighbours as well.
"""

from __future__ import annotations

from .model import KINDS
from .render import REFERENCE_PAGES
from .wiki import Ref, Wiki


def wiki_pages(wiki: Wiki) -> set[str]:
    """The pages that summarise the whole wiki, re-rendered on every change."""
    return {f"{kind}/index.md" for kind in KINDS} | set(REFERENCE_PAGES)


def affected_pages(old: Wiki, new: Wiki, changed: set[Ref]) -> set[str]:
    """Every page whose text may differ between ``old`` and ``new`` given ``changed``."""
    refs = set(changed)
    for wiki in (old, new):
        for ref in changed:
            linking = {other for other, _ in wiki.backlinks.get(ref, ())}
            refs |= linking
            refs.update(wiki.links.get(ref, ()))
            if ref.kind == "sources":
                # A source's name and date show beside every quote from it, and a claim
                # shows on the pages of what it relates to too: a posting on the mission's
                # page, a family tie on the relative's, a participation on the person's.
                for citer in linking:
                    refs.update(wiki.links.get(citer, ()))
    refs |= _shared_passage_citers(old, new, changed)
    pages = {ref.page for ref in refs}
    return pages | wiki_pages(new)


def _shared_passage_citers(old: Wiki, new: Wiki, changed: set[Ref]) -> set[Ref]:
    """Citers of passages whose shown words changed, in sources the changed profiles cite."""
    sources = {
        target.id
        for wiki in (old, new)
        for ref in changed
        for target in wiki.links.get(ref, ())
        if target.kind == "sources"
    }
    sources |= {ref.id for ref in changed if ref.kind == "sources"}
    citers: set[Ref] = set()
    for source in sources:
        before = {tuple(use.spans): use for use in old.source_quotes.get(source, [])}
        after = {tuple(use.spans): use for use in new.source_quotes.get(source, [])}
        for key in before.keys() | after.keys():
            was, now = before.get(key), after.get(key)
            if was is None or now is None or was.quote != now.quote:
                for use in (was, now):
                    if use is not None:
                        citers.update(citer.ref for citer in use.cited_by)
    return citers
