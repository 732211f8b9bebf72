"""Recent changes: the wiki's git history as facts, on a page and in an Atom feed.

The latest commits that touched the profiles or the archived articles, newest first,
each compared with its parent by ``diff.compare`` (the facts it added, changed and
removed), dated by its commit and titled by its subject. Nothing depends on when the
site is built, so two builds of the same commit give the same bytes.

The history is read once per commit at HEAD (``history`` keeps the last one), outside
page rendering: the page and the feed are made from it by the pipeline whatever the
reuse machinery kept, so a new commit shows on the next rebuild. A wiki outside a git
repository, or without git, gets a page that says so and an empty, valid feed.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .diff import Diff, Line, Side, compare, profile_lines, profile_status
from .model import Ref
from .project import Project
from .render.environment import environment
from .render.links import Links
from .revisions import GitError, blobs, files_from, git, in_repository, listing, wiki_dirs
from .wiki import Wiki

PAGE = "reference/changes.md"
FEED = "changes.xml"
TITLE = "Recent changes"
# The most change lines one commit's entry shows; a larger commit says how many more.
MAX_LINES = 60
_EPOCH = "1970-01-01T00:00:00Z"
_BLANK_RUNS = re.compile(r"\n{3,}")
# What XML 1.0 cannot hold at all, whatever the escaping.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Commit:
    """One commit that changed the wiki, and what it changed."""

    id: str
    date: str
    """When it was committed, as git records it (ISO 8601 with its offset)."""
    subject: str
    diff: Diff

    @property
    def anchor(self) -> str:
        return f"c-{self.id[:12]}"


@dataclass(frozen=True)
class History:
    """The latest commits that changed the wiki, newest first."""

    commits: tuple[Commit, ...] = ()
    limit: int = 20
    unavailable: str | None = None
    """Why there is no history to show (no repository, no git), if there is none."""
    truncated: bool = False
    """The repository is a shallow clone and older commits are not in it."""


_histories: dict[tuple[object, ...], History] = {}


def history(project: Project) -> History:
    """The latest ``project.changes_shown`` commits that changed profiles/ or seeds/."""
    limit = max(0, project.changes_shown)
    try:
        if not in_repository(project.root):
            return History(limit=limit, unavailable="the wiki is not in a git repository")
    except GitError as exc:
        return History(limit=limit, unavailable=str(exc))  # no git to run
    try:
        head = _head(project.root)
        if head is None:
            return History(limit=limit)
        key = (project, head)
        found = _histories.get(key)
        if found is None:
            found = _read_history(project, head, limit)
            _histories.clear()  # only the latest HEAD is ever asked for again
            _histories[key] = found
    except GitError as exc:
        # A repository git cannot read: the site is still built, and says why.
        return History(limit=limit, unavailable=f"git cannot read the history ({exc})")
    return found


def _head(root: Path) -> str | None:
    try:
        return git(root, "rev-parse", "--verify", "--quiet", "HEAD").decode("ascii").strip()
    except GitError:
        return None  # a repository without commits yet


def _read_history(project: Project, head: str, limit: int) -> History:
    root, dirs = project.root, wiki_dirs(project)
    if limit == 0:
        return History(limit=limit)
    # Each commit's own changes: a merge only repeats what its branch's commits did.
    out = git(
        root, "log", "-z", "--no-merges", "--no-color", f"--max-count={limit}",
        "--format=%H%x1f%P%x1f%cI%x1f%s", head, "--", *dirs,
    )  # fmt: skip
    shallow = _shallow_commits(root)
    reader = _Reader(project)
    commits: list[Commit] = []
    truncated = False
    for record in out.decode("utf-8", "replace").split("\0"):
        if not record.strip():
            continue
        commit_id, parents, date, subject = record.strip("\n").split("\x1f", 3)
        if commit_id in shallow:
            truncated = True  # its parents are not here: what it changed is unknown
            break
        parent = parents.split()[0] if parents else None
        commits.append(Commit(commit_id, date, subject, reader.diff(parent, commit_id)))
    return History(tuple(commits), limit, truncated=truncated)


def _shallow_commits(root: Path) -> set[str]:
    """The commits at the edge of a shallow clone, whose parents were not fetched."""
    if git(root, "rev-parse", "--is-shallow-repository").strip() != b"true":
        return set()
    path = Path(git(root, "rev-parse", "--git-path", "shallow").decode().strip())
    try:
        return set((path if path.is_absolute() else root / path).read_text("ascii").split())
    except OSError:
        return set()


@dataclass
class _Reader:
    """Reads each commit's listing and each changed file once for a whole history."""

    project: Project
    listings: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)

    def listing(self, commit: str | None) -> dict[str, tuple[str, str]]:
        if commit is None:
            return {}
        if commit not in self.listings:
            self.listings[commit] = listing(self.project.root, commit, wiki_dirs(self.project))
        return self.listings[commit]

    def diff(self, parent: str | None, commit: str) -> Diff:
        """What ``commit`` changed, read from only the files it changed."""
        old, new = self.listing(parent), self.listing(commit)
        changed = {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
        wanted = {side[path][1] for side in (old, new) for path in changed if path in side}
        self.contents.update(blobs(self.project.root, wanted - self.contents.keys()))
        before = files_from({p: old[p] for p in changed if p in old}, self.contents)
        after = files_from({p: new[p] for p in changed if p in new}, self.contents)
        base = Side(parent[:12] if parent else "nothing", parent)
        return compare(self.project, before, after, base, Side(commit[:12], commit))


# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shown:
    """One changed profile as an entry shows it: linked while it has a page."""

    ref: Ref
    title: str
    status: str
    lines: list[str]
    linked: bool


def _entry_line(line: Line) -> str:
    sign = {"+": "added", "-": "removed", "~": "changed"}.get(line.sign, "")
    words = f"{line.label}: {line.value}" if line.label else line.value
    note = f" ({line.note})" if line.note else ""
    return f"{sign} {words}{note}".strip()


def _shown(result: Diff, wiki: Wiki) -> list[_Shown]:
    """Each changed profile with its changes in words, at most ``MAX_LINES`` in all."""
    found: list[_Shown] = []
    left = MAX_LINES
    for profile in result.profiles:
        if left <= 0:
            break
        lines = [_entry_line(line) for line in profile_lines(profile)][:left]
        ref = profile.ref
        linked = ref.id in wiki.catalog.entries[ref.kind]
        status = f"{ref.kind}/{ref.id}" + (f", {s}" if (s := profile_status(profile)) else "")
        found.append(_Shown(ref, profile.title, status, lines, linked))
        left -= len(lines)
    return found


def _hidden(result: Diff) -> int:
    """How many changes an entry leaves out."""
    total = sum(len(profile_lines(profile)) for profile in result.profiles)
    return max(0, total - MAX_LINES)


def unread(commit: Commit) -> list[str]:
    """The files a commit changed that could not be read, each once."""
    return list(dict.fromkeys(error.location.path for error in commit.diff.head.skipped))


def page(history: History, wiki: Wiki) -> str:
    """The recent-changes page: its profile links point at the pages of the wiki."""
    entries = [(c, _shown(c.diff, wiki), _hidden(c.diff)) for c in history.commits]
    text = (
        environment()
        .get_template("changes.md.j2")
        .render(
            title=TITLE,
            history=history,
            entries=entries,
            links=Links(wiki, PAGE),
            feed=f"../{FEED}",
            unread=unread,
        )
    )
    return _BLANK_RUNS.sub("\n\n", text).rstrip("\n") + "\n"


# --- The feed ------------------------------------------------------------------------------


def _xml_text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _profile_url(ref: Ref, base: str, directory_urls: bool) -> str:
    return f"{base}{ref.kind}/{ref.id}/" if directory_urls else f"{base}{ref.kind}/{ref.id}.html"


def _entry_html(commit: Commit, wiki: Wiki, base: str, directory_urls: bool) -> str:
    """An entry's content: each changed profile, linked while it has a page, with its
    changes."""
    items = []
    for shown in _shown(commit.diff, wiki):
        name = html.escape(shown.title)
        if shown.linked:
            url = html.escape(_profile_url(shown.ref, base, directory_urls), quote=True)
            name = f'<a href="{url}">{name}</a>'
        changes = "".join(f"<li>{html.escape(line)}</li>" for line in shown.lines)
        items.append(f"<li>{name} ({html.escape(shown.status)})<ul>{changes}</ul></li>")
    items += [
        f"<li>archive {change}: {html.escape(path)}</li>" for change, path in commit.diff.archives
    ]
    items += [
        f"<li>{html.escape(path)} could not be read at this commit: what it changed is not "
        "listed</li>"
        for path in unread(commit)
    ]
    if not items:
        return "<p>No facts changed: the files changed only in form.</p>"
    hidden = _hidden(commit.diff)
    more = f"<p>… and {hidden} more changes.</p>" if hidden else ""
    return f"<ul>{''.join(items)}</ul>{more}"


def _instant(date: str) -> datetime:
    try:
        return datetime.fromisoformat(date)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _commit_id(commit: Commit) -> str:
    # The same commit is the same entry, wherever the feed is published.
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'git-commit:{commit.id}')}"


def feed(
    history: History,
    wiki: Wiki,
    *,
    directory_urls: bool = True,
    site_url: str | None = None,
    site_name: str | None = None,
) -> bytes:
    """The Atom feed of the recent changes (RFC 4287). Links are absolute under
    ``site_url`` when it is given, otherwise relative to the feed, which sits at the
    root of the site."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    page_url = f"{base}reference/changes/" if directory_urls else f"{base}reference/changes.html"
    title = f"{site_name}: {TITLE}" if site_name else TITLE
    feed_id = f"{base}{FEED}" if base else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, title)}"
    # The latest commit date (git lists by date, but dates with different offsets do not
    # compare as text).
    updated = max((c.date for c in history.commits), key=_instant, default=_EPOCH)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{_xml_text(title)}</title>",
        f"  <id>{_xml_text(feed_id)}</id>",
        f"  <updated>{_xml_text(updated)}</updated>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + FEED)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(page_url)}/>',
        "  <author><name>The editors</name></author>",
        "  <generator>factfile</generator>",
    ]
    for commit in history.commits:
        out += [
            "  <entry>",
            f"    <title>{_xml_text(commit.subject or commit.id[:12])}</title>",
            f"    <id>{_commit_id(commit)}</id>",
            f"    <updated>{_xml_text(commit.date)}</updated>",
            f'    <link rel="alternate" type="text/html" '
            f"href={quoteattr(f'{page_url}#{commit.anchor}')}/>",
            '    <content type="html">'
            f"{_xml_text(_entry_html(commit, wiki, base, directory_urls))}</content>",
            "  </entry>",
        ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")
